// The functions that read a database from inside a query -- get-else,
// get-some, missing?, tx-ids, tx-data -- and nested queries, through
// accrete::q.
#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

TEST_F(QueryTest, GetElseGivesTheValueOrTheDefault) {
  EXPECT_EQ(
      Q(R"([:find ?n ?s :where [?e :person/name ?n] [(get-else $ ?e :person/salary 0.0) ?s]])",
        db()),
      E(R"(#{["Ivan" 1000.0] ["Petr" 2000.0] ["Oleg" 0.0] ["Yuri" 500.0] ["Anna" 0.0]})"));
  // The default need not have the attribute's type.
  EXPECT_EQ(
      Q(R"([:find ?s . :where [?e :person/name "Oleg"] [(get-else $ ?e :person/salary :none) ?s]])",
        db()),
      E(":none"));
  // A named source.
  EXPECT_EQ(
      Q(R"([:find ?s . :in $db :where [$db ?e :person/name "Anna"] [(get-else $db ?e :person/age -1) ?s]])",
        db()),
      Value(19));
}

TEST_F(QueryTest, GetElseErrors) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"cardinality-one", "get-else"},
              R"([:find ?s :where [?e :person/name _] [(get-else $ ?e :person/alias "x") ?s]])",
              db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"nil"},
              R"([:find ?s :where [?e :person/name _] [(get-else $ ?e :person/salary nil) ?s]])",
              db());
  ExpectError(absl::StatusCode::kInvalidArgument, {":person/nope"},
              R"([:find ?s :where [?e :person/name _] [(get-else $ ?e :person/nope 1) ?s]])", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"get-else"},
              R"([:find ?s :where [?e :person/name _] [(get-else ?e :person/salary 1) ?s]])", db());
}

TEST_F(QueryTest, GetSomeGivesTheFirstAttributePresent) {
  EXPECT_EQ(
      Q(R"([:find ?n ?ident ?v :where [?e :person/name ?n] [?e :person/sex :male]
                  [(get-some $ ?e :person/salary :person/age) [?a ?v]] [?a :db/ident ?ident]])",
        db()),
      E(R"(#{["Ivan" :person/salary 1000.0] ["Petr" :person/salary 2000.0] ["Oleg" :person/age 40]
                   ["Yuri" :person/salary 500.0]})"));
  // None present: the row is dropped.
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/name ?n] [(get-some $ ?e :person/salary :person/joined) [?a ?v]]])",
        db()),
      E(R"(#{["Ivan"] ["Petr"] ["Yuri"]})"));
}

TEST_F(QueryTest, MissingPredicate) {
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n] [(missing? $ ?e :person/salary)]])", db()),
            E(R"(#{["Oleg"] ["Anna"]})"));
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n] [(missing? $ ?e :person/friend)]])", db()),
            E(R"(#{["Oleg"] ["Yuri"] ["Anna"]})"));
  // Negated with not.
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/name ?n] (not [(missing? $ ?e :person/alias)])])", db()),
      E(R"(#{["Ivan"] ["Petr"]})"));
}

class LogFunctionsTest : public QueryTest {
 protected:
  void SetUp() override {
    QueryTest::SetUp();
    if (HasFatalFailure()) return;
    auto r1 = conn_->transact(R"([[:db/add [:person/name "Ivan"] :person/age 31]])");
    ASSERT_OK(r1);
    t1_ = r1->t();
    auto r2 = conn_->transact(R"([[:db/add [:person/name "Anna"] :person/alias "Anya"]
                                   [:db/retract [:person/name "Petr"] :person/alias "Petya"]])");
    ASSERT_OK(r2);
    t2_ = r2->t();
  }
  int64_t t1_ = 0;
  int64_t t2_ = 0;
};

