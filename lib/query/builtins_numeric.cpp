// Exact arithmetic for big numbers is schoolbook arithmetic on decimal digit
// strings: big numbers are rare in queries, and their text is what Value
// stores, so no conversion to a binary representation pays off.
#include "query/builtins_numeric.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "edn/decimal.hpp"

namespace accrete::internal::query {
namespace {

// Number kinds in contagion order: the result of an operation has the
// larger of its operands' ranks.
enum Rank { kRankInt = 0, kRankBigInt = 1, kRankBigDec = 2, kRankDouble = 3 };

Rank RankOf(const Value& v) {
  switch (v.kind()) {
    case Kind::kInteger:
      return kRankInt;
    case Kind::kBigInt:
      return kRankBigInt;
    case Kind::kBigDec:
      return kRankBigDec;
    default:
      return kRankDouble;
  }
}

// value = (neg ? -1 : 1) * mag * 10^-scale, as java.math.BigDecimal.
// `mag` holds decimal digits without leading zeros ("" is zero); scale >= 0.
struct BigNum {
  bool neg = false;
  std::string mag;
  int64_t scale = 0;
};

void StripLeadingZeros(std::string* mag) {
  size_t i = mag->find_first_not_of('0');
  mag->erase(0, i == std::string::npos ? mag->size() : i);
}

// From a Value's text: "-12", "-12.50", "1.5e-3" (normalised by Value).
BigNum BigNumOfText(std::string_view text) {
  BigNum n;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    n.neg = text[0] == '-';
    text.remove_prefix(1);
  }
  int64_t exponent = 0;
  size_t e = text.find_first_of("eE");
  if (e != std::string_view::npos) {
    exponent = std::strtoll(std::string(text.substr(e + 1)).c_str(), nullptr, 10);
    text = text.substr(0, e);
  }
  size_t dot = text.find('.');
  if (dot != std::string_view::npos) {
    n.mag = std::string(text.substr(0, dot)).append(text.substr(dot + 1));
    n.scale = static_cast<int64_t>(text.size() - dot - 1);
  } else {
    n.mag = std::string(text);
  }
  n.scale -= exponent;
  if (n.scale < 0) {
    n.mag.append(static_cast<size_t>(-n.scale), '0');
    n.scale = 0;
  }
  StripLeadingZeros(&n.mag);
  if (n.mag.empty()) n.neg = false;
  return n;
}

BigNum BigNumOf(const Value& v) {
  if (v.is_integer()) return BigNumOfText(std::to_string(v.as_int()));
  return BigNumOfText(v.as_string());
}

int CompareMag(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string AddMag(const std::string& a, const std::string& b) {
  std::string out;
  out.reserve(std::max(a.size(), b.size()) + 1);
  int carry = 0;
  for (size_t i = 0; i < a.size() || i < b.size() || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  StripLeadingZeros(&out);
  return out;
}

// a - b for a >= b.
std::string SubMag(const std::string& a, const std::string& b) {
  std::string out(a);
  int borrow = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    size_t pos = out.size() - 1 - i;
    int d = out[pos] - '0' - borrow - (i < b.size() ? b[b.size() - 1 - i] - '0' : 0);
    borrow = d < 0;
    out[pos] = static_cast<char>('0' + (d + 10) % 10);
  }
  StripLeadingZeros(&out);
  return out;
}

std::string MulMag(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return {};
  std::vector<int> acc(a.size() + b.size(), 0);
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      acc[i + j + 1] += (a[i] - '0') * (b[j] - '0');
    }
  }
  for (size_t k = acc.size(); k-- > 1;) {
    acc[k - 1] += acc[k] / 10;
    acc[k] %= 10;
  }
  std::string out;
  out.reserve(acc.size());
  for (int d : acc) out.push_back(static_cast<char>('0' + d));
  StripLeadingZeros(&out);
  return out;
}

// Truncating long division of magnitudes; `b` must be nonzero.
void DivMag(const std::string& a, const std::string& b, std::string* quot, std::string* rem) {
  quot->clear();
  rem->clear();
  for (char digit : a) {
    rem->push_back(digit);
    StripLeadingZeros(rem);
    char q = '0';
    while (CompareMag(*rem, b) >= 0) {
      *rem = SubMag(*rem, b);
      ++q;
    }
    quot->push_back(q);
  }
  StripLeadingZeros(quot);
}

void Rescale(BigNum* n, int64_t scale) {
  if (n->scale < scale && !n->mag.empty())
    n->mag.append(static_cast<size_t>(scale - n->scale), '0');
  n->scale = scale;
}

BigNum Add(BigNum a, BigNum b) {
  int64_t scale = std::max(a.scale, b.scale);
  Rescale(&a, scale);
  Rescale(&b, scale);
  BigNum out;
  out.scale = scale;
  if (a.neg == b.neg) {
    out.mag = AddMag(a.mag, b.mag);
    out.neg = a.neg;
  } else if (CompareMag(a.mag, b.mag) >= 0) {
    out.mag = SubMag(a.mag, b.mag);
    out.neg = a.neg;
  } else {
    out.mag = SubMag(b.mag, a.mag);
    out.neg = b.neg;
  }
  if (out.mag.empty()) out.neg = false;
  return out;
}

