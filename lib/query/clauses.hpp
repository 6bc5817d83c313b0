// Where-clause evaluation: the planner that picks the next clause, and the
// execution of each clause kind against an Env.
#ifndef ACCRETE_LIB_QUERY_CLAUSES_HPP_
#define ACCRETE_LIB_QUERY_CLAUSES_HPP_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "query/ast.hpp"
#include "query/context.hpp"

namespace accrete::internal::query {

// How rule calls are answered: at the top of a query a call starts its own
// bottom-up evaluation; inside a rule body under evaluation it reads and
// feeds that evaluation's tables.
class RuleHook {
 public:
  virtual ~RuleHook() = default;
  // `src` is the default source of the rule's body: the call's prefix, or
  // the calling scope's default.
  virtual absl::Status Call(const Clause& call, const Value& src, Env& env) = 0;
  // True when each call's answers are complete once it returns.
  virtual bool complete() const = 0;
};

// What the planner knows about bindings: which variables are bound, and
// how many rows the relations holding some variables have (actual, or
// estimated when only planning).
class PlanView {
 public:
  virtual ~PlanView() = default;
  virtual bool Bound(int var) const = 0;
  virtual double Rows(const std::vector<int>& vars) const = 0;
};

// One planned step, for explain.
struct PlanStep {
  const Clause* clause = nullptr;
  std::string strategy;  // "scan :aevt", "lookup :eavt", "filter", ...
  double estimate = 0;
};

class Scope {
 public:
  // `names` are the scope's variable names, for messages; `default_src`
  // is the source of the clauses that name none.
  Scope(Ctx& ctx, RuleHook* hook, const std::vector<std::string>* names,
        Value default_src = Value::Symbol("$"))
      : ctx_(ctx), hook_(hook), names_(names), default_src_(std::move(default_src)) {}

  // Runs `clauses` in cost order, joining into `env`.
  absl::Status Run(const std::vector<Clause>& clauses, Env& env);
  // Runs `clauses` in the given order.
  absl::Status RunInOrder(const std::vector<const Clause*>& order, Env& env);

  // The order Run would choose when every relation had the estimated size:
  // for rule bodies (whose order must not change between rounds) and explain.
  // `bound` are the variables bound on entry.
  absl::StatusOr<std::vector<PlanStep>> PlanStatic(const std::vector<Clause>& clauses,
                                                   const std::vector<int>& bound,
                                                   double entry_rows);

  absl::Status Exec(const Clause& clause, Env& env);
  std::string VarSymbol(int var) const;
  const Value& SourceOf(const Clause& c) const { return c.src.is_nil() ? default_src_ : c.src; }

 private:
  absl::StatusOr<size_t> Choose(const std::vector<const Clause*>& remaining, const PlanView& view,
                                std::string* strategy, double* estimate);
  // How a data pattern joins what is bound: one scan (nothing bound), an
  // index lookup per bound row, one walk of the attribute's entries in
  // entity order (the bound rows sorted by entity), or one scan and a hash
  // join.
  enum class Strategy : uint8_t { kScan, kLookup, kMerge, kHashJoin };
  double Estimate(const Clause& c, const PlanView& view, std::string* strategy,
                  Strategy* how = nullptr);
  // Whether a comparison among the remaining clauses could narrow a scan of
  // `var`'s values.
  bool HasRangeOn(int var) const;
  std::vector<int> NeededVars(const Clause& c, const std::vector<const Clause*>& remaining,
                              const PlanView& view) const;

  absl::Status ExecPattern(const Clause& c, Env& env);
  absl::Status ExecCollPattern(const Clause& c, const Value& coll, Env& env);
  absl::Status ExecFn(const Clause& c, Env& env);
  RuleHook* NestedHook(RuleHook* complete) const;
  absl::Status ExecNot(const Clause& c, Env& env);
  absl::Status ExecOr(const Clause& c, Env& env);

  Ctx& ctx_;
  RuleHook* hook_;
  const std::vector<std::string>* names_;
  Value default_src_;
  // The clauses not yet run: range pushdown looks here for comparisons on a
  // pattern's value variable.
  std::vector<const Clause*>* remaining_ = nullptr;
};

// The top-level rule hook: each call runs its own evaluation to completion.
class TopRuleHook : public RuleHook {
 public:
  explicit TopRuleHook(Ctx& ctx) : ctx_(ctx) {}
  absl::Status Call(const Clause& call, const Value& src, Env& env) override;
  bool complete() const override { return true; }

 private:
  Ctx& ctx_;
};

// The values of `terms` at row `row` of `rel` (constants as given); sources
// are left nil.
void TermValues(const std::vector<Term>& terms, const Rel* rel, size_t row,
                std::vector<Value>* out);

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_CLAUSES_HPP_
