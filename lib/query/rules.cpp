// Rules, evaluated bottom-up and semi-naively on demand.
//
// A call to rule r with some arguments bound is answered from a table for
// (r, which positions are bound, the default source of r's body). A table
// holds seeds -- the bound argument values callers asked about -- and
// answers -- full argument tuples derived for those seeds. Evaluating a
// rule body for some seeds registers, at each nested call, the seeds that
// call needs (this is the magic-set rewriting, done while running), and
// joins the callee table's answers so far.
//
// Rounds repeat until no table gains a seed or an answer. In each round a
// branch is evaluated for its new seeds against everything known, and for
// all its seeds against each callee's answers new in the last round (the
// semi-naive differential), so each derivation is found once per new fact
// rather than once per round. Branch bodies run in a fixed order chosen once
// per (branch, bound positions, source), so that every call in a body always
// feeds the same table.
//
// `($src r ...)` makes $src the default source of r's body: its clauses that
// name no source read $src, and so do the unprefixed calls they make, down
// the recursion. The source is part of a table's key, so one rule evaluated
// under two sources keeps two sets of answers.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "edn/str_cat.hpp"
#include "query/clauses.hpp"

namespace accrete::internal::query {
namespace {

absl::Status ClauseError(std::string_view what, const Clause& c) {
  return absl::InvalidArgumentError(Cat(what, " in clause ", c.form.to_string()));
}

bool Contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Splices the top-level `or` clauses of a body into separate bodies: a rule
// branch with an `or` is the union of the branches it expands to.
void ExpandOrs(const std::vector<Clause>& body, size_t i, std::vector<Clause>* prefix,
               std::vector<std::vector<Clause>>* out) {
  if (out->size() > 256) return;
  if (i == body.size()) {
    out->push_back(*prefix);
    return;
  }
  const Clause& c = body[i];
  if (c.kind != ClauseKind::kOr) {
    prefix->push_back(c);
    ExpandOrs(body, i + 1, prefix, out);
    prefix->pop_back();
    return;
  }
  for (const std::vector<Clause>& alt : c.bodies) {
    const size_t mark = prefix->size();
    prefix->insert(prefix->end(), alt.begin(), alt.end());
    ExpandOrs(body, i + 1, prefix, out);
    prefix->resize(mark);
  }
}

class RuleEngine : public RuleHook {
 public:
  RuleEngine(Ctx& ctx, const RuleSet& rules) : ctx_(ctx), rules_(rules) {}

  bool complete() const override { return false; }

  absl::Status Call(const Clause& call, const Value& src, Env& env) override {
    return Visit(call, src, env, /*seed=*/&call != seeded_call_, /*join=*/true);
  }

  // A call from outside any evaluation: seed, run to the fixpoint, join.
  absl::Status Solve(const Clause& call, const Value& src, Env& env) {
    if (absl::Status s = Visit(call, src, env, true, false); !s.ok()) return s;
    while (true) {
      bool changed = false;
      if (absl::Status s = Round(&changed); !s.ok()) return s;
      if (!changed) break;
    }
    return Visit(call, src, env, false, true);
  }

 private:
  // A rule call in a body: the table it feeds.
  struct BodyCall {
    const Clause* call;
    Value src;
    uint32_t mask;  // positions bound when it runs
  };
  struct Body {
    std::vector<Clause> clauses;  // after expanding top-level `or`
    std::vector<const Clause*> order;
    std::vector<BodyCall> calls;  // in order
    const RuleBranch* branch = nullptr;
    // When the clauses before the first rule call only read the database
    // (patterns, predicates, functions), what they bind for a seed never
    // changes: `prefix` is that relation for seeds [0, prefix_hi), kept so
    // that each round's delta evaluation of every seed starts from it
    // instead of reading the database again. `split` is the number of those
    // clauses; 0 when there are none or the body does not qualify.
    size_t split = 0;
    Rel prefix;
    size_t prefix_hi = 0;
  };
  struct Table {
    Value name;
    Value src;  // the default source of the body
    uint32_t mask = 0;
    std::vector<int> bound_pos;
    RowSet seeds{0};
    RowSet answers{0};
    absl::flat_hash_map<uint64_t, uint32_t> by_key;  // bound values -> answer + 1
    std::vector<uint32_t> key_next;
    size_t seed_lo = 0, seed_hi = 0, ans_lo = 0, ans_hi = 0;
    std::vector<std::unique_ptr<Body>> bodies;
  };

