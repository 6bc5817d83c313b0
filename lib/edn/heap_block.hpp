// The out-of-line contents of Values: reference-counted heap blocks and the
// interned names of keywords and symbols. Only lib/edn uses these.
#ifndef ACCRETE_LIB_EDN_HEAP_BLOCK_HPP_
#define ACCRETE_LIB_EDN_HEAP_BLOCK_HPP_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "accrete/value.hpp"
#include "edn/decimal.hpp"

namespace accrete::internal {

// The common header of every heap block. A block is immutable once a Value
// owns it; only the reference count and the hash cache change, atomically.
struct HeapBlock {
  explicit HeapBlock(Kind k) noexcept : kind(k) {}

  mutable std::atomic<uint32_t> refs{1};
  Kind kind;
  // 0 until computed; a computed hash of 0 is stored as 1.
  mutable std::atomic<size_t> hash_cache{0};

  // A Value of kind `k` that takes over the one reference `block` holds.
  static Value Adopt(Kind k, HeapBlock* block) noexcept {
    Value v;
    v.kind_ = k;
    v.bits_ = reinterpret_cast<uint64_t>(block);
    return v;
  }
  static Value FromBits(Kind k, uint64_t bits) noexcept {
    Value v;
    v.kind_ = k;
    v.bits_ = bits;
    return v;
  }
  static uint64_t Bits(const Value& v) noexcept { return v.bits_; }
  static const HeapBlock* Of(const Value& v) noexcept { return v.block(); }
  static const NameEntry* NameOf(const Value& v) noexcept { return v.name_entry(); }

  // Frees `block` (its reference count reached zero).
  static void Destroy(const HeapBlock* block) noexcept;
};

// kString, kUri, kBytes: the bytes follow the header in the same allocation.
struct TextBlock : HeapBlock {
  TextBlock(Kind k, size_t n) noexcept : HeapBlock(k), size(n) {}
  size_t size;
  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
  std::string_view view() const noexcept { return {data(), size}; }

  static Value Make(Kind k, std::string_view text);
};

// kBigInt, kBigDec: the normalised text and the canonical decimal value.
struct NumberBlock : HeapBlock {
  NumberBlock(Kind k, std::string t) : HeapBlock(k), text(std::move(t)) {}
  std::string text;
  Decimal decimal;
  // The value rounded to the nearest double (±inf when out of range).
  double approx = 0;
  // kBigInt whose value fits in int64: that value (so 5N == 5 and hashes alike).
  bool fits_int64 = false;
  int64_t int64 = 0;
};

// kList, kVector, kSet (a set's items sorted and unique).
struct ItemsBlock : HeapBlock {
  ItemsBlock(Kind k, std::vector<Value> v) noexcept : HeapBlock(k), items(std::move(v)) {}
  std::vector<Value> items;
};

// kMap: entries sorted by key, keys unique.
struct MapBlock : HeapBlock {
  explicit MapBlock(std::vector<MapEntry> e) noexcept
      : HeapBlock(Kind::kMap), entries(std::move(e)) {}
  std::vector<MapEntry> entries;
};

struct UuidBlock : HeapBlock {
  explicit UuidBlock(const std::array<uint8_t, 16>& b) noexcept
      : HeapBlock(Kind::kUuid), bytes(b) {}
  std::array<uint8_t, 16> bytes;
};

struct TaggedBlock : HeapBlock {
  TaggedBlock(Value t, Value v) noexcept
      : HeapBlock(Kind::kTagged), tag(std::move(t)), value(std::move(v)) {}
  Value tag;
  Value value;
};

// An interned keyword or symbol name. Entries are never freed, so a Value can
// hold a plain pointer and equal names compare by pointer.
struct NameEntry {
  std::string qualified;
  // Index of the '/' between namespace and name, or npos.
  size_t slash = std::string::npos;
  size_t hash = 0;
  Kind kind = Kind::kKeyword;  // kKeyword or kSymbol

  std::string_view ns() const noexcept {
    return slash == std::string::npos ? std::string_view()
                                      : std::string_view(qualified).substr(0, slash);
  }
  std::string_view name() const noexcept {
    return slash == std::string::npos ? std::string_view(qualified)
                                      : std::string_view(qualified).substr(slash + 1);
  }
};

// The one entry for `qualified_name` among keywords (`kind` kKeyword) or
// symbols (kSymbol). Thread-safe.
const NameEntry* InternName(Kind kind, std::string_view qualified_name);

// Builds a map from entries already sorted by key with unique keys.
Value MakeSortedMap(std::vector<MapEntry> sorted_entries);
// Builds a set from items already sorted and unique.
Value MakeSortedSet(std::vector<Value> sorted_items);

// -1, 0 or 1 (compare() without the std::strong_ordering wrapper).
int CompareValues(const Value& a, const Value& b) noexcept;

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_EDN_HEAP_BLOCK_HPP_
