// Verify: replays the log into the set of open lifetimes it implies and
// compares every sub-database with it (docs/format.md, docs/reliability.md).
//
// The replay is the reference because the log is the source of truth: EAVT
// must hold exactly the open lifetimes, each other current index exactly
// EAVT's entries in its own key order, HEAVT exactly the lifetimes the log
// closed (less those of :db/noHistory attributes), the other history indexes
// exactly HEAVT's entries, and stats exactly the counts of EAVT and AVET.
// Key layouts are injective, so "every entry of X maps to a distinct entry
// of EAVT with the same value, and X holds as many entries as EAVT" proves
// X and EAVT hold the same set; only when the counts differ is the slower
// reverse pass run to name the missing entries.
#include "accrete/verify.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "accrete/edn.hpp"
#include "db/db_state.hpp"
#include "db/schema.hpp"
#include "edn/str_cat.hpp"
#include "store/log.hpp"
#include "store/store.hpp"

namespace accrete {

absl::Status VerifyReport::ToStatus() const {
  if (problems.empty()) return absl::OkStatus();
  std::string text = internal::Cat("The store is inconsistent: ", problems.size(),
                                   truncated ? " or more" : "", " problem(s)");
  constexpr size_t kShown = 5;
  for (size_t i = 0; i < problems.size() && i < kShown; ++i) {
    text += i == 0 ? ": " : "; ";
    text += problems[i];
  }
  if (problems.size() > kShown) text += "; ...";
  return absl::DataLossError(text);
}

namespace internal {
namespace {

constexpr size_t kStatsBytes = 16;  // u64(datoms) u64(distinct), docs/format.md

std::string_view DbiName(Dbi dbi) {
  static constexpr std::string_view kNames[kDbiCount] = {"eavt",  "aevt",  "avet",  "vaet", "heavt",
                                                         "haevt", "havet", "hvaet", "log",  "vals",
                                                         "stats", "meta",  "hteavt"};
  return kNames[static_cast<int>(dbi)];
}

struct AttrCounts {
  uint64_t datoms = 0;
  uint64_t distinct = 0;
};

class Verifier {
 public:
  Verifier(const Snapshot& snapshot, const VerifyOptions& options, VerifyReport* report)
      : snap_(snapshot), options_(options), report_(report) {}

  absl::Status Run() {
    absl::StatusOr<Meta> meta = snap_.ReadMeta();
    if (!meta.ok()) {
      Problem(Cat("meta: ", meta.status().message()));
      return absl::OkStatus();
    }
    meta_ = *meta;
    report_->basis_t = meta_.basis_t;
    for (absl::Status status :
         {ReplayLog(), CheckEavt(), CheckCurrentIndex(Dbi::kAevt), CheckCurrentIndex(Dbi::kAvet),
          CheckCurrentIndex(Dbi::kVaet), CheckHeavt(), CheckHistoryIndex(Dbi::kHistAevt),
          CheckHistoryIndex(Dbi::kHistAvet), CheckHistoryIndex(Dbi::kHistVaet), CheckTimeIndex(),
          CheckVals(), CheckStats()}) {
      if (!status.ok()) return status;
    }
    CheckMeta();
    return absl::OkStatus();
  }

 private:
  void Problem(std::string text) {
    if (report_->problems.size() >= options_.max_problems) {
      report_->truncated = true;
      return;
    }
    report_->problems.push_back(std::move(text));
  }

  // "[e a v]" for messages, the value decoded when it can be.
  std::string Describe(uint64_t e, uint64_t a, std::string_view v_in_key) const {
    std::string value = "<undecodable value>";
    absl::StatusOr<std::string_view> full = snap_.FullValue(v_in_key);
    if (full.ok()) {
      std::string_view in = *full;
      absl::StatusOr<Value> decoded = DecodeValue(&in);
      if (decoded.ok() && in.empty()) value = edn::Print(*decoded);
    }
    return Cat("[", e, " ", a, " ", value, "]");
  }

