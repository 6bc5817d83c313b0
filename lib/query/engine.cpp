#include "query/engine.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "accrete/edn.hpp"
#include "edn/str_cat.hpp"
#include "pull/pull.hpp"
#include "query/builtins.hpp"
#include "query/clauses.hpp"
#include "query/db_functions.hpp"

namespace accrete::internal::query {
namespace {

// A bounded map from query forms to their parses, shared by every thread.
template <typename T>
class FormCache {
 public:
  template <typename Make>
  absl::StatusOr<std::shared_ptr<const T>> Get(const Value& form, Make&& make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(form);
      if (it != map_.end()) return it->second;
    }
    absl::StatusOr<std::shared_ptr<const T>> made = make(form);
    if (!made.ok()) return made.status();
    std::lock_guard<std::mutex> lock(mu_);
    // Programs that build queries from data could fill it without end.
    if (map_.size() >= kMaxEntries) map_.clear();
    map_.emplace(form, *made);
    return made;
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::mutex mu_;
  absl::flat_hash_map<Value, std::shared_ptr<const T>> map_;
};

FormCache<ParsedQuery>& QueryCache() {
  static auto* cache = new FormCache<ParsedQuery>();
  return *cache;
}

FormCache<RuleSet>& RuleCache() {
  static auto* cache = new FormCache<RuleSet>();
  return *cache;
}

absl::Status InputError(const InBinding& in, std::string_view what) {
  return absl::InvalidArgumentError(Cat("Input ", in.form.to_string(), ": ", what));
}

// Binds the inputs to the :in clause: sources into ctx, values into env.
absl::Status BindInputs(const ParsedQuery& q, std::span<const QueryInput> inputs, Ctx& ctx,
                        Env& env) {
  if (inputs.size() != q.in.size()) {
    std::string in;
    for (const InBinding& b : q.in) in += (in.empty() ? "" : " ") + b.form.to_string();
    return absl::InvalidArgumentError(Cat("The query takes ", q.in.size(), " inputs (:in ", in,
                                          ") but was given ", inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InBinding& b = q.in[i];
    const QueryInput& input = inputs[i];
    if (b.kind == InBinding::Kind::kBlank) continue;
    if (b.kind == InBinding::Kind::kSrc) {
      Source src;
      if (input.db() != nullptr) {
        src.db = *input.db();
      } else if (input.value()->is_collection()) {
        src.coll = *input.value();
      } else {
        return InputError(b, "expected a database or a collection of tuples");
      }
      ctx.sources[b.src] = std::move(src);
      continue;
    }
    if (b.kind == InBinding::Kind::kRules) {
      if (input.value() == nullptr) return InputError(b, "expected rules, got a database");
      absl::StatusOr<std::shared_ptr<const RuleSet>> rules =
          RuleCache().Get(*input.value(), [](const Value& v) { return ParseRules(v); });
      if (!rules.ok()) return rules.status();
      ctx.rules = *std::move(rules);
      continue;
    }
    Rel rel;
    std::vector<int> cols;  // binding position -> column, -1 for `_`
    for (int v : b.vars) {
      cols.push_back(v >= 0 ? static_cast<int>(rel.vars.size()) : -1);
      if (v >= 0) rel.vars.push_back(v);
    }
    auto add_row = [&](std::span<const Value> values) {
      for (size_t k = 0; k < cols.size(); ++k) {
        if (cols[k] >= 0) rel.cells.push_back(values[k]);
      }
      ++rel.rows;
    };
    if (input.db() != nullptr) {
      if (b.kind != InBinding::Kind::kScalar)
        return InputError(b, "a database binds only to $ or ?var");
      // A Db for a variable: the log argument of tx-ids / tx-data.
      const Value sym = Value::Symbol(q.var_names[static_cast<size_t>(b.vars[0])]);
      Source src;
      src.db = *input.db();
      ctx.sources[sym] = std::move(src);
      const Value ref = SourceRef(sym);
      add_row(std::span<const Value>(&ref, 1));
    } else {
      const Value& v = *input.value();
      switch (b.kind) {
        case InBinding::Kind::kScalar:
          add_row(std::span<const Value>(&v, 1));
          break;
        case InBinding::Kind::kTuple:
          if (!v.is_sequential() || v.size() != b.vars.size()) {
            return InputError(b,
                              Cat("expected a tuple of ", b.vars.size(), ", got ", v.to_string()));
          }
          add_row(v.items());
          break;
        case InBinding::Kind::kColl:
          if (!v.is_collection())
            return InputError(b, Cat("expected a collection, got ", v.to_string()));
          for (const Value& item : v.items()) add_row(std::span<const Value>(&item, 1));
          break;
        case InBinding::Kind::kRel:
          if (!v.is_collection())
            return InputError(b, Cat("expected a relation, got ", v.to_string()));
          for (const Value& t : v.items()) {
            if (!t.is_sequential() || t.size() != b.vars.size()) {
              return InputError(b,
                                Cat("expected tuples of ", b.vars.size(), ", got ", t.to_string()));
            }
            add_row(t.items());
          }
          break;
        default:
          break;
      }
    }
    if (rel.vars.empty()) continue;
    std::vector<int> vars = rel.vars;
    if (absl::Status s = env.JoinIn(Project(rel, vars), ctx, b.form); !s.ok()) return s;
  }
  ctx.registry = &Registry::Global();
  for (const auto& [sym, src] : ctx.sources) {
    if (src.db && src.db->state()->config && src.db->state()->config->registry) {
      ctx.registry = src.db->state()->config->registry;
      break;
    }
  }
  return absl::OkStatus();
}

// The aggregate of one find element.
struct Aggregator {
  const BuiltinAggregate* builtin = nullptr;
  std::shared_ptr<const AggregateFunction> custom;
  std::vector<Value> params;
};

absl::StatusOr<Aggregator> ResolveAggregate(Ctx& ctx, const FindElem& e, const Rel& rel) {
  Aggregator agg;
  for (const Term& t : e.agg_params) {
    if (t.is_const()) {
      agg.params.push_back(t.value);
    } else {
      const int col = rel.col(t.var);
      agg.params.push_back(col >= 0 && rel.rows > 0 ? rel.row(0)[col] : Value());
    }
  }
  const std::string_view name = e.agg.qualified_name();
  if (e.agg.ns().empty()) {
    agg.builtin = FindAggregate(name, static_cast<int>(agg.params.size()));
    if (agg.builtin != nullptr) return agg;
  } else if (ctx.registry != nullptr) {
    if (absl::Status s = ctx.registry->CheckAllowed(name); !s.ok()) {
      return absl::Status(s.code(), Cat(s.message(), " in ", e.form.to_string()));
    }
    agg.custom = ctx.registry->FindAggregate(name);
    if (agg.custom != nullptr) return agg;
  }
  return absl::NotFoundError(
      Cat("Unknown aggregate ", e.form.to_string(), e.agg.ns().empty() ? "" : " (not registered)"));
}

absl::StatusOr<Value> RunAggregate(const Aggregator& agg, const FindElem& e,
                                   std::span<const Value> values) {
  absl::StatusOr<Value> r;
  if (agg.builtin != nullptr) {
    r = agg.builtin->fn(agg.params, values);
  } else {
    try {
      r = (*agg.custom)(agg.params, values);
    } catch (const std::exception& ex) {
      return absl::InternalError(Cat("Aggregate ", e.agg.to_string(), " threw: ", ex.what()));
    } catch (...) {
      return absl::InternalError(Cat("Aggregate ", e.agg.to_string(), " threw an exception"));
    }
  }
  if (!r.ok()) {
    return absl::Status(r.status().code(), Cat(e.form.to_string(), ": ", r.status().message()));
  }
  return r;
}

// Computes the find elements' values from the where clauses' bindings.
absl::StatusOr<QueryResult> Find(const ParsedQuery& q, Ctx& ctx, Env& env) {
  const size_t width = q.find.size();
  if (env.empty) return QueryResult(q.shape, width, {}, q.keys);
  std::vector<int> needed;
  auto need = [&](int v) {
    if (v >= 0 && std::find(needed.begin(), needed.end(), v) == needed.end()) needed.push_back(v);
  };
  for (const FindElem& e : q.find) {
    need(e.var);
    need(e.pull_input);
    for (const Term& t : e.agg_params) need(t.var);
  }
  for (int v : q.with) need(v);
  for (int v : needed) {
    if (!env.Bound(v)) {
      return absl::InvalidArgumentError(Cat("Find variable ", q.var_names[static_cast<size_t>(v)],
                                            " is not bound by the where clauses of ",
                                            q.form.to_string()));
    }
  }
  absl::StatusOr<int> gathered = env.Gather(needed, ctx, q.form);
  if (!gathered.ok()) return gathered.status();
  // Distinct rows holding exactly the needed variables need no projection.
  Rel& bound = env.rels[static_cast<size_t>(*gathered)];
  std::vector<int> have = bound.vars;
  std::vector<int> want = needed;
  std::sort(have.begin(), have.end());
  std::sort(want.begin(), want.end());
  Rel projected;
  if (!bound.distinct || have != want) projected = Project(bound, needed);
  Rel& rel = bound.distinct && have == want ? bound : projected;
  std::vector<int> col;
  for (const FindElem& e : q.find) col.push_back(rel.col(e.var));

  // Pull patterns given as inputs are parsed once per run.
  std::vector<std::shared_ptr<const PullPattern>> pulls(width);
  std::vector<const Db*> pull_dbs(width, nullptr);
  for (size_t i = 0; i < width; ++i) {
    const FindElem& e = q.find[i];
    if (e.kind != FindElem::Kind::kPull) continue;
    const Source* src = ctx.FindSource(e.pull_src);
    if (src == nullptr || !src->db) {
      return absl::InvalidArgumentError(
          Cat("pull needs a database source in ", e.form.to_string()));
    }
    pull_dbs[i] = &*src->db;
    if (e.pull != nullptr) {
      pulls[i] = e.pull;
    } else if (rel.rows > 0) {
      absl::StatusOr<std::shared_ptr<const PullPattern>> parsed =
          ParsePullPattern(rel.row(0)[rel.col(e.pull_input)]);
      if (!parsed.ok()) return parsed.status();
      pulls[i] = *std::move(parsed);
    }
  }
  auto element = [&](size_t i, const Value* row) -> absl::StatusOr<Value> {
    const Value& v = row[col[i]];
    if (q.find[i].kind != FindElem::Kind::kPull) return v;
    if (!v.is_integer()) {
      return absl::InvalidArgumentError(
          Cat("pull needs an entity id, got ", v.to_string(), " in ", q.find[i].form.to_string()));
    }
    return PullEntity(*pull_dbs[i], *pulls[i], v.as_int());
  };

  std::vector<Value> cells;
  if (!q.has_aggregates) {
    const bool single =
        q.shape == QueryResult::Shape::kTuple || q.shape == QueryResult::Shape::kScalar;
    // With :with the projection keeps duplicates of the find elements;
    // without, rel's rows are already distinct.
    const size_t rows = single ? std::min<size_t>(rel.rows, 1) : rel.rows;
    bool plain = true;  // no pulls: the find elements are columns of rel
    for (const FindElem& e : q.find) plain = plain && e.kind == FindElem::Kind::kVar;
    if (plain) {
      bool in_place = rel.width() == width;
      for (size_t i = 0; i < width && in_place; ++i) in_place = col[i] == static_cast<int>(i);
      if (in_place && !single) {
        return QueryResult(q.shape, width, std::move(rel.cells), q.keys);
      }
      cells.reserve(rows * width);
      for (size_t r = 0; r < rows; ++r) {
        const Value* row = rel.row(r);
        for (size_t i = 0; i < width; ++i) cells.push_back(row[col[i]]);
      }
      return QueryResult(q.shape, width, std::move(cells), q.keys);
    }
    // Each pull column is pulled for all rows at once (one read
    // transaction and cursor per index for them all).
    std::vector<std::vector<Value>> pulled(width);
    for (size_t i = 0; i < width; ++i) {
      if (q.find[i].kind != FindElem::Kind::kPull) continue;
      std::vector<EntityId> ids;
      ids.reserve(rows);
      for (size_t r = 0; r < rows; ++r) {
        const Value& v = rel.row(r)[col[i]];
        if (!v.is_integer()) {
          return absl::InvalidArgumentError(Cat("pull needs an entity id, got ", v.to_string(),
                                                " in ", q.find[i].form.to_string()));
        }
        ids.push_back(v.as_int());
      }
      absl::StatusOr<std::vector<Value>> values = PullEntities(*pull_dbs[i], *pulls[i], ids);
      if (!values.ok()) return values.status();
      pulled[i] = *std::move(values);
    }
    cells.reserve(rows * width);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < width; ++i) {
        cells.push_back(pulled[i].empty() ? Value(rel.row(r)[col[i]]) : std::move(pulled[i][r]));
      }
    }
    return QueryResult(q.shape, width, std::move(cells), q.keys);
  }

  // Aggregates: group the rows by the other find elements.
  std::vector<size_t> group_elems;
  std::vector<size_t> agg_elems;
  for (size_t i = 0; i < width; ++i) {
    (q.find[i].kind == FindElem::Kind::kAggregate ? agg_elems : group_elems).push_back(i);
  }
  std::vector<Aggregator> aggs;
  for (size_t i : agg_elems) {
    absl::StatusOr<Aggregator> agg = ResolveAggregate(ctx, q.find[i], rel);
    if (!agg.ok()) return agg.status();
    aggs.push_back(*std::move(agg));
  }
  const size_t nkey = group_elems.size();
  std::vector<Value> group_keys;             // flat, nkey per group
  std::vector<std::vector<size_t>> members;  // group -> rows of rel
  absl::flat_hash_map<uint64_t, std::vector<size_t>> by_hash;
  std::vector<Value> key(nkey);
  for (size_t r = 0; r < rel.rows; ++r) {
    for (size_t k = 0; k < nkey; ++k) key[k] = rel.row(r)[col[group_elems[k]]];
    std::vector<size_t>& candidates = by_hash[HashCells(key.data(), nullptr, nkey)];
    size_t g = SIZE_MAX;
    for (size_t cand : candidates) {
      bool eq = true;
      for (size_t k = 0; k < nkey && eq; ++k) eq = group_keys[cand * nkey + k] == key[k];
      if (eq) {
        g = cand;
        break;
      }
    }
    if (g == SIZE_MAX) {
      g = members.size();
      members.emplace_back();
      group_keys.insert(group_keys.end(), key.begin(), key.end());
      candidates.push_back(g);
    }
    members[g].push_back(r);
  }
  if (group_elems.empty() && rel.rows == 0) return QueryResult(q.shape, width, {}, q.keys);
  std::vector<Value> values;
  for (size_t g = 0; g < members.size(); ++g) {
    if (absl::Status s = ctx.Tick(); !s.ok()) return s;
    const size_t first = members[g].front();
    for (size_t i = 0; i < width; ++i) {
      const FindElem& e = q.find[i];
      if (e.kind != FindElem::Kind::kAggregate) {
        absl::StatusOr<Value> v = element(i, rel.row(first));
        if (!v.ok()) return v.status();
        cells.push_back(*std::move(v));
        continue;
      }
      values.clear();
      for (size_t r : members[g]) values.push_back(rel.row(r)[col[i]]);
      const size_t a =
          static_cast<size_t>(std::find(agg_elems.begin(), agg_elems.end(), i) - agg_elems.begin());
      absl::StatusOr<Value> v = RunAggregate(aggs[a], e, values);
      if (!v.ok()) return v.status();
      cells.push_back(*std::move(v));
    }
    if (q.shape == QueryResult::Shape::kTuple || q.shape == QueryResult::Shape::kScalar) break;
  }
  return QueryResult(q.shape, width, std::move(cells), q.keys);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ParsedQuery>> CachedParse(const Value& form) {
  return QueryCache().Get(form, [](const Value& f) { return ParseQuery(f); });
}

absl::StatusOr<QueryResult> Execute(const ParsedQuery& q, std::span<const QueryInput> inputs,
                                    const QueryOptions& options, int depth) {
  if (depth >= kMaxDepth) return absl::InvalidArgumentError("Queries nested too deeply");
  Ctx ctx(options, depth);
  Env env;
  if (absl::Status s = BindInputs(q, inputs, ctx, env); !s.ok()) return s;
  TopRuleHook hook(ctx);
  Scope scope(ctx, &hook, &q.var_names);
  if (absl::Status s = scope.Run(q.where, env); !s.ok()) return s;
  return Find(q, ctx, env);
}

absl::StatusOr<Value> ExplainPlan(const ParsedQuery& q, std::span<const QueryInput> inputs) {
  QueryOptions options;
  Ctx ctx(options, 0);
  Env env;
  if (absl::Status s = BindInputs(q, inputs, ctx, env); !s.ok()) return s;
  std::vector<int> bound;
  double rows = 1;
  for (const Rel& rel : env.rels) {
    bound.insert(bound.end(), rel.vars.begin(), rel.vars.end());
    rows *= static_cast<double>(std::max<size_t>(rel.rows, 1));
  }
  Scope scope(ctx, nullptr, &q.var_names);
  absl::StatusOr<std::vector<PlanStep>> steps = scope.PlanStatic(q.where, bound, rows);
  if (!steps.ok()) return steps.status();
  std::vector<Value> out;
  for (const PlanStep& step : *steps) {
    // Estimates multiply and can pass int64's range; converting such a
    // double is undefined, so the plan reports the clamped figure.
    const double kMaxRows = 9.0e18;
    const int64_t rows_estimate = step.estimate < kMaxRows ? static_cast<int64_t>(step.estimate)
                                                           : static_cast<int64_t>(kMaxRows);
    out.push_back(Value::Map({{Value::Keyword("clause"), step.clause->form},
                              {Value::Keyword("strategy"), Value::String(step.strategy)},
                              {Value::Keyword("rows"), Value::Integer(rows_estimate)}}));
  }
  return Value::Vector(std::move(out));
}

}  // namespace accrete::internal::query
