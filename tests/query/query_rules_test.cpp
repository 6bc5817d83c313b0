// Rules through accrete::q: plain, recursive, mutually recursive, with
// required variables, or and not inside, every binding pattern of a call,
// and a transitive closure over 100k edges.
//
// Parents (child -> parent): Anna -> Yuri -> Oleg -> Petr -> Ivan, a chain.
#include <optional>
#include <string>

#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

constexpr const char* kAncestorRules = R"([
  [(anc ?x ?y) [?x :person/parent ?y]]
  [(anc ?x ?y) [?x :person/parent ?z] (anc ?z ?y)]
])";

TEST_F(QueryTest, NonRecursiveRule) {
  const Value rules = E(R"([[(adult ?e) [?e :person/age ?a] [(>= ?a 21)]]])");
  EXPECT_EQ(Q("[:find ?n :in $ % :where (adult ?e) [?e :person/name ?n]]", db(), rules),
            E(R"(#{["Ivan"] ["Petr"] ["Oleg"] ["Yuri"]})"));
  // A rule calling another rule; constants as arguments.
  const Value rules2 = E(R"([[(named ?e ?n) [?e :person/name ?n]]
                             [(adult-named ?n) (named ?e ?n) [?e :person/age ?a] [(>= ?a 21)]]])");
  EXPECT_EQ(Q("[:find ?e . :in $ % :where (named ?e \"Oleg\")]", db(), rules2), Value(id("oleg")));
  EXPECT_EQ(Q("[:find ?n :in $ % :where (adult-named ?n) [(< ?n \"P\")]]", db(), rules2),
            E(R"(#{["Ivan"] ["Oleg"]})"));
}

TEST_F(QueryTest, RuleWithSeveralBranches) {
  const Value rules = E(R"([[(called ?e ?n) [?e :person/name ?n]]
                            [(called ?e ?n) [?e :person/alias ?n]]])");
  EXPECT_EQ(Q("[:find ?n :in $ % :where [?e :person/name \"Ivan\"] (called ?e ?n)]", db(), rules),
            E(R"(#{["Ivan"] ["Vanya"] ["Ivanushka"]})"));
  EXPECT_EQ(Q("[:find ?e :in $ % :where (called ?e \"Petya\")]", db(), rules),
            Value::Set({Value::Vector({Value(id("petr"))})}));
}

