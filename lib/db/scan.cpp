#include "db/scan.hpp"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace accrete::internal {
namespace {

Dbi CurrentDbi(Index index) { return static_cast<Dbi>(static_cast<int>(index)); }

int Compare(std::string_view a, int64_t a_tx, std::string_view b, int64_t b_tx) {
  int c = a.compare(b);
  if (c != 0) return c;
  return a_tx < b_tx ? -1 : (a_tx > b_tx ? 1 : 0);
}

}  // namespace

bool AppendValuePrefix(std::string* key, std::string_view full_v) {
  if (full_v.size() <= kMaxInlineValue) {
    key->append(full_v);
    return false;
  }
  key->append(full_v.substr(0, kMaxInlineValue));
  return true;
}

absl::StatusOr<ValueMatch> AppendLookupValue(const DbState& db, std::string* key,
                                             std::string_view full_v) {
  if (full_v.size() <= kMaxInlineValue) {
    key->append(full_v);
    return ValueMatch::kExact;
  }
  if (db.overlay != nullptr) {
    // Speculative long values carry made-up ids; match them by prefix.
    AppendValuePrefix(key, full_v);
    return ValueMatch::kPrefix;
  }
  absl::StatusOr<Snapshot> snapshot = db.store->Read();
  if (!snapshot.ok()) return snapshot.status();
  absl::StatusOr<std::optional<std::string>> stored = snapshot->KeyValue(full_v);
  if (!stored.ok()) return stored.status();
  // A value never stored is held by no datom; one stored after this db's
  // basis is filtered out by the scan like any later datom.
  if (!stored->has_value()) return ValueMatch::kAbsent;
  key->append(**stored);
  return ValueMatch::kExact;
}

absl::StatusOr<std::string> OverlayKeyValue(const Snapshot& snapshot, std::string_view full_v) {
  absl::StatusOr<std::optional<std::string>> stored = snapshot.KeyValue(full_v);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) return **stored;
  std::string v(full_v.substr(0, kMaxInlineValue));
  PutU64(&v, ~uint64_t{0});
  return v;
}

// One source of lifetimes in (key, tx_a) order.
struct RawScan::Head {
  bool valid = false;
  std::string_view key;
  int64_t tx_a = 0;
  int64_t tx_r = kOpen;
};

RawScan::RawScan(const DbState& db, Index index, std::string prefix, bool seek, Snapshot snapshot)
    : db_(db),
      index_(index),
      prefix_(std::move(prefix)),
      seek_(seek),
      snapshot_(std::move(snapshot)) {}

RawScan::~RawScan() = default;

absl::StatusOr<std::unique_ptr<RawScan>> RawScan::Open(const DbState& db, Index index,
                                                       std::string prefix, bool seek,
                                                       std::string_view start) {
  absl::StatusOr<Snapshot> snapshot = db.store->Read();
  if (!snapshot.ok()) return snapshot.status();
  absl::StatusOr<Meta> meta = snapshot->ReadMeta();
  if (!meta.ok()) return meta.status();
  std::unique_ptr<RawScan> scan(
      new RawScan(db, index, std::move(prefix), seek, *std::move(snapshot)));
  scan->view_t_ = db.as_of_t ? std::min(*db.as_of_t, db.basis_t) : db.basis_t;
  // Closed lifetimes all ended by the store's latest t; a view at or after it
  // can see none of them.
  scan->use_history_ = db.history || scan->view_t_ < meta->basis_t;
  scan->plain_ = !scan->use_history_ && db.overlay == nullptr && !db.history;
  scan->plain_since_ = db.since_t.value_or(INT64_MIN);
  // Stored lifetimes opened after the stored basis belong to later
  // transactions this db must not see.
  scan->plain_until_ = std::min(scan->view_t_, db.stored_t);

  absl::StatusOr<Cursor> current = scan->snapshot_.OpenCursor(CurrentDbi(index));
  if (!current.ok()) return current.status();
  scan->current_cursor_ = *std::move(current);
  // An EAVT as_of view needs only the lifetimes closed after its t: the
  // by-time history finds them with one seek per [e a].
  scan->use_time_ =
      scan->use_history_ && index == Index::kEavt && !db.history && !seek && start.empty();
  if (scan->use_time_) {
    absl::StatusOr<Cursor> time = scan->snapshot_.OpenCursor(Dbi::kHistEavtByTime);
    if (!time.ok()) return time.status();
    scan->time_cursor_ = *std::move(time);
  } else if (scan->use_history_) {
    absl::StatusOr<Cursor> history = scan->snapshot_.OpenCursor(HistoryOf(CurrentDbi(index)));
    if (!history.ok()) return history.status();
    scan->history_cursor_ = *std::move(history);
  }
  if (!db.filters.empty()) {
    auto unfiltered = std::make_shared<DbState>(db);
    unfiltered->filters.clear();
    scan->unfiltered_.emplace(std::move(unfiltered));
  }
  if (db.overlay) scan->overlay_lives_ = &db.overlay->lives[static_cast<int>(index)];
  scan->Restart(scan->prefix_, start);
  return scan;
}

