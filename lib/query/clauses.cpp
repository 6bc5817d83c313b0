#include "query/clauses.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "db/scan.hpp"
#include "edn/str_cat.hpp"
#include "query/builtins.hpp"
#include "query/column_cache.hpp"
#include "query/db_functions.hpp"
#include "store/encoding.hpp"

namespace accrete::internal::query {
namespace {

// Relative costs of moving a cursor to the next entry and of seeking. A
// seek lands on a page the last one rarely touched, so it costs cache misses
// all the way down the tree; measured on the people data a seek costs about
// as much as fifty steps of a scan.
constexpr double kSeekCost = 50;
constexpr double kNextCost = 1;
// A hash join also decodes and hashes every entry it scans.
constexpr double kHashCost = 3;
// Estimates for clauses the counts cannot size.
constexpr double kUnknownAttrRows = 1e8;
constexpr double kUnboundRuleRows = 1e7;

absl::Status ClauseError(std::string_view what, const Clause& c) {
  return absl::InvalidArgumentError(Cat(what, " in clause ", c.form.to_string()));
}

absl::Status UnknownSource(const Value& src, const Clause& c) {
  return ClauseError(Cat("Unknown source ", src.to_string(), " (not bound in :in)"), c);
}

bool Contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// ---- Pattern positions and probes -----------------------------------------

enum Pos { kE = 0, kA = 1, kV = 2, kTx = 3, kAdded = 4 };

// The positions of a data pattern fixed for one index scan.
struct Probe {
  bool has_e = false;
  uint64_t e = 0;
  const Attribute* attr = nullptr;  // set when a is fixed
  bool has_v = false;
  Value v;
  std::string v_enc;  // v encoded for attr, when both are fixed
  bool has_tx = false;
  int64_t tx = 0;
  bool has_added = false;
  bool added = true;
  // A range on v (pushed down from comparisons), as encodings for attr.
  bool has_lo = false;
  bool lo_inclusive = true;
  std::string lo;
  bool has_hi = false;
  bool hi_inclusive = true;
  std::string hi;
  // A fixed position that names nothing (an unknown ident, a value of the
  // wrong type): the probe matches no datom.
  bool none = false;
};

// Resolves entity references quickly for the common case (an id).
bool EntityOf(const DbState& db, const Value& v, uint64_t* out, absl::Status* error) {
  if (v.is_integer()) {
    if (v.as_int() < 0) return false;
    *out = static_cast<uint64_t>(v.as_int());
    return true;
  }
  if (!v.is_keyword() && !v.is_sequential()) return false;
  absl::StatusOr<EntityId> e = Resolve(db, v);
  if (!e.ok()) {
    if (!absl::IsNotFound(e.status())) *error = e.status();
    return false;
  }
  *out = static_cast<uint64_t>(*e);
  return true;
}

// Sets a probe position from a value. False when the value can match
// nothing; `error` is set for a malformed value (e.g. an unknown attribute
// given as a constant).
bool SetPosition(const DbState& db, Probe* p, int pos, const Value& v, bool constant,
                 const Clause& c, absl::Status* error) {
  switch (pos) {
    case kE:
      p->has_e = true;
      return EntityOf(db, v, &p->e, error);
    case kA: {
      const Attribute* attr = nullptr;
      if (v.is_keyword()) {
        attr = db.schema->Find(v);
      } else if (v.is_integer()) {
        attr = db.schema->Find(v.as_int());
      }
      if (attr == nullptr) {
        if (constant) {
          *error = absl::InvalidArgumentError(
              Cat("Unknown attribute ", v.to_string(), " in clause ", c.form.to_string()));
        }
        return false;
      }
      p->attr = attr;
      return true;
    }
    case kV:
      p->has_v = true;
      p->v = v;
      return true;
    case kTx:
      if (!v.is_integer()) return false;
      p->has_tx = true;
      p->tx = PartitionOf(v.as_int()) == kPartTx ? v.as_int() : TToTx(v.as_int());
      return true;
    case kAdded:
      if (!v.is_boolean()) return false;
      p->has_added = true;
      p->added = v.as_bool();
      return true;
    default:
      return false;
  }
}

// Encodes the probe's v for its attribute. False (no match) when the value
// cannot be a value of the attribute; for a constant, that is an error.
bool EncodeProbeValue(const DbState& db, Probe* p, bool constant, const Clause& c,
                      absl::Status* error) {
  p->v_enc.clear();
  if (p->attr->is_ref() && !p->v.is_integer()) {
    uint64_t e = 0;
    if (!EntityOf(db, p->v, &e, error)) return false;
    return EncodeValue(Value::Integer(static_cast<int64_t>(e)), p->attr->spec, &p->v_enc).ok();
  }
  absl::Status s = EncodeValue(p->v, p->attr->spec, &p->v_enc);
  if (!s.ok()) {
    if (constant) *error = ClauseError(Cat(s.message()), c);
    return false;
  }
  return true;
}

// A comparison on a pattern's value variable that can narrow its scan.
struct RangeBound {
  std::string_view op;  // "<" "<=" ">" ">="
  Value bound;          // the other side
};

std::string_view FlipOp(std::string_view op) {
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "<=") return ">=";
  return "<=";
}

void ApplyRange(Probe* p, std::string_view op, std::string enc) {
  const bool lower = op == ">" || op == ">=";
  const bool inclusive = op == ">=" || op == "<=";
  if (lower) {
    if (!p->has_lo || enc > p->lo || (enc == p->lo && !inclusive)) {
      p->has_lo = true;
      p->lo = std::move(enc);
      p->lo_inclusive = inclusive;
    }
  } else if (!p->has_hi || enc < p->hi || (enc == p->hi && !inclusive)) {
    p->has_hi = true;
    p->hi = std::move(enc);
    p->hi_inclusive = inclusive;
  }
}

// Scans the datoms a probe fixes, reusing one RawScan per index.
class Scanner {
 public:
  Scanner(Ctx& ctx, const Db& db) : ctx_(ctx), db_(db), state_(*db.state()) {}

  // Calls fn(datom) for each datom matching `p` until fn returns false.
  template <typename Fn>
  absl::Status Scan(const Probe& p, Fn&& fn) {
    if (p.none) return absl::OkStatus();
    Index index;
    key_.clear();
    bool compare_full_v = false;  // the key holds only a long value's prefix
    bool filter_v = p.has_v;      // v must be compared after the scan
    std::string_view start;
    bool key_has_v = false;  // the value ends the key (looked up below)
    if (p.has_e) {
      index = Index::kEavt;
      AppendId(&key_, p.e);
      if (p.attr != nullptr) {
        AppendId(&key_, static_cast<uint64_t>(p.attr->id));
        if (p.has_v) {
          key_has_v = true;
        }
      }
    } else if (p.attr != nullptr && (p.has_v || p.has_lo || p.has_hi)) {
      index = Index::kAvet;
      AppendId(&key_, static_cast<uint64_t>(p.attr->id));
      if (p.has_v) {
        key_has_v = true;
      } else if (p.has_lo) {
        start_ = key_;
        AppendValuePrefix(&start_, p.lo);
        start = start_;
      }
    } else if (p.attr != nullptr) {
      index = Index::kAevt;
      AppendId(&key_, static_cast<uint64_t>(p.attr->id));
    } else {
      index = Index::kEavt;
    }
    if (key_has_v) {
      absl::StatusOr<ValueMatch> m = AppendLookupValue(state_, &key_, p.v_enc);
      if (!m.ok()) return m.status();
      if (*m == ValueMatch::kAbsent) return absl::OkStatus();
      compare_full_v = *m == ValueMatch::kPrefix;
      filter_v = false;
    }
    absl::StatusOr<RawScan*> scan = ScanOf(index, start);
    if (!scan.ok()) return scan.status();
    return Drain(*scan, index, p, compare_full_v, filter_v, fn);
  }

