// The read path: merges the stored current and history indexes with a
// speculative overlay, and applies a Db's time view (basis, as_of, since,
// history). Everything above it reads datoms through RawScan.
//
// A fact is seen as a *lifetime*: [e a v] asserted at tx_a and, once
// retracted, closed at tx_r. Current indexes hold open lifetimes keyed in index
// order; history indexes hold closed ones (key + tx_a -> tx_r). Both streams
// are ordered by (key, tx_a), so a view at any t is a streaming merge.
#ifndef ACCRETE_LIB_DB_SCAN_HPP_
#define ACCRETE_LIB_DB_SCAN_HPP_

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "db/db_state.hpp"
#include "store/store.hpp"

namespace accrete::internal {

inline constexpr int64_t kOpen = INT64_MAX;

// Lifetimes added by with(): opened by a speculative transaction, or stored
// lifetimes it closed. Immutable once built; a chained with() copies and
// extends its parent's overlay.
class Overlay {
 public:
  struct Life {
    std::string key;     // index key, v in in-key form (see encoding.hpp)
    std::string full_v;  // the full value encoding
    int64_t tx_a = 0;    // t
    int64_t tx_r = kOpen;
  };
  // Per index (Index order), sorted by (key, tx_a).
  std::vector<Life> lives[4];
  // Stored lifetimes closed speculatively: key + tx_a(8 bytes) -> t.
  absl::flat_hash_map<std::string, int64_t> closed[4];
};

// The in-key form of a value for building a scan prefix: the encoding itself
// when short; for a long value, its first kMaxInlineValue bytes (the prefix
// then matches every stored value sharing them, so callers compare full
// values). Returns true when the value is long.
bool AppendValuePrefix(std::string* key, std::string_view full_v);

// How a value appended by AppendLookupValue pins the scan.
enum class ValueMatch {
  kExact,   // the key holds the value's exact in-key form
  kPrefix,  // only its prefix: compare full values of what the scan finds
  kAbsent,  // no datom of `db` can hold this value
};

// Appends the in-key form of `full_v` for an exact lookup: long values are
// found by their stored id, so a lookup never scans every value that shares
// a long prefix.
absl::StatusOr<ValueMatch> AppendLookupValue(const DbState& db, std::string* key,
                                             std::string_view full_v);

// The in-key form of a value for an overlay key (see with()): the stored
// form when the value is stored, else its prefix and an id of all ones.
absl::StatusOr<std::string> OverlayKeyValue(const Snapshot& snapshot, std::string_view full_v);

class RawScan {
 public:
  // Scans `index` over keys starting with `prefix`, from `start` (which must
  // itself start with `prefix`; empty: from the prefix). When `seek` is set
  // the scan starts at `prefix` and runs to the end of the index instead.
  static absl::StatusOr<std::unique_ptr<RawScan>> Open(const DbState& db, Index index,
                                                       std::string prefix, bool seek = false,
                                                       std::string_view start = {});
  ~RawScan();

  // Starts over on keys starting with `prefix` (from `start`, which must
  // start with `prefix`; empty: from the prefix), reusing the snapshot and
  // cursors: the query engine's index lookups, one per bound row.
  void Restart(std::string_view prefix, std::string_view start = {});

  // For merge joins over AEVT (prefix: the attribute) or AVET (prefix: the
  // attribute and a value), which hold each prefix's entries in entity
  // order: moves past the entries whose entity is below `e` reading nothing
  // but their keys, stepping at most `max_steps` times and then seeking to
  // `seek_key` (the prefix followed by e). The next Next() returns the first
  // visible datom at or after that point. Only for scans where plain() is
  // true; a no-op otherwise.
  void SkipTo(uint64_t e, std::string_view seek_key, int max_steps);
  // Whether this scan reads only the current index (the latest view of a
  // stored db, with no overlay or history).
  bool plain() const { return plain_ && !unfiltered_; }

  // Advances to the next visible datom. The datom's views (its `v`) stay
  // valid until the next call to Next() or the end of the scan.
  bool Next();
  const RawDatom& datom() const { return current_; }
  const absl::Status& status() const { return status_; }

 private:
  struct Head;
  // Where the lifetime being emitted came from. That source is advanced only
  // when the next lifetime is asked for, so that the key (and the datom's
  // value, a view into it) need not be copied out of the cursor.
  enum class Source : uint8_t { kNone, kCurrent, kHistory, kOverlay };
  RawScan(const DbState& db, Index index, std::string prefix, bool seek, Snapshot snapshot);
  bool NextUnfiltered();
  bool PassesFilters();
  bool InRange(std::string_view key) const {
    return seek_ || (key.size() >= prefix_.size() && SamePrefix(key.data()));
  }
  // Whether `key` starts with prefix_ (which it is long enough to hold).
  // Prefixes are short (mostly 8 or 16 bytes): word compares, no memcmp call.
  bool SamePrefix(const char* key) const {
    const size_t n = prefix_.size();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t a;
      uint64_t b;
      std::memcpy(&a, key + i, 8);
      std::memcpy(&b, prefix_.data() + i, 8);
      if (a != b) return false;
    }
    for (; i < n; ++i) {
      if (key[i] != prefix_[i]) return false;
    }
    return true;
  }
  void AdvanceConsumed();
  // The plain scan (no history cursor, no overlay, not a history view): the
  // visible entries of the current index, one after the other.
  bool NextPlain();
  // Sets current_'s e, a and v from an index key (and the full value when
  // known, else from the key or the long-value store).
  bool SetFromKey(std::string_view key, std::string_view full_v);
  bool NextLifetime(std::string_view* key, std::string_view* full_v, int64_t* tx_a, int64_t* tx_r);
  bool EndOfSources();

  const DbState& db_;
  Index index_;
  std::string prefix_;
  bool seek_;
  Snapshot snapshot_;
  int64_t view_t_ = 0;  // the latest t visible: min(basis, as_of)
  bool use_history_ = false;
  bool plain_ = false;  // see NextPlain()
  // For NextPlain(): entries with tx_a in (plain_since_, plain_until_] are
  // visible.
  int64_t plain_since_ = INT64_MIN;
  int64_t plain_until_ = 0;
  Source consumed_ = Source::kNone;
  Cursor current_cursor_;
  Cursor history_cursor_;
  // EAVT as_of views read closed lifetimes from the by-time history instead
  // of heavt: per [e a] group, only those closed after the view's t (and for
  // a cardinality-one attribute only the first), sorted into key order.
  struct GroupLife {
    std::string key;  // the EAVT key
    int64_t tx_a = 0;
    int64_t tx_r = 0;
  };
  bool LoadGroup();
  bool use_time_ = false;
  std::string time_prefix_;  // prefix_ cut to its e and a ids
  Cursor time_cursor_;
  std::vector<GroupLife> group_;
  size_t group_pos_ = 0;
  std::string group_seek_;  // scratch
  const std::vector<Overlay::Life>* overlay_lives_ = nullptr;
  size_t overlay_pos_ = 0;
  // A retraction still to emit for the lifetime just asserted (history
  // views); current_ keeps its e, a and v.
  bool pending_retraction_ = false;
  int64_t pending_tx_r_ = 0;
  RawDatom current_;
  absl::Status status_;
  std::string closed_key_;  // scratch for overlay closings
  // For db.filter(): the same db without its filters, given to predicates.
  std::optional<Db> unfiltered_;
};

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_DB_SCAN_HPP_
