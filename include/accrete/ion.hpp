// The registry of application functions ("ions"): C++ callables registered by
// fully-qualified name, which transactions, queries, pull, lambda invocations
// and the HTTP Direct server call. Once an ion config (accrete/ion_config.hpp)
// is activated on a registry, queries and transactions may call only the
// functions its :allow lists (besides the built-ins). See docs/ions.md.
//
// Ownership and thread safety: a Registry owns copies of the callables given to
// it and the active config. Registration, activation, lookup and invocation
// may happen concurrently from any thread; a registered callable must itself be
// safe to call from several threads, since transactions and queries may run
// concurrently.
#ifndef ACCRETE_ION_HPP_
#define ACCRETE_ION_HPP_

#include <cstdint>
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
struct IonConfig;
using EntityId = int64_t;
namespace internal {
struct ActiveIons;
}  // namespace internal

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
using AggregateFunction = std::function<absl::StatusOr<Value>(std::span<const Value> params,
                                                              std::span<const Value> values)>;

// A pull `:xform` function: called with the pulled value, returns the value to
// put in the result.
using XformFunction = std::function<absl::StatusOr<Value>(const Value& value)>;

// A lambda ion: called with its input (a JSON text) and a context map, returns
// its output text. The context holds what the caller gave plus
// :function-name (the lambda's name), :request-id and :deadline-millis (epoch
// milliseconds after which the caller has stopped waiting).
using LambdaFunction =
    std::function<absl::StatusOr<std::string>(std::string_view input, const Value& context)>;

// A web ion: called with a request map (:request-method :uri :query-string
// :headers :body ...) and returns a response map (:status :headers :body).
using WebHandler = std::function<absl::StatusOr<Value>(const Value& request)>;

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
  [[nodiscard]] absl::Status RegisterLambda(std::string_view name, LambdaFunction fn);
  [[nodiscard]] absl::Status RegisterWebHandler(std::string_view name, WebHandler fn);

  // nullptr when nothing of that kind is registered under `name`. The returned
  // pointer stays valid for the registry's lifetime (entries are never removed).
  std::shared_ptr<const TxFunction> FindTxFunction(std::string_view name) const;
  std::shared_ptr<const AttrPredicate> FindAttrPredicate(std::string_view name) const;
  std::shared_ptr<const EntityPredicate> FindEntityPredicate(std::string_view name) const;
  std::shared_ptr<const QueryFunction> FindQueryFunction(std::string_view name) const;
  std::shared_ptr<const AggregateFunction> FindAggregate(std::string_view name) const;
  std::shared_ptr<const XformFunction> FindXform(std::string_view name) const;
  std::shared_ptr<const LambdaFunction> FindLambda(std::string_view name) const;
  std::shared_ptr<const WebHandler> FindWebHandler(std::string_view name) const;

  // Makes `config` the active one, replacing any earlier one, after checking
  // that every name it mentions is registered here with the right kind:
  // :allow names a transaction function, query function, aggregate, attribute
  // or entity predicate; :xforms an xform; each lambda's :fn a lambda; the
  // :http-direct :handler-fn a web handler. InvalidArgument listing every
  // name that is not, and then nothing changes.
  [[nodiscard]] absl::Status Activate(const IonConfig& config);
  // The active config, or nullptr when none was activated.
  std::shared_ptr<const IonConfig> active_config() const;

  // The :allow policy for a fully-qualified function name that is not a
  // built-in: OK when no config is active or :allow lists it, else
  // PermissionDenied naming it. CheckXformAllowed does the same for :xforms.
  [[nodiscard]] absl::Status CheckAllowed(std::string_view name) const;
  [[nodiscard]] absl::Status CheckXformAllowed(std::string_view name) const;

  // Invokes the lambda configured under `name` (a key of the active config's
  // :lambdas, with or without its ':') with `input_json` and `context` (a map
  // or nil). Returns the lambda's output, or its error with its code.
  // NotFound when no active config has that lambda; ResourceExhausted when
  // its :concurrency-limit invocations are already running; DeadlineExceeded
  // when it has not returned after :timeout-secs (it keeps running on its own
  // thread to the end, holding its concurrency slot); Internal, naming the
  // lambda, when it throws.
  [[nodiscard]] absl::StatusOr<std::string> InvokeLambda(std::string_view name,
                                                         std::string_view input_json,
                                                         const Value& context = Value()) const;

 private:
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const TxFunction>> tx_functions_;
  absl::flat_hash_map<std::string, std::shared_ptr<const AttrPredicate>> attr_predicates_;
  absl::flat_hash_map<std::string, std::shared_ptr<const EntityPredicate>> entity_predicates_;
  absl::flat_hash_map<std::string, std::shared_ptr<const QueryFunction>> query_functions_;
  absl::flat_hash_map<std::string, std::shared_ptr<const AggregateFunction>> aggregates_;
  absl::flat_hash_map<std::string, std::shared_ptr<const XformFunction>> xforms_;
  absl::flat_hash_map<std::string, std::shared_ptr<const LambdaFunction>> lambdas_;
  absl::flat_hash_map<std::string, std::shared_ptr<const WebHandler>> web_handlers_;
  std::shared_ptr<internal::ActiveIons> active_;
};

namespace internal {
// For ACCRETE_ION: returns true when `registered` is OK; otherwise prints it
// to stderr and aborts, since before main() there is no caller to return an
// error to, and a program whose ions clash must not start.
bool RegisteredAtStartup(const absl::Status& registered);
}  // namespace internal

}  // namespace accrete

// ACCRETE_ION(Kind, "ns/name", callable) registers `callable` in
// Registry::Global() before main(), with Registry::Register<Kind>:
//
//   ACCRETE_ION(Lambda, "inventory.core/get-schema",
//               [](std::string_view, const accrete::Value&)
//                   -> absl::StatusOr<std::string> { return "{}"; });
//
// Kind is TxFunction, AttrPredicate, EntityPredicate, QueryFunction,
// Aggregate, Xform, Lambda or WebHandler. A convenience only: it is the same
// explicit call, made at namespace scope in a source file of the program (not
// of a static library, whose unreferenced objects the linker drops). As with
// the call, a name registered twice is an error: the program reports it and
// aborts at startup.
#define ACCRETE_ION(Kind, name, ...)                                                  \
  [[maybe_unused]] static const bool ACCRETE_ION_UNIQUE_(accrete_ion_, __COUNTER__) = \
      ::accrete::internal::RegisteredAtStartup(                                       \
          ::accrete::Registry::Global().Register##Kind(name, __VA_ARGS__))
#define ACCRETE_ION_UNIQUE_(prefix, counter) ACCRETE_ION_UNIQUE_INNER_(prefix, counter)
#define ACCRETE_ION_UNIQUE_INNER_(prefix, counter) prefix##counter

#endif  // ACCRETE_ION_HPP_