  // Walks the entries of the probe's attribute (AEVT, or AVET when its value
  // is fixed) in entity order, once, calling fn(i, datom) for each datom
  // whose entity is targets[i] (ascending, distinct). A target far ahead is
  // reached by seeking rather than stepping.
  template <typename Fn>
  absl::Status Merge(const Probe& p, std::span<const uint64_t> targets, Fn&& fn) {
    if (p.none || targets.empty()) return absl::OkStatus();
    absl::StatusOr<std::shared_ptr<const Column>> column = ColumnFor(p, targets.size());
    if (!column.ok()) return column.status();
    if (*column != nullptr) return MergeColumn(p, **column, targets, fn);
    constexpr int kMaxSteps = 8;  // a seek within the current leaf page costs about this much
    key_.clear();
    AppendId(&key_, static_cast<uint64_t>(p.attr->id));
    Index index = Index::kAevt;
    bool compare_full_v = false;
    if (p.has_v) {
      index = Index::kAvet;
      absl::StatusOr<ValueMatch> m = AppendLookupValue(state_, &key_, p.v_enc);
      if (!m.ok()) return m.status();
      if (*m == ValueMatch::kAbsent) return absl::OkStatus();
      compare_full_v = *m == ValueMatch::kPrefix;
    }
    auto seek_to = [&](uint64_t e) {
      start_ = key_;
      if (index == Index::kAvet) {
        AppendTailId(&start_, e);
      } else {
        AppendId(&start_, e);
      }
    };
    seek_to(targets.front());
    absl::StatusOr<RawScan*> opened = ScanOf(index, start_);
    if (!opened.ok()) return opened.status();
    RawScan* scan = *opened;
    const bool plain = scan->plain();
    size_t i = 0;
    int steps = 0;
    while (true) {
      if (plain) {
        // Skip to the target reading keys only.
        seek_to(targets[i]);
        scan->SkipTo(targets[i], start_, kMaxSteps);
      }
      if (!scan->Next()) break;
      const RawDatom& d = scan->datom();
      if (absl::Status s = ctx_.Tick(); !s.ok()) return s;
      while (i < targets.size() && targets[i] < d.e) ++i;
      if (i == targets.size()) break;
      if (d.e < targets[i]) {
        if (++steps > kMaxSteps) {
          steps = 0;
          seek_to(targets[i]);
          scan->Restart(key_, start_);
        }
        continue;
      }
      steps = 0;
      if (!Passes(p, d, compare_full_v, false)) continue;
      fn(i, d);
    }
    return scan->status();
  }

 private:
  // The column of the probe's attribute when one is cached, or worth
  // making: when the targets are dense (one per 32 datoms of the attribute
  // or more: the merge steps through most entries anyway), derived from the
  // column of a recent basis, or built when this db value asked for it
  // before (column_cache.hpp, DeriveColumn and WantColumn).
  absl::StatusOr<std::shared_ptr<const Column>> ColumnFor(const Probe& p, size_t targets) {
    if (!ColumnViewable(state_)) return std::shared_ptr<const Column>();
    const auto attr = static_cast<uint64_t>(p.attr->id);
    if (std::shared_ptr<const Column> cached = FindColumn(state_, attr)) return cached;
    const uint64_t datoms = ctx_.Stats(state_, attr).datoms;
    if (datoms > kMaxColumnDatoms || targets * 32 < datoms) return std::shared_ptr<const Column>();
    absl::StatusOr<std::shared_ptr<const Column>> derived = DeriveColumn(state_, attr);
    if (!derived.ok() || *derived != nullptr) return derived;
    if (!WantColumn(state_, attr)) return std::shared_ptr<const Column>();
    return BuildColumn(state_, attr);
  }

  // Merge through a column: each target is a search in the column, and
  // every datom of a target's entity passes the probe's conditions.
  template <typename Fn>
  absl::Status MergeColumn(const Probe& p, const Column& column, std::span<const uint64_t> targets,
                           Fn&& fn) {
    RawDatom d;
    d.a = static_cast<uint64_t>(p.attr->id);
    Column::Pos at;
    for (size_t i = 0; i < targets.size() && !column.at_end(at); ++i) {
      if (absl::Status s = ctx_.Tick(); !s.ok()) return s;
      at = column.LowerBound(targets[i], at);
      // The target's datoms, within a chunk and, rarely, on into the next.
      while (!column.at_end(at)) {
        const Column::Chunk& chunk = column.chunk(at);
        for (; at.i < chunk.size() && chunk.e(at.i) == targets[i]; ++at.i) {
          d.e = targets[i];
          d.v = chunk.v(at.i);
          d.tx = chunk.tx(at.i);
          d.value = &chunk.value(at.i);
          // The column holds full values: a fixed v compares whole.
          if (Passes(p, d, /*compare_full_v=*/p.has_v, false)) fn(i, d);
        }
        if (at.i < chunk.size()) break;
        at = Column::Pos{at.chunk + 1, 0};
      }
    }
    return absl::OkStatus();
  }

  // The scan of `index`, positioned at key_ (from `start` when given): one
  // RawScan per index, restarted for each probe.
  absl::StatusOr<RawScan*> ScanOf(Index index, std::string_view start) {
    auto& slot = scans_[static_cast<int>(index)];
    if (slot == nullptr) {
      absl::StatusOr<std::unique_ptr<RawScan>> opened =
          RawScan::Open(state_, index, key_, false, start);
      if (!opened.ok()) return opened.status();
      slot = *std::move(opened);
    } else {
      slot->Restart(key_, start);
    }
    return slot.get();
  }

  // The probe's conditions the index key did not already apply.
  bool Passes(const Probe& p, const RawDatom& d, bool compare_full_v, bool filter_v) {
    if (p.has_hi) {
      const int c = d.v.compare(p.hi);
      if (c > 0 || (c == 0 && !p.hi_inclusive)) return false;
    }
    if (p.has_lo) {
      const int c = d.v.compare(p.lo);
      if (c < 0 || (c == 0 && !p.lo_inclusive)) return false;
    }
    if (compare_full_v && d.v != p.v_enc) return false;
    if (filter_v && !ValueMatches(p, d)) return false;
    if (p.has_tx && d.tx != p.tx) return false;
    if (p.has_added && d.added != p.added) return false;
    return true;
  }

