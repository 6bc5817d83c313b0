// Pull in :find, explain, concurrent runs of one prepared query, and the
// engine's limits (timeout, cancellation, memory budget), through the
// public API.
#include <atomic>
#include <thread>

#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

using ::testing::HasSubstr;

// ---- Pull in :find ---------------------------------------------------------

TEST_F(QueryTest, PullWithALiteralPattern) {
  EXPECT_EQ(
      Q("[:find (pull ?e [:person/name :person/age]) :where [?e :person/age 25]]", db()),
      E(R"(#{[{:person/name "Petr" :person/age 25}] [{:person/name "Yuri" :person/age 25}]})"));
  // Beside variables, with nesting, in a scalar find.
  EXPECT_EQ(Q(R"([:find (pull ?e [:person/name {:person/friend [:person/name]}]) .
                  :where [?e :person/name "Petr"]])",
              db()),
            E(R"({:person/name "Petr" :person/friend [{:person/name "Oleg"}]})"));
  EXPECT_EQ(
      Q(R"([:find ?a (pull ?e [:person/name]) :where [?e :person/age ?a] [(< ?a 25)]])", db()),
      E(R"(#{[19 {:person/name "Anna"}]})"));
  // Nothing to pull: {}.
  EXPECT_EQ(Q(R"([:find (pull ?e [:person/salary]) . :where [?e :person/name "Oleg"]])", db()),
            E("{}"));
}

TEST_F(QueryTest, PullWithAPatternFromAnInput) {
  const Value pattern = E("[:person/name :person/sex]");
  EXPECT_EQ(Q("[:find (pull ?e ?p) . :in $ ?p :where [?e :person/age 19]]", db(), pattern),
            E(R"({:person/name "Anna" :person/sex :female})"));
  // Datomic's pattern-name form: a plain symbol in :in.
  EXPECT_EQ(
      Q("[:find (pull ?e pattern) . :in $ pattern :where [?e :person/age 19]]", db(), pattern),
      E(R"({:person/name "Anna" :person/sex :female})"));
}

TEST_F(QueryTest, PullFromANamedSource) {
  const Db before = db();
  ASSERT_OK(conn_->transact(R"([[:db/add [:person/name "Anna"] :person/age 20]])"));
  EXPECT_EQ(Q(R"([:find [(pull $old ?e [:person/age]) (pull ?e [:person/age])]
                  :in $ $old :where [?e :person/name "Anna"]])",
              db(), before),
            E("[{:person/age 19} {:person/age 20}]"));
}

TEST_F(QueryTest, PullErrors) {
  ExpectError(absl::StatusCode::kInvalidArgument, {":person/nope"},
              "[:find (pull ?e [:person/nope]) :where [?e :person/age 25]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"pull"},
              "[:find (pull ?e) :where [?e :person/age 25]]", db());
  // Pulling something that is not an entity id.
  ExpectError(absl::StatusCode::kInvalidArgument, {"entity id"},
              "[:find (pull ?a [:person/name]) :where [_ :person/name ?a]]", db());
}

// ---- Explain -----------------------------------------------------------------

TEST_F(QueryTest, ExplainListsClausesMostSelectiveFirst) {
  ASSERT_OK_AND_ASSIGN(Query query,
                       Query::Parse(R"([:find ?n :where [?e :person/sex :male] [?e :person/age ?a]
                                                      [?e :person/name "Anna"] [?e :person/name ?n]])"));
  const QueryInput in[] = {db()};
  ASSERT_OK_AND_ASSIGN(Value plan, query.Explain(in));
  ASSERT_TRUE(plan.is_vector()) << plan.to_string();
  ASSERT_EQ(plan.size(), 4u) << plan.to_string();
  for (const Value& step : plan.items()) {
    ASSERT_TRUE(step.is_map()) << step.to_string();
    ASSERT_NE(step.get(Value::Keyword("clause")), nullptr) << step.to_string();
    const Value* strategy = step.get(Value::Keyword("strategy"));
    ASSERT_NE(strategy, nullptr) << step.to_string();
    EXPECT_TRUE(strategy->is_string()) << step.to_string();
    const Value* rows = step.get(Value::Keyword("rows"));
    ASSERT_NE(rows, nullptr) << step.to_string();
    EXPECT_TRUE(rows->is_integer()) << step.to_string();
  }
  // The unique name lookup binds ?e to one entity; the rest follow it.
  EXPECT_EQ(*plan.items()[0].get(Value::Keyword("clause")), E(R"([?e :person/name "Anna"])"))
      << plan.to_string();
  EXPECT_EQ(plan.items()[0].get(Value::Keyword("rows"))->as_int(), 1) << plan.to_string();
  // Explain does not run the query and agrees with it.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/sex :male] [?e :person/age ?a]
                  [?e :person/name "Anna"] [?e :person/name ?n]])",
              db()),
            E("#{}"));
}

TEST_F(QueryTest, ExplainTakesInputsIntoAccount) {
  ASSERT_OK_AND_ASSIGN(
      Query query,
      Query::Parse(R"([:find ?e :in $ ?n :where [?e :person/age ?a] [?e :person/name ?n]])"));
  const QueryInput in[] = {db(), QueryInput("Ivan")};
  ASSERT_OK_AND_ASSIGN(Value plan, query.Explain(in));
  ASSERT_EQ(plan.size(), 2u) << plan.to_string();
  EXPECT_EQ(*plan.items()[0].get(Value::Keyword("clause")), E("[?e :person/name ?n]"))
      << plan.to_string();
  // Wrong inputs are the same error as for Run.
  const QueryInput none[] = {db()};
  absl::StatusOr<Value> bad = query.Explain(none);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
}

