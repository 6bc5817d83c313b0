// The registry of application functions ("ions") that transactions, queries
// and pull can call by fully-qualified name. This is the minimal registration API the transaction
// engine needs; the ions layer (config, :allow policy, lambdas, HTTP Direct)
// builds on it.
//
// Ownership and thread safety: a Registry owns copies of the callables given to
// it. Registration and lookup may happen concurrently from any thread; a
// registered callable must itself be safe to call from several threads, since
// transactions and queries may run concurrently.
#ifndef ACCRETE_ION_HPP_
#define ACCRETE_ION_HPP_

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete {

class Db;
using EntityId = int64_t;

// A transaction function: called with the database as of the start of the
// transaction and the call's arguments; returns tx data (a collection of tx
// forms), expanded in turn. An error aborts the whole transaction.
using TxFunction = std::function<absl::StatusOr<Value>(const Db& db, std::span<const Value> args)>;

// An attribute predicate (`:db.attr/preds`): true when `value` is acceptable.
using AttrPredicate = std::function<bool(const Value& value)>;

// An entity predicate (`:db.entity/preds`, checked by `:db/ensure`): called
// with the database after the transaction and the entity.
using EntityPredicate = std::function<bool(const Db& db, EntityId entity)>;

// A query function or predicate, called from a query's function or predicate
// expression with the values of its arguments. A predicate's result is
// truthy unless nil or false. An error fails the query with that status.
using QueryFunction = std::function<absl::StatusOr<Value>(std::span<const Value> args)>;

// A custom aggregate (`(my.ns/agg ?x)` in :find): called once per group with
// the constant arguments given before the variable (`(my.ns/top 3 ?x)` gives
// {3}) and the group's values of the variable (a bag: duplicates kept).
using AggregateFunction =
    std::function<absl::StatusOr<Value>(std::span<const Value> params, std::span<const Value> values)>;

// A pull `:xform` function: called with the pulled value, returns the value to
// put in the result.
using XformFunction = std::function<absl::StatusOr<Value>(const Value& value)>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry that connections use unless told otherwise.
  static Registry& Global();

  // `name` must be a fully-qualified symbol ("inventory.core/add-item").
  // InvalidArgument for a malformed name; AlreadyExists when the name is
  // taken by a callable of the same kind.
  [[nodiscard]] absl::Status RegisterTxFunction(std::string_view name, TxFunction fn);
  [[nodiscard]] absl::Status RegisterAttrPredicate(std::string_view name, AttrPredicate fn);
  [[nodiscard]] absl::Status RegisterEntityPredicate(std::string_view name, EntityPredicate fn);
  [[nodiscard]] absl::Status RegisterQueryFunction(std::string_view name, QueryFunction fn);
  [[nodiscard]] absl::Status RegisterAggregate(std::string_view name, AggregateFunction fn);
  [[nodiscard]] absl::Status RegisterXform(std::string_view name, XformFunction fn);

  // nullptr when nothing of that kind is registered under `name`. The returned
  // pointer stays valid for the registry's lifetime (entries are never removed).
  std::shared_ptr<const TxFunction> FindTxFunction(std::string_view name) const;
  std::shared_ptr<const AttrPredicate> FindAttrPredicate(std::string_view name) const;
  std::shared_ptr<const EntityPredicate> FindEntityPredicate(std::string_view name) const;
  std::shared_ptr<const QueryFunction> FindQueryFunction(std::string_view name) const;
  std::shared_ptr<const AggregateFunction> FindAggregate(std::string_view name) const;
  std::shared_ptr<const XformFunction> FindXform(std::string_view name) const;

 private:
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const TxFunction>> tx_functions_;
  absl::flat_hash_map<std::string, std::shared_ptr<const AttrPredicate>> attr_predicates_;
  absl::flat_hash_map<std::string, std::shared_ptr<const EntityPredicate>> entity_predicates_;
  absl::flat_hash_map<std::string, std::shared_ptr<const QueryFunction>> query_functions_;
  absl::flat_hash_map<std::string, std::shared_ptr<const AggregateFunction>> aggregates_;
  absl::flat_hash_map<std::string, std::shared_ptr<const XformFunction>> xforms_;
};

}  // namespace accrete

#endif  // ACCRETE_ION_HPP_
