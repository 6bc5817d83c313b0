// Value: construction, accessors, equality, the total order and hashing.
#include "accrete/value.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "absl/hash/hash.h"
#include "accrete/edn.hpp"
#include "edn/decimal.hpp"
#include "edn/heap_block.hpp"

namespace accrete {

using internal::HeapBlock;
using internal::ItemsBlock;
using internal::TaggedBlock;
using internal::TextBlock;
using internal::UuidBlock;

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kNil:
      return "nil";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kInteger:
      return "integer";
    case Kind::kBigInt:
      return "bigint";
    case Kind::kFloat:
      return "float";
    case Kind::kBigDec:
      return "bigdec";
    case Kind::kCharacter:
      return "character";
    case Kind::kString:
      return "string";
    case Kind::kKeyword:
      return "keyword";
    case Kind::kSymbol:
      return "symbol";
    case Kind::kList:
      return "list";
    case Kind::kVector:
      return "vector";
    case Kind::kMap:
      return "map";
    case Kind::kSet:
      return "set";
    case Kind::kInst:
      return "inst";
    case Kind::kUuid:
      return "uuid";
    case Kind::kUri:
      return "uri";
    case Kind::kBytes:
      return "bytes";
    case Kind::kTagged:
      return "tagged";
  }
  return "unknown";
}