TEST_F(QueryTest, RecursiveRuleOnAChainWithEveryBindingPattern) {
  const Value rules = E(kAncestorRules);
  // First argument bound: Anna's ancestors.
  EXPECT_EQ(
      Q(R"([:find ?n :in $ % :where [?a :person/name "Anna"] (anc ?a ?p) [?p :person/name ?n]])",
        db(), rules),
      E(R"(#{["Yuri"] ["Oleg"] ["Petr"] ["Ivan"]})"));
  // Second bound: Petr's descendants.
  EXPECT_EQ(
      Q(R"([:find ?n :in $ % :where [?p :person/name "Petr"] (anc ?c ?p) [?c :person/name ?n]])",
        db(), rules),
      E(R"(#{["Oleg"] ["Yuri"] ["Anna"]})"));
  // Both bound: a yes/no question, both ways round.
  EXPECT_EQ(
      Q(R"([:find ?x . :in $ % :where [?a :person/name "Anna"] [?i :person/name "Ivan"] (anc ?a ?i)
                  [(ground :yes) ?x]])",
        db(), rules),
      E(":yes"));
  EXPECT_EQ(
      Q(R"([:find ?x . :in $ % :where [?a :person/name "Anna"] [?i :person/name "Ivan"] (anc ?i ?a)
                  [(ground :yes) ?x]])",
        db(), rules),
      Value());
  // Bound through lookup refs and inputs.
  EXPECT_EQ(Q(R"([:find (count ?p) . :in $ % ?c :where (anc ?c ?p)])", db(), rules, id("oleg")),
            Value(2));
  // Neither bound: the whole closure, 4 + 3 + 2 + 1 pairs.
  EXPECT_EQ(Q("[:find (count ?x) . :with ?y :in $ % :where (anc ?x ?y)]", db(), rules), Value(10));
  EXPECT_EQ(
      Q(R"([:find ?c ?p :in $ % :where (anc ?x ?y) [?x :person/name ?c] [?y :person/name ?p]
                  [(contains? #{"Oleg" "Yuri"} ?c)]])",
        db(), rules),
      E(R"(#{["Oleg" "Petr"] ["Oleg" "Ivan"] ["Yuri" "Oleg"] ["Yuri" "Petr"] ["Yuri" "Ivan"]})"));
}

TEST_F(QueryTest, RecursiveRuleOnATree) {
  // A binary tree t1..t15: t(i)'s parent is t(i/2).
  std::string tx = "[";
  for (int i = 1; i <= 15; ++i) {
    tx += "{:db/id \"t" + std::to_string(i) + "\" :person/name \"t" + std::to_string(i) + "\"";
    if (i > 1) tx += " :person/parent \"t" + std::to_string(i / 2) + "\"";
    tx += "}";
  }
  tx += "]";
  ASSERT_OK(conn_->transact(tx));
  const Value rules = E(kAncestorRules);
  EXPECT_EQ(
      Q(R"([:find ?n :in $ % :where [?c :person/name "t13"] (anc ?c ?p) [?p :person/name ?n]])",
        db(), rules),
      E(R"(#{["t6"] ["t3"] ["t1"]})"));
  EXPECT_EQ(
      Q(R"([:find ?n :in $ % :where [?p :person/name "t2"] (anc ?c ?p) [?c :person/name ?n]])",
        db(), rules),
      E(R"(#{["t4"] ["t5"] ["t8"] ["t9"] ["t10"] ["t11"]})"));
  // The whole closure: 2 nodes at depth 1, 4 at depth 2, 8 at depth 3 --
  // 2*1 + 4*2 + 8*3 = 34 pairs within the tree, plus the chain's 10.
  EXPECT_EQ(Q("[:find (count ?x) . :with ?y :in $ % :where (anc ?x ?y)]", db(), rules), Value(44));
  // Leaves: nodes nobody descends from.
  EXPECT_EQ(
      Q(R"([:find (count ?c) . :in $ % :where [?c :person/name ?n] [(clojure.string/starts-with? ?n "t")]
                  (not-join [?c] (anc ?x ?c))])",
        db(), rules),
      Value(8));
}

TEST_F(QueryTest, MutuallyRecursiveRules) {
  // Generations from Ivan, alternating.
  const Value rules = E(R"([
    [(even ?x) [?x :person/name "Ivan"]]
    [(even ?x) [?x :person/parent ?y] (odd ?y)]
    [(odd ?x) [?x :person/parent ?y] (even ?y)]
  ])");
  EXPECT_EQ(Q("[:find ?n :in $ % :where (even ?e) [?e :person/name ?n]]", db(), rules),
            E(R"(#{["Ivan"] ["Oleg"] ["Anna"]})"));
  EXPECT_EQ(Q("[:find ?n :in $ % :where (odd ?e) [?e :person/name ?n]]", db(), rules),
            E(R"(#{["Petr"] ["Yuri"]})"));
  // Bound first.
  EXPECT_EQ(Q(R"([:find ?e . :in $ % :where [?e :person/name "Yuri"] (odd ?e)])", db(), rules),
            Value(id("yuri")));
  EXPECT_EQ(Q(R"([:find ?e . :in $ % :where [?e :person/name "Yuri"] (even ?e)])", db(), rules),
            Value());
}