  const std::vector<RuleBranch>* Branches(const Clause& call) const {
    auto it = rules_.rules.find(call.fn);
    return it == rules_.rules.end() ? nullptr : &it->second;
  }

  uint64_t KeyHash(const Table& t, const Value* row_or_key, bool is_key) const {
    if (is_key) return HashCells(row_or_key, nullptr, t.bound_pos.size());
    return HashCells(row_or_key, t.bound_pos.data(), t.bound_pos.size());
  }

  void AddAnswer(Table& t, const Value* row) {
    if (!t.answers.Insert(row)) return;
    const uint32_t index = static_cast<uint32_t>(t.answers.rows());
    auto [it, inserted] = t.by_key.try_emplace(KeyHash(t, row, false), 0);
    t.key_next.push_back(it->second);
    it->second = index;
  }

  absl::StatusOr<Table*> GetTable(const Clause& call, const Value& src, uint32_t mask) {
    if (Table* t = FindTable(call.fn, src, mask)) return t;
    const std::vector<RuleBranch>& branches = *Branches(call);
    auto table = std::make_unique<Table>();
    table->name = call.fn;
    table->src = src;
    table->mask = mask;
    const size_t arity = branches.front().head.size();
    for (size_t i = 0; i < arity; ++i) {
      if (mask & (1u << i)) table->bound_pos.push_back(static_cast<int>(i));
    }
    table->seeds = RowSet(table->bound_pos.size());
    table->answers = RowSet(arity);
    for (const RuleBranch& branch : branches) {
      std::vector<int> bound;
      for (int p : table->bound_pos) bound.push_back(branch.head[static_cast<size_t>(p)]);
      std::vector<std::vector<Clause>> expanded;
      std::vector<Clause> prefix;
      ExpandOrs(branch.body, 0, &prefix, &expanded);
      for (std::vector<Clause>& clauses : expanded) {
        auto body = std::make_unique<Body>();
        body->branch = &branch;
        body->clauses = std::move(clauses);
        Scope planner(ctx_, this, &branch.var_names, src);
        absl::StatusOr<std::vector<PlanStep>> plan = planner.PlanStatic(body->clauses, bound, 10);
        if (!plan.ok()) return plan.status();
        std::vector<int> now_bound = bound;
        for (const PlanStep& step : *plan) {
          body->order.push_back(step.clause);
          const Clause& c = *step.clause;
          if (c.kind == ClauseKind::kRule) {
            uint32_t m = 0;
            for (size_t i = 0; i < c.terms.size(); ++i) {
              if (c.terms[i].is_const() ||
                  (c.terms[i].is_var() && Contains(now_bound, c.terms[i].var))) {
                m |= 1u << i;
              }
            }
            body->calls.push_back({&c, planner.SourceOf(c), m});
          }
          if (c.kind != ClauseKind::kNot && c.kind != ClauseKind::kPred) {
            for (int v : c.vars) {
              if (!Contains(now_bound, v)) now_bound.push_back(v);
            }
            for (int v : c.binding.vars) {
              if (v >= 0 && !Contains(now_bound, v)) now_bound.push_back(v);
            }
          }
        }
        body->split = PureSplit(body->order);
        table->bodies.push_back(std::move(body));
      }
    }
    tables_.push_back(std::move(table));
    return tables_.back().get();
  }