  template <typename Fn>
  absl::Status Drain(RawScan* scan, Index index, const Probe& p, bool compare_full_v, bool filter_v,
                     Fn&& fn) {
    while (scan->Next()) {
      const RawDatom& d = scan->datom();
      if (absl::Status s = ctx_.Tick(); !s.ok()) return s;
      // An AVET range ends at its upper bound.
      if (index == Index::kAvet && p.has_hi && !p.has_v) {
        const int c = d.v.compare(p.hi);
        if (c > 0 || (c == 0 && !p.hi_inclusive)) break;
      }
      if (!Passes(p, d, compare_full_v, filter_v)) continue;
      if (!fn(d)) break;
    }
    return scan->status();
  }

 public:
  // The value of a datom as a query value (refs as entity ids).
  const Value& Decode(std::string_view v) {
    DecodeValueInto(v, &decoded_, &scratch_);
    return decoded_;
  }

  const Db& db() const { return db_; }
  const DbState& state() const { return state_; }

 private:
  bool ValueMatches(const Probe& p, const RawDatom& d) {
    if (p.attr != nullptr) return d.v == p.v_enc;
    const Value& v = Decode(d.v);
    if (v == p.v) return true;
    // A ref compared with an ident or a lookup ref.
    const Attribute* attr = state_.schema->Find(static_cast<EntityId>(d.a));
    if (attr != nullptr && attr->is_ref() && !p.v.is_integer()) {
      absl::Status ignored;
      uint64_t e = 0;
      return EntityOf(state_, p.v, &e, &ignored) && v.is_integer() &&
             static_cast<uint64_t>(v.as_int()) == e;
    }
    return false;
  }

  Ctx& ctx_;
  const Db& db_;
  const DbState& state_;
  std::unique_ptr<RawScan> scans_[4];
  std::string key_;
  std::string start_;
  Value decoded_;
  std::string scratch_;
};

// The variables a pattern binds, in position order, each once; and for each
// position the column it fills (-1: none or a repeat checked for equality).
struct PatternVars {
  std::vector<int> vars;
  int col[5] = {-1, -1, -1, -1, -1};
  int repeat_of[5] = {-1, -1, -1, -1, -1};  // earlier position with the same var
};

PatternVars VarsOf(const Clause& c, const std::vector<int>& skip) {
  PatternVars pv;
  for (size_t i = 0; i < c.terms.size(); ++i) {
    const Term& t = c.terms[i];
    if (!t.is_var() || Contains(skip, t.var)) continue;
    for (size_t j = 0; j < i; ++j) {
      if (c.terms[j].is_var() && c.terms[j].var == t.var) {
        pv.repeat_of[i] = static_cast<int>(j);
        break;
      }
    }
    if (pv.repeat_of[i] >= 0) continue;
    pv.col[i] = static_cast<int>(pv.vars.size());
    pv.vars.push_back(t.var);
  }
  return pv;
}

// Writes the pattern's unbound variables for datom `d` into `out` (width
// pv.vars.size()); false when a repeated variable's values differ.
bool EmitDatom(Scanner& scanner, const Clause& c, const PatternVars& pv, const RawDatom& d,
               Value* out) {
  for (size_t i = 0; i < c.terms.size(); ++i) {
    const int col = pv.col[i];
    const int rep = pv.repeat_of[i];
    if (col < 0 && rep < 0) continue;
    Value v;
    switch (i) {
      case kE:
        v = Value::Integer(static_cast<int64_t>(d.e));
        break;
      case kA:
        v = Value::Integer(static_cast<int64_t>(d.a));
        break;
      case kV:
        v = d.value != nullptr ? *d.value : scanner.Decode(d.v);
        break;
      case kTx:
        v = Value::Integer(d.tx);
        break;
      default:
        v = Value::Boolean(d.added);
        break;
    }
    if (col >= 0) {
      out[col] = std::move(v);
    } else if (out[pv.col[rep]] != v) {
      return false;
    }
  }
  return true;
}

// Whether the datoms one scan of the pattern finds give distinct rows: e, a
// and v each fixed or bound to a variable (a datom's [e a v] is unique
// outside history dbs).
bool PatternDistinct(const Clause& c, const Db& db) {
  if (db.is_history() || c.terms.size() < 3) return false;
  for (int pos : {kE, kA, kV}) {
    if (c.terms[static_cast<size_t>(pos)].kind == Term::Kind::kBlank) return false;
  }
  return true;
}

// An Env viewed by the planner with actual sizes.
class EnvView : public PlanView {
 public:
  explicit EnvView(const Env& env) : env_(env) {}
  bool Bound(int var) const override { return env_.Bound(var); }
  double Rows(const std::vector<int>& vars) const override {
    double rows = 1;
    std::vector<int> seen;
    for (int v : vars) {
      const int r = env_.RelOf(v);
      if (r < 0 || Contains(seen, r)) continue;
      seen.push_back(r);
      rows *= static_cast<double>(env_.rels[static_cast<size_t>(r)].rows);
    }
    return rows;
  }

 private:
  const Env& env_;
};

// Bound variables and one estimate of the rows binding them.
class StaticView : public PlanView {
 public:
  bool Bound(int var) const override { return Contains(bound, var); }
  double Rows(const std::vector<int>& vars) const override {
    for (int v : vars) {
      if (Contains(bound, v)) return rows;
    }
    return 1;
  }
  std::vector<int> bound;
  double rows = 1;
};

bool IsComparison(std::string_view op) {
  return op == "<" || op == ">" || op == "<=" || op == ">=";
}

}  // namespace

void TermValues(const std::vector<Term>& terms, const Rel* rel, size_t row,
                std::vector<Value>* out) {
  out->clear();
  for (const Term& t : terms) {
    if (t.is_var() && rel != nullptr) {
      const int col = rel->col(t.var);
      out->push_back(col >= 0 ? rel->row(row)[col] : Value());
    } else if (t.is_const()) {
      out->push_back(t.value);
    } else {
      out->push_back(Value());
    }
  }
}

// ---- Env -------------------------------------------------------------------

Ctx::Ctx(const QueryOptions& options, int depth)
    : options(options),
      deadline(options.timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                           : absl::Now() + options.timeout),
      depth(depth) {}

absl::Status Ctx::Check() const {
  if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
    return absl::CancelledError("Query cancelled");
  }
  if (deadline != absl::InfiniteFuture() && absl::Now() > deadline) {
    return absl::DeadlineExceededError(
        Cat("Query timed out after ", absl::FormatDuration(options.timeout)));
  }
  return absl::OkStatus();
}

absl::Status Ctx::CheckSize(size_t bytes, const Value& where) const {
  if (bytes <= options.memory_budget) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      Cat("Query exceeds its memory budget of ", options.memory_budget,
          " bytes (QueryOptions::memory_budget) at ", where.to_string()));
}