// A body whose recursive calls follow a pattern and a predicate: each
// round starts from what those bound for the seeds seen so far (kept
// across rounds), and the first call's seeds are not registered again.
// Ancestors at an odd distance: a parent, or a parent's odd ancestor's odd
// ancestor.
TEST_F(QueryTest, RecursiveBodyWithTwoCallsAfterAPatternAndAPredicate) {
  const Value rules = E(R"([
    [(odd-anc ?x ?y) [?x :person/parent ?y]]
    [(odd-anc ?x ?y) [?x :person/parent ?z] [(!= ?x ?z)] (odd-anc ?z ?w) (odd-anc ?w ?y)]
  ])");
  EXPECT_EQ(Q(R"([:find ?n :in $ % :where [?a :person/name "Anna"] (odd-anc ?a ?p)
                  [?p :person/name ?n]])",
              db(), rules),
            E(R"(#{["Yuri"] ["Petr"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ % :where [?i :person/name "Ivan"] (odd-anc ?d ?i)
                  [?d :person/name ?n]])",
              db(), rules),
            E(R"(#{["Petr"] ["Yuri"]})"));
  // A binary tree t1..t15 besides the chain: a node at depth k has
  // ceil(k/2) odd ancestors, 2*1 + 4*1 + 8*2 = 22, and the chain's 4 + 2.
  std::string tx = R"([{:db/id "t1" :person/name "t1"})";
  for (int i = 2; i <= 15; ++i) {
    absl::StrAppend(&tx, "{:db/id \"t", i, "\" :person/parent \"t", i / 2, "\"}");
  }
  ASSERT_OK(conn_->transact(tx + "]"));
  EXPECT_EQ(Q("[:find (count ?x) . :with ?y :in $ % :where (odd-anc ?x ?y)]", db(), rules),
            Value(28));
}

TEST_F(QueryTest, RuleWithRequiredVariables) {
  const Value rules =
      E(R"([[(older [?a] ?b) [?a :person/age ?x] [?b :person/age ?y] [(> ?x ?y)]]])");
  EXPECT_EQ(
      Q(R"([:find ?n :in $ % :where [?a :person/name "Ivan"] (older ?a ?b) [?b :person/name ?n]])",
        db(), rules),
      E(R"(#{["Petr"] ["Yuri"] ["Anna"]})"));
  // Both bound.
  EXPECT_EQ(
      Q(R"([:find ?x . :in $ % :where [?a :person/name "Oleg"] [?b :person/name "Ivan"] (older ?a ?b)
                  [(ground true) ?x]])",
        db(), rules),
      Value(true));
  // The required variable unbound: an error naming it and the rule.
  ExpectError(absl::StatusCode::kInvalidArgument, {"Insufficient binding", "older"},
              "[:find ?a ?b :in $ % :where (older ?a ?b)]", db(), rules);
  // Bound later in the where clause: the planner waits for the binding.
  EXPECT_EQ(
      Q(R"([:find ?n :in $ % :where (older ?a ?b) [?a :person/name "Petr"] [?b :person/name ?n]])",
        db(), rules),
      E(R"(#{["Anna"]})"));
}

TEST_F(QueryTest, RulesWithOrAndNotInside) {
  const Value rules = E(R"([
    [(kin ?a ?b) (or [?a :person/parent ?b] [?b :person/parent ?a])]
    [(childless ?e) [?e :person/name _] (not [_ :person/parent ?e])]
  ])");
  EXPECT_EQ(
      Q(R"([:find ?n :in $ % :where [?o :person/name "Oleg"] (kin ?o ?k) [?k :person/name ?n]])",
        db(), rules),
      E(R"(#{["Petr"] ["Yuri"]})"));
  EXPECT_EQ(Q("[:find ?n :in $ % :where (childless ?e) [?e :person/name ?n]]", db(), rules),
            E(R"(#{["Anna"]})"));
}

