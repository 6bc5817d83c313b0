// not, not-join, or, or-join and and, with and without a source prefix,
// through accrete::q.
//
// Friends: Ivan -> Petr, Oleg; Petr -> Oleg. Parents: Petr -> Ivan,
// Oleg -> Petr, Yuri -> Oleg, Anna -> Yuri.
#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

TEST_F(QueryTest, NotRemovesMatches) {
  EXPECT_EQ(Q("[:find ?n :where [?e :person/name ?n] (not [?e :person/salary _])]", db()),
            E(R"(#{["Oleg"] ["Anna"]})"));
  // Several clauses: removes what matches all of them.
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/name ?n] (not [?e :person/sex :male] [?e :person/age 25])]",
        db()),
      E(R"(#{["Ivan"] ["Oleg"] ["Anna"]})"));
  // A predicate inside not.
  EXPECT_EQ(Q("[:find ?n :where [?e :person/name ?n] [?e :person/age ?a] (not [(< ?a 30)])]", db()),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  // not inside not: males not aged 25 are removed.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n]
                  (not [?e :person/sex :male] (not [?e :person/age 25]))])",
              db()),
            E(R"(#{["Petr"] ["Yuri"] ["Anna"]})"));
  // Two nots.
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/name ?n] (not [?e :person/age 25]) (not [?e :person/age 40])])",
        db()),
      E(R"(#{["Ivan"] ["Anna"]})"));
  // Removing everything.
  EXPECT_EQ(Q("[:find ?n :where [?e :person/name ?n] (not [?e :person/age _])]", db()), E("#{}"));
}

TEST_F(QueryTest, NotJoinJoinsOnlyOnItsVariables) {
  // Nobody names them as a friend.
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/name ?n] (not-join [?e] [?f :person/friend ?e])]", db()),
      E(R"(#{["Ivan"] ["Yuri"] ["Anna"]})"));
  // People without a friend of their own age or older; ?a is joined, the
  // friend's variables stay inside.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n] [?e :person/age ?a]
                  (not-join [?e ?a] [?e :person/friend ?f] [?f :person/age ?fa] [(>= ?fa ?a)])])",
              db()),
            E(R"(#{["Oleg"] ["Yuri"] ["Anna"]})"));
  // An outer variable of the same name as an inner one is not joined.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n] [?e :person/age ?a]
                  (not-join [?e] [?e :person/friend ?x] [?x :person/age ?a])])",
              db()),
            E(R"(#{["Oleg"] ["Yuri"] ["Anna"]})"));
}

TEST_F(QueryTest, OrUnionsItsBranches) {
  EXPECT_EQ(Q("[:find ?n :where [?e :person/name ?n] (or [?e :person/age 19] [?e :person/age 40])]",
              db()),
            E(R"(#{["Anna"] ["Oleg"]})"));
  // Branches with and.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n]
                  (or (and [?e :person/sex :male] [?e :person/age 25]) [?e :person/name "Anna"])])",
              db()),
            E(R"(#{["Petr"] ["Yuri"] ["Anna"]})"));
  // A branch with a predicate; overlapping branches give each row once.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n]
                  (or (and [?e :person/age ?a] [(> ?a 29)]) (and [?e :person/salary 1000.0] [?e :person/age ?a]))])",
              db()),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  // or as the first clause binds its variables.
  EXPECT_EQ(
      Q(R"([:find ?e :where (or [?e :person/alias "Vanya"] [?e :person/alias "Petya"])])", db()),
      Value::Set({Value::Vector({Value(id("ivan"))}), Value::Vector({Value(id("petr"))})}));
  // not inside or.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n]
                  (or [?e :person/age 19] (and [?e :person/sex :male] (not [?e :person/salary _])))])",
              db()),
            E(R"(#{["Anna"] ["Oleg"]})"));
}

TEST_F(QueryTest, OrJoinJoinsOnlyOnItsVariables) {
  // Petr by alias; Petr and Oleg as Ivan's friends.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n]
                  (or-join [?e] [?e :person/alias "Petya"]
                                (and [?x :person/friend ?e] [?x :person/name "Ivan"]))])",
              db()),
            E(R"(#{["Petr"] ["Oleg"]})"));
  // Required variables: ?e must be bound on entry; ?x is bound by the branches.
  EXPECT_EQ(Q(R"([:find ?n ?x :where [?e :person/age 25] [?e :person/name ?n]
                  (or-join [[?e] ?x] [?e :person/name ?x] [?e :person/alias ?x])])",
              db()),
            E(R"(#{["Petr" "Petr"] ["Petr" "Petya"] ["Yuri" "Yuri"]})"));
  // or-join binding a variable for the clauses after it.
  EXPECT_EQ(Q(R"([:find ?a :where (or-join [?e] [?e :person/name "Oleg"] [?e :person/name "Anna"])
                  [?e :person/age ?a]])",
              db()),
            E("#{[40] [19]}"));
}