void RawScan::Restart(std::string_view prefix, std::string_view start) {
  if (prefix.data() != prefix_.data()) prefix_.assign(prefix);
  consumed_ = Source::kNone;
  pending_retraction_ = false;
  status_ = absl::OkStatus();
  const std::string_view first = start.empty() ? std::string_view(prefix_) : start;
  current_cursor_.Seek(first);
  if (use_time_) {
    std::string_view rest = prefix_;
    uint64_t id = 0;
    size_t cut = 0;
    for (int i = 0; i < 2 && !rest.empty(); ++i) {
      const size_t n = ReadId(rest, &id);
      if (n == 0) break;
      cut += n;
      rest.remove_prefix(n);
    }
    time_prefix_.assign(prefix_, 0, cut);
    time_cursor_.Seek(time_prefix_);
    group_.clear();
    group_pos_ = 0;
  } else if (use_history_) {
    history_cursor_.Seek(first);
  }
  if (overlay_lives_ != nullptr) {
    overlay_pos_ =
        static_cast<size_t>(std::lower_bound(overlay_lives_->begin(), overlay_lives_->end(), first,
                                             [](const Overlay::Life& life, std::string_view p) {
                                               return life.key < p;
                                             }) -
                            overlay_lives_->begin());
  }
}

void RawScan::SkipTo(uint64_t e, std::string_view seek_key, int max_steps) {
  if (!plain() || (index_ != Index::kAevt && index_ != Index::kAvet)) return;
  if (consumed_ != Source::kNone) {
    current_cursor_.Next();
    consumed_ = Source::kNone;
  }
  for (int steps = 0; current_cursor_.valid(); ++steps) {
    const std::string_view key = current_cursor_.key();
    if (!InRange(key)) return;
    uint64_t entity = 0;
    const size_t n = index_ == Index::kAevt ? ReadId(key.substr(prefix_.size()), &entity)
                                            : ReadTailId(key, &entity);
    if (n == 0 || entity >= e) return;  // a malformed key is left to Next()
    if (steps == max_steps) {
      current_cursor_.Seek(seek_key);
      return;
    }
    current_cursor_.Next();
  }
}

void RawScan::AdvanceConsumed() {
  switch (consumed_) {
    case Source::kNone:
      return;
    case Source::kCurrent:
      current_cursor_.Next();
      break;
    case Source::kHistory:
      if (use_time_) {
        ++group_pos_;
      } else {
        history_cursor_.Next();
      }
      break;
    case Source::kOverlay:
      ++overlay_pos_;
      break;
  }
  consumed_ = Source::kNone;
}

// Called when no source has a lifetime left: false, with status_ set if a
// cursor failed.
bool RawScan::EndOfSources() {
  if (!current_cursor_.status().ok()) status_ = current_cursor_.status();
  if (!history_cursor_.status().ok()) status_ = history_cursor_.status();
  if (!time_cursor_.status().ok()) status_ = time_cursor_.status();
  return false;
}

// Fills group_ with the next [e a] group's lifetimes that may be visible:
// those closed after m = min(view t, stored t) and opened at or before it.
// Leaves group_ empty at the end of the range; false on error.
bool RawScan::LoadGroup() {
  group_.clear();
  group_pos_ = 0;
  const int64_t m = std::min(view_t_, db_.stored_t);
  while (group_.empty()) {
    if (!time_cursor_.valid() || !time_cursor_.key().starts_with(time_prefix_)) return true;
    absl::StatusOr<TimeKeyParts> first = ParseTimeKey(time_cursor_.key());
    if (!first.ok()) {
      status_ = first.status();
      return false;
    }
    group_seek_.assign(time_cursor_.key().substr(0, first->group_size));
    const size_t group_size = group_seek_.size();
    const Attribute* attr =
        db_.schema != nullptr ? db_.schema->Find(static_cast<EntityId>(first->a)) : nullptr;
    // Cardinality one: at most one lifetime is open at m, and it is the first
    // to close after m (see Attribute::cardinality_since_t).
    const bool one = attr != nullptr && !attr->many && m >= attr->cardinality_since_t;
    AppendId(&group_seek_, static_cast<uint64_t>(m + 1));
    for (bool more = time_cursor_.Seek(group_seek_);
         more &&
         time_cursor_.key().starts_with(std::string_view(group_seek_).substr(0, group_size));
         more = time_cursor_.Next()) {
      absl::StatusOr<TimeKeyParts> parts = ParseTimeKey(time_cursor_.key());
      if (!parts.ok()) {
        status_ = parts.status();
        return false;
      }
      const int64_t tx_a = EntryT(time_cursor_.value());
      if (tx_a <= m) {
        GroupLife life;
        life.key.assign(group_seek_, 0, group_size);
        life.key.append(parts->v);
        if (InRange(life.key)) {
          life.tx_a = tx_a;
          life.tx_r = parts->t_r;
          group_.push_back(std::move(life));
        }
      }
      if (one) break;
    }
    // On to the next group: past every key that starts with this group's ids.
    group_seek_.resize(group_size);
    group_seek_.push_back('\xff');
    time_cursor_.Seek(group_seek_);
    std::sort(group_.begin(), group_.end(), [](const GroupLife& x, const GroupLife& y) {
      return Compare(x.key, x.tx_a, y.key, y.tx_a) < 0;
    });
  }
  return true;
}

