// Order-preserving encodings of attribute values and of index keys.
// on-disk format: do not change (docs/format.md describes every byte).
//
// An encoded value is a type tag byte followed by a payload whose memcmp order
// is the value order within that type, and the whole encoding is prefix-free
// (no encoding is a proper prefix of another), so a value can be followed by
// more key components without disturbing the order.
#ifndef ACCRETE_LIB_STORE_ENCODING_HPP_
#define ACCRETE_LIB_STORE_ENCODING_HPP_

#include <algorithm>
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

// Writes the value of full encoding `v` over `*out` (nil when malformed),
// reusing `*scratch`: the scan path's decoder. Common types decode with no
// Status and no intermediate string (a string value allocates once, a
// scalar not at all); the rest go through DecodeValue. Debug builds check
// every fast decode against DecodeValue.
void DecodeValueInto(std::string_view v, Value* out, std::string* scratch);

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

// ---- Compact ordered integers (format version 2) -------------------------

// The number of significant bytes of x: 0 for 0, else 1..8.
inline int SignificantBytes(uint64_t x) { return x == 0 ? 0 : 8 - std::countl_zero(x) / 8; }

// Appends the low `n` bytes of x, most significant first (n <= 8).
inline void AppendLowBytes(std::string* out, uint64_t x, int n) {
  if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
  char buf[8];
  std::memcpy(buf, &x, sizeof(buf));
  out->append(buf + 8 - n, static_cast<size_t>(n));
}

// Reads `n` (<= 8) bytes, most significant first. Every scanned key goes
// through here, so it loads whole words (two overlapping ones for 4..8
// bytes) instead of looping over bytes.
inline uint32_t LoadBig32(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, sizeof(x));
  if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap32(x);
  return x;
}
inline uint64_t ReadLowBytes(const char* p, size_t n) {
  if (n >= 4) {
    const uint64_t hi = LoadBig32(p);
    const uint64_t lo = LoadBig32(p + n - 4);
    const unsigned low_bits = static_cast<unsigned>(8 * (n - 4));
    return low_bits == 0 ? hi : (hi << low_bits) | (lo & ((uint64_t{1} << low_bits) - 1));
  }
  uint64_t x = 0;
  for (size_t i = 0; i < n; ++i) x = (x << 8) | static_cast<uint8_t>(p[i]);
  return x;
}

// An entity or attribute id in a key: one byte n = SignificantBytes(id),
// then those n bytes big-endian. memcmp order is numeric order (more bytes
// means larger; the same count compares bytewise), and no id's form is a
// prefix of another's. Layers above build key prefixes of e and a with it.
inline void AppendId(std::string* out, uint64_t id) {
  const int n = SignificantBytes(id);
  out->push_back(static_cast<char>(n));
  AppendLowBytes(out, id, n);
}

// Reads an id in AppendId's form from the front of `in`: the bytes it took,
// or 0 when malformed.
inline size_t ReadId(std::string_view in, uint64_t* id) {
  if (in.empty()) return 0;
  const size_t n = static_cast<uint8_t>(in[0]);
  if (n > 8 || in.size() < n + 1) return 0;
  *id = ReadLowBytes(in.data() + 1, n);
  return n + 1;
}

// The tail form, for a component that ends a key and must be found from
// the end (e in AVET, tx_a's t in history keys): AppendId's bytes followed
// by the count byte again. The order is AppendId's (the trailing byte only
// follows equal ids).
inline void AppendTailId(std::string* out, uint64_t id) {
  const int n = SignificantBytes(id);
  out->push_back(static_cast<char>(n));
  AppendLowBytes(out, id, n);
  out->push_back(static_cast<char>(n));
}

// Reads a tail-form id at the end of `in`: the bytes it took, or 0 when
// malformed.
inline size_t ReadTailId(std::string_view in, uint64_t* id) {
  if (in.size() < 2) return 0;
  const size_t n = static_cast<uint8_t>(in.back());
  if (n > 8 || in.size() < n + 2 || static_cast<uint8_t>(in[in.size() - n - 2]) != n) return 0;
  *id = ReadLowBytes(in.data() + in.size() - n - 1, n);
  return n + 2;
}

// ---- Index keys -----------------------------------------------------------
//
// Current indexes (open lifetimes; LMDB value: t of tx_a, see AppendEntryT):
//   EAVT  id(e) id(a) v'
//   AEVT  id(a) id(e) v'
//   AVET  id(a) v' tail(e)
//   VAET  v id(a) id(e)   (refs only; v is the ref's 9-byte encoding)
// History indexes (closed lifetimes; LMDB value: t of tx_r) append
// tail(t of tx_a) to the same key.
//
// v' is the value's encoding when it is at most kMaxInlineValue bytes. A
// longer encoding is stored whole in the `vals` sub-database under an 8-byte
// id, and v' is its first kMaxInlineValue bytes followed by that id. The
// extent of v' in a key is always known once the ids are read, and v'
// longer than kMaxInlineValue means "long value". Order stays correct
// between any two values whose encodings differ in their first
// kMaxInlineValue bytes; readers re-sort runs of long values that share that
// prefix.
inline constexpr size_t kMaxInlineValue = 200;
inline constexpr size_t kLongValueRef = kMaxInlineValue + 8;

// Splits an index key into its parts. `v` is v' as stored (possibly the long
// form); `tx_a` is set for history keys.
struct KeyParts {
  uint64_t e = 0;
  uint64_t a = 0;
  std::string_view v;
  uint64_t tx_a = 0;  // the transaction entity id
};

// An index entry's LMDB value: the t of a transaction (tx_a in a current
// index, tx_r in a history index) as its significant bytes, at least one.
inline void AppendEntryT(std::string* out, int64_t t) {
  const uint64_t x = static_cast<uint64_t>(t);
  AppendLowBytes(out, x, std::max(1, SignificantBytes(x)));
}

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_STORE_ENCODING_HPP_
