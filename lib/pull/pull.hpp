// The pull engine behind accrete/pull.hpp, also used by the query engine for
// `(pull ?e pattern)` find elements: a pattern is parsed once (syntax only,
// no schema) and then applied to any number of entities of any Db.
#ifndef ACCRETE_LIB_PULL_PULL_HPP_
#define ACCRETE_LIB_PULL_PULL_HPP_

#include <memory>

#include "absl/status/statusor.h"
#include "accrete/db.hpp"
#include "accrete/value.hpp"

namespace accrete::internal {

// A parsed pull pattern. Immutable; share it between threads.
class PullPattern;

// Parses `pattern` (a vector). InvalidArgument naming the offending part of
// the pattern when it is malformed.
absl::StatusOr<std::shared_ptr<const PullPattern>> ParsePullPattern(const Value& pattern);

// Pulls `pattern` from entity `e` of `db`. InvalidArgument naming an
// attribute the db does not know.
absl::StatusOr<Value> PullEntity(const Db& db, const PullPattern& pattern, EntityId e);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_PULL_PULL_HPP_