  // Checks that v' decodes, and for a long value that `vals` holds it under
  // the same prefix.
  void CheckValue(Dbi dbi, uint64_t e, uint64_t a, std::string_view v_in_key) {
    absl::StatusOr<std::string_view> full = snap_.FullValue(v_in_key);
    if (!full.ok()) {
      Problem(Cat(DbiName(dbi), ": [", e, " ", a, "]: ", full.status().message()));
      return;
    }
    if (v_in_key.size() == kLongValueRef &&
        full->substr(0, kMaxInlineValue) != v_in_key.substr(0, kMaxInlineValue)) {
      Problem(Cat(DbiName(dbi), ": [", e, " ", a, "]: the long value's prefix differs from vals"));
      return;
    }
    std::string_view in = *full;
    absl::StatusOr<Value> decoded = DecodeValue(&in);
    if (!decoded.ok() || !in.empty()) {
      Problem(Cat(DbiName(dbi), ": [", e, " ", a, "]: undecodable value"));
    }
  }

  void NoteEntity(uint64_t e) {
    const int64_t id = static_cast<int64_t>(e);
    const int64_t n = TxToT(id);
    if (PartitionOf(id) == kPartUser) max_user_ = std::max(max_user_, n);
    if (PartitionOf(id) == kPartDb && n >= sys::kFirstUserDbId) max_db_ = std::max(max_db_, n);
  }

  absl::Status ReplayLog() {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(Dbi::kLog);
    if (!cursor.ok()) return cursor.status();
    int64_t previous = -1;
    std::string key;
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      absl::StatusOr<LogEntry> entry = DecodeLogEntry(cursor->key(), cursor->value());
      if (!entry.ok()) {
        Problem(Cat("log: ", entry.status().message()));
        continue;
      }
      const int64_t t = entry->t;
      if (t != previous + 1) {
        Problem(previous + 1 == t - 1 ? Cat("log: no record for t=", previous + 1)
                                      : Cat("log: no records for t=", previous + 1, "..", t - 1));
      }
      previous = t;
      last_t_ = t;
      ++report_->transactions;
      report_->log_datoms += entry->datoms.size();
      // A retraction in the transaction that turns :db/noHistory on (or off)
      // may go either way, so the attribute counts as noHistory from then on.
      for (const LogDatom& d : entry->datoms) {
        if (d.a == static_cast<uint64_t>(sys::kNoHistory)) no_history_.insert(d.e);
      }
      for (const LogDatom& d : entry->datoms) {
        NoteEntity(d.e);
        absl::StatusOr<std::optional<std::string>> v = snap_.KeyValue(d.v);
        if (!v.ok()) return v.status();
        if (!v->has_value()) {
          Problem(Cat("vals: the long value of [", d.e, " ", d.a, "] in the log at t=", t,
                      " is not stored"));
          continue;
        }
        BuildIndexKey(Dbi::kEavt, d.e, d.a, **v, &key);
        const int64_t t_a = TxToT(static_cast<EntityId>(d.tx_a));
        if (d.added) {
          if (t_a != t)
            Problem(Cat("log: t=", t, " asserts ", Describe(d.e, d.a, **v), " at t=", t_a));
          auto [it, inserted] = open_.try_emplace(key, t);
          if (!inserted) {
            Problem(Cat("log: t=", t, " asserts ", Describe(d.e, d.a, **v),
                        " already asserted at t=", it->second));
          }
          continue;
        }
        auto it = open_.find(key);
        if (it == open_.end()) {
          Problem(
              Cat("log: t=", t, " retracts ", Describe(d.e, d.a, **v), " which is not asserted"));
          continue;
        }
        if (it->second != t_a) {
          Problem(Cat("log: t=", t, " retracts ", Describe(d.e, d.a, **v),
                      " asserted at t=", it->second, " as asserted at t=", t_a));
        }
        open_.erase(it);
        AppendHistorySuffix(&key, t_a);
        absl::StatusOr<std::optional<std::string_view>> closed = snap_.Get(Dbi::kHistEavt, key);
        if (!closed.ok()) return closed.status();
        if (!closed->has_value()) {
          if (!no_history_.contains(d.a)) {
            Problem(Cat("heavt: ", Describe(d.e, d.a, **v), " asserted at t=", t_a,
                        " and retracted at t=", t, " is missing"));
          }
          continue;
        }
        ++closed_with_history_;
        if (EntryT(**closed) != t) {
          Problem(Cat("heavt: ", Describe(d.e, d.a, **v), " asserted at t=", t_a,
                      " is closed at t=", EntryT(**closed), ", the log says t=", t));
        }
      }
    }
    return cursor->status();
  }

