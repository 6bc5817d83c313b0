// The state of one PrepareTx call, shared by its stages (one file each):
//   expand.cpp         tx forms -> Ops (map forms, nested maps, reverse refs,
//                      tx functions); idents and lookup refs resolved
//   resolve.cpp        tempids -> entity ids (upsert, merging, allocation)
//   facts.cpp          Ops -> Facts: retractEntity, cas, composite tuples,
//                      cardinality, redundancy, uniqueness, predicates
//   schema_change.cpp  validation of schema installed or altered as data
//   prepare.cpp        the driver, the tx entity, the output, :db/ensure
#ifndef ACCRETE_LIB_TX_PREPARER_HPP_
#define ACCRETE_LIB_TX_PREPARER_HPP_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "db/db_state.hpp"
#include "db/schema.hpp"
#include "tx/prepare.hpp"

namespace accrete::internal::tx {

// An entity as the expansion sees it: a known id, or a tempid (an index into
// Preparer::temps_) to be resolved once every form is expanded.
struct ERef {
  int64_t id = 0;
  bool temp = false;

  static ERef Entity(EntityId e) { return {e, false}; }
  static ERef Temp(size_t index) { return {static_cast<int64_t>(index), true}; }
};

struct TempId {
  std::string name;             // empty for a map form without :db/id
  const Value* form = nullptr;  // where it first appeared, for errors
  size_t parent = 0;            // union-find: tempids that upsert together
  EntityId entity = 0;          // what the group resolved to; 0 while open
  bool asserted = false;        // e of some assertion (not only a value)
  bool used_as_value = false;   // the value of some ref
  bool asserts_ident = false;   // gets an id in :db.part/db
};

enum class OpType : uint8_t { kAdd, kRetract, kRetractAll, kRetractEntity, kCas };

// One expanded operation. For ref attributes the value is `v_ref`; for the
// others it is already encoded in `v`.
struct Op {
  OpType type = OpType::kAdd;
  ERef e;
  const Attribute* attr = nullptr;
  ERef v_ref;
  std::string v;
  // kCas: the expected current value (encoded), or none.
  std::string cas_old;
  bool cas_old_nil = false;
  // Set by upsert resolution when no entity holds this identity value in
  // the db before, so the uniqueness check need not read it again.
  bool unheld = false;
  const Value* form = nullptr;

  static Op Assertion(ERef e, const Attribute* attr, const Value* form) {
    Op op;
    op.e = e;
    op.attr = attr;
    op.form = form;
    return op;
  }
};

// One datom of the result, with ids resolved and the value encoded.
struct Fact {
  EntityId e = 0;
  const Attribute* attr = nullptr;
  std::string v;
  bool added = true;
  bool dropped = false;  // redundant: not written
  bool unheld = false;   // see Op::unheld
  const Value* form = nullptr;
};

// Identifies a Fact by its [e a v]; `v` views the Fact's own string (Facts
// live in a deque, so they never move). The added flag is not part of the
// key: one [e a v] both asserted and retracted is a conflict, so at most one
// Fact holds an [e a v].
struct FactKey {
  EntityId e;
  EntityId a;
  std::string_view v;
  friend bool operator==(const FactKey&, const FactKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const FactKey& k) {
    // Through absl::string_view: Debian's absl has its own string_view, and a
    // std::string_view would hash through std::hash's slower byte hash.
    return H::combine(std::move(h), k.e, k.a, absl::string_view(k.v.data(), k.v.size()));
  }
};

using EA = std::pair<EntityId, EntityId>;

// The text of a form for an error message, shortened when huge.
std::string FormText(const Value* form);
// "in <form>" suffix.
std::string InForm(const Value* form);
// The encoding of a ref to `e`.
std::string RefBytes(EntityId e);
// `encoded` decoded, for messages (and for predicates and tx_data).
Value DecodeOrNil(std::string_view encoded);
std::string EncodedText(std::string_view encoded);

class SchemaChange;

class Preparer {
 public:
  Preparer(const Db& db, const TxContext& ctx);
  absl::StatusOr<PreparedTx> Run(const Value& tx_data);

