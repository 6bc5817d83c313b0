// Predicate and function expressions through accrete::q: every group of
// built-ins, range pushdown of comparisons, and the four ways a function's
// result binds.
#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

// ---- Comparisons -----------------------------------------------------------

TEST_F(QueryTest, ComparisonsOnLongsWithConstants) {
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(> ?a 25)] [?e :person/name ?n]]", db()),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(>= ?a 25)] [?e :person/name ?n]]", db()),
            E(R"(#{["Ivan"] ["Oleg"] ["Petr"] ["Yuri"]})"));
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(< ?a 25)] [?e :person/name ?n]]", db()),
            E(R"(#{["Anna"]})"));
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(<= ?a 25)] [?e :person/name ?n]]", db()),
            E(R"(#{["Anna"] ["Petr"] ["Yuri"]})"));
  // The constant first: (< 25 ?a) is ?a > 25.
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(< 25 ?a)] [?e :person/name ?n]]", db()),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  // Two bounds on one variable make one range.
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/age ?a] [(> ?a 19)] [(< ?a 40)] [?e :person/name ?n]])",
        db()),
      E(R"(#{["Ivan"] ["Petr"] ["Yuri"]})"));
  // An empty range.
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/age ?a] [(> ?a 30)] [(< ?a 31)] [?e :person/name ?n]])",
        db()),
      E("#{}"));
  // Equality and inequality.
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(= ?a 40)] [?e :person/name ?n]]", db()),
            E(R"(#{["Oleg"]})"));
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n] [(!= ?n "Ivan")] [(not= ?n "Petr")]
                  [?e :person/sex :male]])",
              db()),
            E(R"(#{["Oleg"] ["Yuri"]})"));
}

TEST_F(QueryTest, ComparisonsWithInputScalars) {
  EXPECT_EQ(Q("[:find ?n :in $ ?min :where [?e :person/age ?a] [(> ?a ?min)] [?e :person/name ?n]]",
              db(), 29),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  EXPECT_EQ(Q(R"([:find ?n :in $ ?lo ?hi :where [?e :person/age ?a] [(<= ?lo ?a)] [(<= ?a ?hi)]
                  [?e :person/name ?n]])",
              db(), 25, 30),
            E(R"(#{["Ivan"] ["Petr"] ["Yuri"]})"));
  // A collection of bounds: one range per value.
  EXPECT_EQ(
      Q("[:find ?n :in $ [?min ...] :where [?e :person/age ?a] [(> ?a ?min)] [?e :person/name ?n]]",
        db(), E("[35 39]")),
      E(R"(#{["Oleg"]})"));
}

TEST_F(QueryTest, ComparisonsBetweenTwoVariables) {
  // Friends older, then younger, than the one who names them.
  EXPECT_EQ(
      Q(R"([:find ?n1 ?n2 :where [?a :person/friend ?b] [?a :person/age ?x] [?b :person/age ?y]
                  [(> ?x ?y)] [?a :person/name ?n1] [?b :person/name ?n2]])",
        db()),
      E(R"(#{["Ivan" "Petr"]})"));
  EXPECT_EQ(
      Q(R"([:find ?n1 ?n2 :where [?a :person/friend ?b] [?a :person/age ?x] [?b :person/age ?y]
                  [(< ?x ?y)] [?a :person/name ?n1] [?b :person/name ?n2]])",
        db()),
      E(R"(#{["Ivan" "Oleg"] ["Petr" "Oleg"]})"));
}

TEST_F(QueryTest, RangeOnDoublesAcceptsLongBounds) {
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/salary ?s] [(>= ?s 1000.0)] [?e :person/name ?n]]", db()),
      E(R"(#{["Ivan"] ["Petr"]})"));
  // Numbers compare by value across long and double (Clojure's ==).
  EXPECT_EQ(Q("[:find ?n :where [?e :person/salary ?s] [(> ?s 999)] [?e :person/name ?n]]", db()),
            E(R"(#{["Ivan"] ["Petr"]})"));
  EXPECT_EQ(Q("[:find ?n :where [?e :person/salary ?s] [(< ?s 1000)] [?e :person/name ?n]]", db()),
            E(R"(#{["Yuri"]})"));
  EXPECT_EQ(
      Q("[:find ?n :in $ ?max :where [?e :person/salary ?s] [(<= ?s ?max)] [?e :person/name ?n]]",
        db(), 1000),
      E(R"(#{["Ivan"] ["Yuri"]})"));
}

