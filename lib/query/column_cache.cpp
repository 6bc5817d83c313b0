#include "query/column_cache.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "store/encoding.hpp"
#include "store/log.hpp"
#include "store/store.hpp"

namespace accrete::internal::query {
namespace {

struct Key {
  const Store* store;
  uint64_t attr;
  int64_t basis_t;
  friend bool operator==(const Key&, const Key&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const Key& k) {
    return H::combine(std::move(h), k.store, k.attr, k.basis_t);
  }
};

class Cache {
 public:
  std::shared_ptr<const Column> Find(const DbState& db, uint64_t attr) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(Key{db.store.get(), attr, db.basis_t});
    if (it == entries_.end()) return nullptr;
    // A store closed and another opened at the same address must not see
    // the first one's columns.
    if (it->second.store.lock() != db.store) {
      Drop(it);
      return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second.position);
    return it->second.column;
  }

  // The cached column of `attr` at the latest basis before db's, within
  // kMaxDeltaTxs of it, and that basis.
  std::pair<std::shared_ptr<const Column>, int64_t> Earlier(const DbState& db, uint64_t attr) {
    std::lock_guard lock(mu_);
    std::pair<std::shared_ptr<const Column>, int64_t> best{nullptr, -1};
    for (const auto& [key, entry] : entries_) {
      if (key.store != db.store.get() || key.attr != attr || key.basis_t >= db.basis_t ||
          key.basis_t < db.basis_t - kMaxDeltaTxs || key.basis_t <= best.second) {
        continue;
      }
      if (entry.store.lock() != db.store) continue;
      best = {entry.column, key.basis_t};
    }
    return best;
  }

  // Records a want of the column; true when it was wanted before at this
  // basis or a recent earlier one (whose column a later basis could then
  // derive from).
  bool Want(const DbState& db, uint64_t attr) {
    std::lock_guard lock(mu_);
    if (limit_ == 0) return false;  // columns are off: never build one
    // Wants of stores long gone pile up: forget them all now and then.
    if (wanted_.size() >= kMaxWants) wanted_.clear();
    auto [it, first] = wanted_.try_emplace(WantKey{db.store.get(), attr}, db.basis_t);
    if (first) return false;
    const int64_t before = it->second;
    it->second = std::max(before, db.basis_t);
    return before <= db.basis_t && before >= db.basis_t - kMaxDeltaTxs;
  }

  void Insert(const DbState& db, uint64_t attr, std::shared_ptr<const Column> column) {
    const size_t bytes = column->bytes();
    std::lock_guard lock(mu_);
    // One column may take a quarter of the cache, so that a few attributes
    // of one query fit together.
    if (bytes > limit_ / 4) return;
    const Key key{db.store.get(), attr, db.basis_t};
    if (auto it = entries_.find(key); it != entries_.end()) Drop(it);
    while (bytes_ + bytes > limit_ && !lru_.empty()) Drop(entries_.find(lru_.back()));
    lru_.push_front(key);
    entries_.emplace(key, Entry{db.store, std::move(column), lru_.begin(), bytes});
    bytes_ += bytes;
  }

  void SetLimit(size_t bytes) {
    std::lock_guard lock(mu_);
    limit_ = bytes;
    while (bytes_ > limit_ && !lru_.empty()) Drop(entries_.find(lru_.back()));
    if (limit_ == 0) wanted_.clear();
  }

  ColumnCacheStats Stats() {
    std::lock_guard lock(mu_);
    return ColumnCacheStats{limit_, bytes_, entries_.size()};
  }

 private:
  struct Entry {
    std::weak_ptr<Store> store;
    std::shared_ptr<const Column> column;
    std::list<Key>::iterator position;
    size_t bytes;
  };
  using Map = absl::flat_hash_map<Key, Entry>;

  void Drop(Map::iterator it) {
    bytes_ -= it->second.bytes;
    lru_.erase(it->second.position);
    entries_.erase(it);
  }

  static constexpr size_t kMaxWants = 4096;

  std::mutex mu_;
  Map entries_;
  struct WantKey {
    const Store* store;
    uint64_t attr;
    friend bool operator==(const WantKey&, const WantKey&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const WantKey& k) {
      return H::combine(std::move(h), k.store, k.attr);
    }
  };
  // The latest basis at which each attribute's column was wanted.
  absl::flat_hash_map<WantKey, int64_t> wanted_;
  std::list<Key> lru_;  // most recently used first
  size_t bytes_ = 0;
  size_t limit_ = kColumnCacheBytes;
};

Cache& TheCache() {
  static Cache* cache = new Cache;  // never destroyed: used until exit
  return *cache;
}

}  // namespace