  // Registers the call's seeds (seed) and joins its answers into env (join).
  absl::Status Visit(const Clause& call, const Value& src, Env& env, bool seed, bool join) {
    const std::vector<RuleBranch>* branches = Branches(call);
    if (branches == nullptr) {
      return ClauseError(Cat("Unknown rule '", call.fn.to_string(), "'"), call);
    }
    const RuleBranch& first = branches->front();
    if (call.terms.size() != first.head.size()) {
      return ClauseError(Cat("Wrong number of arguments to rule ", call.fn.to_string(),
                             ": expected ", first.head.size(), ", got ", call.terms.size()),
                         call);
    }
    uint32_t mask = 0;
    std::vector<int> bound_vars;
    for (size_t i = 0; i < call.terms.size(); ++i) {
      const Term& t = call.terms[i];
      if (t.is_const() || (t.is_var() && env.Bound(t.var))) mask |= 1u << i;
      if (t.is_var() && env.Bound(t.var)) bound_vars.push_back(t.var);
    }
    for (int i = 0; i < first.required; ++i) {
      if (!(mask & (1u << i))) {
        return ClauseError(Cat("Insufficient bindings: rule ", call.fn.to_string(),
                               " requires its argument ", i + 1, " to be bound"),
                           call);
      }
    }
    absl::StatusOr<Table*> table = GetTable(call, src, mask);
    if (!table.ok()) return table.status();
    Table& t = **table;
    absl::StatusOr<int> gathered = env.Gather(bound_vars, ctx_, call.form);
    if (!gathered.ok()) return gathered.status();
    Rel unit = Rel::Unit();
    const Rel& in = *gathered >= 0 ? env.rels[static_cast<size_t>(*gathered)] : unit;
    std::vector<int> key_col;  // per bound position: column in `in`, or -1 for a constant
    for (int p : t.bound_pos) {
      const Term& term = call.terms[static_cast<size_t>(p)];
      key_col.push_back(term.is_var() ? in.col(term.var) : -1);
    }
    std::vector<Value> key(t.bound_pos.size());
    auto make_key = [&](size_t r) {
      for (size_t k = 0; k < key.size(); ++k) {
        key[k] = key_col[k] >= 0 ? in.row(r)[key_col[k]]
                                 : call.terms[static_cast<size_t>(t.bound_pos[k])].value;
      }
    };
    if (seed) {
      for (size_t r = 0; r < in.rows; ++r) {
        make_key(r);
        t.seeds.Insert(key.data());
      }
      if (absl::Status s = ctx_.CheckSize(t.seeds.cells().size() * sizeof(Value), call.form);
          !s.ok()) {
        return s;
      }
    }
    if (!join) return absl::OkStatus();

    // New columns: unbound variables, each once; positions repeating one
    // are checked for equality.
    std::vector<int> new_vars;
    std::vector<int> new_pos;
    std::vector<std::pair<size_t, size_t>> same;  // positions that must be equal
    for (size_t i = 0; i < call.terms.size(); ++i) {
      const Term& term = call.terms[i];
      if (!term.is_var() || (mask & (1u << i))) continue;
      bool repeat = false;
      for (size_t j = 0; j < i; ++j) {
        if (call.terms[j].is_var() && call.terms[j].var == term.var && !(mask & (1u << j))) {
          same.emplace_back(j, i);
          repeat = true;
          break;
        }
      }
      if (!repeat) {
        new_vars.push_back(term.var);
        new_pos.push_back(static_cast<int>(i));
      }
    }
    const bool delta = delta_call_ == &call;
    const size_t lo = delta ? t.ans_lo : 0;
    const size_t hi = delta ? t.ans_hi : t.answers.rows();
    Rel out;
    out.vars = in.vars;
    out.vars.insert(out.vars.end(), new_vars.begin(), new_vars.end());
    for (size_t r = 0; r < in.rows; ++r) {
      if (absl::Status s = ctx_.Tick(); !s.ok()) return s;
      make_key(r);
      auto it = t.by_key.find(KeyHash(t, key.data(), true));
      if (it == t.by_key.end()) continue;
      for (uint32_t a = it->second; a != 0; a = t.key_next[a - 1]) {
        const size_t ai = a - 1;
        // A chain runs from the newest answer to the oldest.
        if (ai < lo) break;
        if (ai >= hi) continue;
        const Value* ans = t.answers.row(ai);
        bool match = true;
        for (size_t k = 0; k < key.size() && match; ++k) match = ans[t.bound_pos[k]] == key[k];
        for (const auto& [x, y] : same) match = match && ans[x] == ans[y];
        if (!match) continue;
        out.cells.insert(out.cells.end(), in.row(r), in.row(r) + in.width());
        for (int p : new_pos) out.cells.push_back(ans[p]);
        ++out.rows;
      }
      if ((out.rows & 4095) == 4095) {
        if (absl::Status s = ctx_.CheckSize(out.bytes(), call.form); !s.ok()) return s;
      }
    }
    env.Replace(*gathered, std::move(out));
    return absl::OkStatus();
  }

