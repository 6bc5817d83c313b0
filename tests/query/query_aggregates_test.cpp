// Aggregates in :find (built-in and registered), :with, grouping, and
// query functions registered by fully-qualified name, through accrete::q.
//
// Ages: Ivan 30, Petr 25, Oleg 40, Yuri 25, Anna 19 (the distinct ages
// are 19 25 30 40).
#include <cmath>
#include <stdexcept>

#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

TEST_F(QueryTest, CountWithAndWithoutWith) {
  // Without :with the aggregated variable's values form a set.
  EXPECT_EQ(Q("[:find (count ?a) . :where [_ :person/age ?a]]", db()), Value(4));
  // :with ?e keeps one value per person: a bag.
  EXPECT_EQ(Q("[:find (count ?a) . :with ?e :where [?e :person/age ?a]]", db()), Value(5));
  EXPECT_EQ(Q("[:find (count-distinct ?a) . :with ?e :where [?e :person/age ?a]]", db()), Value(4));
}

TEST_F(QueryTest, NumericAggregates) {
  EXPECT_EQ(Q("[:find (sum ?a) . :where [_ :person/age ?a]]", db()), Value(114));
  EXPECT_EQ(Q("[:find (sum ?a) . :with ?e :where [?e :person/age ?a]]", db()), Value(139));
  EXPECT_EQ(Q("[:find (avg ?a) . :with ?e :where [?e :person/age ?a]]", db()), Value(27.8));
  EXPECT_EQ(Q("[:find (median ?a) . :with ?e :where [?e :person/age ?a]]", db()), Value(25));
  // An even count: the mean of the middle two.
  EXPECT_EQ(Q("[:find (median ?a) . :where [_ :person/age ?a]]", db()), Value(27.5));
  // Population variance of 30 25 40 25 19: 246.8 / 5.
  Value variance = Q("[:find (variance ?a) . :with ?e :where [?e :person/age ?a]]", db());
  ASSERT_TRUE(variance.is_float()) << variance.to_string();
  EXPECT_NEAR(variance.as_double(), 49.36, 1e-9);
  Value stddev = Q("[:find (stddev ?a) . :with ?e :where [?e :person/age ?a]]", db());
  ASSERT_TRUE(stddev.is_float()) << stddev.to_string();
  EXPECT_NEAR(stddev.as_double(), std::sqrt(49.36), 1e-9);
  // Doubles sum to a double.
  EXPECT_EQ(Q("[:find (sum ?s) . :with ?e :where [?e :person/salary ?s]]", db()), Value(3500.0));
}

TEST_F(QueryTest, MinMaxAndTheirNForms) {
  EXPECT_EQ(Q("[:find [(min ?a) (max ?a)] :where [_ :person/age ?a]]", db()), E("[19 40]"));
  // min and max order any values.
  EXPECT_EQ(Q("[:find [(min ?n) (max ?n)] :where [_ :person/name ?n]]", db()),
            E(R"(["Anna" "Yuri"])"));
  EXPECT_EQ(Q("[:find (min 2 ?a) . :with ?e :where [?e :person/age ?a]]", db()), E("[19 25]"));
  EXPECT_EQ(Q("[:find (max 3 ?a) . :with ?e :where [?e :person/age ?a]]", db()), E("[40 30 25]"));
  // Without :with, duplicates are gone before aggregation.
  EXPECT_EQ(Q("[:find (min 3 ?a) . :where [_ :person/age ?a]]", db()), E("[19 25 30]"));
  // n larger than the group.
  EXPECT_EQ(Q("[:find (max 10 ?a) . :where [_ :person/age ?a]]", db()), E("[40 30 25 19]"));
  // n from an input.
  EXPECT_EQ(Q("[:find (max ?k ?a) . :in $ ?k :where [_ :person/age ?a]]", db(), 2), E("[40 30]"));
}

