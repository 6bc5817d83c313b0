#include "query/column_cache.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "store/encoding.hpp"

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

  // Records a want of the column; true when it was wanted before.
  bool Want(const DbState& db, uint64_t attr) {
    std::lock_guard lock(mu_);
    if (limit_ == 0) return false;  // columns are off: never build one
    // Wants of bases long gone pile up: forget them all now and then.
    if (wanted_.size() >= kMaxWants) wanted_.clear();
    return !wanted_.insert(Key{db.store.get(), attr, db.basis_t}).second;
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
  absl::flat_hash_set<Key> wanted_;
  std::list<Key> lru_;  // most recently used first
  size_t bytes_ = 0;
  size_t limit_ = kColumnCacheBytes;
};

Cache& TheCache() {
  static Cache* cache = new Cache;  // never destroyed: used until exit
  return *cache;
}

}  // namespace

size_t Column::LowerBound(uint64_t e, size_t from) const {
  // Galloping: the targets of a join come in ascending order, usually a few
  // positions apart, so the search starts at the previous answer.
  size_t step = 1;
  size_t hi = from;
  while (hi < e_.size() && e_[hi] < e) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = std::min(hi, e_.size());
  return static_cast<size_t>(std::lower_bound(e_.begin() + static_cast<ptrdiff_t>(from),
                                              e_.begin() + static_cast<ptrdiff_t>(hi), e) -
                             e_.begin());
}

size_t Column::bytes() const {
  // Decoded strings and other heap values count at about their encoding's
  // size again.
  return e_.capacity() * sizeof(uint64_t) + tx_.capacity() * sizeof(int64_t) +
         v_end_.capacity() * sizeof(uint32_t) + 2 * arena_.capacity() +
         values_.capacity() * sizeof(Value) + sizeof(Column);
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

absl::StatusOr<std::shared_ptr<const Column>> BuildColumn(const DbState& db, uint64_t attr) {
  if (!ColumnViewable(db)) {
    return absl::InternalError("a column of a db view other than the latest stored one");
  }
  auto column = std::make_shared<Column>();
  std::string prefix;
  AppendId(&prefix, attr);
  bool too_big = false;
  std::string scratch;
  absl::Status status = ScanRaw(db, Index::kAevt, prefix, [&](const RawDatom& d) {
    if (column->arena_.size() + d.v.size() > UINT32_MAX) {
      too_big = true;
      return false;
    }
    column->e_.push_back(d.e);
    column->tx_.push_back(d.tx);
    column->arena_.append(d.v);
    column->v_end_.push_back(static_cast<uint32_t>(column->arena_.size()));
    DecodeValueInto(d.v, &column->values_.emplace_back(), &scratch);
    return true;
  });
  if (!status.ok()) return status;
  if (too_big) return std::shared_ptr<const Column>();
  column->e_.shrink_to_fit();
  column->tx_.shrink_to_fit();
  column->v_end_.shrink_to_fit();
  column->arena_.shrink_to_fit();
  column->values_.shrink_to_fit();
  TheCache().Insert(db, attr, column);
  return std::shared_ptr<const Column>(std::move(column));
}

}  // namespace accrete::internal::query

namespace accrete {

void SetColumnCacheLimit(size_t bytes) { internal::query::TheCache().SetLimit(bytes); }

ColumnCacheStats GetColumnCacheStats() { return internal::query::TheCache().Stats(); }

}  // namespace accrete