namespace internal {

Value TextBlock::Make(Kind k, std::string_view text) {
  void* memory = ::operator new(sizeof(TextBlock) + text.size());
  auto* block = new (memory) TextBlock(k, text.size());
  if (!text.empty()) std::memcpy(block->data(), text.data(), text.size());
  return Adopt(k, block);
}

void HeapBlock::Destroy(const HeapBlock* block) noexcept {
  switch (block->kind) {
    case Kind::kString:
    case Kind::kUri:
    case Kind::kBytes: {
      auto* text = static_cast<const TextBlock*>(block);
      text->~TextBlock();
      ::operator delete(const_cast<TextBlock*>(text));
      return;
    }
    case Kind::kBigInt:
    case Kind::kBigDec:
      delete static_cast<const NumberBlock*>(block);
      return;
    case Kind::kList:
    case Kind::kVector:
    case Kind::kSet:
      delete static_cast<const ItemsBlock*>(block);
      return;
    case Kind::kMap:
      delete static_cast<const MapBlock*>(block);
      return;
    case Kind::kUuid:
      delete static_cast<const UuidBlock*>(block);
      return;
    case Kind::kTagged:
      delete static_cast<const TaggedBlock*>(block);
      return;
    default:
      assert(false && "not a heap kind");
      return;
  }
}

Value MakeSortedMap(std::vector<MapEntry> sorted_entries) {
  return HeapBlock::Adopt(Kind::kMap, new MapBlock(std::move(sorted_entries)));
}

Value MakeSortedSet(std::vector<Value> sorted_items) {
  return HeapBlock::Adopt(Kind::kSet, new ItemsBlock(Kind::kSet, std::move(sorted_items)));
}

namespace {

const TextBlock& Text(const Value& v) { return *static_cast<const TextBlock*>(HeapBlock::Of(v)); }
const NumberBlock& Number(const Value& v) {
  return *static_cast<const NumberBlock*>(HeapBlock::Of(v));
}
const ItemsBlock& Items(const Value& v) {
  return *static_cast<const ItemsBlock*>(HeapBlock::Of(v));
}
const MapBlock& Map(const Value& v) { return *static_cast<const MapBlock*>(HeapBlock::Of(v)); }
const TaggedBlock& Tagged(const Value& v) {
  return *static_cast<const TaggedBlock*>(HeapBlock::Of(v));
}

Value MakeNumber(Kind kind, std::string text) {
  auto* block = new NumberBlock(kind, std::move(text));
  const std::string& t = block->text;
  if (!ParseDecimal(t, &block->decimal)) {
    // Not a number (Value::BigInt/BigDec were given bad text): keep the text,
    // treat it as zero so that order and hashing stay well defined.
    block->decimal = Decimal{};
  }
  double approx = 0;
  auto [end, ec] =
      std::from_chars(t.data() + (!t.empty() && t[0] == '-'), t.data() + t.size(), approx);
  (void)end;
  if (ec == std::errc::result_out_of_range) {
    approx = block->decimal.exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  }
  block->approx = block->decimal.sign < 0 ? -std::fabs(approx) : std::fabs(approx);
  if (kind == Kind::kBigInt) {
    int64_t i = 0;
    auto [p, err] = std::from_chars(t.data(), t.data() + t.size(), i);
    block->fits_int64 = err == std::errc() && p == t.data() + t.size();
    block->int64 = block->fits_int64 ? i : 0;
  }
  return HeapBlock::Adopt(kind, block);
}

// Kind groups of the total order, in order.
enum Group : int {
  kGroupNil,
  kGroupBoolean,
  kGroupNumber,
  kGroupCharacter,
  kGroupString,
  kGroupKeyword,
  kGroupSymbol,
  kGroupInst,
  kGroupUuid,
  kGroupUri,
  kGroupBytes,
  kGroupSequential,
  kGroupMap,
  kGroupSet,
  kGroupTagged,
};

Group GroupOf(Kind kind) {
  switch (kind) {
    case Kind::kNil:
      return kGroupNil;
    case Kind::kBoolean:
      return kGroupBoolean;
    case Kind::kInteger:
    case Kind::kBigInt:
    case Kind::kFloat:
    case Kind::kBigDec:
      return kGroupNumber;
    case Kind::kCharacter:
      return kGroupCharacter;
    case Kind::kString:
      return kGroupString;
    case Kind::kKeyword:
      return kGroupKeyword;
    case Kind::kSymbol:
      return kGroupSymbol;
    case Kind::kList:
    case Kind::kVector:
      return kGroupSequential;
    case Kind::kMap:
      return kGroupMap;
    case Kind::kSet:
      return kGroupSet;
    case Kind::kInst:
      return kGroupInst;
    case Kind::kUuid:
      return kGroupUuid;
    case Kind::kUri:
      return kGroupUri;
    case Kind::kBytes:
      return kGroupBytes;
    case Kind::kTagged:
      return kGroupTagged;
  }
  return kGroupTagged;
}

// Numbers of equal value but different categories are ordered by category.
// Integers and big integers are one category: 5 == 5N.
int NumberCategory(Kind kind) {
  switch (kind) {
    case Kind::kInteger:
    case Kind::kBigInt:
      return 0;
    case Kind::kFloat:
      return 1;
    default:
      return 2;
  }
}

template <typename T>
int Sign3(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

double DoubleOf(const Value& v) { return std::bit_cast<double>(HeapBlock::Bits(v)); }

// Exact comparison of an int64 and a finite or infinite, non-NaN double.
int CompareIntDouble(int64_t i, double d) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (d >= kTwo63) return -1;
  if (d < -kTwo63) return 1;
  double truncated = std::trunc(d);
  auto t = static_cast<int64_t>(truncated);  // exact: |truncated| < 2^63
  if (i != t) return i < t ? -1 : 1;
  return Sign3(truncated, d);
}

Decimal DecimalOf(const Value& v) {
  switch (v.kind()) {
    case Kind::kInteger:
      return DecimalFromInt(v.as_int());
    case Kind::kFloat:
      return DecimalFromDouble(DoubleOf(v));
    default:
      return Number(v).decimal;
  }
}

// A big number against a finite double: rounding to double is monotonic, so
// unequal rounded values decide; only a tie needs the exact decimal.
int CompareBigDouble(const Value& big, double d) {
  double approx = Number(big).approx;
  if (approx != d) return approx < d ? -1 : 1;
  return CompareDecimal(Number(big).decimal, DecimalFromDouble(d));
}

// Numeric comparison across the four number kinds. NaN is greater than every
// other number and equal to itself, so the order stays total.
int CompareNumbers(const Value& a, const Value& b) {
  Kind ka = a.kind();
  Kind kb = b.kind();
  if (ka == Kind::kInteger && kb == Kind::kInteger) return Sign3(a.as_int(), b.as_int());
  bool a_float = ka == Kind::kFloat;
  bool b_float = kb == Kind::kFloat;
  if (a_float || b_float) {
    bool a_nan = a_float && std::isnan(DoubleOf(a));
    bool b_nan = b_float && std::isnan(DoubleOf(b));
    if (a_nan || b_nan) return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
    if (a_float && b_float) return Sign3(DoubleOf(a), DoubleOf(b));
    if (a_float) return -CompareNumbers(b, a);
    // b is a float, a is not.
    double d = DoubleOf(b);
    if (ka == Kind::kInteger) return CompareIntDouble(a.as_int(), d);
    if (std::isinf(d)) return d > 0 ? -1 : 1;
    return CompareBigDouble(a, d);
  }
  if (ka == Kind::kBigInt && Number(a).fits_int64 && kb == Kind::kInteger) {
    return Sign3(Number(a).int64, b.as_int());
  }
  if (kb == Kind::kBigInt && Number(b).fits_int64 && ka == Kind::kInteger) {
    return Sign3(a.as_int(), Number(b).int64);
  }
  if (ka != Kind::kInteger && kb != Kind::kInteger) {
    return CompareDecimal(Number(a).decimal, Number(b).decimal);
  }
  return CompareDecimal(DecimalOf(a), DecimalOf(b));
}

int CompareNames(const Value& a, const Value& b) {
  if (HeapBlock::NameOf(a) == HeapBlock::NameOf(b)) return 0;
  bool a_has_ns = HeapBlock::NameOf(a)->slash != std::string::npos;
  bool b_has_ns = HeapBlock::NameOf(b)->slash != std::string::npos;
  if (a_has_ns != b_has_ns) return a_has_ns ? 1 : -1;
  int c = a.ns().compare(b.ns());
  if (c == 0) c = a.name().compare(b.name());
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int CompareBytes(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

template <typename T, typename Cmp>
int CompareSpans(std::span<const T> a, std::span<const T> b, Cmp cmp) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = cmp(a[i], b[i]); c != 0) return c;
  }
  return Sign3(a.size(), b.size());
}

int CompareEntries(const MapEntry& a, const MapEntry& b) {
  int c = CompareValues(a.first, b.first);
  return c != 0 ? c : CompareValues(a.second, b.second);
}

// Hash seeds per group, so that equal contents in different groups differ.
size_t HashNumber(const Value& v) {
  switch (v.kind()) {
    case Kind::kInteger:
      return absl::HashOf(kGroupNumber, v.as_int());
    case Kind::kBigInt: {
      const NumberBlock& n = Number(v);
      if (n.fits_int64) return absl::HashOf(kGroupNumber, n.int64);
      return absl::HashOf(kGroupNumber, n.decimal.sign, n.decimal.digits, n.decimal.exponent);
    }
    case Kind::kFloat: {
      double d = DoubleOf(v);
      if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
      if (d == 0) d = 0.0;  // -0.0 == 0.0
      return absl::HashOf(kGroupNumber, 1, std::bit_cast<uint64_t>(d));
    }
    default: {
      const Decimal& dec = Number(v).decimal;
      return absl::HashOf(kGroupNumber, 2, dec.sign, dec.digits, dec.exponent);
    }
  }
}

size_t ComputeHash(const Value& v) {
  switch (v.kind()) {
    case Kind::kNil:
      return absl::HashOf(kGroupNil);
    case Kind::kBoolean:
      return absl::HashOf(kGroupBoolean, v.as_bool());
    case Kind::kInteger:
    case Kind::kBigInt:
    case Kind::kFloat:
    case Kind::kBigDec:
      return HashNumber(v);
    case Kind::kCharacter:
      return absl::HashOf(kGroupCharacter, static_cast<uint32_t>(v.as_char()));
    case Kind::kString:
    case Kind::kUri:
    case Kind::kBytes:
      return absl::HashOf(GroupOf(v.kind()), v.as_string());
    case Kind::kKeyword:
    case Kind::kSymbol:
      return HeapBlock::NameOf(v)->hash;
    case Kind::kInst:
      return absl::HashOf(kGroupInst, v.inst_millis());
    case Kind::kUuid:
      return absl::HashOf(kGroupUuid, v.uuid_bytes());
    case Kind::kList:
    case Kind::kVector:
    case Kind::kSet: {
      size_t h = absl::HashOf(GroupOf(v.kind()), v.size());
      for (const Value& item : v.items()) h = absl::HashOf(h, item.hash());
      return h;
    }
    case Kind::kMap: {
      size_t h = absl::HashOf(kGroupMap, v.size());
      for (const auto& [key, value] : v.entries()) h = absl::HashOf(h, key.hash(), value.hash());
      return h;
    }
    case Kind::kTagged:
      return absl::HashOf(kGroupTagged, v.tag().hash(), v.tagged_value().hash());
  }
  return 0;
}

}  // namespace