AttrStats Ctx::Stats(const DbState& db, uint64_t attr) {
  auto key = std::make_pair(static_cast<const void*>(db.store.get()), attr);
  auto it = stats_.find(key);
  if (it != stats_.end()) return it->second;
  AttrStats stats;
  absl::StatusOr<Snapshot> snapshot = db.store->Read();
  if (snapshot.ok()) {
    absl::StatusOr<AttrStats> read = snapshot->Stats(attr);
    if (read.ok()) stats = *read;
  }
  stats_.emplace(key, stats);
  return stats;
}

absl::StatusOr<Rel> Ctx::JoinChecked(const Rel& a, const Rel& b, const Value& where) const {
  Rel joined = Join(a, b, [this](size_t bytes) { return ShouldStop(bytes); });
  if (absl::Status s = Check(); !s.ok()) return s;
  if (absl::Status s = CheckSize(joined.bytes(), where); !s.ok()) return s;
  return joined;
}

absl::Status Env::JoinIn(Rel rel, Ctx& ctx, const Value& where) {
  absl::StatusOr<int> shared = Gather(rel.vars, ctx, where);
  if (!shared.ok()) return shared.status();
  if (*shared < 0) {
    Add(std::move(rel));
    return absl::OkStatus();
  }
  absl::StatusOr<Rel> joined = ctx.JoinChecked(rels[static_cast<size_t>(*shared)], rel, where);
  if (!joined.ok()) return joined.status();
  Replace(*shared, *std::move(joined));
  return absl::OkStatus();
}

absl::StatusOr<int> Env::Gather(const std::vector<int>& vars, Ctx& ctx, const Value& where) {
  std::vector<int> idx;
  for (int v : vars) {
    const int r = RelOf(v);
    if (r >= 0 && !Contains(idx, r)) idx.push_back(r);
  }
  if (idx.empty()) return -1;
  if (idx.size() == 1) return idx[0];
  std::sort(idx.begin(), idx.end());
  Rel merged = std::move(rels[static_cast<size_t>(idx[0])]);
  for (size_t i = 1; i < idx.size(); ++i) {
    const Rel& other = rels[static_cast<size_t>(idx[i])];
    if (absl::Status s =
            ctx.CheckSize(merged.bytes() * other.rows + other.bytes() * merged.rows, where);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<Rel> product = ctx.JoinChecked(merged, other, where);
    if (!product.ok()) return product.status();
    merged = *std::move(product);
  }
  for (size_t i = idx.size(); i-- > 1;) rels.erase(rels.begin() + idx[i]);
  rels[static_cast<size_t>(idx[0])] = std::move(merged);
  return idx[0];
}

// ---- Planning --------------------------------------------------------------

std::vector<int> Scope::NeededVars(const Clause& c, const std::vector<const Clause*>& remaining,
                                   const PlanView& view) const {
  std::vector<int> needed;
  if (c.kind == ClauseKind::kPred || c.kind == ClauseKind::kFn) {
    for (const Term& t : c.terms) {
      if (t.is_var()) needed.push_back(t.var);
    }
    return needed;
  }
  if (c.explicit_join) {
    if (c.kind == ClauseKind::kNot) return c.join_vars;
    needed.assign(c.join_vars.begin(), c.join_vars.begin() + c.required);
    return needed;
  }
  if (c.kind != ClauseKind::kNot) return needed;
  // A plain `not` joins on the variables it shares with the rest of the
  // scope; it waits until every one of them that anything binds is bound.
  for (int v : c.vars) {
    bool shared = view.Bound(v);
    for (const Clause* other : remaining) {
      if (shared) break;
      if (other != &c && other->kind != ClauseKind::kNot && Contains(other->vars, v)) shared = true;
    }
    if (shared) needed.push_back(v);
  }
  return needed;
}

double Scope::Estimate(const Clause& c, const PlanView& view, std::string* strategy,
                       Strategy* how) {
  std::vector<int> bound_vars;
  for (int v : c.vars) {
    if (view.Bound(v)) bound_vars.push_back(v);
  }
  const double rows = bound_vars.empty() ? 1 : view.Rows(bound_vars);
  if (c.kind == ClauseKind::kOr || c.kind == ClauseKind::kRule || c.kind == ClauseKind::kAnd) {
    *strategy = c.kind == ClauseKind::kRule ? "rule" : "or";
    return bound_vars.empty() ? kUnboundRuleRows : rows * 10;
  }
  // A data pattern.
  const Source* src = ctx_.FindSource(SourceOf(c));
  if (src == nullptr || !src->db) {
    *strategy = "collection";
    return bound_vars.empty() ? 1000 : rows;
  }
  const DbState& db = *src->db->state();
  auto fixed = [&](int pos, bool with_vars) {
    if (static_cast<size_t>(pos) >= c.terms.size()) return false;
    const Term& t = c.terms[static_cast<size_t>(pos)];
    return t.is_const() || (with_vars && t.is_var() && view.Bound(t.var));
  };
  const Attribute* attr = nullptr;
  if (fixed(kA, false)) {
    const Value& a = c.terms[kA].value;
    attr = a.is_keyword() ? db.schema->Find(a)
                          : (a.is_integer() ? db.schema->Find(a.as_int()) : nullptr);
  }
  auto per_probe = [&](bool with_vars, std::string* index) {
    const bool e = fixed(kE, with_vars);
    const bool v = fixed(kV, with_vars);
    const bool a = attr != nullptr || fixed(kA, with_vars);
    if (!a || attr == nullptr) {
      *index = e ? ":eavt" : ":eavt (full)";
      return e ? 20.0 : (v ? 1000.0 : kUnknownAttrRows);
    }
    const AttrStats s = ctx_.Stats(db, static_cast<uint64_t>(attr->id));
    const double n = std::max<double>(1, static_cast<double>(s.datoms));
    const double d = std::max<double>(1, static_cast<double>(s.distinct_values));
    if (e) {
      *index = ":eavt";
      // e and v fixed: about one entity in d has the value.
      return v ? 1.0 / d : (attr->many ? 4.0 : 1.0);
    }
    if (v) {
      *index = ":avet";
      return std::max(1.0, n / d);
    }
    *index = ":aevt";
    return n;
  };
  std::string scan_index;
  double scan_rows = per_probe(false, &scan_index);
  if (attr != nullptr && !fixed(kV, true) && c.terms.size() > kV && c.terms[kV].is_var() &&
      HasRangeOn(c.terms[kV].var)) {
    scan_index = ":avet (range)";
    scan_rows /= 3;
  }
  if (bound_vars.empty()) {
    *strategy = "scan " + scan_index;
    if (how != nullptr) *how = Strategy::kScan;
    return scan_rows;
  }
  std::string lookup_index;
  const double lookup_rows = rows * per_probe(true, &lookup_index);
  // Probes sorted by entity walk the attribute's entries once instead.
  const bool mergeable = attr != nullptr && c.terms[kE].is_var() && bound_vars.size() == 1 &&
                         bound_vars[0] == c.terms[kE].var;
  const double lookup_cost = rows * kSeekCost;
  const double merge_cost = mergeable ? std::min(scan_rows * kNextCost, lookup_cost) : 1e300;
  const double hash_cost = scan_rows * kHashCost;
  Strategy chosen = Strategy::kLookup;
  if (merge_cost <= lookup_cost && merge_cost <= hash_cost) {
    chosen = Strategy::kMerge;
    *strategy = "merge " + scan_index;
  } else if (lookup_cost <= hash_cost) {
    *strategy = "lookup " + lookup_index;
  } else {
    chosen = Strategy::kHashJoin;
    *strategy = "scan " + scan_index + " + hash join";
  }
  if (how != nullptr) *how = chosen;
  return lookup_rows;
}

bool Scope::HasRangeOn(int var) const {
  if (remaining_ == nullptr) return false;
  for (const Clause* other : *remaining_) {
    if (other->kind != ClauseKind::kPred || other->terms.size() != 2 || !other->fn.ns().empty() ||
        !IsComparison(other->fn.name())) {
      continue;
    }
    for (const Term& t : other->terms) {
      if (t.is_var() && t.var == var) return true;
    }
  }
  return false;
}

absl::StatusOr<size_t> Scope::Choose(const std::vector<const Clause*>& remaining,
                                     const PlanView& view, std::string* strategy,
                                     double* estimate) {
  // Filters first, as soon as their variables are bound.
  for (size_t i = 0; i < remaining.size(); ++i) {
    const Clause& c = *remaining[i];
    if (c.kind != ClauseKind::kPred && c.kind != ClauseKind::kFn && c.kind != ClauseKind::kNot) {
      continue;
    }
    bool ready = true;
    for (int v : NeededVars(c, remaining, view)) {
      if (!view.Bound(v)) ready = false;
    }
    if (ready) {
      *strategy = c.kind == ClauseKind::kFn ? "function" : "filter";
      *estimate = view.Rows(c.vars);
      return i;
    }
  }
  size_t best = remaining.size();
  double best_cost = 0;
  for (size_t i = 0; i < remaining.size(); ++i) {
    const Clause& c = *remaining[i];
    if (c.kind == ClauseKind::kPred || c.kind == ClauseKind::kFn || c.kind == ClauseKind::kNot) {
      continue;
    }
    if (c.kind == ClauseKind::kOr && c.explicit_join) {
      bool ready = true;
      for (int v : NeededVars(c, remaining, view)) ready = ready && view.Bound(v);
      if (!ready) continue;
    }
    std::string s;
    const double cost = Estimate(c, view, &s);
    if (best == remaining.size() || cost < best_cost) {
      best = i;
      best_cost = cost;
      *strategy = s;
    }
  }
  if (best < remaining.size()) {
    *estimate = best_cost;
    return best;
  }
  // Nothing can run: name the first clause and what it lacks.
  const Clause& c = *remaining.front();
  std::string missing;
  for (int v : NeededVars(c, remaining, view)) {
    if (!view.Bound(v)) missing += (missing.empty() ? "" : " ") + VarSymbol(v);
  }
  if (c.kind == ClauseKind::kNot || c.kind == ClauseKind::kOr) {
    return ClauseError(Cat("Insufficient bindings: ", missing, " must be bound before"), c);
  }
  return ClauseError(Cat("Insufficient binding of ", missing, ": nothing binds it before"), c);
}

std::string Scope::VarSymbol(int var) const {
  if (names_ != nullptr && var >= 0 && static_cast<size_t>(var) < names_->size()) {
    return (*names_)[static_cast<size_t>(var)];
  }
  return Cat("?_", var);
}

absl::Status Scope::Run(const std::vector<Clause>& clauses, Env& env) {
  std::vector<const Clause*> remaining;
  remaining.reserve(clauses.size());
  for (const Clause& c : clauses) remaining.push_back(&c);
  remaining_ = &remaining;
  absl::Status status;
  while (!remaining.empty() && status.ok()) {
    status = ctx_.Check();
    if (!status.ok() || env.empty) break;
    EnvView view(env);
    std::string strategy;
    double estimate = 0;
    absl::StatusOr<size_t> next = Choose(remaining, view, &strategy, &estimate);
    if (!next.ok()) {
      status = next.status();
      break;
    }
    const Clause* c = remaining[*next];
    remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(*next));
    status = Exec(*c, env);
  }
  remaining_ = nullptr;
  return status;
}

