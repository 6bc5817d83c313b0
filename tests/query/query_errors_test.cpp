// Error paths of parsing and running queries through accrete::q: each
// asserts the status code and that the message names the problem.
#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

using ::testing::HasSubstr;

TEST_F(QueryTest, UnknownAttributeNamesItAndTheClause) {
  ExpectError(absl::StatusCode::kInvalidArgument, {":person/nope", "[?e :person/nope 1]"},
              "[:find ?e :where [?e :person/nope 1]]", db());
  // Also when other clauses come first.
  ExpectError(absl::StatusCode::kInvalidArgument, {":persn/age", "[?e :persn/age ?a]"},
              "[:find ?n :where [?e :person/name ?n] [?e :persn/age ?a]]", db());
}

TEST_F(QueryTest, ValueOfTheWrongTypeForAnAttribute) {
  ExpectError(absl::StatusCode::kInvalidArgument, {R"([?e :person/age "thirty"])"},
              R"([:find ?e :where [?e :person/age "thirty"]])", db());
}

TEST_F(QueryTest, UnknownFunctionsAreNotFound) {
  ExpectError(absl::StatusCode::kNotFound, {"older-than?", "[(older-than? ?a 3)]"},
              "[:find ?e :where [?e :person/age ?a] [(older-than? ?a 3)]]", db());
  ExpectError(absl::StatusCode::kNotFound, {"no.such.ns/f"},
              "[:find ?e :where [?e :person/age ?a] [(no.such.ns/f ?a)]]", db());
  // A namespace of built-ins with a name that is not one.
  ExpectError(absl::StatusCode::kNotFound, {"clojure.string/reverse"},
              R"([:find ?e :where [?e :person/name ?n] [(clojure.string/reverse ?n) ?r]])", db());
}

TEST_F(QueryTest, AVariableIsNotAFunction) {
  ExpectError(absl::StatusCode::kNotFound, {"?f"},
              "[:find ?e :where [?e :person/name _] [(?f ?e)]]", db());
}

TEST_F(QueryTest, WrongArityOfABuiltin) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"Wrong number of arguments", "inc"},
              "[:find ?e :where [?e :person/age ?a] [(inc ?a 1) ?b]]", db());
}

TEST_F(QueryTest, UnboundVariableInAPredicate) {
  ExpectError(absl::StatusCode::kInvalidArgument,
              {"Insufficient binding", "?limit", "[(> ?a ?limit)]"},
              "[:find ?e :where [?e :person/age ?a] [(> ?a ?limit)]]", db());
  // A function's argument likewise.
  ExpectError(absl::StatusCode::kInvalidArgument, {"?b"},
              "[:find ?x :where [?e :person/age ?a] [(+ ?a ?b) ?x]]", db());
}

TEST_F(QueryTest, WrongNumberOfInputs) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"takes 2 inputs", "given 1"},
              "[:find ?e :in $ ?n :where [?e :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"given 3"},
              "[:find ?e :in $ ?n :where [?e :person/name ?n]]", db(), "Ivan", "extra");
  // No :in means one database.
  ExpectError(absl::StatusCode::kInvalidArgument, {}, "[:find ?e :where [?e :person/name _]]");
}

TEST_F(QueryTest, InputsOfTheWrongShape) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"[?n ?a]", "tuple of 2"},
              "[:find ?e :in $ [?n ?a] :where [?e :person/name ?n]]", db(), E(R"(["Ivan"])"));
  ExpectError(absl::StatusCode::kInvalidArgument, {"collection"},
              "[:find ?e :in $ [?n ...] :where [?e :person/name ?n]]", db(), "Ivan");
  ExpectError(absl::StatusCode::kInvalidArgument, {"tuples of 2"},
              "[:find ?e :in $ [[?n ?a]] :where [?e :person/name ?n]]", db(),
              E(R"([["Ivan" 1] ["Petr"]])"));
  // A scalar where a database is expected, and a database for a tuple.
  ExpectError(absl::StatusCode::kInvalidArgument, {"database"},
              "[:find ?e :in $ :where [?e :person/name _]]", 42);
  ExpectError(absl::StatusCode::kInvalidArgument, {},
              "[:find ?e :in $ [?a ?b] :where [?e :person/name ?a]]", db(), db());
  // Rules that are not rules.
  ExpectError(absl::StatusCode::kInvalidArgument, {"rules"},
              "[:find ?e :in $ % :where [?e :person/name _]]", db(), db());
}