BigNum Negate(BigNum n) {
  if (!n.mag.empty()) n.neg = !n.neg;
  return n;
}

std::string BigNumText(const BigNum& n) {
  std::string digits = n.mag.empty() ? "0" : n.mag;
  if (n.scale > 0) {
    auto scale = static_cast<size_t>(n.scale);
    if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, 1, '.');
  }
  if (n.neg) digits.insert(0, 1, '-');
  return digits;
}

Value BigNumValue(const BigNum& n, Rank rank) {
  return rank == kRankBigInt ? Value::BigInt(BigNumText(n)) : Value::BigDec(BigNumText(n));
}

absl::Status DivisionByZero() { return absl::InvalidArgumentError("division by zero"); }
absl::Status Overflow() { return absl::InvalidArgumentError("integer overflow"); }

// How many extra digits `/` on big decimals tries before calling the
// expansion non-terminating (Clojure's BigDecimal.divide throws at once).
constexpr int kMaxDivisionDigits = 64;

absl::StatusOr<Value> BigArith(NumOp op, Rank rank, const Value& va, const Value& vb) {
  BigNum a = BigNumOf(va);
  BigNum b = BigNumOf(vb);
  switch (op) {
    case NumOp::kAdd:
      return BigNumValue(Add(std::move(a), std::move(b)), rank);
    case NumOp::kSub:
      return BigNumValue(Add(std::move(a), Negate(std::move(b))), rank);
    case NumOp::kMul: {
      BigNum out;
      out.mag = MulMag(a.mag, b.mag);
      out.neg = !out.mag.empty() && a.neg != b.neg;
      out.scale = a.scale + b.scale;
      return BigNumValue(out, rank);
    }
    default:
      break;
  }
  if (b.mag.empty()) return DivisionByZero();
  std::string quot;
  std::string rem;
  if (op == NumOp::kDiv) {
    if (rank == kRankBigInt) {
      DivMag(a.mag, b.mag, &quot, &rem);
      if (!rem.empty()) return ToDouble(va) / ToDouble(vb);
      BigNum out{!quot.empty() && a.neg != b.neg, quot, 0};
      return BigNumValue(out, rank);
    }
    // a/b = (A / B) * 10^(sb - sa): find the fewest extra digits k that make
    // A * 10^k divisible by B.
    for (int k = 0; k <= kMaxDivisionDigits; ++k) {
      DivMag(a.mag + std::string(static_cast<size_t>(k), '0'), b.mag, &quot, &rem);
      if (!rem.empty()) continue;
      BigNum out{!quot.empty() && a.neg != b.neg, quot, a.scale - b.scale + k};
      if (out.scale < 0) Rescale(&out, 0);
      return BigNumValue(out, rank);
    }
    return absl::InvalidArgumentError("non-terminating decimal expansion");
  }
  // quot, rem, mod: on a common scale the quotient is an integer and the
  // remainder keeps the scale.
  int64_t scale = std::max(a.scale, b.scale);
  Rescale(&a, scale);
  Rescale(&b, scale);
  DivMag(a.mag, b.mag, &quot, &rem);
  if (op == NumOp::kQuot) {
    return BigNumValue(BigNum{!quot.empty() && a.neg != b.neg, quot, 0}, rank);
  }
  BigNum r{!rem.empty() && a.neg, rem, scale};
  if (op == NumOp::kMod && !r.mag.empty() && r.neg != b.neg) r = Add(std::move(r), b);
  return BigNumValue(r, rank);
}

absl::StatusOr<Value> IntArith(NumOp op, int64_t a, int64_t b) {
  int64_t out;
  switch (op) {
    case NumOp::kAdd:
      if (__builtin_add_overflow(a, b, &out)) return Overflow();
      return Value::Integer(out);
    case NumOp::kSub:
      if (__builtin_sub_overflow(a, b, &out)) return Overflow();
      return Value::Integer(out);
    case NumOp::kMul:
      if (__builtin_mul_overflow(a, b, &out)) return Overflow();
      return Value::Integer(out);
    default:
      break;
  }
  if (b == 0) return DivisionByZero();
  // INT64_MIN / -1 overflows; its remainder is 0.
  bool overflows = a == std::numeric_limits<int64_t>::min() && b == -1;
  switch (op) {
    case NumOp::kDiv:
      if (overflows) return Overflow();
      if (a % b == 0) return Value::Integer(a / b);
      return static_cast<double>(a) / static_cast<double>(b);
    case NumOp::kQuot:
      if (overflows) return Overflow();
      return Value::Integer(a / b);
    case NumOp::kRem:
      return Value::Integer(overflows ? 0 : a % b);
    default: {  // kMod
      int64_t r = overflows ? 0 : a % b;
      if (r != 0 && (r < 0) != (b < 0)) r += b;
      return Value::Integer(r);
    }
  }
}