TEST_F(QueryTest, RangeOnStrings) {
  EXPECT_EQ(Q(R"([:find ?n :where [_ :person/name ?n] [(>= ?n "O")]])", db()),
            E(R"(#{["Oleg"] ["Petr"] ["Yuri"]})"));
  EXPECT_EQ(Q(R"([:find ?n :where [_ :person/name ?n] [(< ?n "Oleg")]])", db()),
            E(R"(#{["Anna"] ["Ivan"]})"));
  EXPECT_EQ(Q(R"([:find ?n :where [_ :person/name ?n] [(> ?n "Ivan")] [(<= ?n "Petr")]])", db()),
            E(R"(#{["Oleg"] ["Petr"]})"));
}

TEST_F(QueryTest, RangeOnInstants) {
  ASSERT_OK(conn_->transact(
      R"([[:db/add [:person/name "Ivan"] :person/joined #inst "2019-05-01T00:00:00.000Z"]
                                [:db/add [:person/name "Petr"] :person/joined #inst "2020-01-01T00:00:00.000Z"]
                                [:db/add [:person/name "Anna"] :person/joined #inst "2021-07-15T12:00:00.000Z"]])"));
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/joined ?j] [(>= ?j #inst "2020-01-01T00:00:00.000Z")]
                  [?e :person/name ?n]])",
              db()),
            E(R"(#{["Petr"] ["Anna"]})"));
  EXPECT_EQ(
      Q(R"([:find ?n :in $ ?since :where [?e :person/joined ?j] [(< ?j ?since)] [?e :person/name ?n]])",
        db(), E(R"(#inst "2020-01-01T00:00:00.000Z")")),
      E(R"(#{["Ivan"]})"));
}

TEST_F(QueryTest, VariadicComparisons) {
  // (< a b c) holds when the arguments increase.
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(< 20 ?a 35)] [?e :person/name ?n]]", db()),
            E(R"(#{["Ivan"] ["Petr"] ["Yuri"]})"));
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(= ?a 25 25)] [?e :person/name ?n]]", db()),
            E(R"(#{["Petr"] ["Yuri"]})"));
}

// ---- Arithmetic --------------------------------------------------------------

TEST_F(QueryTest, ArithmeticFunctions) {
  EXPECT_EQ(Q(R"([:find ?b . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(+ ?a 1 2) ?b]])",
              db()),
            Value(43));
  EXPECT_EQ(
      Q(R"([:find ?b . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(- ?a 50) ?b]])", db()),
      Value(-10));
  EXPECT_EQ(
      Q(R"([:find ?b . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(- ?a) ?b]])", db()),
      Value(-40));
  EXPECT_EQ(
      Q(R"([:find ?b . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(* ?a 2) ?b]])", db()),
      Value(80));
  // / is exact on integers when it can be, else a double.
  EXPECT_EQ(
      Q(R"([:find ?b . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(/ ?a 8) ?b]])", db()),
      Value(5));
  EXPECT_EQ(
      Q(R"([:find ?b . :where [?e :person/name "Anna"] [?e :person/age ?a] [(/ ?a 5) ?b]])", db()),
      Value(3.8));
  EXPECT_EQ(
      Q(R"([:find ?b . :where [?e :person/name "Ivan"] [?e :person/salary ?s] [(* ?s 1.5) ?b]])",
        db()),
      Value(1500.0));
  EXPECT_EQ(Q("[:find [?q ?r ?m] :where [(quot -7 2) ?q] [(rem -7 2) ?r] [(mod -7 2) ?m]]", db()),
            E("[-3 -1 1]"));
  EXPECT_EQ(Q("[:find [?i ?d ?hi ?lo] :where [(inc 41) ?i] [(dec 41) ?d] [(max 3 9 4) ?hi] [(min 3 "
              "9 4) ?lo]]",
              db()),
            E("[42 40 9 3]"));
  // Mixed arithmetic feeding a predicate: people older than twice 15.
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/age ?a] [(* 15 2) ?t] [(>= ?a ?t)] [?e :person/name ?n]]",
        db()),
      E(R"(#{["Ivan"] ["Oleg"]})"));
}

