// Order-preserving value encodings. docs/format.md describes every byte; keep
// the two in step.
#include "store/encoding.hpp"

#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/strings.hpp"

namespace accrete::internal {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

// Byte-stuffed strings: 0x00 inside the text becomes 0x00 0xFF and the text
// ends with 0x00 0x01, so a shorter string sorts before its extensions.
constexpr char kStuffEscape = '\xFF';
constexpr char kStuffEnd = '\x01';

// Tuples end with a byte below every tag, so shorter tuples sort first.
constexpr char kTupleEnd = '\x00';
constexpr size_t kMinTupleSize = 2;
constexpr size_t kMaxTupleSize = 8;

// Sign bytes of the decimal encoding shared by bigint and bigdec.
constexpr uint8_t kDecimalNegative = 0x00;
constexpr uint8_t kDecimalZero = 0x01;
constexpr uint8_t kDecimalPositive = 0x02;
// Digit pairs are stored as 1 + (10 * d1 + d2), so 0x00 can end the digits.
constexpr uint8_t kDecimalDigitsEnd = 0x00;

struct TypeName {
  ValueType type;
  std::string_view ident;
};
constexpr TypeName kTypeNames[] = {
    {ValueType::kBoolean, "db.type/boolean"}, {ValueType::kLong, "db.type/long"},
    {ValueType::kBigInt, "db.type/bigint"},   {ValueType::kFloat, "db.type/float"},
    {ValueType::kDouble, "db.type/double"},   {ValueType::kBigDec, "db.type/bigdec"},
    {ValueType::kInstant, "db.type/instant"}, {ValueType::kRef, "db.type/ref"},
    {ValueType::kKeyword, "db.type/keyword"}, {ValueType::kString, "db.type/string"},
    {ValueType::kSymbol, "db.type/symbol"},   {ValueType::kUri, "db.type/uri"},
    {ValueType::kBytes, "db.type/bytes"},     {ValueType::kUuid, "db.type/uuid"},
    {ValueType::kTuple, "db.type/tuple"},
};

void PutTag(std::string* out, ValueType type) { out->push_back(static_cast<char>(type)); }

// Two's complement with the sign bit flipped: memcmp order is signed order.
void PutI64(std::string* out, int64_t x) { PutU64(out, static_cast<uint64_t>(x) ^ kSignBit); }
int64_t GetI64(const char* p) { return static_cast<int64_t>(GetU64(p) ^ kSignBit); }

// IEEE 754 bits made memcmp-ordered: positive numbers get the sign bit set,
// negative ones are inverted. -0.0 is stored as 0.0 (they are equal) and every
// NaN as the positive quiet NaN, which sorts after +infinity.
uint64_t OrderedDoubleBits(double d) {
  if (d == 0) d = 0.0;
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  uint64_t bits = std::bit_cast<uint64_t>(d);
  return (bits & kSignBit) ? ~bits : bits | kSignBit;
}
double DoubleFromOrderedBits(uint64_t bits) {
  return std::bit_cast<double>((bits & kSignBit) ? bits & ~kSignBit : ~bits);
}

void PutStuffed(std::string* out, std::string_view s) {
  size_t start = 0;
  for (size_t zero; (zero = s.find('\0', start)) != std::string_view::npos; start = zero + 1) {
    out->append(s.data() + start, zero + 1 - start);
    out->push_back(kStuffEscape);
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('\0');
  out->push_back(kStuffEnd);
}

bool GetStuffed(std::string_view* in, std::string* out) {
  size_t start = 0;
  for (;;) {
    size_t zero = in->find('\0', start);
    if (zero == std::string_view::npos || zero + 1 >= in->size()) return false;
    out->append(in->data() + start, zero - start);
    char next = (*in)[zero + 1];
    if (next == kStuffEnd) {
      in->remove_prefix(zero + 2);
      return true;
    }
    if (next != kStuffEscape) return false;
    out->push_back('\0');
    start = zero + 2;
  }
}

// Keywords and symbols sort like Value's compare: names without a namespace
// first, then by namespace, then by name.
constexpr char kNameUnqualified = '\x01';
constexpr char kNameQualified = '\x02';

void PutName(std::string* out, const Value& v) {
  if (v.ns().empty()) {
    out->push_back(kNameUnqualified);
  } else {
    out->push_back(kNameQualified);
    PutStuffed(out, v.ns());
  }
  PutStuffed(out, v.name());
}

// Sets `*ns` (empty when unqualified) and `*name`.
bool GetName(std::string_view* in, std::string* ns, std::string* name) {
  if (in->empty()) return false;
  const char marker = (*in)[0];
  in->remove_prefix(1);
  if (marker == kNameQualified) {
    if (!GetStuffed(in, ns) || ns->empty()) return false;
  } else if (marker != kNameUnqualified) {
    return false;
  }
  return GetStuffed(in, name);
}

// ---- Decimal numbers (bigint and bigdec) -----------------------------------

// value = (negative ? -1 : 1) * 0.d1d2...dn * 10^exponent; `digits` has no
// leading or trailing zeros, and is empty for zero.
struct OrderedDecimal {
  bool negative = false;
  std::string digits;
  int64_t exponent = 0;
};

// "[+-]digits[.digits][(e|E)[+-]digits]", with at least one digit in the
// mantissa; an exponent beyond +-10^9 is refused.
bool ParseDecimalText(std::string_view text, OrderedDecimal* out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;
  int64_t int_digits = 0;
  bool any_digit = false;
  for (; i < text.size() && absl::ascii_isdigit(text[i]); ++i, ++int_digits, any_digit = true) {
    digits.push_back(text[i]);
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && absl::ascii_isdigit(text[i]); ++i, any_digit = true) {
      digits.push_back(text[i]);
    }
  }
  if (!any_digit) return false;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
    if (i == text.size()) return false;
    for (; i < text.size() && absl::ascii_isdigit(text[i]); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1'000'000'000) return false;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return false;
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    *out = OrderedDecimal{};
    return true;
  }
  size_t last = digits.find_last_not_of('0');
  out->negative = negative;
  out->exponent = int_digits - static_cast<int64_t>(first) + exponent;
  out->digits = digits.substr(first, last + 1 - first);
  return true;
}

// sign byte; then, unless zero: exponent (4 bytes, sign-flipped big-endian),
// digit pairs (1 + 10*d1 + d2 each, the last padded with d2 = 0), 0x00. A
// negative number's bytes after the sign byte are complemented, which reverses
// their order as magnitude grows.
bool PutDecimal(std::string* out, const OrderedDecimal& d) {
  if (d.digits.empty()) {
    out->push_back(static_cast<char>(kDecimalZero));
    return true;
  }
  if (d.exponent > std::numeric_limits<int32_t>::max() ||
      d.exponent < std::numeric_limits<int32_t>::min()) {
    return false;
  }
  out->push_back(static_cast<char>(d.negative ? kDecimalNegative : kDecimalPositive));
  const size_t body = out->size();
  const uint32_t exp_bits = static_cast<uint32_t>(static_cast<int32_t>(d.exponent)) ^ 0x80000000u;
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(exp_bits >> shift));
  for (size_t i = 0; i < d.digits.size(); i += 2) {
    int d1 = d.digits[i] - '0';
    int d2 = i + 1 < d.digits.size() ? d.digits[i + 1] - '0' : 0;
    out->push_back(static_cast<char>(1 + 10 * d1 + d2));
  }
  out->push_back(static_cast<char>(kDecimalDigitsEnd));
  if (d.negative) {
    for (size_t i = body; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
  return true;
}

bool GetDecimal(std::string_view* in, OrderedDecimal* d) {
  if (in->empty()) return false;
  const uint8_t sign = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  *d = OrderedDecimal{};
  if (sign == kDecimalZero) return true;
  if (sign != kDecimalNegative && sign != kDecimalPositive) return false;
  d->negative = sign == kDecimalNegative;
  const uint8_t flip = d->negative ? 0xFF : 0x00;
  auto byte = [&](size_t i) { return static_cast<uint8_t>(static_cast<uint8_t>((*in)[i]) ^ flip); };
  if (in->size() < 5) return false;
  uint32_t exp_bits = 0;
  for (size_t i = 0; i < 4; ++i) exp_bits = (exp_bits << 8) | byte(i);
  d->exponent = static_cast<int32_t>(exp_bits ^ 0x80000000u);
  size_t i = 4;
  for (; i < in->size() && byte(i) != kDecimalDigitsEnd; ++i) {
    const int pair = byte(i) - 1;
    if (pair < 0 || pair > 99) return false;
    d->digits.push_back(static_cast<char>('0' + pair / 10));
    d->digits.push_back(static_cast<char>('0' + pair % 10));
  }
  if (i == in->size() || d->digits.empty()) return false;
  if (d->digits.back() == '0') d->digits.pop_back();
  if (d->digits.front() == '0' || d->digits.back() == '0') return false;
  in->remove_prefix(i + 1);
  return true;
}

// Integer text of a decimal whose value is an integer; false otherwise (or
// when absurdly long, which only corrupt input can ask for).
bool DecimalToIntegerText(const OrderedDecimal& d, std::string* out) {
  if (d.digits.empty()) {
    *out = "0";
    return true;
  }
  const int64_t n = static_cast<int64_t>(d.digits.size());
  if (d.exponent < n || d.exponent - n > (int64_t{1} << 20)) return false;
  *out = d.negative ? "-" : "";
  out->append(d.digits);
  out->append(static_cast<size_t>(d.exponent - n), '0');
  return true;
}

// Plain notation for moderate exponents, scientific ("1.5e40") otherwise.
std::string DecimalToText(const OrderedDecimal& d) {
  if (d.digits.empty()) return "0";
  std::string text = d.negative ? "-" : "";
  const int64_t n = static_cast<int64_t>(d.digits.size());
  const int64_t e = d.exponent;
  if (e <= 0 && e > -20) {
    absl::StrAppend(&text, "0.", std::string(static_cast<size_t>(-e), '0'), d.digits);
  } else if (e > 0 && e < n) {
    absl::StrAppend(&text, d.digits.substr(0, static_cast<size_t>(e)), ".",
                    d.digits.substr(static_cast<size_t>(e)));
  } else if (e >= n && e <= 40) {
    absl::StrAppend(&text, d.digits, std::string(static_cast<size_t>(e - n), '0'));
  } else {
    text.push_back(d.digits[0]);
    if (n > 1) absl::StrAppend(&text, ".", d.digits.substr(1));
    absl::StrAppend(&text, "e", e - 1);
  }
  return text;
}

// ---- Encoding ---------------------------------------------------------------

std::string TypeDescription(const TypeSpec& spec) {
  std::string text = absl::StrCat(":", AsAbsl(ValueTypeIdent(spec.type)));
  if (spec.type != ValueType::kTuple) return text;
  auto idents = [](std::string* out, ValueType t) {
    absl::StrAppend(out, ":", AsAbsl(ValueTypeIdent(t)));
  };
  if (spec.homogeneous && !spec.tuple_types.empty()) {
    absl::StrAppend(&text, " of ", absl::StrJoin(spec.tuple_types, " ", idents));
  } else {
    absl::StrAppend(&text, " [", absl::StrJoin(spec.tuple_types, " ", idents), "]");
  }
  return text;
}

std::string ShortEdn(const Value& v) {
  constexpr size_t kMaxShown = 120;
  std::string text = v.to_string();
  if (text.size() > kMaxShown) {
    text.resize(kMaxShown);
    text += "...";
  }
  return text;
}

absl::Status TypeError(const Value& v, const TypeSpec& spec, std::string_view detail = {}) {
  return absl::InvalidArgumentError(absl::StrCat("expected a value of type ", TypeDescription(spec),
                                                 ", got ", ShortEdn(v), " (",
                                                 AsAbsl(KindName(v.kind())), ")", AsAbsl(detail)));
}

bool BigIntToInt64(const Value& v, int64_t* out) {
  return v.kind() == Kind::kBigInt && absl::SimpleAtoi(AsAbsl(v.as_string()), out);
}

// Encodes a non-tuple value; false when `v` does not fit `type`.
bool EncodeScalar(const Value& v, ValueType type, std::string* out) {
  const Kind kind = v.kind();
  switch (type) {
    case ValueType::kBoolean:
      if (kind != Kind::kBoolean) return false;
      PutTag(out, type);
      out->push_back(v.as_bool() ? '\x01' : '\x00');
      return true;
    case ValueType::kLong: {
      int64_t x = 0;
      if (kind == Kind::kInteger) {
        x = v.as_int();
      } else if (!BigIntToInt64(v, &x)) {
        return false;
      }
      PutTag(out, type);
      PutI64(out, x);
      return true;
    }
    case ValueType::kFloat:
    case ValueType::kDouble: {
      double d = 0;
      if (kind == Kind::kFloat) {
        d = v.as_double();
      } else if (kind == Kind::kInteger) {
        d = static_cast<double>(v.as_int());
      } else {
        return false;
      }
      if (type == ValueType::kFloat) d = static_cast<double>(static_cast<float>(d));
      PutTag(out, type);
      PutU64(out, OrderedDoubleBits(d));
      return true;
    }
    case ValueType::kBigInt:
    case ValueType::kBigDec: {
      OrderedDecimal d;
      bool ok = false;
      if (type == ValueType::kBigInt && kind == Kind::kInteger) {
        ok = ParseDecimalText(std::to_string(v.as_int()), &d);
      } else if ((type == ValueType::kBigInt && kind == Kind::kBigInt) ||
                 (type == ValueType::kBigDec && kind == Kind::kBigDec)) {
        ok = ParseDecimalText(v.as_string(), &d);
      }
      if (!ok) return false;
      const size_t start = out->size();
      PutTag(out, type);
      if (!PutDecimal(out, d)) {
        out->resize(start);
        return false;
      }
      return true;
    }
    case ValueType::kInstant:
      if (kind != Kind::kInst) return false;
      PutTag(out, type);
      PutI64(out, v.inst_millis());
      return true;
    case ValueType::kRef:
      if (kind != Kind::kInteger || v.as_int() < 0) return false;
      PutTag(out, type);
      PutU64(out, static_cast<uint64_t>(v.as_int()));
      return true;
    case ValueType::kKeyword:
    case ValueType::kSymbol:
      if (kind != (type == ValueType::kKeyword ? Kind::kKeyword : Kind::kSymbol)) return false;
      PutTag(out, type);
      PutName(out, v);
      return true;
    case ValueType::kString:
    case ValueType::kUri:
    case ValueType::kBytes: {
      const bool fits = kind == (type == ValueType::kString  ? Kind::kString
                                 : type == ValueType::kBytes ? Kind::kBytes
                                                             : Kind::kUri) ||
                        (type == ValueType::kUri && kind == Kind::kString);
      if (!fits) return false;
      PutTag(out, type);
      PutStuffed(out, v.as_string());
      return true;
    }
    case ValueType::kUuid: {
      if (kind != Kind::kUuid) return false;
      PutTag(out, type);
      const auto& bytes = v.uuid_bytes();
      out->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      return true;
    }
    case ValueType::kNil:
    case ValueType::kTuple:
      return false;
  }
  return false;
}

absl::Status EncodeTuple(const Value& v, const TypeSpec& spec, std::string* out) {
  if (!v.is_sequential()) return TypeError(v, spec);
  const auto items = v.items();
  if (spec.tuple_types.empty()) {
    return absl::InvalidArgumentError("tuple attribute declares no element types");
  }
  if (spec.homogeneous) {
    if (items.size() < kMinTupleSize || items.size() > kMaxTupleSize) {
      return TypeError(
          v, spec,
          absl::StrCat(": a tuple has ", kMinTupleSize, " to ", kMaxTupleSize, " elements"));
    }
  } else if (items.size() != spec.tuple_types.size()) {
    return TypeError(v, spec, absl::StrCat(": expected ", spec.tuple_types.size(), " elements"));
  }
  const size_t start = out->size();
  PutTag(out, ValueType::kTuple);
  for (size_t i = 0; i < items.size(); ++i) {
    const ValueType type = spec.tuple_types[spec.homogeneous ? 0 : i];
    if (items[i].is_nil()) {
      PutTag(out, ValueType::kNil);
    } else if (!EncodeScalar(items[i], type, out)) {
      out->resize(start);
      return TypeError(v, spec,
                       absl::StrCat(": element ", i, " is ", ShortEdn(items[i]), " (",
                                    AsAbsl(KindName(items[i].kind())),
                                    "), not :", AsAbsl(ValueTypeIdent(type))));
    }
  }
  out->push_back(kTupleEnd);
  return absl::OkStatus();
}

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed value encoding: ", AsAbsl(what)));
}

absl::StatusOr<Value> DecodeOne(std::string_view* in, bool in_tuple);

absl::StatusOr<Value> DecodeTuple(std::string_view* in) {
  std::vector<Value> items;
  for (;;) {
    if (in->empty()) return Malformed("unterminated tuple");
    if ((*in)[0] == kTupleEnd) {
      in->remove_prefix(1);
      return Value::Vector(std::move(items));
    }
    absl::StatusOr<Value> item = DecodeOne(in, /*in_tuple=*/true);
    if (!item.ok()) return item.status();
    items.push_back(*std::move(item));
  }
}

absl::StatusOr<Value> DecodeOne(std::string_view* in, bool in_tuple) {
  if (in->empty()) return Malformed("empty input");
  const auto type = static_cast<ValueType>(static_cast<uint8_t>((*in)[0]));
  in->remove_prefix(1);
  auto fixed = [&](size_t n) -> const char* {
    if (in->size() < n) return nullptr;
    const char* p = in->data();
    in->remove_prefix(n);
    return p;
  };
  switch (type) {
    case ValueType::kNil:
      return Value::Nil();
    case ValueType::kBoolean: {
      const char* p = fixed(1);
      if (p == nullptr || static_cast<uint8_t>(*p) > 1) return Malformed("boolean");
      return Value::Boolean(*p == 1);
    }
    case ValueType::kLong:
    case ValueType::kInstant: {
      const char* p = fixed(8);
      if (p == nullptr) return Malformed("truncated integer");
      return type == ValueType::kLong ? Value::Integer(GetI64(p)) : Value::Inst(GetI64(p));
    }
    case ValueType::kRef: {
      const char* p = fixed(8);
      if (p == nullptr) return Malformed("truncated ref");
      return Value::Integer(static_cast<int64_t>(GetU64(p)));
    }
    case ValueType::kFloat:
    case ValueType::kDouble: {
      const char* p = fixed(8);
      if (p == nullptr) return Malformed("truncated floating point number");
      return Value::Float(DoubleFromOrderedBits(GetU64(p)));
    }
    case ValueType::kBigInt:
    case ValueType::kBigDec: {
      OrderedDecimal d;
      if (!GetDecimal(in, &d)) return Malformed("decimal number");
      if (type == ValueType::kBigDec) return Value::BigDec(DecimalToText(d));
      std::string text;
      if (!DecimalToIntegerText(d, &text)) return Malformed("bigint is not an integer");
      return Value::BigInt(text);
    }
    case ValueType::kKeyword:
    case ValueType::kSymbol: {
      std::string ns;
      std::string name;
      if (!GetName(in, &ns, &name)) return Malformed("keyword or symbol");
      if (type == ValueType::kKeyword) {
        return ns.empty() ? Value::Keyword(name) : Value::Keyword(ns, name);
      }
      return ns.empty() ? Value::Symbol(name) : Value::Symbol(ns, name);
    }
    case ValueType::kString:
    case ValueType::kUri:
    case ValueType::kBytes: {
      std::string text;
      if (!GetStuffed(in, &text)) return Malformed("unterminated string");
      switch (type) {
        case ValueType::kUri:
          return Value::Uri(text);
        case ValueType::kBytes:
          return Value::Bytes(text);
        default:
          return Value::String(text);
      }
    }
    case ValueType::kUuid: {
      const char* p = fixed(16);
      if (p == nullptr) return Malformed("truncated uuid");
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), p, bytes.size());
      return Value::Uuid(bytes);
    }
    case ValueType::kTuple:
      if (in_tuple) return Malformed("tuple inside a tuple");
      return DecodeTuple(in);
  }
  return Malformed(
      absl::StrCat("unknown type tag 0x", absl::Hex(static_cast<uint8_t>(type), absl::kZeroPad2)));
}

