// A parsed Datalog query: the :find, :in, :with and :where parts of a query
// form, with variables numbered per scope (the query, or one rule branch) so
// that the engine's binding tables index columns by small integers.
#ifndef ACCRETE_LIB_QUERY_AST_HPP_
#define ACCRETE_LIB_QUERY_AST_HPP_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "accrete/query.hpp"
#include "accrete/value.hpp"

namespace accrete::internal {
class PullPattern;
}

namespace accrete::internal::query {

// A clause argument: a variable, a constant, `_`, or a source (`$`, `$name`)
// passed to a function such as get-else.
struct Term {
  enum class Kind : uint8_t { kBlank, kVar, kConst, kSrc };
  Kind kind = Kind::kBlank;
  int var = -1;  // kVar
  Value value;   // kConst: the constant; kSrc: the source symbol

  bool is_var() const { return kind == Kind::kVar; }
  bool is_const() const { return kind == Kind::kConst; }
};

// How a function expression's result binds: `?x`, `[?a ?b]`, `[?x ...]` or
// `[[?a ?b]]`. `_` positions hold -1.
struct Binding {
  enum class Kind : uint8_t { kScalar, kTuple, kColl, kRel };
  Kind kind = Kind::kScalar;
  std::vector<int> vars;
};

enum class ClauseKind : uint8_t { kPattern, kPred, kFn, kRule, kNot, kOr, kAnd };

struct Clause {
  ClauseKind kind = ClauseKind::kPattern;
  Value form;  // as written, for messages
  // The source prefix (`$name`, or the prefix of an enclosing not/or/and);
  // nil when none is written: the scope's default source, which is `$` in a
  // query and the caller's in a rule body called as `($src rule ...)`.
  Value src;
  // kPattern: e a v tx added (1 to 5 of them). kPred, kFn, kRule: the args.
  std::vector<Term> terms;
  Value fn;         // kPred, kFn: the function symbol; kRule: the rule name
  Binding binding;  // kFn
  // kNot, kOr: `not-join` / `or-join` give their join variables explicitly
  // (the first `required` of them must be bound on entry, `[[?a] ?b]`).
  bool explicit_join = false;
  std::vector<int> join_vars;
  int required = 0;
  // kNot, kAnd: one body; kOr: one body per branch.
  std::vector<std::vector<Clause>> bodies;
  // Every variable the clause mentions, sorted, no duplicates.
  std::vector<int> vars;
};

struct FindElem {
  enum class Kind : uint8_t { kVar, kPull, kAggregate };
  Kind kind = Kind::kVar;
  int var = -1;  // kVar, kPull; kAggregate: the aggregated variable
  // kPull: the pattern, parsed (literal) or bound from an input variable.
  std::shared_ptr<const PullPattern> pull;
  int pull_input = -1;
  Value pull_src;  // source symbol ($ unless given)
  // kAggregate: the function symbol and the arguments before the variable
  // (constants, or variables bound from :in).
  Value agg;
  std::vector<Term> agg_params;
  Value form;
};

// One :in element.
struct InBinding {
  enum class Kind : uint8_t { kSrc, kScalar, kTuple, kColl, kRel, kRules, kBlank };
  Kind kind = Kind::kSrc;
  Value src;              // kSrc: `$` or `$name`
  std::vector<int> vars;  // -1 for `_`
  Value form;
};

// One branch of a rule: `[(name ?a [?req] ...) clause ...]`, with its own
// variable scope.
struct RuleBranch {
  Value name;
  std::vector<int> head;  // head variables in order; the first `required` are required
  int required = 0;
  std::vector<Clause> body;
  std::vector<std::string> var_names;
  Value form;
};

struct RuleSet {
  // name -> branches, each with the same arity.
  absl::flat_hash_map<Value, std::vector<RuleBranch>> rules;
};

struct ParsedQuery {
  Value form;
  QueryResult::Shape shape = QueryResult::Shape::kRelation;
  std::vector<FindElem> find;
  // :keys / :strs / :syms names, one per find element, as keywords, strings
  // or symbols; nil when absent.
  Value keys;
  std::vector<int> with;
  std::vector<InBinding> in;
  std::vector<Clause> where;
  std::vector<std::string> var_names;  // by variable id
  bool has_aggregates = false;
};

// Parses a query form. InvalidArgument naming the offending clause.
absl::StatusOr<std::shared_ptr<const ParsedQuery>> ParseQuery(const Value& form);

// Parses rules given for `%` (a vector of rule branches).
absl::StatusOr<std::shared_ptr<const RuleSet>> ParseRules(const Value& rules);

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_AST_HPP_
