// The query engine: runs a ParsedQuery over its inputs.
//
// Bindings live in relations: a relation is a set of variables (its
// columns) and rows of values, stored flat. The engine keeps one relation per
// group of variables that clauses have joined so far; each clause joins into
// them. Clauses run in an order chosen by cost (attribute counts the store
// keeps, and the actual sizes of the relations so far): filters as soon as
// their variables are bound, then the data pattern, `or` or rule expected to
// produce the fewest rows. A data pattern reads the index whose prefix its
// bound positions fix, either once per bound row (index nested-loop join,
// when the bound side is small) or once in all (then a hash join). Rules are
// evaluated bottom-up and semi-naively, on demand: each call registers the
// argument values it knows ("seeds") and only facts reachable from seeds are
// derived (the magic-set idea, done at run time).
#ifndef ACCRETE_LIB_QUERY_ENGINE_HPP_
#define ACCRETE_LIB_QUERY_ENGINE_HPP_

#include <span>

#include "absl/status/statusor.h"
#include "accrete/query.hpp"
#include "query/ast.hpp"

namespace accrete::internal::query {

// Nested queries (the `q` function) run with depth + 1; past a fixed depth
// the query fails instead of recursing without end.
absl::StatusOr<QueryResult> Execute(const ParsedQuery& query, std::span<const QueryInput> inputs,
                                    const QueryOptions& options, int depth = 0);

// The plan for these inputs: each where clause in the order the engine would
// run it, with the index it reads and its estimated rows.
absl::StatusOr<Value> ExplainPlan(const ParsedQuery& query, std::span<const QueryInput> inputs);

// The cached parse of a query form (the process-wide cache behind q()).
absl::StatusOr<std::shared_ptr<const ParsedQuery>> CachedParse(const Value& form);

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_ENGINE_HPP_