// Appends datoms in column order, sealing a chunk every `chunk_size` datoms
// (or before its values would pass the 32-bit offsets).
class ColumnWriter {
 public:
  // `chunk_size`: datoms a chunk takes before the next starts.
  ColumnWriter(Column* out, size_t chunk_size) : out_(out), chunk_size_(chunk_size) {}
  ~ColumnWriter() { Flush(); }

  // False when the value cannot be held at all (over 4 GiB).
  bool Append(uint64_t e, int64_t tx, std::string_view v, const Value* value) {
    if (v.size() > UINT32_MAX) return false;
    if (chunk_ != nullptr &&
        (chunk_->size() >= chunk_size_ || chunk_->arena_.size() + v.size() > UINT32_MAX)) {
      Flush();
    }
    if (chunk_ == nullptr) chunk_ = std::make_shared<Column::Chunk>();
    chunk_->e_.push_back(e);
    chunk_->tx_.push_back(tx);
    chunk_->arena_.append(v);
    chunk_->v_end_.push_back(static_cast<uint32_t>(chunk_->arena_.size()));
    Value& slot = chunk_->values_.emplace_back();
    if (value != nullptr) {
      slot = *value;
    } else {
      DecodeValueInto(v, &slot, &scratch_);
    }
    return true;
  }

  // Ends the chunk being written, so that what is added next starts anew.
  void Flush() {
    if (chunk_ == nullptr) return;
    chunk_->e_.shrink_to_fit();
    chunk_->tx_.shrink_to_fit();
    chunk_->v_end_.shrink_to_fit();
    chunk_->arena_.shrink_to_fit();
    chunk_->values_.shrink_to_fit();
    out_->Add(std::move(chunk_));
    chunk_ = nullptr;
  }

 private:
  Column* out_;
  const size_t chunk_size_;
  std::shared_ptr<Column::Chunk> chunk_;
  std::string scratch_;
};

size_t Column::Chunk::bytes() const {
  // Decoded strings and other heap values count at about their encoding's
  // size again.
  return e_.capacity() * sizeof(uint64_t) + tx_.capacity() * sizeof(int64_t) +
         v_end_.capacity() * sizeof(uint32_t) + 2 * arena_.capacity() +
         values_.capacity() * sizeof(Value) + sizeof(Chunk);
}

void Column::Add(std::shared_ptr<const Chunk> chunk) {
  if (chunk->size() == 0) return;
  size_ += chunk->size();
  last_e_.push_back(chunk->e(chunk->size() - 1));
  chunks_.push_back(std::move(chunk));
}

size_t Column::bytes() const {
  size_t bytes = sizeof(Column) + last_e_.capacity() * sizeof(uint64_t) +
                 chunks_.capacity() * sizeof(chunks_[0]);
  for (const auto& chunk : chunks_) bytes += chunk->bytes();
  return bytes;
}

bool ColumnViewable(const DbState& db) {
  return !db.as_of_t && !db.since_t && !db.history && db.filters.empty() && db.overlay == nullptr &&
         db.stored_t == db.basis_t;
}

std::shared_ptr<const Column> FindColumn(const DbState& db, uint64_t attr) {
  if (!ColumnViewable(db)) return nullptr;
  return TheCache().Find(db, attr);
}

bool WantColumn(const DbState& db, uint64_t attr) {
  return ColumnViewable(db) && TheCache().Want(db, attr);
}