  absl::Status CheckEavt() {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(Dbi::kEavt);
    if (!cursor.ok()) return cursor.status();
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      absl::StatusOr<KeyParts> parts = ParseKey(Dbi::kEavt, cursor->key());
      if (!parts.ok()) {
        Problem(Cat("eavt: ", parts.status().message()));
        continue;
      }
      ++report_->current_datoms;
      ++counts_[parts->a].datoms;
      if (EncodedType(parts->v) == ValueType::kRef) ++current_refs_;
      NoteEntity(parts->e);
      CheckValue(Dbi::kEavt, parts->e, parts->a, parts->v);
      const int64_t t_a = EntryT(cursor->value());
      auto it = open_.find(absl::string_view(cursor->key().data(), cursor->key().size()));
      if (it == open_.end()) {
        Problem(Cat("eavt: ", Describe(parts->e, parts->a, parts->v), " asserted at t=", t_a,
                    " is not in the log (stray entry)"));
        continue;
      }
      if (it->second != t_a) {
        Problem(Cat("eavt: ", Describe(parts->e, parts->a, parts->v), " says asserted at t=", t_a,
                    ", the log says t=", it->second));
      }
      open_.erase(it);
    }
    if (!cursor->status().ok()) return cursor->status();
    for (const auto& [key, t_a] : open_) {
      absl::StatusOr<KeyParts> parts = ParseKey(Dbi::kEavt, key);
      if (!parts.ok()) continue;
      Problem(Cat("eavt: ", Describe(parts->e, parts->a, parts->v), " asserted at t=", t_a,
                  " by the log is missing"));
    }
    return absl::OkStatus();
  }

  // Every entry of `index` (AEVT, AVET, VAET, or one of their histories)
  // must be an entry of `reference` (EAVT or HEAVT) under the same value,
  // and `index` must hold `expected` entries.
  absl::Status CheckAgainst(Dbi index, Dbi reference, uint64_t expected) {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(index);
    if (!cursor.ok()) return cursor.status();
    const bool history = reference == Dbi::kHistEavt;
    uint64_t n = 0;
    std::string key;
    std::string previous_av;  // AVET: the last `a v'` seen, to count distinct values
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      absl::StatusOr<KeyParts> parts = ParseKey(index, cursor->key());
      if (!parts.ok()) {
        Problem(Cat(DbiName(index), ": ", parts.status().message()));
        continue;
      }
      ++n;
      if (index == Dbi::kAvet) CountDistinct(*parts, &previous_av);
      BuildIndexKey(Dbi::kEavt, parts->e, parts->a, parts->v, &key);
      if (history) AppendHistorySuffix(&key, TxToT(static_cast<EntityId>(parts->tx_a)));
      absl::StatusOr<std::optional<std::string_view>> found = snap_.Get(reference, key);
      if (!found.ok()) return found.status();
      if (!found->has_value()) {
        Problem(
            Cat(DbiName(index), ": ", Describe(parts->e, parts->a, parts->v),
                history ? Cat(" asserted at t=", TxToT(static_cast<EntityId>(parts->tx_a))) : "",
                " is not in ", DbiName(reference), " (stray entry)"));
      } else if (**found != cursor->value()) {
        Problem(Cat(DbiName(index), ": ", Describe(parts->e, parts->a, parts->v),
                    " says t=", EntryT(cursor->value()), ", ", DbiName(reference),
                    " says t=", EntryT(**found)));
      }
    }
    if (!cursor->status().ok()) return cursor->status();
    if (n != expected) {
      Problem(Cat(DbiName(index), ": holds ", n, " entries where ", DbiName(reference), " implies ",
                  expected));
      return NameMissing(index, reference);
    }
    return absl::OkStatus();
  }

  void CountDistinct(const KeyParts& parts, std::string* previous_av) {
    std::string av;
    AppendId(&av, parts.a);
    av.append(parts.v);
    if (av != *previous_av) ++counts_[parts.a].distinct;
    *previous_av = std::move(av);
  }

