// The query language's built-in functions, predicates and aggregates that are
// pure functions of values (the ones that read a database -- get-else,
// get-some, missing?, tx-ids, tx-data, q -- live in the engine).
//
// Lookup happens once per query at plan time; calls happen per row, so a
// builtin is a plain function pointer over a span of already-bound values.
//
// Semantics are Clojure's (Datomic's built-ins are clojure.core's), with
// these differences, each documented where it is implemented: `/` on
// integers gives an integer when exact and a double otherwise (no ratios);
// integer overflow is an error; re-pattern returns the tagged value
// `#regex "..."` and regexes are ECMAScript (builtins_regex.hpp);
// lower-case/upper-case change ASCII letters only. Aggregate semantics are
// listed at the top of aggregates.cpp.
#ifndef ACCRETE_LIB_QUERY_BUILTINS_HPP_
#define ACCRETE_LIB_QUERY_BUILTINS_HPP_

#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "accrete/value.hpp"

namespace accrete::internal::query {

// A built-in function or predicate. Returns the result (a predicate's is
// truthy unless nil or false) or InvalidArgument naming the function and
// the offending argument, e.g. "(+ ?x ...): expected a number, got \"a\"".
// `name` is the function's symbol as written (for messages).
using BuiltinFn = absl::StatusOr<Value> (*)(std::string_view name, std::span<const Value> args);

struct Builtin {
  BuiltinFn fn = nullptr;
  int min_args = 0;
  int max_args = -1;  // -1: any number
};

// The builtin named by `name` (as written in the query: "+", "str",
// "clojure.string/starts-with?", "re-find", ...), or nullptr.
const Builtin* FindBuiltin(std::string_view name);

// A built-in aggregate over one group's values (a bag: duplicates kept, in
// no particular order). `params` are the constant arguments before the
// variable: {n} for (min n ?x), (max n ?x), (rand n ?x), (sample n ?x).
using AggregateFn = absl::StatusOr<Value> (*)(std::span<const Value> params,
                                              std::span<const Value> values);

struct BuiltinAggregate {
  AggregateFn fn = nullptr;
  int params = 0;  // how many constant arguments precede the variable
};

// The aggregate named `name` taking `nparams` constant arguments ("count",
// "min" with 0 or "min" with 1 for (min n ?x), ...), or nullptr.
const BuiltinAggregate* FindAggregate(std::string_view name, int nparams);

// Truthiness as in Clojure: everything but nil and false.
inline bool Truthy(const Value& v) { return !v.is_nil() && !(v.is_boolean() && !v.as_bool()); }

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_BUILTINS_HPP_