absl::StatusOr<std::shared_ptr<const Column>> DeriveColumn(const DbState& db, uint64_t attr) {
  if (!ColumnViewable(db)) return std::shared_ptr<const Column>();
  auto [base, base_t] = TheCache().Earlier(db, attr);
  if (base == nullptr) return std::shared_ptr<const Column>();

  // The attribute's changes after base_t, in the order of the column (e,
  // then v). Each [e v] ends either asserted (with its tx) or retracted.
  struct Change {
    uint64_t e;
    std::string v;
    bool added;
    int64_t tx;
  };
  std::vector<Change> changes;
  absl::StatusOr<Snapshot> snapshot = db.store->Read();
  if (!snapshot.ok()) return snapshot.status();
  absl::StatusOr<Cursor> cursor = snapshot->OpenCursor(Dbi::kLog);
  if (!cursor.ok()) return cursor.status();
  for (bool more = cursor->Seek(LogKey(base_t + 1)); more; more = cursor->Next()) {
    absl::StatusOr<LogEntry> entry = DecodeLogEntry(cursor->key(), cursor->value());
    if (!entry.ok()) return entry.status();
    if (entry->t > db.basis_t) break;
    for (const LogDatom& d : entry->datoms) {
      if (d.a != attr) continue;
      // A long value's place among others of its entity follows its stored
      // id, not its bytes: leave those to a build.
      if (d.v.size() > kMaxInlineValue) return std::shared_ptr<const Column>();
      changes.push_back(Change{d.e, std::string(d.v), d.added, static_cast<int64_t>(d.tx_a)});
    }
    // Past a quarter of the column, building it afresh costs about the same.
    if (changes.size() > base->size() / 4 + 16) return std::shared_ptr<const Column>();
  }
  if (!cursor->status().ok()) return cursor->status();
  // Stable: of several changes to one [e v], the last (latest t) wins.
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return a.e != b.e ? a.e < b.e : a.v < b.v;
  });
  std::vector<const Change*> finals;
  for (size_t c = 0; c < changes.size(); ++c) {
    if (c + 1 < changes.size() && changes[c + 1].e == changes[c].e &&
        changes[c + 1].v == changes[c].v) {
      continue;
    }
    finals.push_back(&changes[c]);
  }
  // Column order of a base entry against a change.
  auto order = [](const Column::Chunk& chunk, size_t i, const Change& change) {
    if (chunk.e(i) != change.e) return chunk.e(i) < change.e ? -1 : 1;
    return chunk.v(i).compare(change.v);
  };

  auto column = std::make_shared<Column>();
  // A rebuilt chunk is cut into kChunkSize pieces: a built column is one
  // chunk (reading it is fastest), and its first derivation splits it so
  // that later ones share most of it.
  ColumnWriter writer(column.get(), kChunkSize);
  size_t c = 0;
  for (size_t k = 0; k < base->chunks_.size(); ++k) {
    const Column::Chunk& chunk = *base->chunks_[k];
    // This chunk takes the changes up to its last entry; the last chunk
    // takes the rest.
    const bool last_chunk = k + 1 == base->chunks_.size();
    size_t end = c;
    while (end < finals.size() &&
           (last_chunk || order(chunk, chunk.size() - 1, *finals[end]) >= 0)) {
      ++end;
    }
    if (end == c) {
      writer.Flush();
      column->Add(base->chunks_[k]);  // unchanged: shared
      continue;
    }
    size_t i = 0;
    for (; c < end; ++c) {
      const Change& change = *finals[c];
      for (; i < chunk.size(); ++i) {
        const int o = order(chunk, i, change);
        if (o > 0) break;
        if (o == 0) {
          ++i;  // replaced or retracted
          break;
        }
        writer.Append(chunk.e(i), chunk.tx(i), chunk.v(i), &chunk.value(i));
      }
      if (change.added && !writer.Append(change.e, change.tx, change.v, nullptr)) {
        return std::shared_ptr<const Column>();
      }
    }
    for (; i < chunk.size(); ++i) {
      writer.Append(chunk.e(i), chunk.tx(i), chunk.v(i), &chunk.value(i));
    }
  }
  for (; c < finals.size(); ++c) {  // into an empty column
    if (finals[c]->added && !writer.Append(finals[c]->e, finals[c]->tx, finals[c]->v, nullptr)) {
      return std::shared_ptr<const Column>();
    }
  }
  writer.Flush();
  TheCache().Insert(db, attr, column);
  return std::shared_ptr<const Column>(std::move(column));
}

absl::StatusOr<std::shared_ptr<const Column>> BuildColumn(const DbState& db, uint64_t attr) {
  if (!ColumnViewable(db)) {
    return absl::InternalError("a column of a db view other than the latest stored one");
  }
  auto column = std::make_shared<Column>();
  std::string prefix;
  AppendId(&prefix, attr);
  bool too_big = false;
  {
    // One chunk: a merge reads a single chunk fastest (about a fifth faster
    // than 256-datom chunks in the people q4), and a column that is never
    // derived from never needs more.
    ColumnWriter writer(column.get(), SIZE_MAX);
    absl::Status status = ScanRaw(db, Index::kAevt, prefix, [&](const RawDatom& d) {
      too_big = !writer.Append(d.e, d.tx, d.v, nullptr);
      return !too_big;
    });
    if (!status.ok()) return status;
  }
  if (too_big) return std::shared_ptr<const Column>();
  TheCache().Insert(db, attr, column);
  return std::shared_ptr<const Column>(std::move(column));
}

}  // namespace accrete::internal::query

namespace accrete {

void SetColumnCacheLimit(size_t bytes) { internal::query::TheCache().SetLimit(bytes); }

ColumnCacheStats GetColumnCacheStats() { return internal::query::TheCache().Stats(); }

}  // namespace accrete