TEST_F(QueryTest, AndOutsideOr) {
  EXPECT_EQ(Q("[:find ?n :where (and [?e :person/age 25] [?e :person/name ?n])]", db()),
            E(R"(#{["Petr"] ["Yuri"]})"));
}

TEST_F(QueryTest, SourcePrefixedNotOrAnd) {
  const Db before = db();
  ASSERT_OK(conn_->transact(R"([[:db/add [:person/name "Oleg"] :person/salary 3000.0]
                                [:db/add [:person/name "Anna"] :person/age 20]])"));
  // Has a salary now but had none in $old.
  EXPECT_EQ(Q(R"([:find ?n :in $ $old :where [?e :person/salary _] ($old not [?e :person/salary _])
                  [?e :person/name ?n]])",
              db(), before),
            E(R"(#{["Oleg"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ $old :where [?e :person/name ?n]
                  ($old not-join [?e] [?e :person/salary ?s] [(> ?s 900.0)])])",
              db(), before),
            E(R"(#{["Oleg"] ["Yuri"] ["Anna"]})"));
  // Anna was 19 in $old, is 20 now.
  EXPECT_EQ(Q(R"([:find ?n :in $ $old :where [?e :person/name ?n]
                  ($old or [?e :person/age 19] [?e :person/age 40])])",
              db(), before),
            E(R"(#{["Anna"] ["Oleg"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ $old :where [?e :person/name ?n]
                  ($old or-join [?e] [?e :person/age 19] [?e :person/salary 2000.0])])",
              db(), before),
            E(R"(#{["Anna"] ["Petr"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ $old :where [?e :person/name ?n]
                  ($old and [?e :person/age 19] [?e :person/sex :female])])",
              db(), before),
            E(R"(#{["Anna"]})"));
  // A collection source as the prefix.
  EXPECT_EQ(Q(R"([:find ?n :in $ $banned :where [_ :person/name ?n] ($banned not [?n])])", db(),
              E(R"([["Ivan"] ["Oleg"] ["Petr"]])")),
            E(R"(#{["Yuri"] ["Anna"]})"));
}

TEST_F(QueryTest, NotAndOrErrors) {
  // not-join whose join variable nothing binds.
  ExpectError(absl::StatusCode::kInvalidArgument, {"Insufficient binding", "not-join"},
              "[:find ?e :where [?e :person/name _] (not-join [?x] [?x :person/age 25])]", db());
  // or branches over different variables.
  ExpectError(absl::StatusCode::kInvalidArgument,
              {"same set of free vars", "(or [?e :person/age 19] [?x :person/age 40])"},
              "[:find ?e :where [?e :person/name _] (or [?e :person/age 19] [?x :person/age 40])]",
              db());
  // or-join's required variable unbound on entry.
  ExpectError(absl::StatusCode::kInvalidArgument, {"Insufficient binding", "?e"},
              "[:find ?x :where (or-join [[?e] ?x] [?e :person/name ?x])]", db());
  // or-join with a branch that does not bind a join variable it must output.
  ExpectError(absl::StatusCode::kInvalidArgument, {"?x"},
              "[:find ?e ?x :where (or-join [?e ?x] [?e :person/name ?x] [?e :person/age 25])]",
              db());
  // Malformed forms.
  ExpectError(absl::StatusCode::kInvalidArgument, {"(not)"},
              "[:find ?e :where [?e :person/name _] (not)]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"join variables"},
              "[:find ?e :where [?e :person/name _] (not-join ?e [?e :person/age 1])]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"or-join"},
              "[:find ?e :where [?e :person/name _] (or-join [?e])]", db());
  // An unknown source prefix.
  ExpectError(absl::StatusCode::kInvalidArgument, {"$nope"},
              "[:find ?e :where [?e :person/name _] ($nope not [?e :person/age 1])]", db());
}

}  // namespace
}  // namespace accrete::query_test
