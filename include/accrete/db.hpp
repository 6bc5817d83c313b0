// accrete::Db is the database as an immutable value: every fact asserted up to
// a basis t, read through the covering indexes. Filters (as_of, since,
// history, with, filter) are values too: they return a new Db and never change
// the one they are called on.
//
// Ownership and thread safety: a Db is a small handle (one shared pointer) to
// immutable state; copy it freely and read it from any number of threads at
// once. A Db holds no LMDB read transaction while idle: each read opens (or
// renews) a short one, so thousands of Db values may stay alive for hours
// without pinning pages or reader slots, and each still answers exactly as of
// its basis, whatever is transacted later by this process or another.
//
// Entity ids: an entity id is a 64-bit integer whose top bits name a
// partition (kPartDb for schema, kPartTx for transactions, kPartUser for
// everything else). A transaction's entity id is kPartTx's base plus its t, so
// t_to_tx / tx_to_t are O(1).
#ifndef ACCRETE_DB_HPP_
#define ACCRETE_DB_HPP_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete {

using EntityId = int64_t;

inline constexpr int kPartitionShift = 42;
inline constexpr int64_t kPartDb = 0;
inline constexpr int64_t kPartTx = 3;
inline constexpr int64_t kPartUser = 4;

constexpr EntityId MakeEntityId(int64_t partition, int64_t n) {
  return (partition << kPartitionShift) | n;
}
constexpr int64_t PartitionOf(EntityId e) { return e >> kPartitionShift; }
constexpr EntityId TToTx(int64_t t) { return MakeEntityId(kPartTx, t); }
constexpr int64_t TxToT(EntityId tx) { return tx & ((int64_t{1} << kPartitionShift) - 1); }

enum class Index { kEavt, kAevt, kAvet, kVaet };

// The name of an index as a keyword's name: "eavt", "aevt", "avet", "vaet".
std::string_view IndexName(Index index);

// One fact: entity, attribute, value, transaction, and whether it was asserted
// (true) or retracted (false). Outside history dbs and tx reports, `added` is
// always true.
struct Datom {
  EntityId e = 0;
  EntityId a = 0;
  Value v;
  EntityId tx = 0;
  bool added = true;

  friend bool operator==(const Datom&, const Datom&) = default;
  // `[e a v tx added]` as EDN.
  std::string to_string() const;
};

namespace internal {
class DbState;
class DatomSource;
}  // namespace internal

class Db;
struct TxReport;

// A forward-only stream of datoms in index order. It holds a short LMDB read
// transaction while alive: consume it and let it go, do not keep it.
// Not thread-safe (one stream, one thread).
//
//   absl::StatusOr<Datoms> names = db.datoms(Index::kAevt, {kw("person/name")});
//   if (!names.ok()) return names.status();
//   for (const Datom& d : *names) ...
//
// Iteration stops early on an error (a corrupt store); check status() after.
class Datoms {
 public:
  Datoms(Datoms&&) noexcept;
  Datoms& operator=(Datoms&&) noexcept;
  ~Datoms();

  // Advances to the next datom; false at the end or on error.
  bool Next();
  // The current datom; valid until the next call to Next().
  const Datom& datom() const { return current_; }
  absl::Status status() const { return status_; }

  // Drains the stream into a vector (for small ranges and tests).
  absl::StatusOr<std::vector<Datom>> ToVector() &&;

  class iterator {
   public:
    using value_type = Datom;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(Datoms* owner) : owner_(owner) { ++*this; }
    const Datom& operator*() const { return owner_->current_; }
    const Datom* operator->() const { return &owner_->current_; }
    iterator& operator++() {
      if (!owner_->Next()) owner_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.owner_ == b.owner_; }

   private:
    Datoms* owner_ = nullptr;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  friend class Db;
  explicit Datoms(std::unique_ptr<internal::DatomSource> source);
  std::unique_ptr<internal::DatomSource> source_;
  Datom current_;
  absl::Status status_;
};

// A lazy, navigable view of one entity in one Db. Cheap to copy; reads happen
// when an attribute is asked for. Thread-safe like Db.
class Entity {
 public:
  EntityId id() const { return id_; }
  // The database this entity is read from.
  Db db() const;

  // The value of `attr` (a keyword, or a reverse name `:ns/_attr`).
  // Cardinality one: the value, or nil when absent. Cardinality many and
  // reverse names: a set (empty when absent). A ref to an entity that has a
  // :db/ident is that keyword; other refs are the entity id as an integer.
  // InvalidArgument for an unknown attribute.
  absl::StatusOr<Value> Get(const Value& attr) const;

