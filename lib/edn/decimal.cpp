#include "edn/decimal.hpp"

#include <cassert>
#include <cmath>
#include <cstdio>

namespace accrete::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The parts of decimal text, as views into it.
struct DecimalText {
  bool negative = false;
  std::string_view int_digits;
  bool has_point = false;
  std::string_view frac_digits;
  bool has_exponent = false;
  int64_t exponent = 0;
};

size_t DigitRun(std::string_view s, size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}

bool SplitDecimalText(std::string_view s, DecimalText* out) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) out->negative = s[i++] == '-';
  size_t end = DigitRun(s, i);
  if (end == i) return false;
  out->int_digits = s.substr(i, end - i);
  i = end;
  if (i < s.size() && s[i] == '.') {
    out->has_point = true;
    end = DigitRun(s, ++i);
    out->frac_digits = s.substr(i, end - i);
    i = end;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    out->has_exponent = true;
    bool negative_exponent = false;
    if (++i < s.size() && (s[i] == '+' || s[i] == '-')) negative_exponent = s[i++] == '-';
    end = DigitRun(s, i);
    if (end == i) return false;
    int64_t e = 0;
    for (; i < end; ++i) {
      e = e * 10 + (s[i] - '0');
      if (e > kMaxDecimalExponent) return false;
    }
    out->exponent = negative_exponent ? -e : e;
  }
  return i == s.size();
}

}  // namespace

bool ParseDecimal(std::string_view text, Decimal* out) {
  DecimalText parts;
  if (!SplitDecimalText(text, &parts)) return false;
  std::string digits;
  digits.reserve(parts.int_digits.size() + parts.frac_digits.size());
  digits.append(parts.int_digits);
  digits.append(parts.frac_digits);
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    *out = Decimal{};
    return true;
  }
  size_t last = digits.find_last_not_of('0');
  out->sign = parts.negative ? -1 : 1;
  out->exponent =
      static_cast<int64_t>(parts.int_digits.size()) - static_cast<int64_t>(first) + parts.exponent;
  out->digits = digits.substr(first, last - first + 1);
  return true;
}

Decimal DecimalFromInt(int64_t i) {
  Decimal d;
  if (i == 0) return d;
  d.sign = i < 0 ? -1 : 1;
  uint64_t magnitude = i < 0 ? uint64_t{0} - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(magnitude));
  std::string_view digits(buf, static_cast<size_t>(n));
  d.exponent = n;
  d.digits = std::string(digits.substr(0, digits.find_last_not_of('0') + 1));
  return d;
}

Decimal DecimalFromDouble(double value) {
  assert(std::isfinite(value));
  // glibc prints the exact binary value for any precision; 767 significant
  // digits are enough for every double.
  char buf[800];
  int n = std::snprintf(buf, sizeof buf, "%.766e", value);
  Decimal d;
  bool ok = n > 0 && ParseDecimal(std::string_view(buf, static_cast<size_t>(n)), &d);
  assert(ok);
  (void)ok;
  return d;
}

int CompareDecimal(const Decimal& a, const Decimal& b) {
  if (a.sign != b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign == 0) return 0;
  int magnitude = 0;
  if (a.exponent != b.exponent) {
    magnitude = a.exponent < b.exponent ? -1 : 1;
  } else {
    int c = a.digits.compare(b.digits);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return a.sign > 0 ? magnitude : -magnitude;
}

std::string NormalizeBigIntText(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) negative = text[i++] == '-';
  if (i == text.size() || DigitRun(text, i) != text.size()) return std::string(text);
  size_t first = text.find_first_not_of('0', i);
  if (first == std::string_view::npos) return "0";
  std::string out = negative ? "-" : "";
  out.append(text.substr(first));
  return out;
}

std::string NormalizeBigDecText(std::string_view text) {
  DecimalText parts;
  Decimal value;
  if (!SplitDecimalText(text, &parts) || !ParseDecimal(text, &value)) return std::string(text);
  std::string out;
  if (value.sign < 0) out.push_back('-');
  size_t first = parts.int_digits.find_first_not_of('0');
  out.append(first == std::string_view::npos ? std::string_view("0")
                                             : parts.int_digits.substr(first));
  if (!parts.frac_digits.empty()) {
    out.push_back('.');
    out.append(parts.frac_digits);
  }
  if (parts.exponent != 0) {
    out.push_back('e');
    out.append(std::to_string(parts.exponent));
  }
  return out;
}

}  // namespace accrete::internal
