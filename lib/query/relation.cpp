#include "query/relation.hpp"

#include <utility>

namespace accrete::internal::query {

uint64_t HashCells(const Value* cells, const int* cols, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; ++i) {
    const size_t c = cols == nullptr ? i : static_cast<size_t>(cols[i]);
    h ^= cells[c].hash() + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  }
  return h;
}

size_t RowSet::Find(const Value* row, uint64_t h) const {
  auto it = heads_.find(h);
  if (it == heads_.end()) return SIZE_MAX;
  for (uint32_t r = it->second; r != 0; r = next_[r - 1]) {
    const Value* other = this->row(r - 1);
    bool eq = true;
    for (size_t i = 0; i < width_ && eq; ++i) eq = other[i] == row[i];
    if (eq) return r - 1;
  }
  return SIZE_MAX;
}

bool RowSet::Insert(const Value* row) {
  const uint64_t h = HashCells(row, nullptr, width_);
  if (Find(row, h) != SIZE_MAX) return false;
  cells_.insert(cells_.end(), row, row + width_);
  auto [it, inserted] = heads_.try_emplace(h, 0);
  next_.push_back(it->second);
  it->second = static_cast<uint32_t>(rows_ + 1);
  ++rows_;
  return true;
}

bool RowSet::Contains(const Value* row) const {
  return Find(row, HashCells(row, nullptr, width_)) != SIZE_MAX;
}

HashIndex::HashIndex(const Rel& rel, std::vector<int> cols) : rel_(rel), cols_(std::move(cols)) {
  next_.resize(rel.rows);
  heads_.reserve(rel.rows);
  for (size_t r = 0; r < rel.rows; ++r) {
    auto [it, inserted] = heads_.try_emplace(HashCells(rel.row(r), cols_.data(), cols_.size()), 0);
    next_[r] = it->second;
    it->second = static_cast<uint32_t>(r + 1);
  }
}

Rel Product(const Rel& a, const Rel& b, StopFn stop) {
  Rel out;
  out.vars = a.vars;
  out.vars.insert(out.vars.end(), b.vars.begin(), b.vars.end());
  for (size_t i = 0; i < a.rows; ++i) {
    if (stop(out.bytes())) return out;
    for (size_t j = 0; j < b.rows; ++j) {
      out.cells.insert(out.cells.end(), a.row(i), a.row(i) + a.width());
      out.cells.insert(out.cells.end(), b.row(j), b.row(j) + b.width());
      if ((++out.rows & 4095) == 0 && stop(out.bytes())) return out;
    }
  }
  out.rows = a.rows * b.rows;
  out.distinct = a.distinct && b.distinct;
  return out;
}

namespace {

// The columns of `a` and of `b` that hold their shared variables.
void SharedColumns(const Rel& a, const Rel& b, std::vector<int>* a_cols, std::vector<int>* b_cols) {
  for (size_t i = 0; i < a.vars.size(); ++i) {
    const int j = b.col(a.vars[i]);
    if (j >= 0) {
      a_cols->push_back(static_cast<int>(i));
      b_cols->push_back(j);
    }
  }
}

}  // namespace

Rel Join(const Rel& a, const Rel& b, StopFn stop) {
  std::vector<int> a_cols;
  std::vector<int> b_cols;
  SharedColumns(a, b, &a_cols, &b_cols);
  if (a_cols.empty()) return Product(a, b, stop);
  // Index the smaller side, probe with the larger.
  const bool index_a = a.rows < b.rows;
  const Rel& built = index_a ? a : b;
  const Rel& probe = index_a ? b : a;
  const std::vector<int>& built_cols = index_a ? a_cols : b_cols;
  const std::vector<int>& probe_cols = index_a ? b_cols : a_cols;
  std::vector<int> b_rest;  // columns of b that are not shared
  for (size_t j = 0; j < b.vars.size(); ++j) {
    if (a.col(b.vars[j]) < 0) b_rest.push_back(static_cast<int>(j));
  }
  Rel out;
  out.vars = a.vars;
  out.distinct = a.distinct && b.distinct;
  for (int j : b_rest) out.vars.push_back(b.vars[static_cast<size_t>(j)]);
  HashIndex index(built, built_cols);
  for (size_t p = 0; p < probe.rows; ++p) {
    if ((p & 1023) == 0 && stop(out.bytes())) return out;
    const Value* prow = probe.row(p);
    index.ForEach(prow, probe_cols.data(), [&](size_t m) {
      const Value* arow = index_a ? built.row(m) : prow;
      const Value* brow = index_a ? prow : built.row(m);
      out.cells.insert(out.cells.end(), arow, arow + a.width());
      for (int j : b_rest) out.cells.push_back(brow[j]);
      ++out.rows;
    });
  }
  return out;
}

Rel AntiJoin(const Rel& a, const Rel& b) {
  std::vector<int> a_cols;
  std::vector<int> b_cols;
  SharedColumns(a, b, &a_cols, &b_cols);
  Rel out;
  out.vars = a.vars;
  out.distinct = a.distinct;
  if (a_cols.empty()) {
    if (b.rows == 0) out = a;
    return out;
  }
  HashIndex index(b, b_cols);
  for (size_t r = 0; r < a.rows; ++r) {
    bool found = false;
    index.ForEach(a.row(r), a_cols.data(), [&](size_t) { found = true; });
    if (!found) {
      out.cells.insert(out.cells.end(), a.row(r), a.row(r) + a.width());
      ++out.rows;
    }
  }
  return out;
}

Rel Project(const Rel& rel, const std::vector<int>& vars) {
  std::vector<int> cols;
  cols.reserve(vars.size());
  for (int v : vars) cols.push_back(rel.col(v));
  if (rel.distinct && vars.size() == rel.vars.size() && !vars.empty()) {
    // Every column kept: only their order changes.
    Rel out;
    out.vars = vars;
    out.rows = rel.rows;
    out.distinct = true;
    if (vars == rel.vars) {
      out.cells = rel.cells;
      return out;
    }
    out.cells.reserve(rel.cells.size());
    for (size_t r = 0; r < rel.rows; ++r) {
      for (int c : cols) out.cells.push_back(rel.row(r)[c]);
    }
    return out;
  }
  RowSet set(vars.size());
  std::vector<Value> row(vars.size());
  for (size_t r = 0; r < rel.rows; ++r) {
    const Value* src = rel.row(r);
    for (size_t i = 0; i < cols.size(); ++i) row[i] = src[cols[i]];
    set.Insert(row.data());
    if (vars.empty()) break;
  }
  Rel out;
  out.vars = vars;
  out.distinct = true;
  out.rows = vars.empty() ? (rel.rows > 0 ? 1 : 0) : set.rows();
  out.cells = std::move(set.cells());
  return out;
}

}  // namespace accrete::internal::query