int CompareValues(const Value& a, const Value& b) noexcept {
  Group ga = GroupOf(a.kind());
  Group gb = GroupOf(b.kind());
  if (ga != gb) return ga < gb ? -1 : 1;
  if (a.kind() == b.kind() && HeapBlock::Bits(a) == HeapBlock::Bits(b)) return 0;
  switch (ga) {
    case kGroupNil:
      return 0;
    case kGroupBoolean:
      return Sign3(a.as_bool(), b.as_bool());
    case kGroupNumber: {
      int c = CompareNumbers(a, b);
      return c != 0 ? c : Sign3(NumberCategory(a.kind()), NumberCategory(b.kind()));
    }
    case kGroupCharacter:
      return Sign3(a.as_char(), b.as_char());
    case kGroupString:
    case kGroupUri:
    case kGroupBytes:
      return CompareBytes(a.as_string(), b.as_string());
    case kGroupKeyword:
    case kGroupSymbol:
      return CompareNames(a, b);
    case kGroupInst:
      return Sign3(a.inst_millis(), b.inst_millis());
    case kGroupUuid:
      return CompareBytes(
          std::string_view(reinterpret_cast<const char*>(a.uuid_bytes().data()), 16),
          std::string_view(reinterpret_cast<const char*>(b.uuid_bytes().data()), 16));
    case kGroupSequential:
    case kGroupSet:
      return CompareSpans(a.items(), b.items(), CompareValues);
    case kGroupMap:
      return CompareSpans(a.entries(), b.entries(), CompareEntries);
    case kGroupTagged: {
      int c = CompareValues(a.tag(), b.tag());
      return c != 0 ? c : CompareValues(a.tagged_value(), b.tagged_value());
    }
  }
  return 0;
}

}  // namespace internal