TEST_F(QueryTest, ExplainOfAnAttributeFromAValueVariable) {
  // [?g ?x] with ?x bound to ages: a fuzzer found the estimate overflowing
  // int64 (an undefined conversion). Explain still gives integer rows.
  ASSERT_OK_AND_ASSIGN(Query query, Query::Parse(R"([:find ?n :where [?e :person/age ?x] [?g ?x]
                                                             [?e :person/name ?n]])"));
  const QueryInput in[] = {db()};
  ASSERT_OK_AND_ASSIGN(Value plan, query.Explain(in));
  ASSERT_EQ(plan.size(), 3u) << plan.to_string();
  for (const Value& step : plan.items()) {
    const Value* rows = step.get(Value::Keyword("rows"));
    ASSERT_NE(rows, nullptr) << plan.to_string();
    EXPECT_GE(rows->as_int(), 0) << plan.to_string();
  }
  // An age that happens to be an attribute's id names that attribute.
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/age ?x] [?g ?x] [?e :person/name ?n]])", db()),
      Q(R"([:find ?n :where [?e :person/age ?x] [?x :db/ident] [?g ?x] [?e :person/name ?n]])",
        db()));
}

// ---- Concurrency ----------------------------------------------------------------

TEST_F(QueryTest, OnePreparedQueryFromManyThreads) {
  ASSERT_OK_AND_ASSIGN(Query query, Query::Parse(R"([:find ?n (count ?f) :in $ % ?min
      :where [?e :person/age ?a] [(>= ?a ?min)] [?e :person/name ?n] (anc ?e ?f)])"));
  const Value rules = E(
      R"([[(anc ?x ?y) [?x :person/parent ?y]] [(anc ?x ?y) [?x :person/parent ?z] (anc ?z ?y)]])");
  const Db snapshot = db();
  const Value expected = E(R"(#{["Petr" 1] ["Oleg" 2] ["Yuri" 3]})");
  {
    const QueryInput in[] = {snapshot, rules, QueryInput(20)};
    ASSERT_OK_AND_ASSIGN(QueryResult r, query.Run(in));
    ASSERT_EQ(r.value(), expected);
  }
  constexpr int kThreads = 8;
  constexpr int kRuns = 50;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRuns; ++i) {
        // Half the threads ask a different question of the same query.
        const int min = (t % 2 == 0) ? 20 : 30;
        const QueryInput in[] = {snapshot, rules, QueryInput(min)};
        absl::StatusOr<QueryResult> r = query.Run(in);
        const Value want = min == 20 ? expected : E(R"(#{["Oleg" 2]})");
        if (!r.ok() || r->value() != want) ++mismatches;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ---- Limits ------------------------------------------------------------------------

// A database with `n` entities of one attribute, for cross products.
void AddNumbers(Connection& conn, int n) {
  std::string tx = "[";
  for (int i = 0; i < n; ++i) tx += "{:person/age " + std::to_string(1000 + i) + "}";
  tx += "]";
  ASSERT_OK(conn.transact(tx));
}

// 9 million pairs, filtered: seconds of work in a Debug build.
constexpr const char* kCrossProduct =
    "[:find (count ?x) . :with ?y :where [?x :person/age ?a] [?y :person/age ?b] [(< ?a ?b)]]";

TEST_F(QueryTest, TimeoutStopsABigCrossProduct) {
  AddNumbers(*conn_, 3000);
  QueryOptions options;
  options.timeout = absl::Milliseconds(20);
  absl::StatusOr<QueryResult> r = QWith(kCrossProduct, {db()}, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("timed out"));
}

// The cross product of two unrelated patterns checks for cancellation while
// it is built (Product, lib/query/relation.cpp), not only in the filter after
// it: otherwise the query would stop seconds after the flag in a Debug build.
TEST_F(QueryTest, CancelStopsAQuery) {
  AddNumbers(*conn_, 3000);
  std::atomic<bool> cancel{false};
  QueryOptions options;
  options.cancel = &cancel;
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(20));
    cancel = true;
  });
  absl::StatusOr<QueryResult> r = QWith(kCrossProduct, {db()}, options);
  canceller.join();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
  // Already cancelled: does not start.
  r = QWith("[:find ?e :where [?e :person/name _]]", {db()}, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
}

TEST_F(QueryTest, MemoryBudgetGivesResourceExhausted) {
  AddNumbers(*conn_, 500);
  QueryOptions options;
  options.memory_budget = 64 << 10;
  absl::StatusOr<QueryResult> r =
      QWith("[:find ?x ?y :where [?x :person/age ?a] [?y :person/age ?b]]", {db()}, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("memory budget"));
  EXPECT_THAT(r.status().message(), HasSubstr("65536"));
  // The same query within the default budget: 505 * 505 rows.
  absl::StatusOr<QueryResult> ok = QWith(
      "[:find (count ?x) . :with ?y :where [?x :person/age ?a] [?y :person/age ?b]]", {db()}, {});
  ASSERT_OK(ok);
  EXPECT_EQ(ok->value(), Value(int64_t{505} * 505));
}

}  // namespace
}  // namespace accrete::query_test