// ---- Decoding the common value types on the scan path ----------------------
//
// These decode a whole full encoding of the common types with no Status and no
// intermediate string; anything else (or anything unexpected) goes through
// DecodeValue. Debug builds check every fast decode against DecodeValue.

// The text of a stuffed payload that makes up all of [p, end): a view of the
// payload itself when it holds no zero byte (the usual case), else the text
// unstuffed into `*scratch`. nullopt when malformed or followed by more.
std::optional<std::string_view> WholeText(const char* p, const char* end, std::string* scratch) {
  const size_t n = static_cast<size_t>(end - p);
  if (n >= 2 && end[-2] == '\0' && end[-1] == kStuffEnd && std::memchr(p, '\0', n - 2) == nullptr) {
    return std::string_view(p, n - 2);
  }
  scratch->clear();
  std::string_view in(p, n);
  if (!GetStuffed(&in, scratch) || !in.empty()) return std::nullopt;
  return std::string_view(*scratch);
}

// A keyword or symbol's qualified name ("ns/name" or "name"), built in
// `*scratch`.
bool WholeName(const char* p, const char* end, std::string* scratch) {
  if (p == end) return false;
  const char marker = *p++;
  std::string_view in(p, static_cast<size_t>(end - p));
  scratch->clear();
  if (marker == kNameQualified) {
    if (!GetStuffed(&in, scratch) || scratch->empty()) return false;
    scratch->push_back('/');
  } else if (marker != kNameUnqualified) {
    return false;
  }
  return GetStuffed(&in, scratch) && in.empty();
}