// --- construction -----------------------------------------------------------

Value::Value(const char* s) : Value(String(s)) {}
Value::Value(std::string_view s) : Value(String(s)) {}
Value::Value(const std::string& s) : Value(String(s)) {}

void Value::RetainHeap() const noexcept { block()->refs.fetch_add(1, std::memory_order_relaxed); }

void Value::ReleaseHeap() noexcept {
  const HeapBlock* b = block();
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) HeapBlock::Destroy(b);
}

Value Value::BigInt(std::string_view digits) {
  return internal::MakeNumber(Kind::kBigInt, internal::NormalizeBigIntText(digits));
}

Value Value::BigDec(std::string_view text) {
  return internal::MakeNumber(Kind::kBigDec, internal::NormalizeBigDecText(text));
}

Value Value::Character(char32_t c) {
  return HeapBlock::FromBits(Kind::kCharacter, static_cast<uint64_t>(c));
}

Value Value::String(std::string_view s) { return TextBlock::Make(Kind::kString, s); }

Value Value::Keyword(std::string_view qualified_name) {
  return HeapBlock::FromBits(Kind::kKeyword, reinterpret_cast<uint64_t>(internal::InternName(
                                                 Kind::kKeyword, qualified_name)));
}

Value Value::Keyword(std::string_view ns, std::string_view name) {
  if (ns.empty()) return Keyword(name);
  return Keyword(std::string(ns).append("/").append(name));
}