  absl::Status Round(bool* changed) {
    for (auto& t : tables_) {
      t->seed_lo = t->seed_hi;
      t->seed_hi = t->seeds.rows();
      t->ans_lo = t->ans_hi;
      t->ans_hi = t->answers.rows();
      if (t->seed_hi > t->seed_lo || t->ans_hi > t->ans_lo) *changed = true;
    }
    if (!*changed) return absl::OkStatus();
    // Tables created during the round start in the next one.
    const size_t n = tables_.size();
    for (size_t i = 0; i < n; ++i) {
      Table& t = *tables_[i];
      for (size_t b = 0; b < t.bodies.size(); ++b) {
        Body& body = *t.bodies[b];
        if (t.seed_hi > t.seed_lo) {
          if (absl::Status s = Evaluate(t, body, t.seed_lo, t.seed_hi, nullptr); !s.ok()) return s;
        }
        for (const BodyCall& call : body.calls) {
          const Table* callee = FindTable(call.call->fn, call.src, call.mask);
          if (callee == nullptr || callee->ans_hi == callee->ans_lo || t.seed_hi == 0) continue;
          if (absl::Status s = Evaluate(t, body, 0, t.seed_hi, call.call); !s.ok()) return s;
        }
      }
    }
    return absl::OkStatus();
  }

  Table* FindTable(const Value& name, const Value& src, uint32_t mask) const {
    for (const auto& t : tables_) {
      if (t->mask == mask && t->name == name && t->src == src) return t.get();
    }
    return nullptr;
  }

  // The seeds [lo, hi) of t as a relation over the branch's head variables.
  static Rel SeedRel(const Table& t, const RuleBranch& branch, size_t lo, size_t hi) {
    Rel seeds;
    // Bound positions holding a head variable already seen: their seed
    // values must equal the first one's.
    std::vector<std::pair<size_t, size_t>> same;
    std::vector<bool> dup(t.bound_pos.size(), false);
    for (size_t k = 0; k < t.bound_pos.size(); ++k) {
      const int var = branch.head[static_cast<size_t>(t.bound_pos[k])];
      for (size_t j = 0; j < k && !dup[k]; ++j) {
        if (branch.head[static_cast<size_t>(t.bound_pos[j])] == var) {
          same.emplace_back(j, k);
          dup[k] = true;
        }
      }
      if (!dup[k]) seeds.vars.push_back(var);
    }
    for (size_t r = lo; r < hi; ++r) {
      const Value* s = t.seeds.row(r);
      bool ok = true;
      for (const auto& [x, y] : same) ok = ok && s[x] == s[y];
      if (!ok) continue;
      for (size_t k = 0; k < t.bound_pos.size(); ++k) {
        if (!dup[k]) seeds.cells.push_back(s[k]);
      }
      ++seeds.rows;
    }
    return seeds;
  }

  absl::Status RunBody(const Table& t, Body& body, size_t lo, size_t hi, bool delta, Scope& scope,
                       Env& env) {
    if (body.split == 0) {
      env.Add(SeedRel(t, *body.branch, lo, hi));
      return scope.RunInOrder(body.order, env);
    }
    const auto split = body.order.begin() + static_cast<std::ptrdiff_t>(body.split);
    const std::vector<const Clause*> rest(split, body.order.end());
    if (delta && lo == 0 && hi == body.prefix_hi) {
      env.Add(body.prefix);
      // The first call sees the rows it saw when they were new: it
      // registered their seeds then.
      seeded_call_ = rest.front();
      absl::Status s = scope.RunInOrder(rest, env);
      seeded_call_ = nullptr;
      return s;
    }
    env.Add(SeedRel(t, *body.branch, lo, hi));
    if (absl::Status s = scope.RunInOrder({body.order.begin(), split}, env); !s.ok()) return s;
    if (!delta && lo == body.prefix_hi) {
      if (absl::Status s = KeepPrefix(body, env, hi); !s.ok()) return s;
    }
    if (env.empty) return absl::OkStatus();
    return scope.RunInOrder(rest, env);
  }

  // The number of clauses before the first rule call of `order`, when
  // they only read the database; else 0.
  static size_t PureSplit(const std::vector<const Clause*>& order) {
    for (size_t i = 0; i < order.size(); ++i) {
      switch (order[i]->kind) {
        case ClauseKind::kPattern:
        case ClauseKind::kPred:
        case ClauseKind::kFn:
          continue;
        case ClauseKind::kRule:
          return i;
        default:
          return 0;
      }
    }
    return 0;
  }