absl::Status Scope::RunInOrder(const std::vector<const Clause*>& order, Env& env) {
  std::vector<const Clause*> remaining(order.begin(), order.end());
  remaining_ = &remaining;
  absl::Status status;
  for (const Clause* c : order) {
    status = ctx_.Check();
    if (!status.ok() || env.empty) break;
    // A comparison a range scan already applied may have been dropped.
    auto it = std::find(remaining.begin(), remaining.end(), c);
    if (it == remaining.end()) continue;
    remaining.erase(it);
    status = Exec(*c, env);
    if (!status.ok()) break;
  }
  remaining_ = nullptr;
  return status;
}

absl::StatusOr<std::vector<PlanStep>> Scope::PlanStatic(const std::vector<Clause>& clauses,
                                                        const std::vector<int>& bound,
                                                        double entry_rows) {
  std::vector<const Clause*> remaining;
  remaining.reserve(clauses.size());
  for (const Clause& c : clauses) remaining.push_back(&c);
  StaticView view;
  view.bound = bound;
  view.rows = entry_rows;
  std::vector<PlanStep> steps;
  remaining_ = &remaining;
  while (!remaining.empty()) {
    PlanStep step;
    absl::StatusOr<size_t> next = Choose(remaining, view, &step.strategy, &step.estimate);
    if (!next.ok()) {
      remaining_ = nullptr;
      return next.status();
    }
    step.clause = remaining[*next];
    remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(*next));
    if (step.clause->kind != ClauseKind::kNot && step.clause->kind != ClauseKind::kPred) {
      for (int v : step.clause->vars) {
        if (!Contains(view.bound, v)) view.bound.push_back(v);
      }
    }
    if (step.clause->kind == ClauseKind::kFn) {
      for (int v : step.clause->binding.vars) {
        if (v >= 0 && !Contains(view.bound, v)) view.bound.push_back(v);
      }
    }
    if (step.clause->kind != ClauseKind::kPred && step.clause->kind != ClauseKind::kNot) {
      view.rows = std::max(1.0, step.estimate);
    }
    steps.push_back(std::move(step));
  }
  remaining_ = nullptr;
  return steps;
}

// ---- Clause execution ------------------------------------------------------

absl::Status Scope::Exec(const Clause& c, Env& env) {
  switch (c.kind) {
    case ClauseKind::kPattern:
      return ExecPattern(c, env);
    case ClauseKind::kPred:
    case ClauseKind::kFn:
      return ExecFn(c, env);
    case ClauseKind::kNot:
      return ExecNot(c, env);
    case ClauseKind::kOr:
      return ExecOr(c, env);
    case ClauseKind::kAnd: {
      Scope inner(ctx_, hook_, names_, default_src_);
      return inner.Run(c.bodies.front(), env);
    }
    case ClauseKind::kRule:
      if (hook_ == nullptr) return ClauseError("Rules cannot be called here", c);
      // An unknown default source is reported by the body's first pattern
      // that reads it: a body may read none (only functions of its arguments).
      if (!c.src.is_nil() && ctx_.FindSource(c.src) == nullptr) return UnknownSource(c.src, c);
      return hook_->Call(c, SourceOf(c), env);
  }
  return absl::InternalError("unknown clause kind");
}