TEST_F(QueryTest, NumericPredicates) {
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(odd? ?a)] [?e :person/name ?n]]", db()),
            E(R"(#{["Petr"] ["Yuri"] ["Anna"]})"));
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(even? ?a)] [?e :person/name ?n]]", db()),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/age ?a] [(- ?a 25) ?d] [(zero? ?d)] [?e :person/name ?n]]",
        db()),
      E(R"(#{["Petr"] ["Yuri"]})"));
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/age ?a] [(- ?a 25) ?d] [(pos? ?d)] [?e :person/name ?n]]",
        db()),
      E(R"(#{["Ivan"] ["Oleg"]})"));
  EXPECT_EQ(
      Q("[:find ?n :where [?e :person/age ?a] [(- ?a 25) ?d] [(neg? ?d)] [?e :person/name ?n]]",
        db()),
      E(R"(#{["Anna"]})"));
}

TEST_F(QueryTest, ArithmeticErrorsNameTheFunction) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"+", "(+ ?n 1)"},
              R"([:find ?x :where [?e :person/name ?n] [(+ ?n 1) ?x]])", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"overflow"},
              "[:find ?x :where [(+ 9223372036854775807 1) ?x]]", db());
}

// ---- Strings and regexes ---------------------------------------------------------

TEST_F(QueryTest, StrAndSubs) {
  EXPECT_EQ(
      Q(R"([:find ?s . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(str ?n "-" ?a) ?s]
                  [?e :person/name ?n]])",
        db()),
      Value("Oleg-40"));
  EXPECT_EQ(Q(R"([:find ?s . :where [(str :a/b 1.5 nil "x") ?s]])", db()), Value(":a/b1.5x"));
  EXPECT_EQ(Q(R"([:find ?s . :where [(subs "Sergei" 1 3) ?s]])", db()), Value("er"));
  EXPECT_EQ(Q(R"([:find ?s . :where [(subs "Sergei" 4) ?s]])", db()), Value("ei"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"subs"},
              R"([:find ?s . :where [(subs "abc" 5) ?s]])", db());
}

TEST_F(QueryTest, ClojureStringFunctions) {
  EXPECT_EQ(
      Q(R"([:find ?n :where [_ :person/name ?n] [(clojure.string/starts-with? ?n "O")]])", db()),
      E(R"(#{["Oleg"]})"));
  EXPECT_EQ(
      Q(R"([:find ?n :where [_ :person/name ?n] [(clojure.string/ends-with? ?n "r")]])", db()),
      E(R"(#{["Petr"]})"));
  EXPECT_EQ(Q(R"([:find ?n :where [_ :person/name ?n] [(clojure.string/includes? ?n "n")]])", db()),
            E(R"(#{["Ivan"] ["Anna"]})"));
  EXPECT_EQ(Q(R"([:find [?l ?u] :where [(clojure.string/lower-case "IvAn") ?l]
                  [(clojure.string/upper-case "IvAn") ?u]])",
              db()),
            E(R"(["ivan" "IVAN"])"));
  EXPECT_EQ(Q(R"([:find ?x :in [?x ...] :where [(clojure.string/blank? ?x)]])",
              E(R"(["" "  " "a" " b "])")),
            E(R"(#{[""] ["  "]})"));
}