TEST_F(LogFunctionsTest, TxIdsOverARangeOfTs) {
  const Value both = Value::Vector({Value(Db::t_to_tx(t1_)), Value(Db::t_to_tx(t2_))});
  // The log as a variable bound to the database; the end is exclusive.
  Value txs = Q("[:find [?tx ...] :in ?log ?t1 ?t2 :where [(tx-ids ?log ?t1 ?t2) [?tx ...]]]", db(),
                t1_, t2_ + 1);
  EXPECT_EQ(Sorted(txs), both);
  txs = Q("[:find [?tx ...] :in ?log ?t1 ?t2 :where [(tx-ids ?log ?t1 ?t2) [?tx ...]]]", db(), t1_,
          t2_);
  EXPECT_EQ(txs, Value::Vector({Value(Db::t_to_tx(t1_))}));
  // nil is open-ended; transaction ids work as bounds too.
  txs = Q("[:find [?tx ...] :in ?log ?t1 :where [(tx-ids ?log ?t1 nil) [?tx ...]]]", db(),
          Db::t_to_tx(t1_));
  EXPECT_EQ(Sorted(txs), both);
  // The database as `$`.
  txs = Q("[:find [?tx ...] :in $ ?t1 :where [(tx-ids $ ?t1 nil) [?tx ...]]]", db(), t2_);
  EXPECT_EQ(txs, Value::Vector({Value(Db::t_to_tx(t2_))}));
}

TEST_F(LogFunctionsTest, TxDataGivesTheDatomsOfOneTransaction) {
  const Value expected = Value::Set({Value::Vector({Value(id("ivan")), Value(31), Value(true)}),
                                     Value::Vector({Value(id("ivan")), Value(30), Value(false)})});
  EXPECT_EQ(Q(R"([:find ?e ?v ?op :in $ ?log ?t
                  :where [(tx-data ?log ?t) [[?e ?a ?v _ ?op]]] [?a :db/ident :person/age]])",
              db(), db(), t1_),
            expected);
  EXPECT_EQ(Q(R"([:find ?e ?v ?op :in $ ?t
                  :where [(tx-data $ ?t) [[?e ?a ?v _ ?op]]] [?a :db/ident :person/age]])",
              db(), Db::t_to_tx(t1_)),
            expected);
  // tx-ids feeding tx-data: every alias change after t1.
  EXPECT_EQ(Q(R"([:find ?n ?v ?op :in $ ?t :where [(tx-ids $ ?t nil) [?tx ...]]
                  [(tx-data $ ?tx) [[?e ?a ?v _ ?op]]] [?a :db/ident :person/alias] [?e :person/name ?n]])",
              db(), t1_),
            E(R"(#{["Anna" "Anya" true] ["Petr" "Petya" false]})"));
  // The transaction's own datoms carry its id in the tx position.
  EXPECT_EQ(Q(R"([:find ?tx . :in $ ?t :where [(tx-data $ ?t) [[?e _ _ ?tx _]]] [(= ?e ?tx)]])",
              db(), t2_),
            Value(Db::t_to_tx(t2_)));
}

TEST_F(LogFunctionsTest, LogFunctionErrors) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"tx-data"},
              "[:find ?x :in $ ?t :where [(tx-data $ ?t) ?x]]", db(), "yesterday");
  ExpectError(absl::StatusCode::kInvalidArgument, {"Wrong number of arguments", "tx-ids"},
              "[:find ?x :where [(tx-ids $ 1) ?x]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"database"},
              "[:find ?x :in $ $coll :where [(tx-ids $coll nil nil) [?x ...]]]", db(),
              E("[[1 2]]"));
}

TEST_F(QueryTest, NestedQueries) {
  // The oldest person, by a nested query for the maximum age.
  EXPECT_EQ(Q(R"([:find ?n :where [(q [:find (max ?a) . :where [_ :person/age ?a]] $) ?m]
                  [?e :person/age ?m] [?e :person/name ?n]])",
              db()),
            E(R"(#{["Oleg"]})"));
  // Inputs passed through, a collection result bound as a collection.
  EXPECT_EQ(Q(R"([:find ?n :in $ ?min :where
                  [(q [:find [?e ...] :in $ ?x :where [?e :person/age ?a] [(> ?a ?x)]] $ ?min) [?e ...]]
                  [?e :person/name ?n]])",
              db(), 29),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  // A relation result bound as a relation; the query as a string.
  EXPECT_EQ(Q(R"([:find ?n ?c :where
                  [(q "[:find ?s (count ?e) :where [?e :person/sex ?s]]" $) [[?s ?c]]]
                  [(name ?s) ?n]])",
              db()),
            E(R"(#{["male" 4] ["female" 1]})"));
  // A nested query's error surfaces.
  ExpectError(absl::StatusCode::kInvalidArgument, {":person/nope"},
              R"([:find ?m :where [(q [:find ?a . :where [_ :person/nope ?a]] $) ?m]])", db());
}

}  // namespace
}  // namespace accrete::query_test
