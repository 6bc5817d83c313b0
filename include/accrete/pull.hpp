// Pull: a declarative, hierarchical read of entities, driven by a pattern in
// EDN (Datomic's pull grammar):
//
//   [:person/name {:person/friends [:person/name]} :person/_manager]
//   [*]  [:db/id (:person/alias :limit 3) {:tree/children ...}]
//
// Results are maps from attribute keywords (or their :as names) to values:
// cardinality-many attributes and non-component reverse refs give vectors
// (at most 1000 values unless :limit says otherwise), refs without a nested
// pattern give {:db/id e} (with :db/ident when e has one), components
// without one are pulled with [*], a component reverse ref gives one map. An
// entity with nothing to pull gives {} (Datomic's answer, where DataScript
// gives nil). docs/pull.md has the whole grammar and its choices.
//
// Thread safety: free functions over immutable values; call them from any
// thread.
#ifndef ACCRETE_PULL_HPP_
#define ACCRETE_PULL_HPP_

#include <string>
#include <string_view>
#include <vector>

#include "accrete/db.hpp"
#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete {

// Pulls `pattern` (a vector, as EDN data) from the entity named by `eid` (an
// id, an ident keyword or a lookup ref). InvalidArgument for a malformed
// pattern, an unknown attribute or :xform, naming it, for a malformed eid and
// for a history db (as in Datomic); an id that names no entity gives {} (a
// lookup ref or ident naming nothing gives NotFound, as db.entid does);
// ResourceExhausted when refs nest deeper than 256 entities.
absl::StatusOr<Value> pull(const Db& db, const Value& pattern, const Value& eid);
// The pattern as EDN text. InvalidArgument, with line:column, when it is not
// EDN.
absl::StatusOr<Value> pull(const Db& db, std::string_view pattern, const Value& eid);
// (A string literal would otherwise be ambiguous: a Value can be a string.)
inline absl::StatusOr<Value> pull(const Db& db, const char* pattern, const Value& eid) {
  return pull(db, std::string_view(pattern), eid);
}
inline absl::StatusOr<Value> pull(const Db& db, const std::string& pattern, const Value& eid) {
  return pull(db, std::string_view(pattern), eid);
}

// pull for each of `eids`, in order; the pattern is parsed once and the
// entities share read transactions. Fails with the first error.
absl::StatusOr<std::vector<Value>> pull_many(const Db& db, const Value& pattern,
                                             const std::vector<Value>& eids);

}  // namespace accrete

#endif  // ACCRETE_PULL_HPP_
