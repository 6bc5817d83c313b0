// The state behind a Db value, and the internal read API that the layers
// above Db (transactions now; query and pull later) use to scan encoded
// datoms without building Values.
#ifndef ACCRETE_LIB_DB_DB_STATE_HPP_
#define ACCRETE_LIB_DB_DB_STATE_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "accrete/db.hpp"
#include "accrete/ion.hpp"
#include "db/schema.hpp"
#include "store/store.hpp"

namespace accrete::internal {

// What with() added on top of the stored database: lifetimes opened and
// closed by speculative transactions, kept sorted per index. Immutable.
class Overlay;

// Settings a Db needs to run transactions (for with()) and that the
// Connection fixes when it opens.
struct DbConfig {
  const Registry* registry = nullptr;
  size_t max_value_bytes = size_t{16} << 20;
  std::function<int64_t()> clock;
};

class DbState {
 public:
  std::shared_ptr<Store> store;
  std::shared_ptr<const Schema> schema;
  std::shared_ptr<const DbConfig> config;
  // The t of the last transaction this value includes (with() raises it).
  int64_t basis_t = -1;
  // The stored part of the database ends at stored_t (<= basis_t); the rest
  // is in `overlay`.
  int64_t stored_t = -1;
  // Counters as of basis_t, for with() to continue from.
  Meta meta;
  std::optional<int64_t> as_of_t;
  std::optional<int64_t> since_t;
  bool history = false;
  std::vector<std::function<bool(const Db&, const Datom&)>> filters;
  std::shared_ptr<const Overlay> overlay;
};

// One datom as the read path sees it before any Value is built: ids, the
// full value encoding, and the lifetime it belongs to.
struct RawDatom {
  uint64_t e = 0;
  uint64_t a = 0;
  std::string_view v;  // full encoding; valid until the scan moves
  int64_t tx = 0;      // transaction entity id of this assertion/retraction
  bool added = true;
  // v already decoded, when the source keeps it so (a query's cached
  // column); null otherwise.
  const Value* value = nullptr;
};

// Scans `index` of `db` over the datoms whose leading components (in index
// order, e.g. for kAevt: a, then e, then v) match `prefix`, an already
// encoded key prefix built with the key builders of store.hpp (empty: the
// whole index). Calls `fn` for each visible datom in index order until it
// returns false. Applies as_of / since / history / with / filters.
absl::Status ScanRaw(const DbState& db, Index index, std::string_view prefix,
                     absl::FunctionRef<bool(const RawDatom&)> fn);

// The current values of [e a] (all of them for cardinality many), as full
// encodings. The common lookup of the transaction layer, entity and pull.
absl::StatusOr<std::vector<std::string>> ValuesOf(const DbState& db, uint64_t e, uint64_t a);

// The entities that have `a` = `v` (full encoding), via AVET.
absl::StatusOr<std::vector<uint64_t>> EntitiesWith(const DbState& db, uint64_t a,
                                                   std::string_view v);

// The attribute named by a keyword or an id; InvalidArgument "Unknown
// attribute ..." otherwise.
absl::StatusOr<const Attribute*> FindAttribute(const DbState& db, const Value& attr);

// The entity named by an id, an ident or a lookup ref (see Db::entid).
absl::StatusOr<EntityId> Resolve(const DbState& db, const Value& ref);

// The full encoding of `v` as a value of `attr` (refs may be given as idents
// or lookup refs). InvalidArgument naming the attribute when `v` does not fit.
absl::StatusOr<std::string> EncodeFor(const DbState& db, const Attribute& attr, const Value& v);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_DB_DB_STATE_HPP_