  // The entities `attr` refers to (forward, or reverse with `:ns/_attr`).
  absl::StatusOr<std::vector<Entity>> Refs(const Value& attr) const;

  // Every attribute of the entity as a map {attr-keyword value}; component
  // entities are touched recursively, other refs become {:db/id id}.
  absl::StatusOr<Value> Touch() const;

 private:
  friend class Db;
  Entity(std::shared_ptr<const internal::DbState> db, EntityId id);
  std::shared_ptr<const internal::DbState> db_;
  EntityId id_;
};

// One transaction from the log.
struct TxLogEntry {
  int64_t t = 0;
  std::vector<Datom> data;
};

class Db {
 public:
  // The t of the last transaction this value includes.
  int64_t basis_t() const;
  // Set on as_of / since dbs.
  std::optional<int64_t> as_of_t() const;
  std::optional<int64_t> since_t() const;
  bool is_history() const;
  bool is_filtered() const;

  // `t` may be a t or a transaction entity id. as_of keeps what was true at
  // t; since keeps what was asserted after t; history shows every assertion
  // and retraction (datoms carry `added`).
  Db as_of(int64_t t) const;
  Db since(int64_t t) const;
  Db history() const;
  // A speculative db: the transaction applied in memory, nothing written.
  // Chains: with() on the result applies on top. Errors as for transact.
  absl::StatusOr<TxReport> with(const Value& tx_data) const;
  // Keeps only datoms for which `pred` is true (conjoined with any filter
  // already on this db).
  Db filter(std::function<bool(const Db&, const Datom&)> pred) const;

  static constexpr EntityId t_to_tx(int64_t t) { return TToTx(t); }
  static constexpr int64_t tx_to_t(EntityId tx) { return TxToT(tx); }

  // The entity id named by an id (integer), an ident keyword, or a lookup
  // ref `[:unique-attr value]`. NotFound when nothing matches;
  // InvalidArgument for a malformed reference or a non-unique attribute.
  absl::StatusOr<EntityId> entid(const Value& ref) const;
  // The :db/ident keyword of `e`; NotFound when it has none.
  absl::StatusOr<Value> ident(EntityId e) const;

  // Datoms of `index` whose leading components equal `components` (each an
  // id, ident, lookup ref or value, in index order: e.g. for kAvet,
  // {attr, value, entity}). InvalidArgument for an unknown attribute or a
  // value of the wrong type.
  absl::StatusOr<Datoms> datoms(Index index, const std::vector<Value>& components = {}) const;
  // Datoms of `index` from the position of `components` onwards, to the end
  // of the index.
  absl::StatusOr<Datoms> seek_datoms(Index index, const std::vector<Value>& components = {}) const;
  // AVET datoms of `attr` with start <= v < end; nil leaves a side open.
  absl::StatusOr<Datoms> index_range(const Value& attr, const Value& start, const Value& end) const;

  absl::StatusOr<Entity> entity(const Value& ref) const;

  // Transactions with start <= t < end (nullopt leaves a side open), limited
  // to this db's basis. tx_range drains into memory; for_each_tx streams.
  absl::StatusOr<std::vector<TxLogEntry>> tx_range(std::optional<int64_t> start,
                                                   std::optional<int64_t> end) const;
  absl::Status for_each_tx(std::optional<int64_t> start, std::optional<int64_t> end,
                           const std::function<absl::Status(const TxLogEntry&)>& fn) const;

  // The installed schema of an attribute as a map ({:db/ident .. :db/valueType
  // .. :db/cardinality ..}). NotFound when `attr` is not an attribute.
  absl::StatusOr<Value> attribute(const Value& attr) const;

  // For the layers above (query, pull); not for applications.
  const std::shared_ptr<const internal::DbState>& state() const { return state_; }
  explicit Db(std::shared_ptr<const internal::DbState> state);

 private:
  std::shared_ptr<const internal::DbState> state_;
};

// What a transaction did.
struct TxReport {
  Db db_before;
  Db db_after;
  // The datoms written, in the order they were applied: the transaction
  // entity's :db/txInstant, assertions and retractions (added = false).
  std::vector<Datom> tx_data;
  // Every string tempid of the transaction and the entity it resolved to.
  std::map<std::string, EntityId> tempids;

  int64_t t() const { return db_after.basis_t(); }
};

}  // namespace accrete

#endif  // ACCRETE_DB_HPP_
