// The state of one query run that every part of the engine shares: its
// sources, rules, deadline and memory budget, and the binding environment
// clauses join into.
#ifndef ACCRETE_LIB_QUERY_CONTEXT_HPP_
#define ACCRETE_LIB_QUERY_CONTEXT_HPP_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "accrete/ion.hpp"
#include "accrete/query.hpp"
#include "db/db_state.hpp"
#include "query/ast.hpp"
#include "query/relation.hpp"

namespace accrete::internal::query {

inline constexpr int kMaxDepth = 32;

// A data source: a Db, or a collection of tuples matched positionally.
struct Source {
  std::optional<Db> db;
  Value coll;
};

class Ctx {
 public:
  Ctx(const QueryOptions& options, int depth);

  const QueryOptions& options;
  absl::Time deadline;
  int depth;
  const Registry* registry = nullptr;
  // By symbol: `$`, `$name`, or a variable bound to a Db (a log for tx-ids).
  absl::flat_hash_map<Value, Source> sources;
  std::shared_ptr<const RuleSet> rules;
  // Rule evaluations in progress, one inside another (through not).
  int rule_depth = 0;

  // Deadline and cancellation, checked cheaply every so many calls.
  absl::Status Tick() {
    if ((++ticks_ & 1023) != 0) return absl::OkStatus();
    return Check();
  }
  absl::Status Check() const;
  // For relational operators: true once the query must stop (deadline,
  // cancellation, or `bytes` past the budget).
  bool ShouldStop(size_t bytes) const { return bytes > options.memory_budget || !Check().ok(); }
  // Joins a and b, or fails with why the join had to stop.
  absl::StatusOr<Rel> JoinChecked(const Rel& a, const Rel& b, const Value& where) const;
  // ResourceExhausted when a relation of `bytes` would pass the budget.
  absl::Status CheckSize(size_t bytes, const Value& where) const;

  const Source* FindSource(const Value& sym) const {
    auto it = sources.find(sym);
    return it == sources.end() ? nullptr : &it->second;
  }
  // Datom and distinct value counts of an attribute, cached per run.
  AttrStats Stats(const DbState& db, uint64_t attr);

 private:
  uint64_t ticks_ = 0;
  absl::flat_hash_map<std::pair<const void*, uint64_t>, AttrStats> stats_;
};

// The bindings of one scope: disjoint relations over its variables. A
// relation without rows makes the whole scope empty.
struct Env {
  std::vector<Rel> rels;
  bool empty = false;

  int RelOf(int var) const {
    for (size_t i = 0; i < rels.size(); ++i) {
      if (rels[i].col(var) >= 0) return static_cast<int>(i);
    }
    return -1;
  }
  bool Bound(int var) const { return RelOf(var) >= 0; }
  void Add(Rel rel) {
    if (rel.rows == 0) empty = true;
    rels.push_back(std::move(rel));
  }
  // Merges the relations holding any of `vars` into one (their product) and
  // returns its index, or -1 when none is bound.
  absl::StatusOr<int> Gather(const std::vector<int>& vars, Ctx& ctx, const Value& where);
  // Joins `rel` into the relations it shares variables with (or adds it).
  absl::Status JoinIn(Rel rel, Ctx& ctx, const Value& where);
  // Replaces relation `i` (or adds, when i < 0) with `rel`.
  void Replace(int i, Rel rel) {
    if (rel.rows == 0) empty = true;
    if (i < 0) {
      rels.push_back(std::move(rel));
    } else {
      rels[static_cast<size_t>(i)] = std::move(rel);
    }
  }
};

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_CONTEXT_HPP_