TEST_F(QueryTest, RuleCalledInsideNotAndOr) {
  const Value rules = E(kAncestorRules);
  // People who do not descend from Petr.
  EXPECT_EQ(Q(R"([:find ?n :in $ % :where [?p :person/name "Petr"] [?e :person/name ?n]
                  (not (anc ?e ?p))])",
              db(), rules),
            E(R"(#{["Ivan"] ["Petr"]})"));
  // Ivan, or anyone descending from Oleg.
  EXPECT_EQ(Q(R"([:find ?n :in $ % :where [?o :person/name "Oleg"] [?e :person/name ?n]
                  (or-join [?e ?o] [?e :person/name "Ivan"] (anc ?e ?o))])",
              db(), rules),
            E(R"(#{["Ivan"] ["Yuri"] ["Anna"]})"));
}

TEST_F(QueryTest, RuleErrors) {
  const Value rules = E(kAncestorRules);
  ExpectError(absl::StatusCode::kInvalidArgument, {"Unknown rule", "ancestor"},
              "[:find ?x :in $ % :where (ancestor ?x ?y)]", db(), rules);
  // No rules given at all.
  ExpectError(absl::StatusCode::kInvalidArgument, {"anc"}, "[:find ?x :where (anc ?x ?y)]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"Wrong number of arguments", "(anc ?x)"},
              "[:find ?x :in $ % :where (anc ?x)]", db(), rules);
  // Malformed rule sets.
  ExpectError(absl::StatusCode::kInvalidArgument, {"different arities"},
              "[:find ?x :in $ % :where (r ?x)]", db(),
              E("[[(r ?x) [?x :person/age 1]] [(r ?x ?y) [?x ?y]]]"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"rule"}, "[:find ?x :in $ % :where (r ?x)]",
              db(), E("[[r ?x] [?x :person/age 1]]"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"Rule arguments must be variables"},
              "[:find ?x :in $ % :where (r ?x)]", db(), E("[[(r :a) [?x :person/age 1]]]"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"Rules must be a vector"},
              "[:find ?x :in $ % :where (r ?x)]", db(), Value(7));
  // More arguments than the bound-position masks hold (a fuzzer found the
  // overflowing shift): refused, in a call and in a definition.
  std::string args;
  for (int i = 0; i < 33; ++i) absl::StrAppend(&args, " ?a", i);
  ExpectError(absl::StatusCode::kInvalidArgument, {"33 arguments", "at most 32"},
              absl::StrCat("[:find ?a0 :in $ % :where (r", args, ")]"), db(),
              E("[[(r ?x) [?x :person/age 1]]]"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"33 arguments", "at most 32"},
              "[:find ?x :in $ % :where (r ?x)]", db(),
              E(absl::StrCat("[[(r", args, ") [?a0 :person/age 1]]]")));
}

// `($src rule ...)`: the rule's body reads $src wherever it names no source
// of its own, through recursion, not and or; a source it names stays.
class RuleSourceTest : public QueryTest {
 protected:
  void SetUp() override {
    QueryTest::SetUp();
    old_ = db();
    // Now: Oleg no longer descends from Petr, Ivan has a parent Adam, and
    // Yuri is called Yura.
    ASSERT_OK(conn_->transact(R"([
      [:db/retract [:person/name "Oleg"] :person/parent [:person/name "Petr"]]
      {:db/id "adam" :person/name "Adam"}
      [:db/add [:person/name "Ivan"] :person/parent "adam"]
      [:db/add [:person/name "Yuri"] :person/name "Yura"]
    ])"));
  }
  std::optional<Db> old_;
};