  // The reverse pass, run only when counts differ: every entry of
  // `reference` that `index` should hold and does not.
  absl::Status NameMissing(Dbi index, Dbi reference) {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(reference);
    if (!cursor.ok()) return cursor.status();
    const bool history = reference == Dbi::kHistEavt;
    const Dbi current = history ? static_cast<Dbi>(static_cast<int>(index) - 4) : index;
    std::string key;
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      absl::StatusOr<KeyParts> parts = ParseKey(reference, cursor->key());
      if (!parts.ok()) continue;
      if (current == Dbi::kVaet && EncodedType(parts->v) != ValueType::kRef) continue;
      BuildIndexKey(current, parts->e, parts->a, parts->v, &key);
      const int64_t t_a = TxToT(static_cast<EntityId>(parts->tx_a));
      if (history) AppendHistorySuffix(&key, t_a);
      absl::StatusOr<std::optional<std::string_view>> found = snap_.Get(index, key);
      if (!found.ok()) return found.status();
      if (!found->has_value()) {
        Problem(Cat(DbiName(index), ": ", Describe(parts->e, parts->a, parts->v),
                    history ? Cat(" asserted at t=", t_a) : "", " is missing"));
      }
    }
    return cursor->status();
  }

  absl::Status CheckCurrentIndex(Dbi index) {
    return CheckAgainst(index, Dbi::kEavt,
                        index == Dbi::kVaet ? current_refs_ : report_->current_datoms);
  }

  absl::Status CheckHeavt() {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(Dbi::kHistEavt);
    if (!cursor.ok()) return cursor.status();
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      absl::StatusOr<KeyParts> parts = ParseKey(Dbi::kHistEavt, cursor->key());
      if (!parts.ok()) {
        Problem(Cat("heavt: ", parts.status().message()));
        continue;
      }
      ++report_->history_datoms;
      if (EncodedType(parts->v) == ValueType::kRef) ++history_refs_;
      CheckValue(Dbi::kHistEavt, parts->e, parts->a, parts->v);
      const int64_t t_a = TxToT(static_cast<EntityId>(parts->tx_a));
      const int64_t t_r = EntryT(cursor->value());
      if (t_r <= t_a || t_r > last_t_) {
        Problem(Cat("heavt: ", Describe(parts->e, parts->a, parts->v), " asserted at t=", t_a,
                    " is closed at t=", t_r));
      }
    }
    if (!cursor->status().ok()) return cursor->status();
    // Every retraction the log replay found in HEAVT is distinct, so equal
    // counts mean HEAVT holds nothing else.
    if (report_->history_datoms != closed_with_history_) {
      Problem(Cat("heavt: holds ", report_->history_datoms,
                  " closed lifetimes where the log closed ", closed_with_history_,
                  " (stray entries)"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckHistoryIndex(Dbi index) {
    return CheckAgainst(index, Dbi::kHistEavt,
                        index == Dbi::kHistVaet ? history_refs_ : report_->history_datoms);
  }

  // hteavt: the same closed lifetimes as heavt, keyed by retraction time.
  absl::Status CheckTimeIndex() {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(Dbi::kHistEavtByTime);
    if (!cursor.ok()) return cursor.status();
    uint64_t n = 0;
    std::string key;
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      absl::StatusOr<TimeKeyParts> parts = ParseTimeKey(cursor->key());
      if (!parts.ok()) {
        Problem(Cat("hteavt: ", parts.status().message()));
        continue;
      }
      ++n;
      const int64_t t_a = EntryT(cursor->value());
      BuildIndexKey(Dbi::kEavt, parts->e, parts->a, parts->v, &key);
      AppendHistorySuffix(&key, t_a);
      absl::StatusOr<std::optional<std::string_view>> found = snap_.Get(Dbi::kHistEavt, key);
      if (!found.ok()) return found.status();
      if (!found->has_value() || EntryT(**found) != parts->t_r) {
        Problem(Cat("hteavt: ", Describe(parts->e, parts->a, parts->v), " asserted at t=", t_a,
                    " and retracted at t=", parts->t_r, " is not in heavt (stray entry)"));
      }
    }
    if (!cursor->status().ok()) return cursor->status();
    if (n != report_->history_datoms) {
      Problem(Cat("hteavt: holds ", n, " entries where heavt holds ", report_->history_datoms));
      return NameMissingFromTimeIndex();
    }
    return absl::OkStatus();
  }

  absl::Status NameMissingFromTimeIndex() {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(Dbi::kHistEavt);
    if (!cursor.ok()) return cursor.status();
    std::string key;
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      absl::StatusOr<KeyParts> parts = ParseKey(Dbi::kHistEavt, cursor->key());
      if (!parts.ok()) continue;
      BuildTimeKey(parts->e, parts->a, EntryT(cursor->value()), parts->v, &key);
      absl::StatusOr<std::optional<std::string_view>> found = snap_.Get(Dbi::kHistEavtByTime, key);
      if (!found.ok()) return found.status();
      if (!found->has_value()) {
        Problem(Cat("hteavt: ", Describe(parts->e, parts->a, parts->v),
                    " retracted at t=", EntryT(cursor->value()), " is missing"));
      }
    }
    return cursor->status();
  }

  absl::Status CheckVals() {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(Dbi::kVals);
    if (!cursor.ok()) return cursor.status();
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      ++report_->long_values;
      std::string_view in = cursor->value();
      const bool decodes = in.size() > kMaxInlineValue && DecodeValue(&in).ok() && in.empty();
      if (cursor->key().size() != 8 || !decodes) {
        Problem(Cat("vals: malformed entry of ", cursor->value().size(), " bytes"));
      }
    }
    return cursor->status();
  }

  absl::Status CheckStats() {
    absl::StatusOr<Cursor> cursor = snap_.OpenCursor(Dbi::kStats);
    if (!cursor.ok()) return cursor.status();
    for (bool more = cursor->First(); more; more = cursor->Next()) {
      if (cursor->key().size() != 8 || cursor->value().size() != kStatsBytes) {
        Problem("stats: malformed entry");
        continue;
      }
      const uint64_t a = GetU64(cursor->key().data());
      const uint64_t datoms = GetU64(cursor->value().data());
      const uint64_t distinct = GetU64(cursor->value().data() + 8);
      auto it = counts_.find(a);
      const AttrCounts counted = it == counts_.end() ? AttrCounts{} : it->second;
      if (it != counts_.end()) counts_.erase(it);
      if (datoms != counted.datoms || distinct != counted.distinct) {
        Problem(Cat("stats: attribute ", a, " says ", datoms, " datoms and ", distinct,
                    " distinct values; the indexes hold ", counted.datoms, " and ",
                    counted.distinct));
      }
      if (counted.datoms > 0) ++report_->attributes;
    }
    if (!cursor->status().ok()) return cursor->status();
    for (const auto& [a, counted] : counts_) {
      Problem(Cat("stats: attribute ", a, " has no entry; the indexes hold ", counted.datoms,
                  " datoms"));
    }
    return absl::OkStatus();
  }

  void CheckMeta() {
    if (meta_.basis_t != last_t_) {
      Problem(Cat("meta: basis t is ", meta_.basis_t, ", the log ends at t=", last_t_));
    }
    if (meta_.schema_t > meta_.basis_t) {
      Problem(Cat("meta: schema t ", meta_.schema_t, " is after basis t ", meta_.basis_t));
    }
    if (max_user_ >= 0 && meta_.next_user_eid <= max_user_) {
      Problem(Cat("meta: next user entity ", meta_.next_user_eid, " is already used (", max_user_,
                  ")"));
    }
    if (max_db_ >= 0 && meta_.next_db_eid <= max_db_) {
      Problem(Cat("meta: next db entity ", meta_.next_db_eid, " is already used (", max_db_, ")"));
    }
  }

  const Snapshot& snap_;
  const VerifyOptions& options_;
  VerifyReport* report_;
  Meta meta_;
  // The replay's open lifetimes: EAVT key -> t_a; emptied as EAVT matches it.
  absl::flat_hash_map<std::string, int64_t> open_;
  absl::flat_hash_set<uint64_t> no_history_;
  absl::flat_hash_map<uint64_t, AttrCounts> counts_;
  uint64_t closed_with_history_ = 0;
  uint64_t current_refs_ = 0;
  uint64_t history_refs_ = 0;
  int64_t last_t_ = -1;
  int64_t max_user_ = -1;
  int64_t max_db_ = -1;
};

}  // namespace
}  // namespace internal

absl::StatusOr<VerifyReport> Verify(const Connection& conn, const VerifyOptions& options) {
  const Db db = conn.db();
  absl::StatusOr<internal::Snapshot> snapshot = db.state()->store->Read();
  if (!snapshot.ok()) return snapshot.status();
  VerifyReport report;
  internal::Verifier verifier(*snapshot, options, &report);
  absl::Status status = verifier.Run();
  if (!status.ok()) return status;
  return report;
}

}  // namespace accrete