absl::Status Scope::ExecPattern(const Clause& c, Env& env) {
  const Value& src_sym = SourceOf(c);
  const Source* src = ctx_.FindSource(src_sym);
  if (src == nullptr) return UnknownSource(src_sym, c);
  if (!src->db) return ExecCollPattern(c, src->coll, env);
  const Db& db = *src->db;
  Scanner scanner(ctx_, db);
  const DbState& state = scanner.state();

  // Constants, resolved once.
  Probe base;
  absl::Status error;
  for (size_t i = 0; i < c.terms.size(); ++i) {
    const Term& t = c.terms[i];
    if (!t.is_const()) continue;
    if (!SetPosition(state, &base, static_cast<int>(i), t.value, true, c, &error)) {
      if (!error.ok()) return error;
      base.none = true;
    }
  }
  if (base.has_v && base.attr != nullptr && !base.none) {
    if (!EncodeProbeValue(state, &base, true, c, &error)) {
      if (!error.ok()) return error;
      base.none = true;
    }
  }

  // Range pushdown: comparisons of the value variable with constants or
  // single values already bound.
  const bool v_var = c.terms.size() > kV && c.terms[kV].is_var() && !env.Bound(c.terms[kV].var);
  if (v_var && base.attr != nullptr && remaining_ != nullptr && !base.none) {
    const int var = c.terms[kV].var;
    std::vector<const Clause*> applied;
    for (const Clause* other : *remaining_) {
      if (other->kind != ClauseKind::kPred || other->terms.size() != 2 || !other->fn.ns().empty() ||
          !IsComparison(other->fn.name())) {
        continue;
      }
      const Term& x = other->terms[0];
      const Term& y = other->terms[1];
      std::string_view op = other->fn.name();
      const Term* bound_term = nullptr;
      if (x.is_var() && x.var == var) {
        bound_term = &y;
      } else if (y.is_var() && y.var == var) {
        bound_term = &x;
        op = FlipOp(op);
      } else {
        continue;
      }
      Value bound;
      if (bound_term->is_const()) {
        bound = bound_term->value;
      } else if (bound_term->is_var()) {
        const int r = env.RelOf(bound_term->var);
        if (r < 0 || env.rels[static_cast<size_t>(r)].rows != 1) continue;
        const Rel& rel = env.rels[static_cast<size_t>(r)];
        bound = rel.row(0)[rel.col(bound_term->var)];
      } else {
        continue;
      }
      // Only numbers against numbers, and same-kind scalars, order the same
      // encoded as decoded.
      std::string enc;
      if (base.attr->is_ref() || !EncodeValue(bound, base.attr->spec, &enc).ok()) continue;
      ApplyRange(&base, op, std::move(enc));
      // For longs, doubles and instants the encoded order is the order the
      // comparison uses, so the range applies it in full (NaN aside).
      const ValueType type = base.attr->spec.type;
      const bool numeric =
          (type == ValueType::kLong || type == ValueType::kDouble) &&
          (bound.is_integer() || (bound.is_float() && !std::isnan(bound.as_double())));
      if (numeric || (type == ValueType::kInstant && bound.kind() == Kind::kInst)) {
        applied.push_back(other);
      }
      // A stored NaN encodes after +infinity, yet no comparison holds for it:
      // a lower bound alone would let it through.
      if (numeric && type == ValueType::kDouble && (op == ">" || op == ">=")) {
        std::string nan;
        if (EncodeValue(Value(std::numeric_limits<double>::quiet_NaN()), base.attr->spec, &nan)
                .ok()) {
          ApplyRange(&base, "<", std::move(nan));
        }
      }
    }
    for (const Clause* done : applied) {
      remaining_->erase(std::find(remaining_->begin(), remaining_->end(), done));
    }
  }

  std::vector<int> bound_vars;
  for (int v : c.vars) {
    if (env.Bound(v)) bound_vars.push_back(v);
  }
  const PatternVars pv = VarsOf(c, bound_vars);
  const size_t w = pv.vars.size();
  std::vector<Value> row(w);

  // Every datom the constants allow, binding all of the pattern's variables.
  const PatternVars all = VarsOf(c, {});
  auto scan_all = [&](Rel* out) -> absl::Status {
    out->vars = all.vars;
    {
      // Room for the estimated rows up front (capped: estimates can be far off).
      std::string ignored;
      const Env none;
      EnvView empty_view(none);
      const double est = Estimate(c, empty_view, &ignored);
      out->cells.reserve(static_cast<size_t>(std::min(est, 1e6)) * all.vars.size());
    }
    out->distinct = PatternDistinct(c, db);
    std::vector<Value> full(all.vars.size());
    absl::Status status;
    absl::Status s = scanner.Scan(base, [&](const RawDatom& d) {
      if (!EmitDatom(scanner, c, all, d, full.data())) return true;
      out->cells.insert(out->cells.end(), full.begin(), full.end());
      ++out->rows;
      if ((out->rows & 4095) == 0) {
        status = ctx_.CheckSize(out->bytes(), c.form);
        if (!status.ok()) return false;
      }
      return true;
    });
    if (!s.ok()) return s;
    return status;
  };

  if (bound_vars.empty()) {
    Rel out;
    if (absl::Status s = scan_all(&out); !s.ok()) return s;
    env.Add(std::move(out));
    return absl::OkStatus();
  }

  absl::StatusOr<int> gathered = env.Gather(bound_vars, ctx_, c.form);
  if (!gathered.ok()) return gathered.status();
  Rel& in = env.rels[static_cast<size_t>(*gathered)];
  std::string strategy;
  Strategy how = Strategy::kLookup;
  EnvView view(env);
  (void)Estimate(c, view, &strategy, &how);
  // Each probe finds distinct datoms: distinct rows stay distinct.
  const bool each_distinct = in.distinct && PatternDistinct(c, db);
  if (how == Strategy::kHashJoin) {
    Rel scanned;
    if (absl::Status s = scan_all(&scanned); !s.ok()) return s;
    absl::StatusOr<Rel> joined = ctx_.JoinChecked(in, scanned, c.form);
    if (!joined.ok()) return joined.status();
    env.Replace(*gathered, *std::move(joined));
    return absl::OkStatus();
  }
  const int e_col = in.col(c.terms[kE].var);
  if (how == Strategy::kMerge && base.v_enc.size() <= kMaxInlineValue) {
    // The bound rows' entities, sorted, each with its rows.
    std::vector<std::pair<uint64_t, uint32_t>> by_e;
    by_e.reserve(in.rows);
    bool ids = true;
    for (size_t r = 0; r < in.rows && ids; ++r) {
      const Value& e = in.row(r)[e_col];
      ids = e.is_integer() && e.as_int() >= 0;
      if (ids) by_e.emplace_back(static_cast<uint64_t>(e.as_int()), static_cast<uint32_t>(r));
    }
    if (ids) {
      // A relation a merge produced is already in entity order.
      if (!std::is_sorted(by_e.begin(), by_e.end())) std::sort(by_e.begin(), by_e.end());
      std::vector<uint64_t> targets;
      std::vector<uint32_t> first;  // targets[i]'s rows are by_e[first[i], first[i + 1])
      for (size_t k = 0; k < by_e.size(); ++k) {
        if (k == 0 || by_e[k].first != by_e[k - 1].first) {
          targets.push_back(by_e[k].first);
          first.push_back(static_cast<uint32_t>(k));
        }
      }
      first.push_back(static_cast<uint32_t>(by_e.size()));
      Rel out;
      out.vars = in.vars;
      out.vars.insert(out.vars.end(), pv.vars.begin(), pv.vars.end());
      out.distinct = each_distinct;
      const size_t in_w = in.width();
      absl::Status s = scanner.Merge(base, targets, [&](size_t i, const RawDatom& d) {
        if (!EmitDatom(scanner, c, pv, d, row.data())) return;
        for (uint32_t k = first[i]; k < first[i + 1]; ++k) {
          const Value* in_row = in.row(by_e[k].second);
          out.cells.insert(out.cells.end(), in_row, in_row + in_w);
          out.cells.insert(out.cells.end(), row.begin(), row.end());
          ++out.rows;
        }
      });
      if (!s.ok()) return s;
      if (absl::Status st = ctx_.CheckSize(out.bytes(), c.form); !st.ok()) return st;
      env.Replace(*gathered, std::move(out));
      return absl::OkStatus();
    }
  }

  // Index nested-loop join: one probe per bound row.
  int bound_col[5] = {-1, -1, -1, -1, -1};
  for (size_t i = 0; i < c.terms.size(); ++i) {
    if (c.terms[i].is_var() && Contains(bound_vars, c.terms[i].var)) {
      bound_col[i] = in.col(c.terms[i].var);
    }
  }
  Rel out;
  out.vars = in.vars;
  out.vars.insert(out.vars.end(), pv.vars.begin(), pv.vars.end());
  out.distinct = each_distinct;
  const size_t in_w = in.width();
  Probe p;
  for (size_t r = 0; r < in.rows && !base.none; ++r) {
    const Value* in_row = in.row(r);
    p = base;
    bool possible = true;
    for (size_t i = 0; i < c.terms.size() && possible; ++i) {
      if (bound_col[i] < 0) continue;
      possible =
          SetPosition(state, &p, static_cast<int>(i), in_row[bound_col[i]], false, c, &error);
      if (!error.ok()) return error;
    }
    if (possible && p.has_v && p.attr != nullptr && bound_col[kV] >= 0) {
      possible = EncodeProbeValue(state, &p, false, c, &error);
      if (!error.ok()) return error;
    }
    if (!possible) continue;
    absl::Status status;
    absl::Status s = scanner.Scan(p, [&](const RawDatom& d) {
      if (!EmitDatom(scanner, c, pv, d, row.data())) return true;
      out.cells.insert(out.cells.end(), in_row, in_row + in_w);
      out.cells.insert(out.cells.end(), row.begin(), row.end());
      ++out.rows;
      if ((out.rows & 4095) == 0) {
        status = ctx_.CheckSize(out.bytes(), c.form);
        if (!status.ok()) return false;
      }
      return true;
    });
    if (!s.ok()) return s;
    if (!status.ok()) return status;
  }
  env.Replace(*gathered, std::move(out));
  return absl::OkStatus();
}