TEST_F(QueryTest, MalformedQueryText) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"Malformed query"},
              "[:find ?e :where [?e :person/name", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {":find"}, "[:where [?e :person/name _]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {":wehre"},
              "[:find ?e :wehre [?e :person/name _]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {":find"}, "[:find :where [?e :person/name _]]",
              db());
  ExpectError(absl::StatusCode::kInvalidArgument, {}, "42", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"vector"},
              "{:find [?e] :where [?e :person/name _]}", db());
  // :keys with the wrong count, two of them, with a scalar find.
  ExpectError(absl::StatusCode::kInvalidArgument, {":keys"},
              "[:find ?e ?n :keys e :where [?e :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {},
              "[:find ?e :keys e :strs e :where [?e :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {},
              "[:find ?e . :keys e :where [?e :person/name ?n]]", db());
  // Malformed find specs.
  ExpectError(absl::StatusCode::kInvalidArgument, {},
              "[:find [?e ?n ...] :where [?e :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {}, "[:find ?e ?n . :where [?e :person/name ?n]]",
              db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"find element"},
              "[:find \"e\" :where [?e :person/name ?n]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {":with"},
              "[:find ?e :with 3 :where [?e :person/name ?n]]", db());
}

TEST_F(QueryTest, FindVariableBoundNowhere) {
  ExpectError(absl::StatusCode::kInvalidArgument, {"?x"},
              "[:find ?e ?x :where [?e :person/name _]]", db());
  // As Query::Parse, before any database is seen.
  absl::StatusOr<Query> parsed = Query::Parse("[:find ?x :where [?e :person/name _]]");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
  EXPECT_THAT(parsed.status().message(), HasSubstr("?x"));
  // An aggregate's variable, and a :with variable.
  ExpectError(absl::StatusCode::kInvalidArgument, {"?x"},
              "[:find (count ?x) :where [?e :person/name _]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument, {"?x"},
              "[:find ?e :with ?x :where [?e :person/name _]]", db());
}

TEST_F(QueryTest, MalformedClauses) {
  struct Case {
    const char* query;
    const char* names;  // in the message
  };
  const Case cases[] = {
      {"[:find ?e :where ?e]", "?e"},
      {"[:find ?e :where [?e :person/name _] []]", "Empty clause"},
      {"[:find ?e :where [?e :person/name _ _ _ _]]", "at most 5"},
      {"[:find ?e :where [?e :person/name (inc 1)]]", "Function call inside a data pattern"},
      {"[:find ?e :where [?e :person/name _] [(\"f\" ?e)]]", "Malformed function call"},
      {"[:find ?e :where [?e :person/name _] [(inc ?e) ?x ?y]]", "Too many forms"},
      {"[:find ?e :where [?e $ _]]", "source"},
      {"[:find ?e :where [?e :person/name _] (and)]", "(and)"},
      {"[:find ?e :where [?e :person/name _] (or)]", "(or)"},
      {"[:find ?e :where [?e :person/name _] (\"x\" ?e)]", "Malformed clause"},
  };
  for (const Case& c : cases)
    ExpectError(absl::StatusCode::kInvalidArgument, {c.names}, c.query, db());
}

TEST_F(QueryTest, BadBindingForms) {
  struct Case {
    const char* query;
    const char* names;
  };
  const Case cases[] = {
      // Function results.
      {"[:find ?x :where [(ground 1) 5]]", "binding form"},
      {"[:find ?x :where [(ground [1]) []]]", "binding"},
      {"[:find ?x :where [(ground [[1]]) [[]]]]", "relation binding"},
      {"[:find ?x :where [(ground [1]) [?x :y]]]", ":y"},
      // :in bindings.
      {"[:find ?x :in $ 5 :where [(ground 1) ?x]]", "binding form"},
      {"[:find ?x :in $ [?x :y] :where [(ground 1) ?x]]", "Cannot bind :y"},
      {"[:find ?x :in $ [] :where [(ground 1) ?x]]", "binding"},
  };
  for (const Case& c : cases)
    ExpectError(absl::StatusCode::kInvalidArgument, {c.names}, c.query, db(), 1);
}

TEST_F(QueryTest, UnknownSource) {
  // One wording wherever the source is named: a pattern, a function's
  // argument.
  ExpectError(absl::StatusCode::kInvalidArgument,
              {"Unknown source $other (not bound in :in)", "[$other ?e :person/name _]"},
              "[:find ?e :where [$other ?e :person/name _]]", db());
  ExpectError(absl::StatusCode::kInvalidArgument,
              {"Unknown source $other (not bound in :in)", "(get-else $other ?e :person/age 0)"},
              "[:find ?s :where [?e :person/name _] [(get-else $other ?e :person/age 0) ?s]]",
              db());
}

}  // namespace
}  // namespace accrete::query_test
