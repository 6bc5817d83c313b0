// The transaction layer: turns tx data (EDN forms) into the datoms to write.
// It expands map forms, nested maps, reverse refs, transaction functions,
// :db/retractEntity and :db/cas; resolves tempids (with upsert through
// :db.unique/identity), idents and lookup refs against the db as of the start
// of the transaction; checks types, uniqueness, cardinality, schema changes
// and attribute predicates; maintains composite tuples; and drops redundant
// assertions and retractions of absent facts. Nothing here writes.
#ifndef ACCRETE_LIB_TX_PREPARE_HPP_
#define ACCRETE_LIB_TX_PREPARE_HPP_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "accrete/db.hpp"
#include "accrete/ion.hpp"
#include "store/store.hpp"

namespace accrete::internal {

struct TxContext {
  // This transaction's t (db_before.basis_t() + 1).
  int64_t t = 0;
  // Milliseconds since the epoch from the clock; :db/txInstant is
  // max(now, last instant) unless the data gives one explicitly.
  int64_t now_ms = 0;
  const Registry* registry = nullptr;
  size_t max_value_bytes = size_t{16} << 20;
};

// An entity predicate check requested with :db/ensure, run against the db
// after the transaction.
struct EnsureCheck {
  EntityId entity = 0;
  EntityId spec = 0;  // the entity holding :db.entity/attrs and :db.entity/preds
};

struct PreparedTx {
  // What to write, in order; the first is the transaction's :db/txInstant.
  std::vector<DatomWrite> writes;
  // The same datoms as public Datoms (v decoded), for the tx report.
  std::vector<Datom> tx_data;
  std::map<std::string, EntityId> tempids;
  // db_before's meta with the eid counters advanced, basis_t = t,
  // last_tx_instant and schema_t updated.
  Meta meta_after;
  bool schema_changed = false;
  std::vector<EnsureCheck> ensures;
};

// Prepares `tx_data` against `db_before` (an unfiltered db). Errors name the
// offending form: InvalidArgument for bad input (malformed forms, unknown
// attributes or functions, wrong types, failed attribute predicates,
// forbidden schema changes, tempids used only as values); FailedPrecondition
// for conflicts (unique value, upsert to two entities, two values for one
// cardinality-one attribute, cas mismatch). Transaction functions' own
// errors pass through with their codes.
absl::StatusOr<PreparedTx> PrepareTx(const Db& db_before, const Value& tx_data,
                                     const TxContext& ctx);

// Runs the :db/ensure checks of `tx` against `db_after`. InvalidArgument
// naming the entity, the spec and the missing attribute or failing predicate.
absl::Status CheckEnsures(const Db& db_after, const PreparedTx& tx, const Registry& registry);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_TX_PREPARE_HPP_