Value Value::Symbol(std::string_view qualified_name) {
  return HeapBlock::FromBits(Kind::kSymbol, reinterpret_cast<uint64_t>(internal::InternName(
                                                Kind::kSymbol, qualified_name)));
}

Value Value::Symbol(std::string_view ns, std::string_view name) {
  if (ns.empty()) return Symbol(name);
  return Symbol(std::string(ns).append("/").append(name));
}

Value Value::List(std::vector<Value> items) {
  return HeapBlock::Adopt(Kind::kList, new ItemsBlock(Kind::kList, std::move(items)));
}

Value Value::Vector(std::vector<Value> items) {
  return HeapBlock::Adopt(Kind::kVector, new ItemsBlock(Kind::kVector, std::move(items)));
}

Value Value::Map(std::vector<MapEntry> entries) {
  auto by_key = [](const MapEntry& a, const MapEntry& b) {
    return internal::CompareValues(a.first, b.first) < 0;
  };
  // Builders that already produce key order (pull results) skip the sort
  // and its temporary buffer.
  if (!std::is_sorted(entries.begin(), entries.end(), by_key)) {
    std::stable_sort(entries.begin(), entries.end(), by_key);
  }
  // Keep the last of each run of equal keys: later duplicates win.
  size_t out = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && !by_key(entries[i], entries[i + 1])) continue;
    if (out != i) entries[out] = std::move(entries[i]);
    ++out;
  }
  entries.resize(out);
  return internal::MakeSortedMap(std::move(entries));
}

Value Value::Set(std::vector<Value> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return internal::MakeSortedSet(std::move(items));
}

Value Value::Uuid(const std::array<uint8_t, 16>& bytes) {
  return HeapBlock::Adopt(Kind::kUuid, new UuidBlock(bytes));
}

Value Value::Uri(std::string_view uri) { return TextBlock::Make(Kind::kUri, uri); }

Value Value::Bytes(std::string_view bytes) { return TextBlock::Make(Kind::kBytes, bytes); }

Value Value::Tagged(Value tag, Value value) {
  assert(tag.is_symbol());
  return HeapBlock::Adopt(Kind::kTagged, new TaggedBlock(std::move(tag), std::move(value)));
}

// --- accessors ----------------------------------------------------------------

std::string_view Value::as_string() const noexcept {
  switch (kind_) {
    case Kind::kString:
    case Kind::kUri:
    case Kind::kBytes:
      return internal::Text(*this).view();
    case Kind::kBigInt:
    case Kind::kBigDec:
      return internal::Number(*this).text;
    default:
      assert(false && "as_string on a kind without text");
      return {};
  }
}

std::string_view Value::ns() const noexcept {
  assert(kind_ == Kind::kKeyword || kind_ == Kind::kSymbol);
  return name_entry()->ns();
}

std::string_view Value::name() const noexcept {
  assert(kind_ == Kind::kKeyword || kind_ == Kind::kSymbol);
  return name_entry()->name();
}

std::string_view Value::qualified_name() const noexcept {
  assert(kind_ == Kind::kKeyword || kind_ == Kind::kSymbol);
  return name_entry()->qualified;
}

const std::array<uint8_t, 16>& Value::uuid_bytes() const noexcept {
  assert(kind_ == Kind::kUuid);
  return static_cast<const UuidBlock*>(block())->bytes;
}

std::span<const Value> Value::items() const noexcept {
  assert(is_collection());
  if (!is_collection()) return {};
  return internal::Items(*this).items;
}

std::span<const MapEntry> Value::entries() const noexcept {
  assert(kind_ == Kind::kMap);
  if (kind_ != Kind::kMap) return {};
  return internal::Map(*this).entries;
}

