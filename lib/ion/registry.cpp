// The function registry: named transaction functions and predicates.
#include <string>
#include <string_view>
#include <utility>

#include "accrete/ion.hpp"
#include "edn/str_cat.hpp"

namespace accrete {
namespace {

using internal::Cat;

// Characters EDN allows inside a symbol name besides letters and digits.
bool IsSymbolChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '*':
    case '+':
    case '!':
    case '-':
    case '_':
    case '?':
    case '$':
    case '%':
    case '&':
    case '=':
    case '<':
    case '>':
    case '\'':
    case '#':
    case ':':
      return true;
    default:
      return false;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One part of a symbol ("inventory", "core" or "add-item"): non-empty, symbol
// characters only, not starting like a number (a digit, or +/-/. then a
// digit) and not starting with ':' or '#'.
bool IsSymbolPart(std::string_view part) {
  if (part.empty()) return false;
  if (IsDigit(part[0]) || part[0] == ':' || part[0] == '#') return false;
  if ((part[0] == '-' || part[0] == '+') && part.size() > 1 && IsDigit(part[1])) return false;
  for (char c : part) {
    if (!IsSymbolChar(c)) return false;
  }
  return true;
}

// "ns/name" where ns is one or more dot-separated parts.
absl::Status ValidateName(std::string_view name) {
  const size_t slash = name.find('/');
  bool ok = slash != std::string_view::npos && name.find('/', slash + 1) == std::string_view::npos;
  if (ok) {
    std::string_view ns = name.substr(0, slash);
    while (ok) {
      const size_t dot = ns.find('.');
      ok = IsSymbolPart(ns.substr(0, dot));
      if (dot == std::string_view::npos) break;
      ns.remove_prefix(dot + 1);
    }
    ok = ok && IsSymbolPart(name.substr(slash + 1));
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        Cat("Function name '", name,
            "' is not a fully-qualified symbol (expected ns/name, e.g. inventory.core/add-item)"));
  }
  return absl::OkStatus();
}

template <typename Fn>
absl::Status Insert(std::mutex& mu,
                    absl::flat_hash_map<std::string, std::shared_ptr<const Fn>>& table,
                    std::string_view name, Fn fn, std::string_view kind) {
  if (absl::Status s = ValidateName(name); !s.ok()) return s;
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

}  // namespace accrete