absl::Status Scope::ExecCollPattern(const Clause& c, const Value& coll, Env& env) {
  // Every tuple of the collection, matched against the pattern's constants.
  const PatternVars pv = VarsOf(c, {});
  Rel scanned;
  scanned.vars = pv.vars;
  std::vector<Value> row(pv.vars.size());
  if (!coll.is_collection()) return ClauseError("A collection source must hold tuples", c);
  for (const Value& tuple : coll.items()) {
    if (!tuple.is_sequential() || tuple.size() < c.terms.size()) continue;
    bool match = true;
    for (size_t i = 0; i < c.terms.size() && match; ++i) {
      const Term& t = c.terms[i];
      const Value& v = tuple.items()[i];
      if (t.is_const()) {
        match = t.value == v;
      } else if (pv.col[i] >= 0) {
        row[static_cast<size_t>(pv.col[i])] = v;
      } else if (pv.repeat_of[i] >= 0) {
        match = row[static_cast<size_t>(pv.col[pv.repeat_of[i]])] == v;
      }
    }
    if (!match) continue;
    scanned.cells.insert(scanned.cells.end(), row.begin(), row.end());
    ++scanned.rows;
  }
  return env.JoinIn(std::move(scanned), ctx_, c.form);
}

absl::Status Scope::ExecFn(const Clause& c, Env& env) {
  absl::StatusOr<Callable> fn = ResolveFunction(ctx_, c);
  if (!fn.ok()) return fn.status();
  // Input variables (and, for a function, output variables already bound).
  std::vector<int> vars;
  for (const Term& t : c.terms) {
    if (t.is_var() && env.Bound(t.var)) vars.push_back(t.var);
  }
  std::vector<int> out_bound;  // output positions already bound
  if (c.kind == ClauseKind::kFn) {
    for (int v : c.binding.vars) {
      if (v >= 0 && env.Bound(v)) {
        vars.push_back(v);
        out_bound.push_back(v);
      }
    }
  }
  absl::StatusOr<int> gathered = env.Gather(vars, ctx_, c.form);
  if (!gathered.ok()) return gathered.status();
  Rel unit = Rel::Unit();
  const Rel& in = *gathered >= 0 ? env.rels[static_cast<size_t>(*gathered)] : unit;

  // Output columns: the binding's variables not yet bound, each once.
  std::vector<int> new_vars;
  if (c.kind == ClauseKind::kFn) {
    for (int v : c.binding.vars) {
      if (v >= 0 && !Contains(out_bound, v) && !Contains(new_vars, v)) new_vars.push_back(v);
    }
  }
  Rel out;
  out.vars = in.vars;
  out.vars.insert(out.vars.end(), new_vars.begin(), new_vars.end());
  // A filter or one value per row keeps rows distinct.
  out.distinct =
      in.distinct && (c.kind == ClauseKind::kPred || c.binding.kind == Binding::Kind::kScalar);
  std::vector<Value> args;
  std::vector<Value> tuple_row(c.binding.vars.size());
  std::vector<Value> extra(new_vars.size());

  // Binds one tuple of output values (one per binding var) to row r.
  auto bind = [&](const Value* in_row, std::span<const Value> values) {
    for (size_t i = 0; i < c.binding.vars.size(); ++i) {
      const int v = c.binding.vars[i];
      if (v < 0) continue;
      const Value& x = i < values.size() ? values[i] : Value();
      const int bc = in.col(v);
      if (bc >= 0) {
        if (in_row[bc] != x) return;
        continue;
      }
      const size_t k =
          static_cast<size_t>(std::find(new_vars.begin(), new_vars.end(), v) - new_vars.begin());
      if (extra.size() > k && i > 0) {
        // The same variable twice in a binding: the values must agree.
        for (size_t j = 0; j < i; ++j) {
          if (c.binding.vars[j] == v && values[j] != x) return;
        }
      }
      extra[k] = x;
    }
    out.cells.insert(out.cells.end(), in_row, in_row + in.width());
    out.cells.insert(out.cells.end(), extra.begin(), extra.end());
    ++out.rows;
  };

  for (size_t r = 0; r < in.rows; ++r) {
    if (absl::Status s = ctx_.Tick(); !s.ok()) return s;
    TermValues(c.terms, &in, r, &args);
    absl::StatusOr<Value> result = fn->Call(ctx_, c, args);
    if (!result.ok()) return result.status();
    const Value* in_row = in.row(r);
    if (c.kind == ClauseKind::kPred) {
      if (Truthy(*result)) {
        out.cells.insert(out.cells.end(), in_row, in_row + in.width());
        ++out.rows;
      }
      continue;
    }
    switch (c.binding.kind) {
      case Binding::Kind::kScalar:
        // Datomic drops rows whose function returns nil.
        if (!result->is_nil()) bind(in_row, std::span<const Value>(&*result, 1));
        break;
      case Binding::Kind::kTuple:
        if (result->is_nil()) break;
        if (!result->is_sequential() || result->size() < c.binding.vars.size()) {
          return ClauseError(
              Cat("Cannot bind ", result->to_string(), " to a tuple of ", c.binding.vars.size()),
              c);
        }
        bind(in_row, result->items());
        break;
      case Binding::Kind::kColl:
        if (result->is_nil()) break;
        if (!result->is_collection()) {
          return ClauseError(Cat("Cannot bind ", result->to_string(), " to a collection"), c);
        }
        for (const Value& item : result->items()) bind(in_row, std::span<const Value>(&item, 1));
        break;
      case Binding::Kind::kRel:
        if (result->is_nil()) break;
        if (!result->is_collection()) {
          return ClauseError(Cat("Cannot bind ", result->to_string(), " to a relation"), c);
        }
        for (const Value& t : result->items()) {
          if (!t.is_sequential() || t.size() < c.binding.vars.size()) {
            return ClauseError(
                Cat("Cannot bind ", t.to_string(), " to a tuple of ", c.binding.vars.size()), c);
          }
          bind(in_row, t.items());
        }
        break;
    }
    if ((out.rows & 4095) == 4095) {
      if (absl::Status s = ctx_.CheckSize(out.bytes(), c.form); !s.ok()) return s;
    }
  }
  if (c.kind == ClauseKind::kFn && c.binding.kind != Binding::Kind::kScalar) {
    // Collections and relations may bind the same row twice.
    std::vector<int> all = out.vars;
    out = Project(out, all);
  }
  env.Replace(*gathered, std::move(out));
  return absl::OkStatus();
}