TEST_F(QueryTest, Regexes) {
  EXPECT_EQ(Q(R"([:find ?n :where [_ :person/name ?n] [(re-find "^[IO]" ?n)]])", db()),
            E(R"(#{["Ivan"] ["Oleg"]})"));
  // A pattern from re-pattern, bound once and reused.
  EXPECT_EQ(
      Q(R"([:find ?n :where [(re-pattern "[aeiou]sh") ?re] [_ :person/alias ?n] [(re-find ?re ?n)]])",
        db()),
      E(R"(#{["Ivanushka"]})"));
  EXPECT_EQ(Q(R"q([:find ?m . :where [(re-matches "(\\w)(\\d+)" "a42") ?m]])q", db()),
            E(R"(["a42" "a" "42"])"));
  EXPECT_EQ(Q(R"([:find ?m . :where [(re-matches "\\d+" "a42") ?m]])", db()), Value());
  EXPECT_EQ(Q(R"([:find ?m . :where [(re-find "\\d+" "a42b7") ?m]])", db()), Value("42"));
  EXPECT_EQ(Q(R"([:find ?m . :where [(re-seq "\\d+" "a42b7") ?m]])", db()), E(R"(("42" "7"))"));
  // re-seq's matches bound as a collection.
  EXPECT_EQ(Q(R"([:find ?d :where [(re-seq "\\d" "1a2b2") [?d ...]]])", db()),
            E(R"(#{["1"] ["2"]})"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"re-pattern"},
              R"([:find ?x :where [(re-pattern "([a") ?x]])", db());
}

// ---- Values and collections -------------------------------------------------------

TEST_F(QueryTest, ValueFunctions) {
  EXPECT_EQ(Q(R"([:find ?x . :where [(identity "a") ?x]])", db()), Value("a"));
  EXPECT_EQ(Q(R"([:find [?k ?k2] :where [(keyword "a" "b") ?k] [(keyword "c") ?k2]])", db()),
            E("[:a/b :c]"));
  EXPECT_EQ(Q(R"([:find [?n ?ns] :where [?e :person/name "Anna"] [?e :person/sex ?s] [(name ?s) ?n]
                  [(namespace :person/sex) ?ns]])",
              db()),
            E(R"(["female" "person"])"));
  EXPECT_EQ(Q(R"([:find ?ns . :where [(namespace :plain) ?ns]])", db()), Value());
  EXPECT_EQ(Q(R"([:find [?v ?l] :where [(vector 1 "two" :three) ?v] [(list 1 2) ?l]])", db()),
            E(R"([[1 "two" :three] (1 2)])"));
  EXPECT_EQ(
      Q(R"([:find [?a ?b ?c] :where [(count "Привет") ?a] [(count [1 2 3]) ?b] [(count nil) ?c]])",
        db()),
      E("[6 3 0]"));
  // People with a five-letter alias (Vanya, Petya; not Ivanushka).
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/name ?n] [?e :person/alias ?al] [(count ?al) ?c] [(= ?c 5)]])",
        db()),
      E(R"(#{["Ivan"] ["Petr"]})"));
}

TEST_F(QueryTest, TupleUntupleAndGround) {
  EXPECT_EQ(
      Q(R"([:find ?t . :where [?e :person/name "Oleg"] [?e :person/age ?a] [(tuple ?e ?a) ?t]])",
        db()),
      Value::Vector({Value(id("oleg")), Value(40)}));
  EXPECT_EQ(Q(R"([:find ?n ?a :where [(ground ["Ivan" 30]) ?t] [(untuple ?t) [?n ?a]]])", db()),
            E(R"(#{["Ivan" 30]})"));
  // ground binds constants; they then join with the database.
  EXPECT_EQ(
      Q(R"([:find ?a :where [(ground "Petr") ?n] [?e :person/name ?n] [?e :person/age ?a]])", db()),
      E("#{[25]}"));
}

TEST_F(QueryTest, TruthPredicates) {
  const Value items = E(R"([true false nil 0 "x"])");
  EXPECT_EQ(Q("[:find ?x :in [?x ...] :where [(true? ?x)]]", items), E("#{[true]}"));
  EXPECT_EQ(Q("[:find ?x :in [?x ...] :where [(false? ?x)]]", items), E("#{[false]}"));
  EXPECT_EQ(Q("[:find ?x :in [?x ...] :where [(nil? ?x)]]", items), E("#{[nil]}"));
  EXPECT_EQ(Q("[:find ?x :in [?x ...] :where [(some? ?x)]]", items),
            E(R"(#{[true] [false] [0] ["x"]})"));
  EXPECT_EQ(Q("[:find ?x :in [?x ...] :where [(not ?x)]]", items), E("#{[false] [nil]}"));
  // A predicate's truthiness: everything but nil and false.
  EXPECT_EQ(Q("[:find ?x :in [?x ...] :where [(identity ?x)]]", items),
            E(R"(#{[true] [0] ["x"]})"));
}