size_t Value::size() const noexcept {
  if (is_collection()) return internal::Items(*this).items.size();
  if (kind_ == Kind::kMap) return internal::Map(*this).entries.size();
  return 0;
}

const Value* Value::get(const Value& key) const noexcept {
  if (kind_ != Kind::kMap) return nullptr;
  const auto& entries = internal::Map(*this).entries;
  // Keywords and symbols are interned: a key equals `key` exactly when its
  // bits do. Over the few keys of an entity map, comparing bits beats a
  // binary search that compares names.
  if ((key.kind_ == Kind::kKeyword || key.kind_ == Kind::kSymbol) && entries.size() <= 16) {
    for (const MapEntry& e : entries) {
      if (e.first.kind_ == key.kind_ && e.first.bits_ == key.bits_) return &e.second;
    }
    return nullptr;
  }
  auto it = std::lower_bound(
      entries.begin(), entries.end(), key,
      [](const MapEntry& e, const Value& k) { return internal::CompareValues(e.first, k) < 0; });
  if (it == entries.end() || internal::CompareValues(it->first, key) != 0) return nullptr;
  return &it->second;
}

bool Value::contains(const Value& item) const noexcept {
  if (kind_ != Kind::kSet) return false;
  const auto& items = internal::Items(*this).items;
  return std::binary_search(items.begin(), items.end(), item);
}

const Value& Value::tag() const noexcept {
  assert(kind_ == Kind::kTagged);
  return internal::Tagged(*this).tag;
}

const Value& Value::tagged_value() const noexcept {
  assert(kind_ == Kind::kTagged);
  return internal::Tagged(*this).value;
}

// --- equality, order, hash ------------------------------------------------------

size_t Value::hash() const noexcept {
  if (!is_heap()) return internal::ComputeHash(*this);
  size_t cached = block()->hash_cache.load(std::memory_order_relaxed);
  if (cached != 0) return cached;
  size_t h = internal::ComputeHash(*this);
  if (h == 0) h = 1;
  block()->hash_cache.store(h, std::memory_order_relaxed);
  return h;
}

bool operator==(const Value& a, const Value& b) noexcept {
  if (a.kind_ == b.kind_ && a.bits_ == b.bits_) return true;
  switch (a.kind_) {
    case Kind::kNil:
    case Kind::kBoolean:
    case Kind::kCharacter:
    case Kind::kKeyword:
    case Kind::kSymbol:
    case Kind::kInst:
      // Inline or interned: equal only with identical bits (checked above).
      return false;
    case Kind::kInteger:
    case Kind::kBigInt:
    case Kind::kFloat:
    case Kind::kBigDec:
      return internal::GroupOf(b.kind_) == internal::kGroupNumber &&
             internal::NumberCategory(a.kind_) == internal::NumberCategory(b.kind_) &&
             internal::CompareNumbers(a, b) == 0;
    case Kind::kString:
    case Kind::kUri:
    case Kind::kBytes:
      return a.kind_ == b.kind_ && a.as_string() == b.as_string();
    case Kind::kUuid:
      return a.kind_ == b.kind_ && a.uuid_bytes() == b.uuid_bytes();
    case Kind::kList:
    case Kind::kVector:
    case Kind::kSet: {
      if (internal::GroupOf(a.kind_) != internal::GroupOf(b.kind_)) return false;
      auto x = a.items();
      auto y = b.items();
      return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin());
    }
    case Kind::kMap: {
      if (b.kind_ != Kind::kMap) return false;
      auto x = a.entries();
      auto y = b.entries();
      return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin());
    }
    case Kind::kTagged:
      return b.kind_ == Kind::kTagged && a.tag() == b.tag() && a.tagged_value() == b.tagged_value();
  }
  return false;
}

std::strong_ordering compare(const Value& a, const Value& b) noexcept {
  int c = internal::CompareValues(a, b);
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::string Value::to_string() const { return edn::Print(*this); }

}  // namespace accrete
