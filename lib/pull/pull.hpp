// The pull engine behind accrete/pull.hpp, also used by the query engine for
// `(pull ?e pattern)` find elements: a pattern is parsed once (syntax only,
// no schema) and then applied to any number of entities of any Db.
#ifndef ACCRETE_LIB_PULL_PULL_HPP_
#define ACCRETE_LIB_PULL_PULL_HPP_

#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "accrete/db.hpp"
#include "accrete/value.hpp"

namespace accrete::internal {

// A parsed pull pattern. Immutable; share it between threads.
class PullPattern;

// Parses `pattern` (a vector). InvalidArgument naming the offending part of
// the pattern when it is malformed.
absl::StatusOr<std::shared_ptr<const PullPattern>> ParsePullPattern(const Value& pattern);

// Pulls `pattern` from entity `e` of `db` (a pull of an id no datom
// mentions gives {}). InvalidArgument naming an attribute the db does not
// know, a reverse or nested spec on a non-ref attribute, or an unknown
// :xform; InvalidArgument for a history db; ResourceExhausted when refs nest
// deeper than 256 entities; an :xform's own error as it returned it.
absl::StatusOr<Value> PullEntity(const Db& db, const PullPattern& pattern, EntityId e);

// PullEntity for each of `entities`, in order, sharing one read transaction
// and cursor per index between them (cheaper per entity than PullEntity
// when there are many). Fails with the first entity's error.
absl::StatusOr<std::vector<Value>> PullEntities(const Db& db, const PullPattern& pattern,
                                                std::span<const EntityId> entities);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_PULL_PULL_HPP_