// ---- Bindings of function results ------------------------------------------------

TEST_F(QueryTest, FunctionBindingForms) {
  // Scalar.
  EXPECT_EQ(
      Q("[:find ?y :where [?e :person/name \"Ivan\"] [?e :person/age ?a] [(inc ?a) ?y]]", db()),
      E("#{[31]}"));
  // Tuple; `_` skips a position.
  EXPECT_EQ(Q(R"([:find ?a ?c :where [(ground [1 2 3]) [?a _ ?c]]])", db()), E("#{[1 3]}"));
  // Collection.
  EXPECT_EQ(Q(R"([:find ?x :where [(ground [1 2 2 3]) [?x ...]]])", db()), E("#{[1] [2] [3]}"));
  // Relation.
  EXPECT_EQ(Q(R"([:find ?x ?y :where [(ground [[1 :a] [2 :b] [1 :a]]) [[?x ?y]]]])", db()),
            E("#{[1 :a] [2 :b]}"));
  EXPECT_EQ(Q(R"([:find ?y :where [(ground [[1 :a] [2 :b]]) [[_ ?y]]]])", db()), E("#{[:a] [:b]}"));
  // A collection result joined with the database.
  EXPECT_EQ(
      Q(R"([:find ?n :where [(ground ["Ivan" "Nobody" "Anna"]) [?n ...]] [?e :person/name ?n]])",
        db()),
      E(R"(#{["Ivan"] ["Anna"]})"));
  // A nil result binds nothing: the row is dropped.
  EXPECT_EQ(Q(R"([:find ?n :where [?e :person/name ?n] [(re-find "v" ?n) ?m]])", db()),
            E(R"(#{["Ivan"]})"));
}

TEST_F(QueryTest, FunctionOutputAlreadyBoundFilters) {
  EXPECT_EQ(Q("[:find ?n :where [?e :person/age ?a] [(+ 5 20) ?a] [?e :person/name ?n]]", db()),
            E(R"(#{["Petr"] ["Yuri"]})"));
  // Bound by an earlier function: x = y + 0 keeps all, x = y + 1 none.
  EXPECT_EQ(Q("[:find ?a :where [_ :person/age ?a] [(+ ?a 0) ?a]]", db()),
            E("#{[19] [25] [30] [40]}"));
  EXPECT_EQ(Q("[:find ?a :where [_ :person/age ?a] [(inc ?a) ?a]]", db()), E("#{}"));
  // Tuple and collection bindings filter the same way.
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/name ?n] [?e :person/age ?a] [(ground [25 :x]) [?a _]]])",
        db()),
      E(R"(#{["Petr"] ["Yuri"]})"));
  EXPECT_EQ(
      Q(R"([:find ?n :where [?e :person/name ?n] [?e :person/age ?a] [(ground [19 40]) [?a ...]]])",
        db()),
      E(R"(#{["Anna"] ["Oleg"]})"));
}

TEST_F(QueryTest, BindingShapeErrors) {
  // Extra items are ignored (as Clojure's destructuring); too few is an error.
  EXPECT_EQ(Q(R"([:find ?a ?b :where [(ground [1 2 3]) [?a ?b]]])", db()), E("#{[1 2]}"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"tuple", "[(ground [1]) [?a ?b]]"},
              R"([:find ?a ?b :where [(ground [1]) [?a ?b]]])", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"collection"},
              R"([:find ?a :where [(ground 7) [?a ...]]])", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {},
              R"([:find ?a ?b :where [(ground [1 2]) [[?a ?b]]]])", db());
}

}  // namespace
}  // namespace accrete::query_test