absl::StatusOr<Value> DoubleArith(NumOp op, double a, double b) {
  switch (op) {
    case NumOp::kAdd:
      return a + b;
    case NumOp::kSub:
      return a - b;
    case NumOp::kMul:
      return a * b;
    default:
      break;
  }
  // Clojure: (/ 1.0 0) throws for a zero divisor of any kind, even a double.
  if (b == 0) return DivisionByZero();
  switch (op) {
    case NumOp::kDiv:
      return a / b;
    case NumOp::kQuot:
      return std::trunc(a / b);
    case NumOp::kRem:
      return std::fmod(a, b);
    default: {  // kMod
      double r = std::fmod(a, b);
      if (r != 0 && (r < 0) != (b < 0)) r += b;
      return r;
    }
  }
}

int Sign3(auto a, auto b) { return a < b ? -1 : (a > b ? 1 : 0); }

// An integer against a non-NaN double, exactly: rounding the integer is
// monotonic, so an inequality after rounding holds before it; on a tie the
// double is integral and converts back exactly unless it is 2^63.
int CompareIntDouble(int64_t i, double d) {
  auto rounded = static_cast<double>(i);
  if (rounded != d) return rounded < d ? -1 : 1;
  if (d >= 9223372036854775808.0) return -1;
  return Sign3(i, static_cast<int64_t>(d));
}

// `v` as a big number of kind `rank` (kRankBigInt or kRankBigDec) with the
// same value; `v` is finite and not of a higher rank.
Value Promote(const Value& v, Rank rank) {
  if (RankOf(v) == rank) return v;
  if (v.is_float()) {
    Decimal d = DecimalFromDouble(v.as_double());
    std::string text = d.sign < 0 ? "-0." : "0.";
    text.append(d.digits.empty() ? "0" : d.digits).append("e").append(std::to_string(d.exponent));
    return Value::BigDec(text);
  }
  std::string text = v.is_integer() ? std::to_string(v.as_int()) : std::string(v.as_string());
  return rank == kRankBigInt ? Value::BigInt(text) : Value::BigDec(text);
}

}  // namespace

double ToDouble(const Value& v) {
  switch (v.kind()) {
    case Kind::kInteger:
      return static_cast<double>(v.as_int());
    case Kind::kFloat:
      return v.as_double();
    default:
      return std::strtod(std::string(v.as_string()).c_str(), nullptr);
  }
}

absl::StatusOr<Value> Arith(NumOp op, const Value& a, const Value& b) {
  if (a.is_integer() && b.is_integer()) return IntArith(op, a.as_int(), b.as_int());
  Rank rank = std::max(RankOf(a), RankOf(b));
  if (rank == kRankDouble) return DoubleArith(op, ToDouble(a), ToDouble(b));
  return BigArith(op, rank, a, b);
}

std::optional<int> CompareNumeric(const Value& a, const Value& b) {
  if (a.is_integer() && b.is_integer()) return Sign3(a.as_int(), b.as_int());
  if (a.is_float() && std::isnan(a.as_double())) return std::nullopt;
  if (b.is_float() && std::isnan(b.as_double())) return std::nullopt;
  if (a.is_float() && b.is_float()) return Sign3(a.as_double(), b.as_double());
  if (a.is_integer() && b.is_float()) return CompareIntDouble(a.as_int(), b.as_double());
  if (a.is_float() && b.is_integer()) return -CompareIntDouble(b.as_int(), a.as_double());
  // A big number is involved: promote both to one big kind, where compare()
  // is numeric with no tie-break by kind.
  for (const Value* v : {&a, &b}) {
    if (v->is_float() && std::isinf(v->as_double())) {
      int inf = v->as_double() > 0 ? 1 : -1;
      const Value& other = v == &a ? b : a;
      if (other.is_float() && other.as_double() == v->as_double()) return 0;
      return v == &a ? inf : -inf;
    }
  }
  Rank rank = std::max(RankOf(a), RankOf(b)) == kRankBigInt ? kRankBigInt : kRankBigDec;
  auto c = compare(Promote(a, rank), Promote(b, rank));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int NumberSign(const Value& v) {
  switch (v.kind()) {
    case Kind::kInteger:
      return Sign3(v.as_int(), int64_t{0});
    case Kind::kFloat:
      return Sign3(v.as_double(), 0.0);
    default: {
      std::string_view text = v.as_string();
      if (!text.empty() && text[0] == '-') return -1;
      return BigNumOfText(text).mag.empty() ? 0 : 1;
    }
  }
}

int OrderCompare(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (std::optional<int> c = CompareNumeric(a, b)) return *c;
  }
  auto c = compare(a, b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace accrete::internal::query
