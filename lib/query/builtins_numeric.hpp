// Clojure's arithmetic on accrete's four number kinds, shared by the built-in
// functions (builtins.cpp) and aggregates (aggregates.cpp).
//
// Contagion follows Clojure: integer op integer stays integer (int64; overflow
// is an error, as with Clojure's `+`, not a silent promotion like `+'`); a
// big integer with an integer gives a big integer; a big decimal with either
// integer kind gives a big decimal; a double with anything gives a double.
// Big numbers are computed exactly (BigDecimal scale rules for `+ - *`).
//
// The operations return bare messages ("integer overflow", "division by
// zero"); the caller prefixes the call, "(+ 1 2): ", since only it has every
// argument. Arguments must already be numbers (IsNumber).
#ifndef ACCRETE_LIB_QUERY_BUILTINS_NUMERIC_HPP_
#define ACCRETE_LIB_QUERY_BUILTINS_NUMERIC_HPP_

#include <optional>

#include "absl/status/statusor.h"
#include "accrete/value.hpp"

namespace accrete::internal::query {

inline bool IsNumber(const Value& v) {
  Kind k = v.kind();
  return k == Kind::kInteger || k == Kind::kFloat || k == Kind::kBigInt || k == Kind::kBigDec;
}

enum class NumOp { kAdd, kSub, kMul, kDiv, kQuot, kRem, kMod };

// `a op b`. `/` on two integers divides exactly when the divisor divides the
// dividend and otherwise gives a double: accrete has no ratio type, and a
// double is what a ratio turns into as soon as it meets one. `/` on big
// decimals is exact, or an error for a non-terminating expansion as in
// Clojure. Errors (InvalidArgument): "integer overflow", "division by zero",
// "non-terminating decimal expansion".
absl::StatusOr<Value> Arith(NumOp op, const Value& a, const Value& b);

// Numeric comparison across kinds (1 < 1.5 < 2N; 1 and 1.0 compare equal):
// -1, 0 or 1, or nullopt when either is NaN (every comparison with NaN is
// false in Clojure).
std::optional<int> CompareNumeric(const Value& a, const Value& b);

// The nearest double (big numbers through their text).
double ToDouble(const Value& v);

// Clojure's zero?/pos?/neg?: the sign of a number (0 for NaN).
int NumberSign(const Value& v);

// The order used by min and max, the functions and the aggregates: numeric
// for two numbers, compare() otherwise (Datomic's min/max accept any type).
int OrderCompare(const Value& a, const Value& b);

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_BUILTINS_NUMERIC_HPP_
