// Order-preserving encodings of attribute values and of index keys.
// on-disk format: do not change (docs/format.md describes every byte).
//
// An encoded value is a type tag byte followed by a payload whose memcmp order
// is the value order within that type, and the whole encoding is prefix-free
// (no encoding is a proper prefix of another), so a value can be followed by
// more key components without disturbing the order.
#ifndef ACCRETE_LIB_STORE_ENCODING_HPP_
#define ACCRETE_LIB_STORE_ENCODING_HPP_

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "accrete/value.hpp"

namespace accrete::internal {

// Attribute value types (:db.type/...). The numbers are the tag bytes of
// encoded values. on-disk format: do not change.
enum class ValueType : uint8_t {
  kNil = 0x01,  // only inside tuples (a composite tuple's missing element)
  kBoolean = 0x10,
  kLong = 0x11,
  kBigInt = 0x12,
  kFloat = 0x13,
  kDouble = 0x14,
  kBigDec = 0x15,
  kInstant = 0x16,
  kRef = 0x20,
  kKeyword = 0x30,
  kString = 0x31,
  kSymbol = 0x32,
  kUri = 0x33,
  kBytes = 0x34,
  kUuid = 0x40,
  kTuple = 0x50,
};

// "db.type/string" -> kString, for every Datomic value type; nullopt
// otherwise. kNil has no ident.
std::optional<ValueType> ValueTypeFromIdent(std::string_view qualified_name);
// kString -> "db.type/string".
std::string_view ValueTypeIdent(ValueType type);

// What an attribute accepts: its type and, for tuples, the element types
// (:db/tupleTypes, one per element; or :db/tupleType repeated, in which case
// `homogeneous` is set and tuple_types has one entry; composite tuples
// (:db/tupleAttrs) list their attributes' types).
struct TypeSpec {
  ValueType type = ValueType::kString;
  std::vector<ValueType> tuple_types;
  bool homogeneous = false;
};

// Appends the encoding of `v` as a value of `spec` to `out`. InvalidArgument,
// naming the expected type and the value, when `v` does not fit: e.g. a
// string for a long, a float for a long, a tuple of the wrong length. Accepted
// conversions: an integer for a double or float attribute; a float
// attribute's value is rounded to 32-bit precision and then encoded like a
// double. A ref must be given as an entity id (kInteger); resolving idents and
// lookup refs is the caller's job. Instants take kInst, uuids kUuid, uris
// kUri or a string, bytes kBytes, bigints kBigInt or kInteger, bigdecs
// kBigDec.
// Tuples take a vector (nil elements allowed, 2..8 elements).
absl::Status EncodeValue(const Value& v, const TypeSpec& spec, std::string* out);

// Decodes one encoded value from the front of `*in` and advances `*in` past
// it. Refs decode as kInteger entity ids; keywords, symbols, instants, uuids,
// uris, bytes as their kinds; tuples as vectors. DataLoss on malformed input.
absl::StatusOr<Value> DecodeValue(std::string_view* in);

// The type of an encoded value (its tag byte).
inline ValueType EncodedType(std::string_view encoded) {
  return static_cast<ValueType>(static_cast<uint8_t>(encoded[0]));
}

// Fixed-width big-endian unsigned integers: memcmp order is numeric order.
// Inline: the read path calls GetU64 several times per datom.
inline void PutU64(std::string* out, uint64_t x) {
  if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
  char buf[8];
  std::memcpy(buf, &x, sizeof(buf));
  out->append(buf, sizeof(buf));
}
inline uint64_t GetU64(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, sizeof(x));
  if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
  return x;
}

// ---- Index keys -----------------------------------------------------------
//
// Current indexes (open lifetimes; LMDB value: tx_a as 8 bytes):
//   EAVT  e a v'
//   AEVT  a e v'
//   AVET  a v' e
//   VAET  v a e        (refs only; v is the ref's 9-byte encoding)
// History indexes (closed lifetimes; LMDB value: tx_r as 8 bytes) append
// tx_a (8 bytes) to the same key.
//
// v' is the value's encoding when it is at most kMaxInlineValue bytes. A
// longer encoding is stored whole in the `vals` sub-database under an 8-byte
// id, and v' is its first kMaxInlineValue bytes followed by that id. The
// extent of v' in a key is always known from the key's length, and v' longer
// than kMaxInlineValue means "long value". Order stays correct between any
// two values whose encodings differ in their first kMaxInlineValue bytes;
// readers re-sort runs of long values that share that prefix.
inline constexpr size_t kMaxInlineValue = 200;
inline constexpr size_t kLongValueRef = kMaxInlineValue + 8;

// Splits an index key into its parts. `v` is v' as stored (possibly the long
// form); `tx_a` is set for history keys.
struct KeyParts {
  uint64_t e = 0;
  uint64_t a = 0;
  std::string_view v;
  uint64_t tx_a = 0;
};

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_STORE_ENCODING_HPP_
