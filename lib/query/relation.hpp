// Binding tables: relations of variables to rows of values, stored flat, and
// the relational operators the engine composes (product, hash join, anti
// join, projection with duplicate removal).
#ifndef ACCRETE_LIB_QUERY_RELATION_HPP_
#define ACCRETE_LIB_QUERY_RELATION_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "accrete/value.hpp"

namespace accrete::internal::query {

struct Rel {
  std::vector<int> vars;     // column -> variable id
  std::vector<Value> cells;  // row-major, rows * vars.size()
  size_t rows = 0;           // kept separately: a relation may have no columns
  // Known to hold no duplicate rows (so projecting onto every column needs
  // no dedupe).
  bool distinct = false;

  size_t width() const { return vars.size(); }
  const Value* row(size_t i) const { return cells.data() + i * vars.size(); }
  int col(int var) const {
    for (size_t i = 0; i < vars.size(); ++i) {
      if (vars[i] == var) return static_cast<int>(i);
    }
    return -1;
  }
  size_t bytes() const { return cells.size() * sizeof(Value); }
  // One row, no columns: the identity of join and product.
  static Rel Unit() {
    Rel r;
    r.rows = 1;
    return r;
  }
};

uint64_t HashCells(const Value* cells, const int* cols, size_t n);

// A set of rows of one width: insertion dedupes.
class RowSet {
 public:
  explicit RowSet(size_t width) : width_(width) {}
  // Copies `row` in unless an equal row is there; true when inserted.
  bool Insert(const Value* row);
  bool Contains(const Value* row) const;
  size_t rows() const { return rows_; }
  size_t width() const { return width_; }
  const Value* row(size_t i) const { return cells_.data() + i * width_; }
  std::vector<Value>& cells() { return cells_; }
  const std::vector<Value>& cells() const { return cells_; }

 private:
  size_t Find(const Value* row, uint64_t h) const;
  size_t width_;
  size_t rows_ = 0;
  std::vector<Value> cells_;
  absl::flat_hash_map<uint64_t, uint32_t> heads_;  // hash -> first row + 1
  std::vector<uint32_t> next_;                     // row -> next row with the hash + 1
};

// A multimap from the values of some columns of a relation to its rows.
class HashIndex {
 public:
  HashIndex(const Rel& rel, std::vector<int> cols);
  // Calls fn(row index) for each row whose key columns equal `key`
  // (values in the order of `cols`).
  template <typename Fn>
  void ForEach(const Value* key, const int* key_cols, Fn&& fn) const {
    auto it = heads_.find(HashCells(key, key_cols, cols_.size()));
    if (it == heads_.end()) return;
    for (uint32_t r = it->second; r != 0; r = next_[r - 1]) {
      const Value* row = rel_.row(r - 1);
      bool eq = true;
      for (size_t i = 0; i < cols_.size() && eq; ++i) eq = row[cols_[i]] == key[key_cols[i]];
      if (eq) fn(r - 1);
    }
  }

 private:
  const Rel& rel_;
  std::vector<int> cols_;
  absl::flat_hash_map<uint64_t, uint32_t> heads_;
  std::vector<uint32_t> next_;
};

// Polled by Product and Join every few thousand rows they produce with the
// bytes so far: true stops them early, leaving a partial result the caller
// must discard (it then reports why: deadline, cancellation, budget).
using StopFn = absl::FunctionRef<bool(size_t bytes)>;
inline bool NeverStop(size_t) { return false; }

// a x b.
Rel Product(const Rel& a, const Rel& b, StopFn stop = NeverStop);
// The natural join of a and b on their shared variables (a product when
// they share none).
Rel Join(const Rel& a, const Rel& b, StopFn stop = NeverStop);
// The rows of a whose shared variables match no row of b.
Rel AntiJoin(const Rel& a, const Rel& b);
// The distinct rows of `rel` restricted to `vars` (each must be a column).
Rel Project(const Rel& rel, const std::vector<int>& vars);

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_RELATION_HPP_