inline bool RawScan::SetFromKey(std::string_view key, std::string_view full_v) {
  KeyParts parts;
  if (!ParseCurrentKey(static_cast<Dbi>(static_cast<int>(index_)), key, &parts)) {
    status_ = ParseKey(static_cast<Dbi>(static_cast<int>(index_)), key).status();
    return false;
  }
  current_.e = parts.e;
  current_.a = parts.a;
  if (!full_v.empty()) {
    current_.v = full_v;
  } else if (parts.v.size() <= kMaxInlineValue) {
    current_.v = parts.v;  // a short value is its own full encoding
  } else {
    absl::StatusOr<std::string_view> full = snapshot_.FullValue(parts.v);
    if (!full.ok()) {
      status_ = full.status();
      return false;
    }
    current_.v = *full;
  }
  return true;
}

inline bool RawScan::NextPlain() {
  while (true) {
    if (consumed_ != Source::kNone) {
      current_cursor_.Next();
      consumed_ = Source::kNone;
    }
    if (!current_cursor_.valid() || !InRange(current_cursor_.key())) return EndOfSources();
    consumed_ = Source::kCurrent;
    const int64_t tx_a = EntryT(current_cursor_.value());
    if (tx_a > plain_until_ || tx_a <= plain_since_) continue;
    if (!SetFromKey(current_cursor_.key(), {})) return false;
    current_.tx = TToTx(tx_a);
    current_.added = true;
    return true;
  }
}

// Produces the next lifetime of the merged sources that exists in this db
// (stored before its stored_t, or in its overlay), with tx_a and tx_r as t
// and tx_r = kOpen when still open as of the db's basis. `key` views the
// source's key and `full_v` (set for overlay lifetimes only, else empty) the
// overlay's value: both stay valid until the next call.
bool RawScan::NextLifetime(std::string_view* key, std::string_view* full_v, int64_t* tx_a,
                           int64_t* tx_r) {
  while (true) {
    AdvanceConsumed();
    Head heads[3];
    if (current_cursor_.valid() && InRange(current_cursor_.key())) {
      heads[0] = {true, current_cursor_.key(), EntryT(current_cursor_.value()), kOpen};
    }
    if (use_time_) {
      if (group_pos_ >= group_.size() && !LoadGroup()) return false;
      if (group_pos_ < group_.size()) {
        const GroupLife& life = group_[group_pos_];
        heads[1] = {true, life.key, life.tx_a, life.tx_r};
      }
    } else if (use_history_ && history_cursor_.valid() && InRange(history_cursor_.key())) {
      auto split = SplitHistoryKey(history_cursor_.key());
      if (!split.ok()) {
        status_ = split.status();
        return false;
      }
      heads[1] = {true, split->first, split->second, EntryT(history_cursor_.value())};
    }
    if (overlay_lives_ != nullptr && overlay_pos_ < overlay_lives_->size() &&
        InRange((*overlay_lives_)[overlay_pos_].key)) {
      const Overlay::Life& life = (*overlay_lives_)[overlay_pos_];
      heads[2] = {true, life.key, life.tx_a, life.tx_r};
    }
    int best = -1;
    for (int i = 0; i < 3; ++i) {
      if (!heads[i].valid) continue;
      if (best < 0 || Compare(heads[i].key, heads[i].tx_a, heads[best].key, heads[best].tx_a) < 0) {
        best = i;
      }
    }
    if (best < 0) return EndOfSources();
    const Head& h = heads[best];
    *tx_a = h.tx_a;
    *tx_r = h.tx_r;
    *key = h.key;
    if (best == 2) {
      consumed_ = Source::kOverlay;
      *full_v = (*overlay_lives_)[overlay_pos_].full_v;
      return true;
    }
    consumed_ = best == 0 ? Source::kCurrent : Source::kHistory;
    if (*tx_a > db_.stored_t) continue;
    if (*tx_r > db_.stored_t) *tx_r = kOpen;
    if (db_.overlay != nullptr) {
      const auto& closed = db_.overlay->closed[static_cast<int>(index_)];
      if (!closed.empty()) {
        closed_key_.assign(*key);
        PutU64(&closed_key_, static_cast<uint64_t>(*tx_a));
        auto it = closed.find(closed_key_);
        if (it != closed.end()) *tx_r = it->second;
      }
    }
    *full_v = {};  // resolved from the key
    return true;
  }
}