TEST_F(RuleSourceTest, PrefixedCallReadsItsSourceThroughRecursion) {
  const Value rules = E(kAncestorRules);
  // Anna's ancestors now (the chain stops at Oleg) and in $old (it goes on
  // to Ivan: the recursive calls stay in $old).
  EXPECT_EQ(Q(R"([:find ?n :in $ $old % :where [?a :person/name "Anna"] (anc ?a ?p)
                  [?p :person/name ?n]])",
              db(), *old_, rules),
            E(R"(#{["Yura"] ["Oleg"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ $old % :where [?a :person/name "Anna"] ($old anc ?a ?p)
                  [?p :person/name ?n]])",
              db(), *old_, rules),
            E(R"(#{["Yura"] ["Oleg"] ["Petr"] ["Ivan"]})"));
  // Nothing bound: each source's whole closure (10 pairs in $old; now
  // Anna-Yuri-Oleg gives 3 and Petr-Ivan-Adam 3).
  EXPECT_EQ(Q("[:find (count ?x) . :with ?y :in $old % :where ($old anc ?x ?y)]", *old_, rules),
            Value(10));
  EXPECT_EQ(Q("[:find (count ?x) . :with ?y :in $ $old % :where (anc ?x ?y)]", db(), *old_, rules),
            Value(6));
  // $ prefixing a call is the same as no prefix.
  EXPECT_EQ(
      Q("[:find (count ?x) . :with ?y :in $ $old % :where ($ anc ?x ?y)]", db(), *old_, rules),
      Value(6));
}

TEST_F(RuleSourceTest, OneRuleUnderTwoSourcesInOneQuery) {
  const Value rules = E(kAncestorRules);
  // Ancestors of Anna in both, and in $old only.
  EXPECT_EQ(Q(R"([:find ?n :in $ $old % :where [?a :person/name "Anna"] (anc ?a ?p)
                  ($old anc ?a ?p) [?p :person/name ?n]])",
              db(), *old_, rules),
            E(R"(#{["Yura"] ["Oleg"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ $old % :where [?a :person/name "Anna"] ($old anc ?a ?p)
                  (not (anc ?a ?p)) [?p :person/name ?n]])",
              db(), *old_, rules),
            E(R"(#{["Petr"] ["Ivan"]})"));
  // Inside one evaluation: a rule whose body calls anc under both sources,
  // with the same bound positions, must keep the two sets of answers apart.
  const Value both = E(R"([
    [(anc ?x ?y) [?x :person/parent ?y]]
    [(anc ?x ?y) [?x :person/parent ?z] (anc ?z ?y)]
    [(only-old ?x ?y) ($old anc ?x ?y) (not (anc ?x ?y))]
    [(either ?x ?y) (anc ?x ?y)]
    [(either ?x ?y) ($old anc ?x ?y)]
  ])");
  EXPECT_EQ(Q(R"([:find ?n :in $ $old % :where [?a :person/name "Anna"] (only-old ?a ?p)
                  [?p :person/name ?n]])",
              db(), *old_, both),
            E(R"(#{["Petr"] ["Ivan"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ $old % :where [?a :person/name "Anna"] (either ?a ?p)
                  [?p :person/name ?n]])",
              db(), *old_, both),
            E(R"(#{["Yura"] ["Oleg"] ["Petr"] ["Ivan"]})"));
  EXPECT_EQ(
      Q("[:find (count ?x) . :with ?y :in $ $old % :where (either ?x ?y)]", db(), *old_, both),
      Value(12));  // $old's 10, and now's Petr-Adam and Ivan-Adam
}

TEST_F(RuleSourceTest, ExplicitSourcesInsideTheBodyStay) {
  // Renamed: the name in the calling source differs from the name in $.
  const Value rules = E(R"([
    [(renamed ?e ?was ?is) [?e :person/name ?was] [$ ?e :person/name ?is] [(!= ?was ?is)]]
    [(orphan ?e) [?e :person/name _] (not [?e :person/parent _])]
    [(old-orphan ?e) ($old orphan ?e)]
  ])");
  EXPECT_EQ(
      Q("[:find ?was ?is :in $ $old % :where ($old renamed ?e ?was ?is)]", db(), *old_, rules),
      E(R"(#{["Yuri" "Yura"]})"));
  EXPECT_EQ(Q("[:find ?was ?is :in $ $old % :where (renamed ?e ?was ?is)]", db(), *old_, rules),
            E("#{}"));
  // A not inside the body reads the calling source too.
  EXPECT_EQ(
      Q("[:find ?n :in $ $old % :where (orphan ?e) [?e :person/name ?n]]", db(), *old_, rules),
      E(R"(#{["Oleg"] ["Adam"]})"));
  EXPECT_EQ(
      Q("[:find ?n :in $ $old % :where ($old orphan ?e) [?e :person/name ?n]]", db(), *old_, rules),
      E(R"(#{["Ivan"]})"));
  // A prefixed call inside a body switches source whatever the caller's.
  EXPECT_EQ(
      Q("[:find ?n :in $ $old % :where (old-orphan ?e) [?e :person/name ?n]]", db(), *old_, rules),
      E(R"(#{["Ivan"]})"));
}

