// Find specs, inputs, data patterns and joins, through accrete::q.
#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

using ::testing::HasSubstr;

TEST_F(QueryTest, RelationFindIsASetOfTuples) {
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age 25] [?e :person/name ?n]]", db()),
            E(R"(#{["Petr"] ["Yuri"]})"));
}

TEST_F(QueryTest, CollectionFindSpec) {
  Value names = Q("[:find [?n ...] :where [_ :person/name ?n]]", db());
  ASSERT_TRUE(names.is_vector());
  std::vector<Value> sorted(names.items().begin(), names.items().end());
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(Value::Vector(sorted), E(R"(["Anna" "Ivan" "Oleg" "Petr" "Yuri"])"));
}

TEST_F(QueryTest, ScalarAndTupleFindSpecs) {
  EXPECT_EQ(Q("[:find ?a . :where [?e :person/name \"Oleg\"] [?e :person/age ?a]]", db()), Value(40));
  EXPECT_EQ(Q("[:find [?n ?a] :where [?e :person/name \"Oleg\"] [?e :person/age ?a] [?e :person/name ?n]]",
              db()),
            E(R"(["Oleg" 40])"));
  // Nothing matched: nil for both.
  EXPECT_EQ(Q("[:find ?a . :where [?e :person/name \"Nobody\"] [?e :person/age ?a]]", db()), Value());
  EXPECT_EQ(Q("[:find [?a ?e] :where [?e :person/name \"Nobody\"] [?e :person/age ?a]]", db()), Value());
}

TEST_F(QueryTest, KeysStrsSymsReturnMaps) {
  EXPECT_EQ(Q("[:find ?n ?a :keys name age :where [?e :person/name ?n] [?e :person/age ?a] [(< ?a 20)]]",
              db()),
            E(R"(#{{:name "Anna" :age 19}})"));
  EXPECT_EQ(Q("[:find ?n :strs name :where [?e :person/name ?n] [?e :person/age 19]]", db()),
            E(R"(#{{"name" "Anna"}})"));
  EXPECT_EQ(Q("[:find ?n :syms name :where [?e :person/name ?n] [?e :person/age 19]]", db()),
            E(R"(#{{name "Anna"}})"));
}

TEST_F(QueryTest, MapFormQuery) {
  EXPECT_EQ(Q("{:find [?n] :in [$ ?a] :where [[?e :person/age ?a] [?e :person/name ?n]]}", db(), 40),
            E(R"(#{["Oleg"]})"));
}

TEST_F(QueryTest, QueryBuiltAsValue) {
  Value query = vec({kw("find"), sym("?n"), kw("in"), sym("$"), sym("?a"), kw("where"),
                     vec({sym("?e"), kw("person/age"), sym("?a")}),
                     vec({sym("?e"), kw("person/name"), sym("?n")})});
  absl::StatusOr<QueryResult> r = q(query, db(), 19);
  ASSERT_OK(r);
  EXPECT_EQ(r->value(), E(R"(#{["Anna"]})"));
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->row(0)[0], Value("Anna"));
}

TEST_F(QueryTest, PreparedQueryRunsWithNewInputs) {
  ASSERT_OK_AND_ASSIGN(Query query, Query::Parse("[:find ?e . :in $ ?n :where [?e :person/name ?n]]"));
  for (const char* name : {"ivan", "petr", "anna"}) {
    std::string n(name);
    n[0] = static_cast<char>(std::toupper(n[0]));
    ASSERT_OK_AND_ASSIGN(QueryResult r, query(db(), n));
    EXPECT_EQ(r.value(), Value(id(name)));
  }
}

TEST_F(QueryTest, ScalarTupleCollectionAndRelationInputs) {
  EXPECT_EQ(Q("[:find ?e :in $ ?n :where [?e :person/name ?n]]", db(), "Ivan"),
            Value::Set({vec({id("ivan")})}));
  EXPECT_EQ(Q("[:find ?e :in $ [?n ?a] :where [?e :person/name ?n] [?e :person/age ?a]]", db(),
              E(R"(["Petr" 25])")),
            Value::Set({vec({id("petr")})}));
  EXPECT_EQ(Q("[:find ?n :in $ [?a ...] :where [?e :person/age ?a] [?e :person/name ?n]]", db(),
              E("[25 19]")),
            E(R"(#{["Petr"] ["Yuri"] ["Anna"]})"));
  EXPECT_EQ(Q("[:find ?n ?x :in $ [[?a ?x]] :where [?e :person/age ?a] [?e :person/name ?n]]", db(),
              E("[[25 :young] [40 :old]]")),
            E(R"(#{["Petr" :young] ["Yuri" :young] ["Oleg" :old]})"));
  // `_` ignores an input.
  EXPECT_EQ(Q("[:find ?n :in $ _ ?a :where [?e :person/age ?a] [?e :person/name ?n]]", db(), "x", 40),
            E(R"(#{["Oleg"]})"));
}