// Writes the value of full encoding `v` over `*out` when its type is a common
// one and it is well formed; false otherwise (`*out` untouched).
bool DecodeCommon(std::string_view v, Value* out, std::string* scratch) {
  if (v.empty()) return false;
  const char* p = v.data() + 1;
  const char* end = v.data() + v.size();
  const size_t n = v.size() - 1;
  switch (EncodedType(v)) {
    case ValueType::kLong:
      if (n != 8) return false;
      *out = Value::Integer(static_cast<int64_t>(GetU64(p) ^ kSignBit));
      return true;
    case ValueType::kRef:
      if (n != 8) return false;
      *out = Value::Integer(static_cast<int64_t>(GetU64(p)));
      return true;
    case ValueType::kInstant:
      if (n != 8) return false;
      *out = Value::Inst(static_cast<int64_t>(GetU64(p) ^ kSignBit));
      return true;
    case ValueType::kFloat:
    case ValueType::kDouble:
      if (n != 8) return false;
      *out = Value::Float(DoubleFromOrderedBits(GetU64(p)));
      return true;
    case ValueType::kBoolean:
      if (n != 1 || static_cast<uint8_t>(*p) > 1) return false;
      *out = Value::Boolean(*p == 1);
      return true;
    case ValueType::kString:
    case ValueType::kUri:
    case ValueType::kBytes: {
      std::optional<std::string_view> text = WholeText(p, end, scratch);
      if (!text) return false;
      const ValueType type = EncodedType(v);
      *out = type == ValueType::kString ? Value::String(*text)
             : type == ValueType::kUri  ? Value::Uri(*text)
                                        : Value::Bytes(*text);
      return true;
    }
    case ValueType::kKeyword:
    case ValueType::kSymbol:
      if (!WholeName(p, end, scratch)) return false;
      *out = EncodedType(v) == ValueType::kKeyword ? Value::Keyword(*scratch)
                                                   : Value::Symbol(*scratch);
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<ValueType> ValueTypeFromIdent(std::string_view qualified_name) {
  for (const TypeName& t : kTypeNames) {
    if (t.ident == qualified_name) return t.type;
  }
  return std::nullopt;
}

std::string_view ValueTypeIdent(ValueType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.ident;
  }
  return "db.type/nil";
}

absl::Status EncodeValue(const Value& v, const TypeSpec& spec, std::string* out) {
  if (spec.type == ValueType::kTuple) return EncodeTuple(v, spec, out);
  if (!EncodeScalar(v, spec.type, out)) return TypeError(v, spec);
  return absl::OkStatus();
}

absl::StatusOr<Value> DecodeValue(std::string_view* in) {
  return DecodeOne(in, /*in_tuple=*/false);
}

void DecodeValueInto(std::string_view v, Value* out, std::string* scratch) {
  if (DecodeCommon(v, out, scratch)) {
#ifndef NDEBUG
    std::string_view copy = v;
    absl::StatusOr<Value> slow = DecodeValue(&copy);
    assert(slow.ok() && *out == *slow && out->kind() == slow->kind());
#endif
    return;
  }
  absl::StatusOr<Value> slow = DecodeValue(&v);
  *out = slow.ok() ? *std::move(slow) : Value();
}

}  // namespace accrete::internal
