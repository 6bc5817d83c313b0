// The function registry: ions by kind and name.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "accrete/ion.hpp"
#include "edn/str_cat.hpp"
#include "ion/names.hpp"

namespace accrete {
namespace {

using internal::Cat;

template <typename Fn>
absl::Status Insert(std::mutex& mu,
                    absl::flat_hash_map<std::string, std::shared_ptr<const Fn>>& table,
                    std::string_view name, Fn fn, std::string_view kind) {
  if (absl::Status s = internal::ValidateIonName(name); !s.ok()) return s;
  if (!fn) {
    return absl::InvalidArgumentError(Cat("Empty ", kind, " given for ", name));
  }
  auto entry = std::make_shared<const Fn>(std::move(fn));
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = table.try_emplace(std::string(name), std::move(entry));
  if (!inserted) {
    return absl::AlreadyExistsError(Cat("A ", kind, " named ", name, " is already registered"));
  }
  return absl::OkStatus();
}

template <typename Fn>
std::shared_ptr<const Fn> Lookup(
    std::mutex& mu, const absl::flat_hash_map<std::string, std::shared_ptr<const Fn>>& table,
    std::string_view name) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = table.find(absl::string_view(name.data(), name.size()));
  return it == table.end() ? nullptr : it->second;
}

}  // namespace

bool internal::RegisteredAtStartup(const absl::Status& registered) {
  if (registered.ok()) return true;
  std::fprintf(stderr, "accrete: ACCRETE_ION registration failed: %s\n",
               registered.ToString().c_str());
  std::abort();
}

Registry& Registry::Global() {
  // Never destroyed, so that functions registered by static initialisers and
  // connections closed during static destruction stay valid.
  static Registry* global = new Registry();
  return *global;
}

absl::Status Registry::RegisterTxFunction(std::string_view name, TxFunction fn) {
  return Insert(mu_, tx_functions_, name, std::move(fn), "transaction function");
}

absl::Status Registry::RegisterAttrPredicate(std::string_view name, AttrPredicate fn) {
  return Insert(mu_, attr_predicates_, name, std::move(fn), "attribute predicate");
}

absl::Status Registry::RegisterEntityPredicate(std::string_view name, EntityPredicate fn) {
  return Insert(mu_, entity_predicates_, name, std::move(fn), "entity predicate");
}

absl::Status Registry::RegisterQueryFunction(std::string_view name, QueryFunction fn) {
  return Insert(mu_, query_functions_, name, std::move(fn), "query function");
}

absl::Status Registry::RegisterAggregate(std::string_view name, AggregateFunction fn) {
  return Insert(mu_, aggregates_, name, std::move(fn), "aggregate");
}

absl::Status Registry::RegisterXform(std::string_view name, XformFunction fn) {
  return Insert(mu_, xforms_, name, std::move(fn), "xform");
}

absl::Status Registry::RegisterLambda(std::string_view name, LambdaFunction fn) {
  return Insert(mu_, lambdas_, name, std::move(fn), "lambda");
}

absl::Status Registry::RegisterWebHandler(std::string_view name, WebHandler fn) {
  return Insert(mu_, web_handlers_, name, std::move(fn), "web handler");
}

std::shared_ptr<const TxFunction> Registry::FindTxFunction(std::string_view name) const {
  return Lookup(mu_, tx_functions_, name);
}

std::shared_ptr<const AttrPredicate> Registry::FindAttrPredicate(std::string_view name) const {
  return Lookup(mu_, attr_predicates_, name);
}

std::shared_ptr<const EntityPredicate> Registry::FindEntityPredicate(std::string_view name) const {
  return Lookup(mu_, entity_predicates_, name);
}

std::shared_ptr<const QueryFunction> Registry::FindQueryFunction(std::string_view name) const {
  return Lookup(mu_, query_functions_, name);
}

std::shared_ptr<const AggregateFunction> Registry::FindAggregate(std::string_view name) const {
  return Lookup(mu_, aggregates_, name);
}

std::shared_ptr<const XformFunction> Registry::FindXform(std::string_view name) const {
  return Lookup(mu_, xforms_, name);
}

std::shared_ptr<const LambdaFunction> Registry::FindLambda(std::string_view name) const {
  return Lookup(mu_, lambdas_, name);
}

std::shared_ptr<const WebHandler> Registry::FindWebHandler(std::string_view name) const {
  return Lookup(mu_, web_handlers_, name);
}

}  // namespace accrete