TEST_F(QueryTest, DistinctRandAndSample) {
  EXPECT_EQ(Q("[:find (distinct ?a) . :with ?e :where [?e :person/age ?a]]", db()),
            E("#{19 25 30 40}"));
  const Value ages = E("#{19 25 30 40}");
  Value drawn = Q("[:find (rand 7 ?a) . :with ?e :where [?e :person/age ?a]]", db());
  ASSERT_TRUE(drawn.is_vector()) << drawn.to_string();
  EXPECT_EQ(drawn.size(), 7u);  // with replacement: may exceed the group
  for (const Value& v : drawn.items()) EXPECT_TRUE(ages.contains(v)) << v.to_string();
  Value one = Q("[:find (rand ?a) . :where [_ :person/age ?a]]", db());
  EXPECT_TRUE(ages.contains(one)) << one.to_string();
  Value sample = Q("[:find (sample 2 ?a) . :where [_ :person/age ?a]]", db());
  ASSERT_TRUE(sample.is_vector()) << sample.to_string();
  ASSERT_EQ(sample.size(), 2u);
  EXPECT_NE(sample.items()[0], sample.items()[1]);
  for (const Value& v : sample.items()) EXPECT_TRUE(ages.contains(v)) << v.to_string();
  // Sampling more than there is gives each distinct value once.
  EXPECT_EQ(Sorted(Q("[:find (sample 10 ?a) . :with ?e :where [?e :person/age ?a]]", db())),
            E("[19 25 30 40]"));
}

TEST_F(QueryTest, AggregatesGroupByTheOtherFindElements) {
  EXPECT_EQ(Q("[:find ?s (count ?e) :where [?e :person/sex ?s]]", db()),
            E("#{[:male 4] [:female 1]}"));
  EXPECT_EQ(
      Q("[:find ?s (avg ?a) (max ?a) :with ?e :where [?e :person/sex ?s] [?e :person/age ?a]]",
        db()),
      E("#{[:male 30.0 40] [:female 19.0 19]}"));
  EXPECT_EQ(Q("[:find ?a (count ?e) :where [?e :person/age ?a]]", db()),
            E("#{[19 1] [25 2] [30 1] [40 1]}"));
  // Two grouping columns.
  EXPECT_EQ(
      Q(R"([:find ?s ?a (count ?e) :where [?e :person/sex ?s] [?e :person/age ?a] [(< ?a 30)]])",
        db()),
      E("#{[:male 25 2] [:female 19 1]}"));
  // Only aggregates: one group of everything.
  EXPECT_EQ(Q("[:find [(count ?e) ...] :where [?e :person/sex ?s]]", db()), E("[5]"));
  // :keys name the columns.
  EXPECT_EQ(Q("[:find ?s (count ?e) :keys sex n :where [?e :person/sex ?s]]", db()),
            E("#{{:sex :male :n 4} {:sex :female :n 1}}"));
}

TEST_F(QueryTest, AggregatesOverNothing) {
  // No rows: a scalar aggregate gives nil, a relation is empty.
  EXPECT_EQ(Q("[:find (count ?e) . :where [?e :person/age 99]]", db()), Value());
  EXPECT_EQ(Q("[:find ?s (count ?e) :where [?e :person/sex ?s] [?e :person/age 99]]", db()),
            E("#{}"));
}

TEST_F(QueryTest, AggregateErrors) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"sum", "a number"},
              "[:find (sum ?n) . :where [_ :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kNotFound, {"frobnicate"},
              "[:find (frobnicate ?n) . :where [_ :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kNotFound, {"my.agg/nope", "not registered"},
              "[:find (my.agg/nope ?n) . :where [_ :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"must be a variable"},
              "[:find (count 3) . :where [_ :person/name ?n]]", db());
}

TEST_F(QueryTest, CustomAggregates) {
  ASSERT_OK(registry_.RegisterAggregate(
      "my.agg/spread",
      [](std::span<const Value>, std::span<const Value> values) -> absl::StatusOr<Value> {
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (const Value& v : values) {
          lo = std::min(lo, v.as_int());
          hi = std::max(hi, v.as_int());
        }
        return Value(hi - lo);
      }));
  ASSERT_OK(registry_.RegisterAggregate(
      "my.agg/nth-smallest",
      [](std::span<const Value> params, std::span<const Value> values) -> absl::StatusOr<Value> {
        if (params.size() != 1 || !params[0].is_integer())
          return absl::InvalidArgumentError("needs n");
        std::vector<Value> sorted(values.begin(), values.end());
        std::sort(sorted.begin(), sorted.end());
        const size_t n = static_cast<size_t>(params[0].as_int());
        if (n >= sorted.size()) return absl::OutOfRangeError("group too small");
        return sorted[n];
      }));
  ASSERT_OK(registry_.RegisterAggregate(
      "my.agg/boom", [](std::span<const Value>, std::span<const Value>) -> absl::StatusOr<Value> {
        throw std::runtime_error("boom");
      }));
  EXPECT_EQ(Q("[:find (my.agg/spread ?a) . :with ?e :where [?e :person/age ?a]]", db()), Value(21));
  EXPECT_EQ(
      Q("[:find ?s (my.agg/spread ?a) :with ?e :where [?e :person/sex ?s] [?e :person/age ?a]]",
        db()),
      E("#{[:male 15] [:female 0]}"));
  // Constant parameters come before the variable; the group is a bag.
  EXPECT_EQ(Q("[:find (my.agg/nth-smallest 2 ?a) . :with ?e :where [?e :person/age ?a]]", db()),
            Value(25));
  EXPECT_EQ(Q("[:find (my.agg/nth-smallest 2 ?a) . :where [?e :person/age ?a]]", db()), Value(30));
  // Its error, with its code, naming the aggregate.
  ExpectError(absl::StatusCode::kOutOfRange, {"group too small", "my.agg/nth-smallest"},
              "[:find (my.agg/nth-smallest 9 ?a) . :where [?e :person/age ?a]]", db());
  // A throwing aggregate is an internal error, not a crash.
  ExpectError(absl::StatusCode::kInternal, {"my.agg/boom"},
              "[:find (my.agg/boom ?a) . :where [?e :person/age ?a]]", db());
}

