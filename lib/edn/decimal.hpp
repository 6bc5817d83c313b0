// Exact decimal arithmetic helpers for the big number kinds (`N`, `M`) and for
// comparing numbers of different kinds exactly.
#ifndef ACCRETE_LIB_EDN_DECIMAL_HPP_
#define ACCRETE_LIB_EDN_DECIMAL_HPP_

#include <cstdint>
#include <string>
#include <string_view>

namespace accrete::internal {

// A number in canonical form: value = sign * 0.d1d2...dn * 10^exponent, where
// `digits` has neither leading nor trailing zeros. Zero is sign 0, no digits,
// exponent 0. Two decimals are numerically equal iff their fields are equal,
// which is what makes 1.0M == 1.00M and their hashes agree.
struct Decimal {
  int sign = 0;
  std::string digits;
  int64_t exponent = 0;

  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// The largest exponent magnitude accepted in decimal text ("1e999999999M").
inline constexpr int64_t kMaxDecimalExponent = 999'999'999;

// Parses "[+-]digits[.[digits]][(e|E)[+-]digits]" (at least one digit before
// the point). Returns false when `text` is not of that form or its exponent is
// larger than kMaxDecimalExponent.
bool ParseDecimal(std::string_view text, Decimal* out);

Decimal DecimalFromInt(int64_t i);
// `value` must be finite. Exact (a double has at most 767 significant digits).
Decimal DecimalFromDouble(double value);

// -1, 0 or 1.
int CompareDecimal(const Decimal& a, const Decimal& b);

// "-007" -> "-7", "+0" -> "0", "-0" -> "0". Text that is not an optional sign
// and digits is returned unchanged.
std::string NormalizeBigIntText(std::string_view text);

// Drops a '+' sign, the sign of zero, leading zeros of the integer part, a
// trailing '.', a zero exponent, and the '+' and leading zeros of an exponent;
// keeps the digits after the point as given (they are the scale: 1.50M prints
// as 1.50M). The exponent is written with 'e'. Text that ParseDecimal rejects is
// returned unchanged.
std::string NormalizeBigDecText(std::string_view text);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_EDN_DECIMAL_HPP_
