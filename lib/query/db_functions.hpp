// Resolving the function of a predicate or function expression once per
// clause: a pure builtin, a function that reads a source (get-else,
// get-some, missing?, tx-ids, tx-data, q), or a registered query function.
#ifndef ACCRETE_LIB_QUERY_DB_FUNCTIONS_HPP_
#define ACCRETE_LIB_QUERY_DB_FUNCTIONS_HPP_

#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "accrete/ion.hpp"
#include "query/ast.hpp"
#include "query/builtins.hpp"
#include "query/context.hpp"

namespace accrete::internal::query {

// A Db bound to a variable of :in (the log argument of tx-ids and tx-data)
// is carried in bindings as this tagged value naming the source.
Value SourceRef(const Value& symbol);

class Callable {
 public:
  enum class Kind : uint8_t { kBuiltin, kRegistered, kSource };
  using SourceFn = absl::StatusOr<Value> (*)(Ctx& ctx, const Clause& c,
                                             std::span<const Value> args);

  // Calls the function with `args`, the clause's argument values in order
  // (sources as nil: source functions read them from the clause).
  absl::StatusOr<Value> Call(Ctx& ctx, const Clause& c, std::span<const Value> args) const;

 private:
  friend absl::StatusOr<Callable> ResolveFunction(Ctx& ctx, const Clause& c);
  Kind kind_ = Kind::kBuiltin;
  const Builtin* builtin_ = nullptr;
  std::shared_ptr<const QueryFunction> registered_;
  SourceFn source_fn_ = nullptr;
  std::string name_;
};

// The function `c` calls. InvalidArgument for a wrong number of arguments;
// NotFound for a name that is neither built in nor registered.
absl::StatusOr<Callable> ResolveFunction(Ctx& ctx, const Clause& c);

// The source a function argument names: `$`/`$name`, or a variable bound to
// a Db. InvalidArgument when it names none.
absl::StatusOr<const Source*> ArgSource(Ctx& ctx, const Clause& c, size_t i,
                                        std::span<const Value> args);

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_DB_FUNCTIONS_HPP_