// Rule calls inside not/or bodies need complete answers (negation) or are
// not tracked as changing between rounds (or): inside a rule evaluation
// they run their own evaluation to completion.
RuleHook* Scope::NestedHook(RuleHook* complete) const {
  return hook_ != nullptr && !hook_->complete() ? complete : hook_;
}

absl::Status Scope::ExecNot(const Clause& c, Env& env) {
  std::vector<int> join;
  for (int v : (c.explicit_join ? c.join_vars : c.vars)) {
    if (env.Bound(v)) join.push_back(v);
  }
  if (c.explicit_join && join.size() != c.join_vars.size()) {
    return ClauseError("Insufficient bindings: every join variable of not-join must be bound", c);
  }
  if (!c.explicit_join && join.empty() && !c.vars.empty()) {
    // Datomic (and DataScript) refuse a `not` that joins nothing: it would
    // test the whole database rather than each binding.
    std::string names;
    for (int v : c.vars) names += (names.empty() ? "" : " ") + VarSymbol(v);
    return ClauseError(Cat("Insufficient bindings: none of ", names, " is bound"), c);
  }
  absl::StatusOr<int> gathered = env.Gather(join, ctx_, c.form);
  if (!gathered.ok()) return gathered.status();
  Env inner;
  if (*gathered >= 0) inner.Add(Project(env.rels[static_cast<size_t>(*gathered)], join));
  TopRuleHook complete(ctx_);
  Scope scope(ctx_, NestedHook(&complete), names_, default_src_);
  if (absl::Status s = scope.Run(c.bodies.front(), inner); !s.ok()) return s;
  // What the body matched, on the join variables.
  Rel matched;
  if (!inner.empty) {
    absl::StatusOr<int> r = inner.Gather(join, ctx_, c.form);
    if (!r.ok()) return r.status();
    matched = *r >= 0 ? Project(inner.rels[static_cast<size_t>(*r)], join) : Rel::Unit();
  }
  if (*gathered < 0) {
    // Nothing outside to join with: the whole scope fails if the body matches.
    if (matched.rows > 0) env.empty = true;
    return absl::OkStatus();
  }
  env.Replace(*gathered, AntiJoin(env.rels[static_cast<size_t>(*gathered)], matched));
  return absl::OkStatus();
}

absl::Status Scope::ExecOr(const Clause& c, Env& env) {
  const std::vector<int>& vars = c.explicit_join ? c.join_vars : c.vars;
  std::vector<int> join;
  for (int v : vars) {
    if (env.Bound(v)) join.push_back(v);
  }
  absl::StatusOr<int> gathered = env.Gather(join, ctx_, c.form);
  if (!gathered.ok()) return gathered.status();
  Rel seed = *gathered >= 0 ? Project(env.rels[static_cast<size_t>(*gathered)], join) : Rel::Unit();
  RowSet found(vars.size());
  TopRuleHook complete(ctx_);
  for (const std::vector<Clause>& body : c.bodies) {
    Env inner;
    inner.Add(seed);
    Scope scope(ctx_, NestedHook(&complete), names_, default_src_);
    if (absl::Status s = scope.Run(body, inner); !s.ok()) return s;
    if (inner.empty) continue;
    for (int v : vars) {
      if (!inner.Bound(v)) {
        return ClauseError(Cat("A branch of or does not bind ", VarSymbol(v)), c);
      }
    }
    absl::StatusOr<int> r = inner.Gather(vars, ctx_, c.form);
    if (!r.ok()) return r.status();
    Rel branch = Project(inner.rels[static_cast<size_t>(*r)], vars);
    for (size_t i = 0; i < branch.rows; ++i) found.Insert(branch.row(i));
    if (absl::Status s = ctx_.CheckSize(found.cells().size() * sizeof(Value), c.form); !s.ok()) {
      return s;
    }
  }
  Rel result;
  result.vars = vars;
  result.rows = found.rows();
  result.cells = std::move(found.cells());
  return env.JoinIn(std::move(result), ctx_, c.form);
}

}  // namespace accrete::internal::query