bool RawScan::PassesFilters() {
  if (!unfiltered_) return true;
  Datom datom;
  datom.e = static_cast<EntityId>(current_.e);
  datom.a = static_cast<EntityId>(current_.a);
  std::string_view v = current_.v;
  absl::StatusOr<Value> value = DecodeValue(&v);
  if (!value.ok()) {
    status_ = value.status();
    return false;
  }
  datom.v = *std::move(value);
  datom.tx = current_.tx;
  datom.added = current_.added;
  for (const auto& filter : db_.filters) {
    if (!filter(*unfiltered_, datom)) return false;
  }
  return true;
}

bool RawScan::Next() {
  while (plain_ ? NextPlain() : NextUnfiltered()) {
    if (!unfiltered_ || PassesFilters()) return true;
    if (!status_.ok()) return false;
  }
  return false;
}

bool RawScan::NextUnfiltered() {
  const std::optional<int64_t>& since = db_.since_t;
  while (true) {
    if (pending_retraction_) {
      pending_retraction_ = false;
      current_.tx = TToTx(pending_tx_r_);
      current_.added = false;
      return true;
    }
    std::string_view key;
    std::string_view full_v;
    int64_t tx_a = 0;
    int64_t tx_r = kOpen;
    if (!NextLifetime(&key, &full_v, &tx_a, &tx_r)) return false;
    if (tx_a > view_t_) continue;
    bool emit_assert = !since || tx_a > *since;
    bool emit_retract = false;
    if (db_.history) {
      emit_retract = tx_r <= view_t_ && (!since || tx_r > *since);
    } else if (tx_r <= view_t_) {
      continue;  // retracted as of this view
    }
    if (!emit_assert && !emit_retract) continue;

    if (!SetFromKey(key, full_v)) return false;
    if (emit_assert) {
      current_.tx = TToTx(tx_a);
      current_.added = true;
      pending_retraction_ = emit_retract;
      pending_tx_r_ = tx_r;
      return true;
    }
    current_.tx = TToTx(tx_r);
    current_.added = false;
    return true;
  }
}

absl::Status ScanRaw(const DbState& db, Index index, std::string_view prefix,
                     absl::FunctionRef<bool(const RawDatom&)> fn) {
  absl::StatusOr<std::unique_ptr<RawScan>> scan = RawScan::Open(db, index, std::string(prefix));
  if (!scan.ok()) return scan.status();
  while ((*scan)->Next()) {
    if (!fn((*scan)->datom())) break;
  }
  return (*scan)->status();
}

absl::StatusOr<std::vector<std::string>> ValuesOf(const DbState& db, uint64_t e, uint64_t a) {
  std::string prefix;
  AppendId(&prefix, e);
  AppendId(&prefix, a);
  std::vector<std::string> values;
  absl::Status status = ScanRaw(db, Index::kEavt, prefix, [&](const RawDatom& d) {
    values.emplace_back(d.v);
    return true;
  });
  if (!status.ok()) return status;
  return values;
}

absl::StatusOr<std::vector<uint64_t>> EntitiesWith(const DbState& db, uint64_t a,
                                                   std::string_view v) {
  std::string prefix;
  AppendId(&prefix, a);
  std::vector<uint64_t> entities;
  absl::StatusOr<ValueMatch> match = AppendLookupValue(db, &prefix, v);
  if (!match.ok()) return match.status();
  if (*match == ValueMatch::kAbsent) return entities;
  const bool compare_full = *match == ValueMatch::kPrefix;
  absl::Status status = ScanRaw(db, Index::kAvet, prefix, [&](const RawDatom& d) {
    if (!compare_full || d.v == v) entities.push_back(d.e);
    return true;
  });
  if (!status.ok()) return status;
  return entities;
}

}  // namespace accrete::internal