 private:
  // ---- expand.cpp
  absl::Status ExpandForms(const Value& forms, const Value* caller, int depth);
  absl::Status ExpandForm(const Value& form, int depth);
  absl::Status ExpandListForm(const Value& form, int depth);
  // An Op of a list form [op e a ...] with e and a (but not the value)
  // resolved; a retractEntity has no attribute.
  absl::StatusOr<Op> StartListOp(OpType type, const Value& form, bool allow_temp);
  absl::Status ExpandTxFunction(const Value& form, int depth);
  // The entity of the map (its :db/id, or a new tempid).
  absl::StatusOr<ERef> ExpandMap(const Value& map, const Value* form, int depth);
  absl::Status ExpandMapValue(ERef e, const Attribute* attr, const Value& v, const Value* form,
                              int depth);
  absl::Status ExpandReverse(ERef e, const Attribute* attr, const Value& v, const Value* form,
                             int depth);
  // An entity in e position (or v position for `allow_temp` refs): id,
  // tempid, ident or lookup ref.
  absl::StatusOr<ERef> ResolveRef(const Value& ref, const Value* form, bool allow_temp);
  // An existing entity (no tempids): id, ident or lookup ref.
  absl::StatusOr<EntityId> ResolveExisting(const Value& ref, const Value* form);
  absl::StatusOr<EntityId> CheckEntityId(int64_t e, const Value* form);
  absl::StatusOr<EntityId> LookupRef(const Value& ref, const Value* form);
  absl::StatusOr<const Attribute*> FindAttr(const Value& ident, const Value* form);
  absl::Status EncodeFor(const Attribute& attr, const Value& v, const Value* form,
                         std::string* out);
  // Fills the value of `op` (an assertion, retraction or cas new value).
  absl::Status SetOpValue(Op* op, const Value& v, bool allow_temp);
  size_t TempIndex(std::string_view name, const Value* form);
  size_t NewAutoTemp(const Value* form);
  // InvalidArgument for an assertion or retraction on a past transaction.
  absl::Status CheckAssertable(const Op& op);
  absl::Status AddOp(Op op);

  // ---- resolve.cpp
  absl::Status ResolveTempids();
  size_t Root(size_t t);
  absl::Status Bind(size_t t, EntityId e, const Value* form);
  absl::Status Union(size_t a, size_t b, const Value* form);
  // The entity of a resolved ERef (after ResolveTempids).
  EntityId Resolved(ERef r);
  bool IsNewEntity(EntityId e) const;

  // ---- facts.cpp
  absl::Status BuildFacts();
  absl::Status AddFact(EntityId e, const Attribute* attr, std::string v, bool added,
                       const Value* form);
  absl::Status RetractEntity(EntityId e, const Value* form, absl::flat_hash_set<EntityId>* seen);
  absl::Status CheckCas(const Op& op, EntityId e);
  absl::Status MaintainComposites();
  absl::Status ApplyCardinality();
  absl::Status CheckUnique();
  absl::Status CheckPredicates();
  // Current values of [e a] (none for entities created by this transaction).
  // The pointer is valid until the next call (the cache may rehash).
  absl::StatusOr<const std::vector<std::string>*> Current(EntityId e, const Attribute* attr);
  bool IsRetracted(EntityId e, EntityId a, std::string_view v) const;
  const Fact* FindFact(EntityId e, EntityId a, std::string_view v, bool added) const;

  // ---- schema_change.cpp
  friend class SchemaChange;
  absl::Status CheckSchemaChanges();

  // ---- prepare.cpp
  absl::Status SetTxInstant();
  absl::Status ResolveEnsures();
  void BuildOutput();

  const Db& db_;
  const DbState& state_;
  const Schema& schema_;
  const TxContext& ctx_;
  const Registry& registry_;
  const EntityId tx_id_;

  // Values produced by transaction functions; kept alive for Op::form.
  std::deque<Value> owned_;
  // Emptied once they have become facts: a bulk import has millions. (A
  // deque would spare the vector's doubling copy, but cost a bulk import a
  // tenth of its speed.)
  std::vector<Op> ops_;
  std::vector<TempId> temps_;
  absl::flat_hash_map<std::string, size_t> temp_by_name_;
  struct PendingEnsure {
    ERef entity;
    EntityId spec;
  };
  std::vector<PendingEnsure> ensures_;

  // Counters of db_before: ids at or above them are created by this tx.
  int64_t next_user_before_ = 0;
  int64_t next_db_before_ = 0;
  int64_t next_user_ = 0;
  int64_t next_db_ = 0;

  std::deque<Fact> facts_;
  absl::flat_hash_map<FactKey, Fact*> fact_index_;
  // The assertion of each cardinality-one [e a] (there is at most one).
  absl::flat_hash_map<EA, Fact*> card_one_;
  absl::flat_hash_map<EA, std::vector<std::string>> current_;

  PreparedTx out_;
  int64_t tx_instant_ = 0;
};

}  // namespace accrete::internal::tx

#endif  // ACCRETE_LIB_TX_PREPARER_HPP_