TEST_F(QueryTest, NamedSourcesAndCollectionSources) {
  EXPECT_EQ(Q("[:find ?n :in $db :where [$db ?e :person/age 40] [$db ?e :person/name ?n]]", db()),
            E(R"(#{["Oleg"]})"));
  // A collection of tuples as a data source, joined with the database.
  EXPECT_EQ(Q(R"([:find ?n ?score :in $ $scores
                  :where [$scores ?n ?score] [?e :person/name ?n] [?e :person/age 25]])",
              db(), E(R"([["Petr" 7] ["Yuri" 9] ["Ivan" 3]])")),
            E(R"(#{["Petr" 7] ["Yuri" 9]})"));
}

TEST_F(QueryTest, JoinsAcrossRefsBothWays) {
  EXPECT_EQ(Q(R"([:find ?n2 :where [?e :person/name "Ivan"] [?e :person/friend ?f]
                  [?f :person/friend ?f2] [?f2 :person/name ?n2]])",
              db()),
            E(R"(#{["Oleg"]})"));
  EXPECT_EQ(Q(R"([:find ?n :where [?f :person/name "Oleg"] [?e :person/friend ?f] [?e :person/name ?n]])",
              db()),
            E(R"(#{["Ivan"] ["Petr"]})"));
}

TEST_F(QueryTest, ConstantsAsIdentsAndLookupRefs) {
  EXPECT_EQ(Q("[:find ?n :where [?e :person/sex :female] [?e :person/name ?n]]", db()),
            E(R"(#{["Anna"]})"));
  EXPECT_EQ(Q(R"([:find ?a . :where [[:person/name "Petr"] :person/age ?a]])", db()), Value(25));
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/friend [:person/name "Petr"]] [?e :person/name ?n]])", db()),
            E(R"(#{["Ivan"]})"));
}

TEST_F(QueryTest, AttributeAndTxPositions) {
  Value attrs = Q(R"([:find [?ident ...] :where [?e :person/name "Anna"] [?e ?a] [?a :db/ident ?ident]])",
                  db());
  std::vector<Value> sorted(attrs.items().begin(), attrs.items().end());
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(Value::Vector(sorted), E("[:person/age :person/name :person/parent :person/sex]"));
  Value tx = Q(R"([:find ?tx . :where [?e :person/name "Anna" ?tx]])", db());
  ASSERT_TRUE(tx.is_integer());
  EXPECT_EQ(Db::tx_to_t(tx.as_int()), db().basis_t());
}

TEST_F(QueryTest, RepeatedVariableInOnePattern) {
  ASSERT_OK(conn_->transact(R"([[:db/add "self" :person/name "Narcissus"]
                                [:db/add "self" :person/friend "self"]])"));
  EXPECT_EQ(Q("[:find ?n :where [?e :person/friend ?e] [?e :person/name ?n]]", db()),
            E(R"(#{["Narcissus"]})"));
}

TEST_F(QueryTest, HistoryDbBindsTxAndAdded) {
  ASSERT_OK(conn_->transact(R"([[:db/add [:person/name "Ivan"] :person/age 31]])"));
  EXPECT_EQ(Q(R"([:find ?a ?added :where [?e :person/name "Ivan"] [?e :person/age ?a _ ?added]])",
              db().history()),
            E("#{[30 true] [30 false] [31 true]}"));
  EXPECT_EQ(Q(R"([:find ?a . :where [?e :person/name "Ivan"] [?e :person/age ?a]])", db()), Value(31));
  EXPECT_EQ(Q(R"([:find ?a . :where [?e :person/name "Ivan"] [?e :person/age ?a]])",
              db().as_of(db().basis_t() - 1)),
            Value(30));
}

TEST_F(QueryTest, ResultRowsWithoutBuildingValues) {
  ASSERT_OK_AND_ASSIGN(QueryResult r, q("[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]", db()));
  EXPECT_EQ(r.shape(), QueryResult::Shape::kRelation);
  EXPECT_EQ(r.width(), 2u);
  EXPECT_EQ(r.size(), 5u);
  int64_t total = 0;
  for (std::span<const Value> row : r) total += row[1].as_int();
  EXPECT_EQ(total, 30 + 25 + 40 + 25 + 19);
}

}  // namespace
}  // namespace accrete::query_test
