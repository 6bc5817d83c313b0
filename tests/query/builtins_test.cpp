// The query language's pure built-in functions and aggregates, called
// directly (the engine's tests call them through q()).
#include "query/builtins.hpp"

#include <set>
#include <string>
#include <vector>

#include "accrete/edn.hpp"
#include "core/test_util.hpp"
#include "gtest/gtest.h"

namespace accrete::internal::query {
namespace {

// Calls the builtin that `form`, EDN text such as "(+ 1 2)", names, with
// the form's other items as arguments, checking the arity as the engine does.
absl::StatusOr<Value> Call(std::string_view form) {
  absl::StatusOr<Value> parsed = edn::Read(form);
  if (!parsed.ok()) return parsed.status();
  std::span<const Value> items = parsed->items();
  const Builtin* builtin = FindBuiltin(items[0].qualified_name());
  if (builtin == nullptr) return absl::NotFoundError("no builtin");
  std::span<const Value> args = items.subspan(1);
  auto n = static_cast<int>(args.size());
  if (n < builtin->min_args || (builtin->max_args >= 0 && n > builtin->max_args)) {
    return absl::InvalidArgumentError("arity");
  }
  return builtin->fn(items[0].qualified_name(), args);
}

Value Edn(std::string_view text) {
  absl::StatusOr<Value> v = edn::Read(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : Value();
}

// `form` gives the value that `expected` (EDN) reads as, of the same kind.
void ExpectCall(std::string_view form, std::string_view expected) {
  absl::StatusOr<Value> got = Call(form);
  ASSERT_TRUE(got.ok()) << form << ": " << got.status();
  Value want = Edn(expected);
  EXPECT_EQ(*got, want) << form << " gave " << got->to_string() << ", expected " << expected;
  EXPECT_EQ(got->kind(), want.kind()) << form << " gave " << got->to_string();
}

// `form` fails with InvalidArgument whose message contains `message`.
void ExpectError(std::string_view form, std::string_view message) {
  absl::StatusOr<Value> got = Call(form);
  ASSERT_FALSE(got.ok()) << form << " gave " << got->to_string();
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << form;
  EXPECT_NE(std::string(got.status().message()).find(message), std::string::npos)
      << form << ": " << got.status();
}

TEST(BuiltinLookup, KnowsTheNamesAndOnlyQualifiedStringFunctions) {
  for (std::string_view name : {"=",
                                "!=",
                                "not=",
                                "<",
                                ">",
                                "<=",
                                ">=",
                                "+",
                                "-",
                                "*",
                                "/",
                                "quot",
                                "rem",
                                "mod",
                                "inc",
                                "dec",
                                "max",
                                "min",
                                "zero?",
                                "pos?",
                                "neg?",
                                "even?",
                                "odd?",
                                "str",
                                "subs",
                                "clojure.string/starts-with?",
                                "clojure.string/ends-with?",
                                "clojure.string/includes?",
                                "clojure.string/blank?",
                                "clojure.string/lower-case",
                                "clojure.string/upper-case",
                                "re-find",
                                "re-matches",
                                "re-seq",
                                "re-pattern",
                                "identity",
                                "keyword",
                                "name",
                                "namespace",
                                "vector",
                                "list",
                                "count",
                                "tuple",
                                "untuple",
                                "ground",
                                "true?",
                                "false?",
                                "nil?",
                                "some?",
                                "not",
                                "get",
                                "contains?"}) {
    EXPECT_NE(FindBuiltin(name), nullptr) << name;
  }
  EXPECT_EQ(FindBuiltin("starts-with?"), nullptr);
  EXPECT_EQ(FindBuiltin("lower-case"), nullptr);
  EXPECT_EQ(FindBuiltin("no-such-fn"), nullptr);
  EXPECT_EQ(FindBuiltin(""), nullptr);
  EXPECT_EQ(FindBuiltin("quot")->min_args, 2);
  EXPECT_EQ(FindBuiltin("quot")->max_args, 2);
  EXPECT_EQ(FindBuiltin("+")->max_args, -1);
}

TEST(BuiltinCompare, EqualityIsClojures) {
  ExpectCall("(= 1 1)", "true");
  ExpectCall("(= 1)", "true");
  ExpectCall("(= 1 1 2)", "false");
  ExpectCall("(= 1 1.0)", "false");
  ExpectCall("(= 1 1N)", "true");
  ExpectCall("(= [1 2] (1 2))", "true");
  ExpectCall("(= \"a\" :a)", "false");
  ExpectCall("(!= 1 2)", "true");
  ExpectCall("(not= 1 1)", "false");
}

TEST(BuiltinCompare, NumbersCompareNumericallyAcrossKinds) {
  ExpectCall("(< 1 2)", "true");
  ExpectCall("(< 1 2 3)", "true");
  ExpectCall("(< 1 3 2)", "false");
  ExpectCall("(< 1)", "true");
  ExpectCall("(< 1 1.5 2N 2.5M 3)", "true");
  ExpectCall("(<= 1 1.0)", "true");
  ExpectCall("(< 1 1.0)", "false");
  ExpectCall("(>= 1.0 1N 1M)", "true");
  ExpectCall("(> 100000000000000000000N 1e19)", "true");
  ExpectCall("(< 9007199254740993 9.007199254740992E15)", "false");
  ExpectCall("(> 9007199254740993 9.007199254740992E15)", "true");
  ExpectCall("(< 1 ##Inf)", "true");
  ExpectCall("(< 1 ##NaN)", "false");
  ExpectCall("(>= 1 ##NaN)", "false");
}

TEST(BuiltinCompare, SameKindValuesCompareAndMixedKindsAreErrors) {
  ExpectCall("(< \"abc\" \"abd\")", "true");
  ExpectCall("(> :b :a)", "true");
  ExpectCall("(< #inst \"2020-01-01\" #inst \"2021-01-01\")", "true");
  ExpectError("(< 1 \"a\")", "(< 1 \"a\"): cannot compare 1 (integer) with \"a\" (string)");
  ExpectError("(< \"a\" :a)", "cannot compare");
  ExpectError("(< nil nil)", "cannot compare");
  // Like Clojure, an earlier false pair ends the comparison.
  ExpectCall("(< 2 1 \"a\")", "false");
}

TEST(BuiltinArithmetic, IntegersStayIntegers) {
  ExpectCall("(+)", "0");
  ExpectCall("(+ 1 2 3)", "6");
  ExpectCall("(- 5)", "-5");
  ExpectCall("(- 10 1 2)", "7");
  ExpectCall("(*)", "1");
  ExpectCall("(* 2 3 4)", "24");
  ExpectCall("(inc 41)", "42");
  ExpectCall("(dec 43)", "42");
}

TEST(BuiltinArithmetic, ContagionFollowsClojure) {
  ExpectCall("(+ 1 2.5)", "3.5");
  ExpectCall("(+ 1 2N)", "3N");
  ExpectCall("(+ 1N 1.5M)", "2.5M");
  ExpectCall("(+ 1.50M 1M)", "2.50M");
  ExpectCall("(* 1.5M 2)", "3.0M");
  ExpectCall("(+ 1.5M 0.5)", "2.0");
  ExpectCall("(- 1N 3)", "-2N");
  ExpectCall("(* 99999999999999999999N 99999999999999999999N)",
             "9999999999999999999800000000000000000001N");
  ExpectCall("(- 0.1M 0.25M)", "-0.15M");
  ExpectCall("(inc 1.5)", "2.5");
  ExpectCall("(dec 0N)", "-1N");
}

TEST(BuiltinArithmetic, DivisionIsExactWhenItCanBeAndOtherwiseDouble) {
  ExpectCall("(/ 6 3)", "2");
  ExpectCall("(/ 7 2)", "3.5");
  ExpectCall("(/ 2)", "0.5");
  ExpectCall("(/ 7.0 2)", "3.5");
  ExpectCall("(/ 100N 4)", "25N");
  ExpectCall("(/ 1N 4)", "0.25");
  ExpectCall("(/ 1M 4)", "0.25M");
  ExpectCall("(/ 1.0M 8)", "0.125M");
  ExpectError("(/ 1M 3)", "(/ 1M 3): non-terminating decimal expansion");
  ExpectError("(/ 1 0)", "(/ 1 0): division by zero");
  ExpectError("(/ 1.0 0)", "division by zero");
  ExpectError("(/ 1N 0N)", "division by zero");
}

TEST(BuiltinArithmetic, QuotRemModTruncateOrFloorLikeClojure) {
  ExpectCall("(quot 7 2)", "3");
  ExpectCall("(quot -7 2)", "-3");
  ExpectCall("(rem -7 2)", "-1");
  ExpectCall("(mod -7 2)", "1");
  ExpectCall("(mod 7 -2)", "-1");
  ExpectCall("(mod -6 2)", "0");
  ExpectCall("(quot 7.5 2)", "3.0");
  ExpectCall("(rem 7.5 2)", "1.5");
  ExpectCall("(mod -7.5 2)", "0.5");
  ExpectCall("(quot 100000000000000000007N 2)", "50000000000000000003N");
  ExpectCall("(rem -100000000000000000007N 2)", "-1N");
  ExpectCall("(mod -100000000000000000007N 2)", "1N");
  ExpectCall("(rem 7.5M 2)", "1.5M");
  ExpectCall("(rem -9223372036854775808 -1)", "0");
  ExpectError("(quot 1 0)", "division by zero");
  ExpectError("(mod 1 0)", "division by zero");
}

TEST(BuiltinArithmetic, OverflowAndWrongKindsAreErrors) {
  ExpectError("(+ 9223372036854775807 1)", "(+ 9223372036854775807 1): integer overflow");
  ExpectError("(- -9223372036854775808 1)", "integer overflow");
  ExpectError("(* 4611686018427387904 2)", "integer overflow");
  ExpectError("(inc 9223372036854775807)", "integer overflow");
  ExpectError("(dec -9223372036854775808)", "integer overflow");
  ExpectError("(- -9223372036854775808)", "integer overflow");
  ExpectError("(quot -9223372036854775808 -1)", "integer overflow");
  ExpectError("(+ 1 \"a\")", "(+ 1 \"a\"): expected a number, got \"a\"");
  ExpectError("(* nil 2)", "expected a number, got nil");
  ExpectError("(inc :a)", "(inc :a): expected a number, got :a");
}

TEST(BuiltinArithmetic, MaxMinAndSignPredicates) {
  ExpectCall("(max 1 3 2)", "3");
  ExpectCall("(max 1 3.5 2)", "3.5");
  ExpectCall("(min 2 1N 3)", "1N");
  ExpectError("(max 1 \"a\")", "expected a number");
  ExpectCall("(zero? 0)", "true");
  ExpectCall("(zero? 0.0)", "true");
  ExpectCall("(zero? 0.00M)", "true");
  ExpectCall("(pos? 1N)", "true");
  ExpectCall("(neg? -0.5M)", "true");
  ExpectCall("(neg? 0)", "false");
  ExpectCall("(pos? ##NaN)", "false");
  ExpectCall("(even? 4)", "true");
  ExpectCall("(odd? -3)", "true");
  ExpectCall("(odd? 100000000000000000001N)", "true");
  ExpectError("(even? 1.0)", "(even? 1.0): expected an integer, got 1.0");
  ExpectError("(zero? \"0\")", "expected a number");
}

TEST(BuiltinString, StrConcatenatesLikeClojure) {
  ExpectCall("(str)", "\"\"");
  ExpectCall("(str \"a\")", "\"a\"");
  ExpectCall("(str \"a\" nil 1 :k/w sym \\c 1.5 2N 3.5M)", "\"a1:k/wsymc1.523.5\"");
  ExpectCall("(str [1 \"x\"] {:a 1})", "\"[1 \\\"x\\\"]{:a 1}\"");
  ExpectCall("(str #uuid \"5f0c8ff9-62d1-4a6c-9d2c-0d3a3c1f2a4b\")",
             "\"5f0c8ff9-62d1-4a6c-9d2c-0d3a3c1f2a4b\"");
  ExpectCall("(str true)", "\"true\"");
}

TEST(BuiltinString, StrPrintsDoublesAsJavaDoes) {
  ExpectCall("(str 1.0)", "\"1.0\"");
  ExpectCall("(str -2.5)", "\"-2.5\"");
  ExpectCall("(str 0.001)", "\"0.001\"");
  ExpectCall("(str 0.0001)", "\"1.0E-4\"");
  ExpectCall("(str 1.5e-4)", "\"1.5E-4\"");
  ExpectCall("(str 1234567.0)", "\"1234567.0\"");
  ExpectCall("(str 10000000.0)", "\"1.0E7\"");
  ExpectCall("(str 12345678.9)", "\"1.23456789E7\"");
  ExpectCall("(str 100.25)", "\"100.25\"");
  ExpectCall("(str 0.0 -0.0)", "\"0.0-0.0\"");
  ExpectCall("(str ##NaN ##Inf ##-Inf)", "\"NaNInfinity-Infinity\"");
}

TEST(BuiltinString, SubsCountsCharacters) {
  ExpectCall("(subs \"hello\" 1)", "\"ello\"");
  ExpectCall("(subs \"hello\" 1 3)", "\"el\"");
  ExpectCall("(subs \"hello\" 5)", "\"\"");
  ExpectCall("(subs \"h\u00e9llo\" 1 2)", "\"\u00e9\"");
  ExpectError("(subs \"hello\" 6)", "(subs \"hello\" 6): index out of range");
  ExpectError("(subs \"hello\" 3 2)", "index out of range");
  ExpectError("(subs \"hello\" -1)", "index out of range");
  ExpectError("(subs \"hello\" 1 9)", "index out of range");
  ExpectError("(subs :hello 1)", "expected a string, got :hello");
  ExpectError("(subs \"hello\" 1.0)", "expected an integer index");
}

TEST(BuiltinString, ClojureStringFunctions) {
  ExpectCall("(clojure.string/starts-with? \"foobar\" \"foo\")", "true");
  ExpectCall("(clojure.string/starts-with? \"foobar\" \"bar\")", "false");
  ExpectCall("(clojure.string/ends-with? \"foobar\" \"bar\")", "true");
  ExpectCall("(clojure.string/includes? \"foobar\" \"oba\")", "true");
  ExpectCall("(clojure.string/includes? \"foobar\" \"x\")", "false");
  ExpectCall("(clojure.string/blank? nil)", "true");
  ExpectCall("(clojure.string/blank? \" \\t\\n\")", "true");
  ExpectCall("(clojure.string/blank? \" a \")", "false");
  ExpectCall("(clojure.string/lower-case \"HeLLo 1\")", "\"hello 1\"");
  ExpectCall("(clojure.string/upper-case \"HeLLo 1\")", "\"HELLO 1\"");
  ExpectError("(clojure.string/starts-with? nil \"a\")",
              "(clojure.string/starts-with? nil \"a\"): expected a string, got nil");
  ExpectError("(clojure.string/upper-case 1)", "expected a string");
}

TEST(BuiltinRegex, FindMatchesSeqAndPatterns) {
  ExpectCall("(re-find \"[0-9]+\" \"ab123cd45\")", "\"123\"");
  ExpectCall("(re-find \"x\" \"abc\")", "nil");
  ExpectCall("(re-find \"(a)(x)?(b)\" \"zab\")", "[\"ab\" \"a\" nil \"b\"]");
  ExpectCall("(re-matches \"[a-c]+\" \"abc\")", "\"abc\"");
  ExpectCall("(re-matches \"[a-c]+\" \"abcd\")", "nil");
  ExpectCall("(re-matches \"(\\\\w+)@(\\\\w+)\" \"me@host\")", "[\"me@host\" \"me\" \"host\"]");
  ExpectCall("(re-seq \"[0-9]+\" \"a1b22c333\")", "(\"1\" \"22\" \"333\")");
  ExpectCall("(re-seq \"[0-9]+\" \"abc\")", "nil");
  ExpectCall("(re-pattern \"a+\")", "#regex \"a+\"");
  ExpectCall("(re-find #regex \"a+\" \"baaad\")", "\"aaa\"");
  ExpectCall("(re-pattern #regex \"a+\")", "#regex \"a+\"");
  ExpectError("(re-pattern \"(\")", "(re-pattern \"(\"): bad pattern");
  ExpectError("(re-find \"[\" \"x\")", "bad pattern");
  ExpectError("(re-find 1 \"x\")", "expected a pattern or string, got 1");
  ExpectError("(re-find \"x\" 1)", "expected a string, got 1");
}

TEST(BuiltinValues, NamesAndKeywords) {
  ExpectCall("(keyword \"a/b\")", ":a/b");
  ExpectCall("(keyword \"b\")", ":b");
  ExpectCall("(keyword \"a\" \"b\")", ":a/b");
  ExpectCall("(keyword nil \"b\")", ":b");
  ExpectCall("(keyword a/b)", ":a/b");
  ExpectCall("(keyword :a/b)", ":a/b");
  ExpectCall("(keyword 1)", "nil");
  ExpectError("(keyword 1 \"b\")", "expected a string or nil");
  ExpectCall("(name :a/b)", "\"b\"");
  ExpectCall("(name x)", "\"x\"");
  ExpectCall("(name \"s\")", "\"s\"");
  ExpectError("(name 1)", "(name 1): expected a string, keyword or symbol, got 1");
  ExpectCall("(namespace :a/b)", "\"a\"");
  ExpectCall("(namespace :b)", "nil");
  ExpectError("(namespace \"a/b\")", "expected a keyword or symbol");
}

TEST(BuiltinValues, CollectionsAndTuples) {
  ExpectCall("(vector 1 \"a\")", "[1 \"a\"]");
  ExpectCall("(vector)", "[]");
  ExpectCall("(list 1 2)", "(1 2)");
  ExpectCall("(tuple 1 :a)", "[1 :a]");
  ExpectCall("(untuple [1 :a])", "[1 :a]");
  ExpectError("(untuple 1)", "(untuple 1): expected a tuple, got 1");
  ExpectCall("(count \"h\u00e9llo\")", "5");
  ExpectCall("(count [1 2 3])", "3");
  ExpectCall("(count {:a 1})", "1");
  ExpectCall("(count #{1 2})", "2");
  ExpectCall("(count nil)", "0");
  ExpectError("(count 5)", "(count 5): expected a string or collection, got 5");
  ExpectCall("(identity :x)", ":x");
  ExpectCall("(ground [1 2])", "[1 2]");
}

TEST(BuiltinValues, TruthPredicates) {
  ExpectCall("(true? true)", "true");
  ExpectCall("(true? 1)", "false");
  ExpectCall("(false? false)", "true");
  ExpectCall("(false? nil)", "false");
  ExpectCall("(nil? nil)", "true");
  ExpectCall("(some? false)", "true");
  ExpectCall("(some? nil)", "false");
  ExpectCall("(not nil)", "true");
  ExpectCall("(not false)", "true");
  ExpectCall("(not 0)", "false");
  EXPECT_TRUE(Truthy(Value(0)));
  EXPECT_FALSE(Truthy(Value(false)));
  EXPECT_FALSE(Truthy(Value()));
}

TEST(BuiltinValues, GetAndContains) {
  ExpectCall("(get {:a 1} :a)", "1");
  ExpectCall("(get {:a 1} :b)", "nil");
  ExpectCall("(get {:a 1} :b 0)", "0");
  ExpectCall("(get [10 20] 1)", "20");
  ExpectCall("(get [10 20] 2 :none)", ":none");
  ExpectCall("(get #{:x} :x)", ":x");
  ExpectCall("(get \"abc\" 1)", "\\b");
  ExpectCall("(get nil :a)", "nil");
  ExpectCall("(get 5 :a :d)", ":d");
  ExpectCall("(contains? {:a 1} :a)", "true");
  ExpectCall("(contains? #{1} 2)", "false");
  ExpectCall("(contains? [1 2] 1)", "true");
  ExpectCall("(contains? [1 2] 2)", "false");
  ExpectCall("(contains? nil 1)", "false");
  ExpectError("(contains? 5 1)", "(contains? 5 1): expected a map, set, vector or string");
}

// ---------------------------------------------------------------------------
// Aggregates

absl::StatusOr<Value> Aggregate(std::string_view name, std::string_view params,
                                std::string_view values) {
  Value p = Edn(params);
  Value v = Edn(values);
  const BuiltinAggregate* agg = FindAggregate(name, static_cast<int>(p.size()));
  if (agg == nullptr) return absl::NotFoundError("no aggregate");
  return agg->fn(p.items(), v.items());
}

void ExpectAggregate(std::string_view name, std::string_view params, std::string_view values,
                     std::string_view expected) {
  absl::StatusOr<Value> got = Aggregate(name, params, values);
  ASSERT_TRUE(got.ok()) << name << " " << values << ": " << got.status();
  Value want = Edn(expected);
  EXPECT_EQ(*got, want) << name << " " << values << " gave " << got->to_string();
  EXPECT_EQ(got->kind(), want.kind()) << name << " " << values << " gave " << got->to_string();
}

void ExpectAggregate(std::string_view name, std::string_view values, std::string_view expected) {
  ExpectAggregate(name, "[]", values, expected);
}

void ExpectAggregateError(std::string_view name, std::string_view params, std::string_view values,
                          std::string_view message) {
  absl::StatusOr<Value> got = Aggregate(name, params, values);
  ASSERT_FALSE(got.ok()) << name << " " << values << " gave " << got->to_string();
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(got.status().message()), message);
}

TEST(BuiltinAggregateLookup, ByNameAndParameterCount) {
  for (std::string_view name : {"count", "count-distinct", "sum", "avg", "median", "variance",
                                "stddev", "min", "max", "distinct", "rand"}) {
    EXPECT_NE(FindAggregate(name, 0), nullptr) << name;
  }
  for (std::string_view name : {"min", "max", "rand", "sample"}) {
    EXPECT_NE(FindAggregate(name, 1), nullptr) << name;
  }
  EXPECT_EQ(FindAggregate("sample", 0), nullptr);
  EXPECT_EQ(FindAggregate("sum", 1), nullptr);
  EXPECT_EQ(FindAggregate("mode", 0), nullptr);
  EXPECT_EQ(FindAggregate("min", 0)->params, 0);
  EXPECT_EQ(FindAggregate("min", 1)->params, 1);
}

TEST(BuiltinAggregate, CountsAndSums) {
  ExpectAggregate("count", "[1 1 2]", "3");
  ExpectAggregate("count", "[]", "0");
  ExpectAggregate("count-distinct", "[1 1 2 1N]", "2");
  ExpectAggregate("sum", "[1 2 3]", "6");
  ExpectAggregate("sum", "[]", "0");
  ExpectAggregate("sum", "[1 2.5]", "3.5");
  ExpectAggregate("sum", "[1.5 2]", "3.5");
  ExpectAggregate("sum", "[1 2N]", "3N");
  ExpectAggregate("sum", "[0.1M 0.2M]", "0.3M");
  ExpectAggregateError("sum", "[]", "[1 \"a\"]", "(sum ...): expected a number, got \"a\"");
  ExpectAggregateError("sum", "[]", "[9223372036854775807 1]", "(sum ...): integer overflow");
}

TEST(BuiltinAggregate, StatisticsAreDoubles) {
  ExpectAggregate("avg", "[1 2 3 4]", "2.5");
  ExpectAggregate("avg", "[2 2]", "2.0");
  ExpectAggregate("avg", "[]", "nil");
  ExpectAggregate("median", "[3 1 2]", "2");
  ExpectAggregate("median", "[4 1 3 2]", "2.5");
  ExpectAggregate("median", "[1.5]", "1.5");
  ExpectAggregate("variance", "[1 2 3 4]", "1.25");
  ExpectAggregate("variance", "[5]", "0.0");
  ExpectAggregate("stddev", "[2 4 4 4 5 5 7 9]", "2.0");
  ExpectAggregateError("median", "[]", "[1 :a]", "(median ...): expected a number, got :a");
  ExpectAggregateError("stddev", "[]", "[\"x\"]", "(stddev ...): expected a number, got \"x\"");
}

TEST(BuiltinAggregate, MinMaxOrderNumbersNumericallyAndOtherValuesByCompare) {
  ExpectAggregate("min", "[3 1.5 2]", "1.5");
  ExpectAggregate("max", "[3 10N 2]", "10N");
  ExpectAggregate("max", "[\"b\" \"c\" \"a\"]", "\"c\"");
  ExpectAggregate("min", "[:b :a]", ":a");
  ExpectAggregate("min", "[#inst \"2021-01-01\" #inst \"2020-01-01\"]", "#inst \"2020-01-01\"");
  ExpectAggregate("min", "[]", "nil");
  ExpectAggregate("distinct", "[1 2 1 3]", "#{1 2 3}");
  ExpectAggregate("min", "[2]", "[5 1 3 1 4]", "[1 1]");
  ExpectAggregate("max", "[3]", "[5 1 3 1 4]", "[5 4 3]");
  ExpectAggregate("max", "[10]", "[1 2]", "[2 1]");
  ExpectAggregate("min", "[0]", "[1 2]", "[]");
  ExpectAggregateError("min", "[-1]", "[1]",
                       "(min ...): expected a non-negative integer n, got -1");
  ExpectAggregateError("sample", "[\"x\"]", "[1]",
                       "(sample ...): expected a non-negative integer n, got \"x\"");
}

TEST(BuiltinAggregate, RandDrawsWithReplacementAndSampleWithout) {
  absl::StatusOr<Value> drawn = Aggregate("rand", "[20]", "[1 2]");
  ASSERT_TRUE(drawn.ok());
  ASSERT_TRUE(drawn->is_vector());
  EXPECT_EQ(drawn->size(), 20u);
  for (const Value& v : drawn->items()) EXPECT_TRUE(v == Value(1) || v == Value(2));

  absl::StatusOr<Value> one = Aggregate("rand", "[]", "[7 7]");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, Value(7));

  absl::StatusOr<Value> sample = Aggregate("sample", "[3]", "[1 1 1 2 2 3 4 5]");
  ASSERT_TRUE(sample.ok());
  ASSERT_TRUE(sample->is_vector());
  EXPECT_EQ(sample->size(), 3u);
  std::set<int64_t> seen;
  for (const Value& v : sample->items()) seen.insert(v.as_int());
  EXPECT_EQ(seen.size(), 3u);

  sample = Aggregate("sample", "[10]", "[1 1 2]");
  ASSERT_TRUE(sample.ok());
  EXPECT_EQ(sample->size(), 2u);
}

}  // namespace
}  // namespace accrete::internal::query
