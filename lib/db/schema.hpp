// The schema: attributes and idents, read from the datoms that describe them.
// A Schema is immutable once loaded and shared by every Db of the same schema
// version; it is safe to read from any thread.
#ifndef ACCRETE_LIB_DB_SCHEMA_HPP_
#define ACCRETE_LIB_DB_SCHEMA_HPP_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "accrete/db.hpp"
#include "accrete/value.hpp"
#include "store/encoding.hpp"
#include "store/store.hpp"

namespace accrete::internal {

class DbState;

// Entity ids of the system entities installed when a database is created.
// on-disk format: do not change.
namespace sys {
// Attributes.
inline constexpr EntityId kIdent = 10;        // :db/ident keyword, unique identity
inline constexpr EntityId kValueType = 11;    // :db/valueType ref
inline constexpr EntityId kCardinality = 12;  // :db/cardinality ref
inline constexpr EntityId kUnique = 13;       // :db/unique ref
inline constexpr EntityId kIsComponent = 14;  // :db/isComponent boolean
inline constexpr EntityId kDoc = 15;          // :db/doc string
inline constexpr EntityId kNoHistory = 16;    // :db/noHistory boolean
inline constexpr EntityId kIndex = 17;  // :db/index boolean (accepted; every attribute is indexed)
inline constexpr EntityId kTupleAttrs = 18;   // :db/tupleAttrs tuple of keywords
inline constexpr EntityId kTupleType = 19;    // :db/tupleType ref
inline constexpr EntityId kTupleTypes = 20;   // :db/tupleTypes tuple of keywords
inline constexpr EntityId kTxInstant = 21;    // :db/txInstant instant
inline constexpr EntityId kAttrPreds = 22;    // :db.attr/preds symbol, many
inline constexpr EntityId kEntityAttrs = 23;  // :db.entity/attrs keyword, many
inline constexpr EntityId kEntityPreds = 24;  // :db.entity/preds symbol, many
// Enumerations (idents only). :db.type/* are kTypeBase + the ValueType tag.
inline constexpr EntityId kCardinalityOne = 40;   // :db.cardinality/one
inline constexpr EntityId kCardinalityMany = 41;  // :db.cardinality/many
inline constexpr EntityId kUniqueValue = 42;      // :db.unique/value
inline constexpr EntityId kUniqueIdentity = 43;   // :db.unique/identity
inline constexpr EntityId kPartDbEntity = 44;     // :db.part/db
inline constexpr EntityId kPartTxEntity = 45;     // :db.part/tx
inline constexpr EntityId kPartUserEntity = 46;   // :db.part/user
inline constexpr EntityId kTypeBase = 0x100;      // + ValueType tag
// The first id handed out in :db.part/db to user schema.
inline constexpr EntityId kFirstUserDbId = 0x1000;
}  // namespace sys

enum class Unique : uint8_t { kNone, kValue, kIdentity };

struct Attribute {
  EntityId id = 0;
  Value ident;  // keyword
  TypeSpec spec;
  bool many = false;
  Unique unique = Unique::kNone;
  bool component = false;
  bool no_history = false;
  // The t since which the attribute has had its current cardinality: a
  // cardinality-one attribute has had at most one value per entity at any
  // t >= this (history reads rely on it).
  int64_t cardinality_since_t = 0;
  // Composite tuple: the attributes whose values it combines, in order.
  std::vector<EntityId> tuple_attrs;
  // :db.attr/preds, fully-qualified symbols.
  std::vector<Value> preds;
  std::string doc;

  bool is_ref() const { return spec.type == ValueType::kRef; }
};

class Schema {
 public:
  // Reads every ident and attribute visible in `db` (its schema field is not
  // used).
  static absl::StatusOr<std::shared_ptr<const Schema>> Load(const DbState& db);

  // The datoms of the bootstrap transaction (t = 0) that installs the system
  // attributes and enumerations of a new database.
  static std::vector<DatomWrite> BootstrapDatoms(int64_t tx_instant_ms);

  const Attribute* Find(EntityId a) const;
  // `ident` is a keyword.
  const Attribute* Find(const Value& ident) const;
  // The entity with :db/ident `ident` (attribute or not).
  std::optional<EntityId> Entid(const Value& ident) const;
  // The :db/ident of `e`, or nullptr.
  const Value* Ident(EntityId e) const;
  // The composite tuple attributes that include `a` among their tupleAttrs.
  std::span<const EntityId> CompositesOf(EntityId a) const;
  const std::vector<std::shared_ptr<const Attribute>>& attributes() const { return attributes_; }

 private:
  std::vector<std::shared_ptr<const Attribute>> attributes_;
  absl::flat_hash_map<EntityId, const Attribute*> by_id_;
  absl::flat_hash_map<Value, EntityId> ident_to_id_;
  absl::flat_hash_map<EntityId, Value> id_to_ident_;
  absl::flat_hash_map<EntityId, std::vector<EntityId>> composites_of_;
};

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_DB_SCHEMA_HPP_
