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

class Column {
 public:
  size_t size() const { return e_.size(); }
  uint64_t e(size_t i) const { return e_[i]; }
  int64_t tx(size_t i) const { return tx_[i]; }
  // v decoded once at build: a join emitting it copies a Value (a reference
  // count for strings) instead of decoding and allocating per row.
  const Value& value(size_t i) const { return values_[i]; }
  std::string_view v(size_t i) const {
    const uint32_t from = i == 0 ? 0 : v_end_[i - 1];
    return std::string_view(arena_).substr(from, v_end_[i] - from);
  }
  // The first position at or after `from` whose entity is >= e.
  size_t LowerBound(uint64_t e, size_t from) const;
  size_t bytes() const;

 private:
  friend absl::StatusOr<std::shared_ptr<const Column>> BuildColumn(const DbState& db,
                                                                   uint64_t attr);
  std::vector<uint64_t> e_;
  std::vector<int64_t> tx_;
  std::vector<uint32_t> v_end_;
  std::string arena_;
  std::vector<Value> values_;
};

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