TEST_F(QueryTest, RegisteredQueryFunctionsAndPredicates) {
  ASSERT_OK(registry_.RegisterQueryFunction(
      "my.fn/twice", [](std::span<const Value> args) -> absl::StatusOr<Value> {
        return Value(args[0].as_int() * 2);
      }));
  ASSERT_OK(registry_.RegisterQueryFunction(
      "my.fn/young?", [](std::span<const Value> args) -> absl::StatusOr<Value> {
        return Value(args[0].as_int() < 26);
      }));
  ASSERT_OK(registry_.RegisterQueryFunction(
      "my.fn/split", [](std::span<const Value> args) -> absl::StatusOr<Value> {
        std::vector<Value> out;
        for (char c : args[0].as_string()) out.push_back(Value::String(std::string(1, c)));
        return Value::Vector(std::move(out));
      }));
  ASSERT_OK(registry_.RegisterQueryFunction("my.fn/refuse",
                                            [](std::span<const Value>) -> absl::StatusOr<Value> {
                                              return absl::PermissionDeniedError("not today");
                                            }));
  ASSERT_OK(registry_.RegisterQueryFunction(
      "my.fn/throw",
      [](std::span<const Value>) -> absl::StatusOr<Value> { throw std::runtime_error("kaboom"); }));
  EXPECT_EQ(
      Q(R"([:find ?d . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(my.fn/twice ?a) ?d]])",
        db()),
      Value(80));
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/age ?a] [(my.fn/young? ?a)] [?e :person/name ?n]]", db()),
      E(R"(#{["Petr"] ["Yuri"] ["Anna"]})"));
  EXPECT_EQ(
      Q(R"([:find ?c :where [?e :person/name "Anna"] [?e :person/name ?n] [(my.fn/split ?n) [?c ...]]])",
        db()),
      E(R"(#{["A"] ["n"] ["a"]})"));
  // An error status keeps its code and names the function and the clause.
  ExpectError(absl::StatusCode::kPermissionDenied,
              {"not today", "my.fn/refuse", "[(my.fn/refuse ?a) ?x]"},
              "[:find ?x :where [_ :person/age ?a] [(my.fn/refuse ?a) ?x]]", db());
  // An exception becomes Internal.
  ExpectError(absl::StatusCode::kInternal, {"my.fn/throw", "kaboom"},
              "[:find ?a :where [_ :person/age ?a] [(my.fn/throw ?a)]]", db());
  // Not registered: NotFound naming it.
  ExpectError(absl::StatusCode::kNotFound, {"my.fn/absent", "not registered"},
              "[:find ?x :where [_ :person/age ?a] [(my.fn/absent ?a) ?x]]", db());
  // An unknown plain function.
  ExpectError(absl::StatusCode::kNotFound, {"frobnicate"},
              "[:find ?x :where [_ :person/age ?a] [(frobnicate ?a) ?x]]", db());
  // Registered in another registry (the global one) is not visible here.
  // (AlreadyExists when the test repeats in one process.)
  Registry::Global()
      .RegisterQueryFunction(
          "conformance.global/f",
          [](std::span<const Value>) -> absl::StatusOr<Value> { return Value(1); })
      .IgnoreError();
  ExpectError(absl::StatusCode::kNotFound, {},
              "[:find ?x :where [_ :person/age ?a] [(conformance.global/f ?a) ?x]]", db());
}

}  // namespace
}  // namespace accrete::query_test
