// Datalog queries: Datomic's query language, as EDN text or as Values built in
// C++, over Db values, collections and relations.
//
//   absl::StatusOr<QueryResult> r = q(
//       "[:find ?e ?age :in $ ?name :where [?e :person/name ?name] [?e :person/age ?age]]",
//       db, "Ivan");
//   for (std::span<const Value> row : *r) ...   // or r->value(): #{[e age] ...}
//
// A Query is parsed once and can be run many times with new inputs; q() keeps
// parsed queries in a process-wide cache keyed by the query form, so calling
// it with the same query text again skips parsing.
//
// Thread safety: Query and QueryResult are immutable values; run one Query
// from any number of threads at once. QueryOptions::cancel may be set from
// another thread while a query runs.
#ifndef ACCRETE_QUERY_HPP_
#define ACCRETE_QUERY_HPP_

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "accrete/db.hpp"
#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete {

namespace internal::query {
struct ParsedQuery;
}  // namespace internal::query

struct QueryOptions {
  // A query still running after `timeout` stops with DeadlineExceeded.
  absl::Duration timeout = absl::InfiniteDuration();
  // When set and it becomes true, the query stops with Cancelled.
  const std::atomic<bool>* cancel = nullptr;
  // The most memory the query's intermediate relations may hold; a query
  // that would need more fails with ResourceExhausted naming the budget.
  size_t memory_budget = size_t{1} << 30;
};

// One input of a query, bound in order to its :in clause: a Db (for `$` and
// `$name`, unless a collection is given as a data source), or a Value
// (scalars, tuples, collections, relations, rules for `%`, a pull pattern).
class QueryInput {
 public:
  QueryInput(Db db) : input_(std::move(db)) {}  // NOLINT: implicit by design
  // The requires clause keeps copies and moves of QueryInput away from it
  // (clang-tidy 14's bugprone-forwarding-reference-overload reads only
  // enable_if).
  // NOLINTBEGIN(google-explicit-constructor, bugprone-forwarding-reference-overload)
  template <typename T>
  requires(std::is_constructible_v<Value, T> && !std::is_same_v<std::decay_t<T>, Db> &&
           !std::is_same_v<std::decay_t<T>, QueryInput>) QueryInput(T&& value)
      : input_(Value(std::forward<T>(value))) {}
  // NOLINTEND(google-explicit-constructor, bugprone-forwarding-reference-overload)

  const Db* db() const { return std::get_if<Db>(&input_); }
  const Value* value() const { return std::get_if<Value>(&input_); }

 private:
  std::variant<Db, Value> input_;
};

// What a query found, in the shape its :find spec asks for.
//   relation   [:find ?a ?b]       distinct rows
//   collection [:find [?a ...]]    distinct values, one per row
//   tuple      [:find [?a ?b]]     at most one row
//   scalar     [:find ?a .]        at most one row of one value
// Rows are also reachable directly (no Value per row is built).
class QueryResult {
 public:
  enum class Shape { kRelation, kCollection, kTuple, kScalar };

  QueryResult() = default;
  QueryResult(Shape shape, size_t width, std::vector<Value> cells, Value keys = Value());

  Shape shape() const { return shape_; }
  // Values per row: the number of find elements.
  size_t width() const { return width_; }
  size_t size() const { return width_ == 0 ? 0 : cells_.size() / width_; }
  bool empty() const { return cells_.empty(); }
  std::span<const Value> row(size_t i) const {
    return std::span<const Value>(cells_).subspan(i * width_, width_);
  }
  // For :keys / :strs / :syms: a vector of the key of each column, else nil.
  const Value& keys() const { return keys_; }

  // The result as Datomic returns it: a set of vectors (of maps with :keys);
  // a vector of values; a vector (nil when nothing matched); a value (nil
  // when nothing matched).
  Value value() const;

  class iterator {
   public:
    using value_type = std::span<const Value>;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const QueryResult* r, size_t i) : r_(r), i_(i) {}
    std::span<const Value> operator*() const { return r_->row(i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }

   private:
    const QueryResult* r_ = nullptr;
    size_t i_ = 0;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size()); }

 private:
  Shape shape_ = Shape::kRelation;
  size_t width_ = 0;
  std::vector<Value> cells_;  // row-major
  Value keys_;
};