  // Appends what body's prefix bound for seeds [.., hi) to body.prefix.
  absl::Status KeepPrefix(Body& body, Env& env, size_t hi) {
    if (!env.empty) {
      std::vector<int> vars;
      for (const Rel& rel : env.rels) vars.insert(vars.end(), rel.vars.begin(), rel.vars.end());
      absl::StatusOr<int> g = env.Gather(vars, ctx_, body.branch->form);
      if (!g.ok()) return g.status();
      if (*g < 0) {
        body.split = 0;
        return absl::OkStatus();
      }
      const Rel& rel = env.rels[static_cast<size_t>(*g)];
      if (body.prefix.rows == 0) body.prefix.vars = rel.vars;
      if (rel.vars == body.prefix.vars) {
        body.prefix.cells.insert(body.prefix.cells.end(), rel.cells.begin(), rel.cells.end());
        body.prefix.rows += rel.rows;
      } else if (std::is_permutation(rel.vars.begin(), rel.vars.end(), body.prefix.vars.begin(),
                                     body.prefix.vars.end())) {
        const Rel same_order = Project(rel, body.prefix.vars);
        body.prefix.cells.insert(body.prefix.cells.end(), same_order.cells.begin(),
                                 same_order.cells.end());
        body.prefix.rows += same_order.rows;
      } else {
        body.split = 0;
        return absl::OkStatus();
      }
    }
    body.prefix_hi = hi;
    return ctx_.CheckSize(body.prefix.bytes(), body.branch->form);
  }

  // Runs one body for seeds [lo, hi) of t, with `delta` (if set) reading
  // only its callee's answers new in the last round; adds what it derives.
  absl::Status Evaluate(Table& t, Body& body, size_t lo, size_t hi, const Clause* delta) {
    const RuleBranch& branch = *body.branch;
    Env env;
    const Clause* saved = delta_call_;
    delta_call_ = delta;
    Scope scope(ctx_, this, &branch.var_names, t.src);
    absl::Status s = RunBody(t, body, lo, hi, delta != nullptr, scope, env);
    delta_call_ = saved;
    if (!s.ok()) return s;
    if (env.empty) return absl::OkStatus();
    std::vector<int> head_vars;
    for (int v : branch.head) {
      if (!env.Bound(v)) {
        return absl::InvalidArgumentError(Cat("Rule ", branch.name.to_string(), "'s variable ",
                                              branch.var_names[static_cast<size_t>(v)],
                                              " is not bound by its body in ",
                                              branch.form.to_string()));
      }
      if (!Contains(head_vars, v)) head_vars.push_back(v);
    }
    absl::StatusOr<int> r = env.Gather(head_vars, ctx_, branch.form);
    if (!r.ok()) return r.status();
    const Rel& rel = env.rels[static_cast<size_t>(*r)];
    std::vector<int> cols;
    for (int v : branch.head) cols.push_back(rel.col(v));
    std::vector<Value> row(cols.size());
    for (size_t i = 0; i < rel.rows; ++i) {
      for (size_t k = 0; k < cols.size(); ++k) row[k] = rel.row(i)[cols[k]];
      AddAnswer(t, row.data());
    }
    return ctx_.CheckSize(t.answers.cells().size() * sizeof(Value), branch.form);
  }

  Ctx& ctx_;
  const RuleSet& rules_;
  std::vector<std::unique_ptr<Table>> tables_;
  const Clause* delta_call_ = nullptr;
  const Clause* seeded_call_ = nullptr;  // a call whose seeds are all registered
};

}  // namespace

absl::Status TopRuleHook::Call(const Clause& call, const Value& src, Env& env) {
  if (ctx_.rules == nullptr) {
    return ClauseError(Cat("Unknown rule '", call.fn.to_string(), "' (no rules given with %)"),
                       call);
  }
  if (ctx_.rule_depth >= kMaxDepth) {
    return ClauseError("Rules recurse through not or nested or too deeply (not stratified)", call);
  }
  ++ctx_.rule_depth;
  RuleEngine engine(ctx_, *ctx_.rules);
  absl::Status s = engine.Solve(call, src, env);
  --ctx_.rule_depth;
  return s;
}

}  // namespace accrete::internal::query