TEST_F(RuleSourceTest, CollectionOfTuplesAsTheRuleSource) {
  const Value rules = E(R"([
    [(reach ?x ?y) [?x ?y]]
    [(reach ?x ?y) [?x ?z] (reach ?z ?y)]
  ])");
  const Value edges = E("[[1 2] [2 3] [3 4] [10 11]]");
  const Value edges2 = E("[[1 5] [5 6]]");
  EXPECT_EQ(Q("[:find ?y :in $edges % :where ($edges reach 1 ?y)]", edges, rules),
            E("#{[2] [3] [4]}"));
  EXPECT_EQ(Q("[:find ?y :in $e $f % :where ($e reach 1 ?y) (not ($f reach 1 ?y))]", edges, edges2,
              rules),
            E("#{[2] [3] [4]}"));
  EXPECT_EQ(Q("[:find ?y :in $e $f % :where ($f reach 1 ?y)]", edges, edges2, rules),
            E("#{[5] [6]}"));
  EXPECT_EQ(Q("[:find (count ?x) . :with ?y :in $e % :where ($e reach ?x ?y)]", edges, rules),
            Value(7));
}

TEST_F(RuleSourceTest, UnknownSourceInTheRulePrefix) {
  const Value rules = E(kAncestorRules);
  ExpectError(absl::StatusCode::kInvalidArgument, {"Unknown source $nope", "($nope anc ?x ?y)"},
              "[:find ?x :in $ % :where ($nope anc ?x ?y)]", db(), rules);
  // Inside a rule body too.
  ExpectError(absl::StatusCode::kInvalidArgument, {"Unknown source $nope", "($nope anc ?x ?y)"},
              "[:find ?x :in $ % :where (r ?x ?y)]", db(),
              E("[[(r ?x ?y) ($nope anc ?x ?y)] [(anc ?x ?y) [?x :person/parent ?y]]]"));
}

// The transitive closure of a tree of 100,000 parent edges (fan-out 4,
// depth 8): each node's ancestors, all at once, and the descendants of the
// root. Semi-naive evaluation keeps it linear in the closure's size.
TEST_F(QueryTest, TransitiveClosureOverOneHundredThousandEdges) {
  constexpr int kEdges = 100000;
  std::string tx;
  tx.reserve(size_t{kEdges} * 40);
  tx += "[[:db/add \"n0\" :person/name \"root\"]";
  int64_t closure = 0;
  std::vector<int> depth(kEdges + 1, 0);
  for (int i = 1; i <= kEdges; ++i) {
    const int parent = (i - 1) / 4;
    depth[static_cast<size_t>(i)] = depth[static_cast<size_t>(parent)] + 1;
    closure += depth[static_cast<size_t>(i)];
    tx += "[:db/add \"n" + std::to_string(i) + "\" :person/parent \"n" + std::to_string(parent) +
          "\"]";
  }
  tx += "]";
  ASSERT_OK(conn_->transact(tx));
  const Value rules = E(kAncestorRules);
  // Descendants of the root.
  EXPECT_EQ(
      Q(R"([:find (count ?d) . :in $ % :where [?r :person/name "root"] (anc ?d ?r)])", db(), rules),
      Value(kEdges));
  // Every pair; the fixture's chain adds 10.
  EXPECT_EQ(Q("[:find (count ?x) . :with ?y :in $ % :where (anc ?x ?y)]", db(), rules),
            Value(closure + 10));
}

}  // namespace
}  // namespace accrete::query_test
