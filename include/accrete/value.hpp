// accrete::Value is one EDN value: nil, boolean, integer (int64 and arbitrary
// precision `N`), floating (double and decimal `M`), character, string,
// keyword, symbol, list, vector, map, set, #inst, #uuid, and any other tagged
// literal (kept as a tag plus a value). Two extensions carry Datomic value types
// that EDN lacks: `#uri "..."` and `#bytes "base64"`.
//
// Ownership and thread safety: a Value is immutable. Scalars are stored inline;
// strings, collections and big numbers live in a shared, reference-counted
// block, so copying a Value never copies its contents. Keywords and symbols are
// interned for the life of the process: equal names share one pointer and
// compare in O(1). Values may be copied, compared and read from any number of
// threads at once without synchronisation.
//
// Equality follows EDN/Clojure: collections compare by contents (maps and sets
// ignore order); lists and vectors with the same items are equal; an integer
// and a big integer of the same value are equal, but 1 and 1.0 are not.
// `compare` is a total order over all values (numbers across kinds by numeric
// value), used to sort query results.
#ifndef ACCRETE_VALUE_HPP_
#define ACCRETE_VALUE_HPP_

#include <array>
#include <bit>
#include <cassert>
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace accrete {

enum class Kind : uint8_t {
  kNil,
  kBoolean,
  kInteger,  // int64
  kBigInt,   // arbitrary precision, `123N`
  kFloat,    // double
  kBigDec,   // arbitrary precision decimal, `1.5M`
  kCharacter,
  kString,
  kKeyword,
  kSymbol,
  kList,
  kVector,
  kMap,
  kSet,
  kInst,   // milliseconds since the Unix epoch, UTC
  kUuid,   // 16 bytes
  kUri,    // `#uri "..."`
  kBytes,  // `#bytes "base64"`
  kTagged  // any other tagged literal: a symbol tag and a value
};

// The name of a kind as it appears in error messages ("string", "keyword"...).
std::string_view KindName(Kind kind);

namespace internal {
struct HeapBlock;  // reference-counted contents of non-inline values
struct NameEntry;  // an interned keyword or symbol name
}  // namespace internal

class Value;
using MapEntry = std::pair<Value, Value>;

class Value {
 public:
  // nil.
  Value() noexcept : kind_(Kind::kNil), bits_(0) {}

  // Implicit conversions make C++-built data read like EDN:
  //   vec({kw("db/add"), "jane", kw("person/name"), "Jane"})
  Value(bool b) noexcept : kind_(Kind::kBoolean), bits_(b ? 1 : 0) {}  // NOLINT
  Value(int i) noexcept : Value(static_cast<long long>(i)) {}          // NOLINT
  Value(long i) noexcept : Value(static_cast<long long>(i)) {}         // NOLINT
  Value(long long i) noexcept                                          // NOLINT
      : kind_(Kind::kInteger), bits_(static_cast<uint64_t>(static_cast<int64_t>(i))) {}
  Value(double d) noexcept : kind_(Kind::kFloat), bits_(std::bit_cast<uint64_t>(d)) {}  // NOLINT
  Value(const char* s);         // NOLINT: a string
  Value(std::string_view s);    // NOLINT: a string
  Value(const std::string& s);  // NOLINT: a string

  // Copying, moving and destroying are inline and touch no memory but the
  // Value itself unless it holds a heap block (whose count is atomic).
  Value(const Value& other) noexcept : kind_(other.kind_), bits_(other.bits_) {
    if (is_heap()) RetainHeap();
  }
  Value(Value&& other) noexcept : kind_(other.kind_), bits_(other.bits_) {
    other.kind_ = Kind::kNil;
    other.bits_ = 0;
  }
  Value& operator=(const Value& other) noexcept {
    // Read and retain `other` before releasing *this: `other` may be *this,
    // or live inside the block that the release frees.
    const Kind kind = other.kind_;
    const uint64_t bits = other.bits_;
    if (other.is_heap()) other.RetainHeap();
    if (is_heap()) ReleaseHeap();
    kind_ = kind;
    bits_ = bits;
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      const Kind kind = other.kind_;
      const uint64_t bits = other.bits_;
      other.kind_ = Kind::kNil;
      other.bits_ = 0;
      if (is_heap()) ReleaseHeap();
      kind_ = kind;
      bits_ = bits;
    }
    return *this;
  }
  ~Value() {
    if (is_heap()) ReleaseHeap();
  }

  // Named constructors. Names of keywords and symbols are given without the
  // leading ':' ("person/name", "db/add"); they are not validated here (the
  // reader validates what it parses).
  static Value Nil() { return Value(); }
  static Value Boolean(bool b) { return Value(b); }
  static Value Integer(int64_t i) noexcept { return Value(static_cast<long long>(i)); }
  // `digits` is an optional '-' then decimal digits. Normalised (no leading
  // zeros, no "-0").
  static Value BigInt(std::string_view digits);
  static Value Float(double d) noexcept { return Value(d); }
  // `text` is a decimal such as "-12.5", "1e10", "0.0010" (no 'M').
  // Stored as given after normalising sign and exponent.
  static Value BigDec(std::string_view text);
  static Value Character(char32_t c);
  static Value String(std::string_view s);
  static Value Keyword(std::string_view qualified_name);
  static Value Keyword(std::string_view ns, std::string_view name);
  static Value Symbol(std::string_view qualified_name);
  static Value Symbol(std::string_view ns, std::string_view name);
  static Value List(std::vector<Value> items);
  static Value Vector(std::vector<Value> items);
  // Later duplicates of a key replace earlier ones.
  static Value Map(std::vector<MapEntry> entries);
  // Duplicates are dropped.
  static Value Set(std::vector<Value> items);
  static Value Inst(int64_t epoch_millis) noexcept {
    return Value(Kind::kInst, static_cast<uint64_t>(epoch_millis));
  }
  static Value Uuid(const std::array<uint8_t, 16>& bytes);
  static Value Uri(std::string_view uri);
  static Value Bytes(std::string_view bytes);
  // `tag` must be a symbol.
  static Value Tagged(Value tag, Value value);

  Kind kind() const noexcept { return kind_; }
  bool is_nil() const noexcept { return kind_ == Kind::kNil; }
  bool is_boolean() const noexcept { return kind_ == Kind::kBoolean; }
  bool is_integer() const noexcept { return kind_ == Kind::kInteger; }
  bool is_float() const noexcept { return kind_ == Kind::kFloat; }
  bool is_string() const noexcept { return kind_ == Kind::kString; }
  bool is_keyword() const noexcept { return kind_ == Kind::kKeyword; }
  bool is_symbol() const noexcept { return kind_ == Kind::kSymbol; }
  bool is_list() const noexcept { return kind_ == Kind::kList; }
  bool is_vector() const noexcept { return kind_ == Kind::kVector; }
  bool is_map() const noexcept { return kind_ == Kind::kMap; }
  bool is_set() const noexcept { return kind_ == Kind::kSet; }
  // List or vector.
  bool is_sequential() const noexcept { return kind_ == Kind::kList || kind_ == Kind::kVector; }
  // List, vector or set.
  bool is_collection() const noexcept { return is_sequential() || kind_ == Kind::kSet; }

  // Accessors. Each requires the matching kind (checked by assert in debug
  // builds); callers test kind() first.
  bool as_bool() const noexcept { return bits_ != 0; }
  int64_t as_int() const noexcept {
    assert(kind_ == Kind::kInteger);
    return int_bits();
  }
  double as_double() const noexcept {
    assert(kind_ == Kind::kFloat);
    return std::bit_cast<double>(bits_);
  }
  char32_t as_char() const noexcept {
    assert(kind_ == Kind::kCharacter);
    return static_cast<char32_t>(bits_);
  }
  // kString, kUri, kBytes: the contents. kBigInt: the decimal digits with an
  // optional leading '-'. kBigDec: the normalised decimal text (no 'M').
  // Valid as long as this Value (or a copy) lives.
  std::string_view as_string() const noexcept;
  // kKeyword / kSymbol: the namespace ("" when absent), the name, and the
  // qualified "ns/name" (or just "name").
  std::string_view ns() const noexcept;
  std::string_view name() const noexcept;
  std::string_view qualified_name() const noexcept;
  int64_t inst_millis() const noexcept { return int_bits(); }
  const std::array<uint8_t, 16>& uuid_bytes() const noexcept;
  // kList, kVector, kSet: the items (a set's items in compare() order).
  std::span<const Value> items() const noexcept;
  // kMap: entries sorted by key in compare() order.
  std::span<const MapEntry> entries() const noexcept;
  // kList, kVector, kSet: item count; kMap: entry count; otherwise 0.
  size_t size() const noexcept;
  // kMap: the value for `key`, or nullptr. O(log n).
  const Value* get(const Value& key) const noexcept;
  // kSet: membership. O(log n).
  bool contains(const Value& item) const noexcept;
  // kTagged: the tag symbol and the tagged value.
  const Value& tag() const noexcept;
  const Value& tagged_value() const noexcept;

  size_t hash() const noexcept;
  template <typename H>
  friend H AbslHashValue(H h, const Value& v) {
    return H::combine(std::move(h), v.hash());
  }

  friend bool operator==(const Value& a, const Value& b) noexcept;
  // A total order over all values: by kind group, then within it. Numbers of
  // different kinds compare numerically (ties broken by kind).
  friend std::strong_ordering compare(const Value& a, const Value& b) noexcept;
  friend bool operator<(const Value& a, const Value& b) noexcept { return compare(a, b) < 0; }

  // EDN text of this value (see edn.hpp for the reader).
  std::string to_string() const;

 private:
  friend struct internal::HeapBlock;
  // Kinds whose bits_ point to a reference-counted HeapBlock.
  static constexpr uint32_t kHeapKinds =
      1u << static_cast<int>(Kind::kBigInt) | 1u << static_cast<int>(Kind::kBigDec) |
      1u << static_cast<int>(Kind::kString) | 1u << static_cast<int>(Kind::kList) |
      1u << static_cast<int>(Kind::kVector) | 1u << static_cast<int>(Kind::kMap) |
      1u << static_cast<int>(Kind::kSet) | 1u << static_cast<int>(Kind::kUuid) |
      1u << static_cast<int>(Kind::kUri) | 1u << static_cast<int>(Kind::kBytes) |
      1u << static_cast<int>(Kind::kTagged);
  Value(Kind kind, uint64_t bits) noexcept : kind_(kind), bits_(bits) {}
  bool is_heap() const noexcept { return (kHeapKinds >> static_cast<int>(kind_)) & 1u; }
  int64_t int_bits() const noexcept { return static_cast<int64_t>(bits_); }
  const internal::HeapBlock* block() const noexcept {
    return reinterpret_cast<const internal::HeapBlock*>(bits_);
  }
  const internal::NameEntry* name_entry() const noexcept {
    return reinterpret_cast<const internal::NameEntry*>(bits_);
  }
  // The slow paths of copy and destruction, for heap kinds only.
  void RetainHeap() const noexcept;
  void ReleaseHeap() noexcept;

  Kind kind_;
  // Inline payload for nil, boolean, integer, float (bit pattern), character
  // and inst; a NameEntry* for keywords and symbols; a HeapBlock* otherwise.
  uint64_t bits_;
};

// Builders that read like EDN in C++ code.
inline Value kw(std::string_view qualified_name) { return Value::Keyword(qualified_name); }
inline Value sym(std::string_view qualified_name) { return Value::Symbol(qualified_name); }
inline Value vec(std::initializer_list<Value> items) {
  return Value::Vector(std::vector<Value>(items));
}
inline Value list(std::initializer_list<Value> items) {
  return Value::List(std::vector<Value>(items));
}
inline Value set(std::initializer_list<Value> items) {
  return Value::Set(std::vector<Value>(items));
}
inline Value map(std::initializer_list<MapEntry> entries) {
  return Value::Map(std::vector<MapEntry>(entries));
}

}  // namespace accrete

template <>
struct std::hash<accrete::Value> {
  size_t operator()(const accrete::Value& v) const noexcept { return v.hash(); }
};

#endif  // ACCRETE_VALUE_HPP_
