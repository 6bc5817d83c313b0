// Decoded columns: one attribute's current datoms in entity order, read once
// from AEVT and kept for later queries on the same database value.
//
// Why: a join that looks up an attribute for thousands of entities (q2-q4 of
// the people comparison: 2,500 Ivans, then each one's age) pays an LMDB
// cursor step or seek per entity, ~200 ns, because a B-tree cursor cannot
// jump within a page. A column answers each lookup by a search in a sorted
// array. Like Datomic's peer caching index segments, the column is a copy of
// immutable data: it belongs to one store at one basis t, so it never needs
// invalidating -- a later basis simply builds its own.
//
// Thread safety: the cache is process-wide and thread-safe; a Column is
// immutable and shared.
#ifndef ACCRETE_LIB_QUERY_COLUMN_CACHE_HPP_
#define ACCRETE_LIB_QUERY_COLUMN_CACHE_HPP_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "accrete/query.hpp"
#include "db/db_state.hpp"

namespace accrete::internal::query {

// The first index at or after `from` of ascending `xs` whose value is >= x.
// Galloping: the targets of a join come in ascending order, usually a few
// positions apart, so the search starts at the previous answer.
inline size_t Gallop(const std::vector<uint64_t>& xs, size_t from, uint64_t x) {
  size_t step = 1;
  size_t hi = from;
  while (hi < xs.size() && xs[hi] < x) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = std::min(hi, xs.size());
  return static_cast<size_t>(std::lower_bound(xs.begin() + static_cast<ptrdiff_t>(from),
                                              xs.begin() + static_cast<ptrdiff_t>(hi), x) -
                             xs.begin());
}

// A column is a run of immutable, shared chunks: a built column is one
// chunk; the column of a later basis, derived from an earlier one, rebuilds
// only the chunks its changes fall in (cut to about kChunkSize datoms) and
// shares the rest.
class Column {
 public:
  class Chunk {
   public:
    size_t size() const { return e_.size(); }
    uint64_t e(size_t i) const { return e_[i]; }
    const std::vector<uint64_t>& entities() const { return e_; }
    int64_t tx(size_t i) const { return tx_[i]; }
    // v decoded once at build: a join emitting it copies a Value (a
    // reference count for strings) instead of decoding and allocating per
    // row.
    const Value& value(size_t i) const { return values_[i]; }
    std::string_view v(size_t i) const {
      const uint32_t from = i == 0 ? 0 : v_end_[i - 1];
      return std::string_view(arena_).substr(from, v_end_[i] - from);
    }
    size_t bytes() const;

   private:
    friend class ColumnWriter;
    std::vector<uint64_t> e_;
    std::vector<int64_t> tx_;
    std::vector<uint32_t> v_end_;
    std::string arena_;
    std::vector<Value> values_;
  };

  // A place in the column: a chunk, and an entry in it. The end is
  // {chunks, 0}.
  struct Pos {
    size_t chunk = 0;
    size_t i = 0;
  };

  size_t size() const { return size_; }
  bool at_end(Pos p) const { return p.chunk >= chunks_.size(); }
  const Chunk& chunk(Pos p) const { return *chunks_[p.chunk]; }
  // The first place at or after `from` whose entity is >= e. Inline: a
  // join calls it once per target.
  Pos LowerBound(uint64_t e, Pos from) const {
    if (at_end(from)) return from;
    if (last_e_[from.chunk] < e) {
      // Not in this chunk: the first chunk that reaches e, from its start.
      from = Pos{Gallop(last_e_, from.chunk + 1, e), 0};
      if (at_end(from)) return from;
    }
    return Pos{from.chunk, Gallop(chunks_[from.chunk]->entities(), from.i, e)};
  }
  // Shared chunks count in full in every column that holds them.
  size_t bytes() const;

 private:
  friend class ColumnWriter;
  friend absl::StatusOr<std::shared_ptr<const Column>> DeriveColumn(const DbState& db,
                                                                    uint64_t attr);
  void Add(std::shared_ptr<const Chunk> chunk);
  std::vector<std::shared_ptr<const Chunk>> chunks_;
  std::vector<uint64_t> last_e_;  // of each chunk: which chunk holds an entity
  size_t size_ = 0;
};

// Datoms a chunk of a derived column holds before the next one starts (a
// built column is one chunk; DeriveColumn cuts the chunks it rebuilds).
inline constexpr size_t kChunkSize = 256;

// Whether `db` reads the store as of its basis with nothing on top (no
// as_of/since/history/with/filter): the only views a Column represents.
bool ColumnViewable(const DbState& db);

// The cached column of `attr` at db's basis, or nullptr.
std::shared_ptr<const Column> FindColumn(const DbState& db, uint64_t attr);

// Records that a query wanted the column of `attr` at db's basis; true when
// one did before. A column is built on the second want, not the first: a
// build costs several dense merges (every datom is read and decoded), which
// pays off only when the db value is queried again -- and an application
// that queries each new basis once should not pay it at all.
bool WantColumn(const DbState& db, uint64_t attr);

// The column of `attr` at db's basis made from a cached column of a recent
// earlier basis and the log since (at most kMaxDeltaTxs transactions), and
// cached; nullptr when there is no such column or the change is too large
// to be worth it. A new basis then costs a copy of the column plus its
// changes instead of a merge or a build: an application that writes and
// queries in turn keeps its columns.
absl::StatusOr<std::shared_ptr<const Column>> DeriveColumn(const DbState& db, uint64_t attr);
inline constexpr int64_t kMaxDeltaTxs = 64;

// Reads the column of `attr` (db must be ColumnViewable) and caches it.
absl::StatusOr<std::shared_ptr<const Column>> BuildColumn(const DbState& db, uint64_t attr);

// Columns of more datoms than this are not built: they would crowd the cache
// out, and a join dense enough to want them is rare.
inline constexpr uint64_t kMaxColumnDatoms = uint64_t{1} << 20;

// The bytes all cached columns may hold by default (least recently used go
// first); SetColumnCacheLimit (accrete/query.hpp) changes it.
inline constexpr size_t kColumnCacheBytes = size_t{64} << 20;

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_COLUMN_CACHE_HPP_
