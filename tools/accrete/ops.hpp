// What the read and write commands compute, as EDN values, shared by the
// one-shot subcommands and the interactive shell. Internal to tools/accrete.
#ifndef ACCRETE_TOOLS_ACCRETE_OPS_HPP_
#define ACCRETE_TOOLS_ACCRETE_OPS_HPP_

#include <span>
#include <string_view>

#include "absl/time/time.h"
#include "accrete/connection.hpp"
#include "accrete/db.hpp"
#include "accrete/status.hpp"
#include "accrete/value.hpp"
#include "accrete/verify.hpp"

namespace accrete::tools {

struct QueryRun {
  absl::Duration timeout = absl::InfiniteDuration();
  bool explain = false;  // the plan instead of the result
};

// Runs `query` (a parsed EDN form) on `db`. Each `$`-variable of its :in is
// bound to `db`; the other :in variables take `inputs` in order.
// InvalidArgument when the number of inputs does not match.
absl::StatusOr<Value> RunQuery(const Db& db, const Value& query, std::span<const Value> inputs,
                               const QueryRun& run);

// A transaction report as `{:t T :tempids {"tempid" e} :datoms N}`.
Value ReportValue(const TxReport& report);

// Every current attribute of the entity, with :db/id. NotFound for a lookup
// ref or ident that names nothing.
absl::StatusOr<Value> EntityValue(const Db& db, const Value& eid);

// The installed attributes, sorted by ident, as a vector of maps; system
// attributes (:db/..., :db.xxx/...) only with `include_system`.
absl::StatusOr<Value> SchemaValue(const Db& db, bool include_system);

// Basis t, current datom counts per index and per attribute (the counts the
// store keeps: no scan), and the storage figures.
absl::StatusOr<Value> StatValue(const Connection& conn);

// `accrete verify`: what Verify read and the problems it found.
Value VerifyReportValue(const VerifyReport& report);

// Index names as the commands accept them: "eavt" or ":eavt".
absl::StatusOr<Index> ParseIndex(std::string_view name);

}  // namespace accrete::tools

#endif  // ACCRETE_TOOLS_ACCRETE_OPS_HPP_