class Query {
 public:
  // Parses a query: the list form `[:find ... :in ... :where ...]` or the map
  // form `{:find [...] :in [...] :where [...]}`. InvalidArgument naming the
  // clause for malformed queries (unknown clause shapes, a :find variable
  // that nothing binds, or branches of `or` with different variables).
  static absl::StatusOr<Query> Parse(std::string_view edn);
  static absl::StatusOr<Query> FromValue(const Value& form);

  // Runs the query. Errors: InvalidArgument (wrong inputs, unknown attribute,
  // a function given wrong arguments), NotFound (unknown function),
  // DeadlineExceeded / Cancelled, ResourceExhausted (memory budget).
  absl::StatusOr<QueryResult> Run(std::span<const QueryInput> inputs,
                                  const QueryOptions& options = {}) const;
  template <typename... In>
  requires(std::is_constructible_v<QueryInput, In>&&...) absl::StatusOr<QueryResult>
  operator()(In&&... inputs) const {
    const QueryInput args[] = {QueryInput(std::forward<In>(inputs))..., QueryInput(Value())};
    return Run(std::span<const QueryInput>(args, sizeof...(In)));
  }

  // The plan the engine would follow for these inputs, as EDN: the clauses
  // in execution order, each with the index it reads, the join strategy and
  // the estimated rows.
  absl::StatusOr<Value> Explain(std::span<const QueryInput> inputs) const;

  // The query as data.
  const Value& form() const;

 private:
  explicit Query(std::shared_ptr<const internal::query::ParsedQuery> parsed);
  std::shared_ptr<const internal::query::ParsedQuery> parsed_;
};

// The query as text, as a Value, or prepared. Implicit so that q() takes any.
class QuerySpec {
 public:
  QuerySpec(const char* edn) : spec_(std::string_view(edn)) {}         // NOLINT
  QuerySpec(std::string_view edn) : spec_(edn) {}                      // NOLINT
  QuerySpec(const std::string& edn) : spec_(std::string_view(edn)) {}  // NOLINT
  QuerySpec(const Value& form) : spec_(&form) {}                       // NOLINT
  QuerySpec(const Query& query) : spec_(&query) {}                     // NOLINT
  // The prepared query, from the process-wide cache for text and values.
  absl::StatusOr<Query> Resolve() const;

 private:
  std::variant<std::string_view, const Value*, const Query*> spec_;
};

// The query column cache (docs/query.md "Columns"): decoded copies of
// attributes' current datoms, kept process-wide for dense joins on the latest
// db. The one place where query keeps database contents on the heap, so its
// size is the application's to choose.
struct ColumnCacheStats {
  size_t limit_bytes = 0;  // what the cache may hold; 0: columns are off
  size_t bytes = 0;        // what it holds now
  size_t columns = 0;
};
// Sets what the cache may hold (default 64 MiB); least recently used columns
// go at once when it shrinks. 0 turns columns off: dense joins then always
// merge index cursors. No single column takes more than a quarter of the
// limit. Thread-safe; affects queries that start afterwards.
void SetColumnCacheLimit(size_t bytes);
ColumnCacheStats GetColumnCacheStats();

// Runs `query` with `inputs` bound to its :in (with no :in, `$` = the first).
absl::StatusOr<QueryResult> q(const QuerySpec& query, std::span<const QueryInput> inputs,
                              const QueryOptions& options = {});
template <typename... In>
requires(std::is_constructible_v<QueryInput, In>&&...) absl::StatusOr<QueryResult> q(
    const QuerySpec& query, In&&... inputs) {
  const QueryInput args[] = {QueryInput(std::forward<In>(inputs))..., QueryInput(Value())};
  return q(query, std::span<const QueryInput>(args, sizeof...(In)));
}

}  // namespace accrete

#endif  // ACCRETE_QUERY_HPP_
