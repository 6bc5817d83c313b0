#include "db/schema.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "db/db_state.hpp"
#include "db/scan.hpp"

namespace accrete::internal {
namespace {

struct SystemAttribute {
  EntityId id;
  const char* ident;
  ValueType type;
  bool many;
  bool unique_identity;
};

// on-disk format: do not change ids or types of existing entries.
constexpr SystemAttribute kSystemAttributes[] = {
    {sys::kIdent, "db/ident", ValueType::kKeyword, false, true},
    {sys::kValueType, "db/valueType", ValueType::kRef, false, false},
    {sys::kCardinality, "db/cardinality", ValueType::kRef, false, false},
    {sys::kUnique, "db/unique", ValueType::kRef, false, false},
    {sys::kIsComponent, "db/isComponent", ValueType::kBoolean, false, false},
    {sys::kDoc, "db/doc", ValueType::kString, false, false},
    {sys::kNoHistory, "db/noHistory", ValueType::kBoolean, false, false},
    {sys::kIndex, "db/index", ValueType::kBoolean, false, false},
    {sys::kTupleAttrs, "db/tupleAttrs", ValueType::kTuple, false, false},
    {sys::kTupleType, "db/tupleType", ValueType::kRef, false, false},
    {sys::kTupleTypes, "db/tupleTypes", ValueType::kTuple, false, false},
    {sys::kTxInstant, "db/txInstant", ValueType::kInstant, false, false},
    {sys::kAttrPreds, "db.attr/preds", ValueType::kSymbol, true, false},
    {sys::kEntityAttrs, "db.entity/attrs", ValueType::kKeyword, true, false},
    {sys::kEntityPreds, "db.entity/preds", ValueType::kSymbol, true, false},
};

constexpr std::pair<EntityId, const char*> kSystemEnums[] = {
    {sys::kCardinalityOne, "db.cardinality/one"}, {sys::kCardinalityMany, "db.cardinality/many"},
    {sys::kUniqueValue, "db.unique/value"},       {sys::kUniqueIdentity, "db.unique/identity"},
    {sys::kPartDbEntity, "db.part/db"},           {sys::kPartTxEntity, "db.part/tx"},
    {sys::kPartUserEntity, "db.part/user"},
};

constexpr ValueType kAllTypes[] = {
    ValueType::kKeyword, ValueType::kString,  ValueType::kBoolean, ValueType::kLong,
    ValueType::kBigInt,  ValueType::kFloat,   ValueType::kDouble,  ValueType::kBigDec,
    ValueType::kRef,     ValueType::kInstant, ValueType::kUuid,    ValueType::kUri,
    ValueType::kBytes,   ValueType::kSymbol,  ValueType::kTuple,
};

TypeSpec SpecOf(ValueType type) {
  TypeSpec spec;
  spec.type = type;
  if (type == ValueType::kTuple) {
    // The two system tuple attributes hold keywords.
    spec.tuple_types = {ValueType::kKeyword};
    spec.homogeneous = true;
  }
  return spec;
}

void Add(std::vector<DatomWrite>* out, EntityId e, EntityId a, const Value& v,
         const TypeSpec& spec) {
  DatomWrite w;
  w.e = static_cast<uint64_t>(e);
  w.a = static_cast<uint64_t>(a);
  absl::Status status = EncodeValue(v, spec, &w.v);
  // The bootstrap data is fixed; a failure here is a bug caught by any test.
  if (!status.ok()) abort();
  w.is_ref = spec.type == ValueType::kRef;
  out->push_back(std::move(w));
}

std::optional<ValueType> TypeOfEnum(EntityId e) {
  for (ValueType type : kAllTypes) {
    if (sys::kTypeBase + static_cast<EntityId>(type) == e) return type;
  }
  return std::nullopt;
}

}  // namespace

std::vector<DatomWrite> Schema::BootstrapDatoms(int64_t tx_instant_ms) {
  std::vector<DatomWrite> out;
  const TypeSpec keyword = SpecOf(ValueType::kKeyword);
  const TypeSpec ref = SpecOf(ValueType::kRef);
  Add(&out, TToTx(0), sys::kTxInstant, Value::Inst(tx_instant_ms), SpecOf(ValueType::kInstant));
  for (const SystemAttribute& attr : kSystemAttributes) {
    Add(&out, attr.id, sys::kIdent, Value::Keyword(attr.ident), keyword);
    Add(&out, attr.id, sys::kValueType,
        Value::Integer(sys::kTypeBase + static_cast<EntityId>(attr.type)), ref);
    Add(&out, attr.id, sys::kCardinality,
        Value::Integer(attr.many ? sys::kCardinalityMany : sys::kCardinalityOne), ref);
    if (attr.unique_identity) {
      Add(&out, attr.id, sys::kUnique, Value::Integer(sys::kUniqueIdentity), ref);
    }
    if (attr.type == ValueType::kTuple) {
      Add(&out, attr.id, sys::kTupleType,
          Value::Integer(sys::kTypeBase + static_cast<EntityId>(ValueType::kKeyword)), ref);
    }
  }
  for (const auto& [id, ident] : kSystemEnums) {
    Add(&out, id, sys::kIdent, Value::Keyword(ident), keyword);
  }
  for (ValueType type : kAllTypes) {
    Add(&out, sys::kTypeBase + static_cast<EntityId>(type), sys::kIdent,
        Value::Keyword(ValueTypeIdent(type)), keyword);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const Schema>> Schema::Load(const DbState& db) {
  auto schema = std::make_shared<Schema>();

  // Idents first: attribute definitions refer to them.
  std::string prefix;
  AppendId(&prefix, static_cast<uint64_t>(sys::kIdent));
  absl::Status decode_status;
  absl::Status status = ScanRaw(db, Index::kAevt, prefix, [&](const RawDatom& d) {
    std::string_view v = d.v;
    absl::StatusOr<Value> ident = DecodeValue(&v);
    if (!ident.ok()) {
      decode_status = ident.status();
      return false;
    }
    EntityId e = static_cast<EntityId>(d.e);
    schema->ident_to_id_[*ident] = e;
    schema->id_to_ident_[e] = *std::move(ident);
    return true;
  });
  if (!status.ok()) return status;
  if (!decode_status.ok()) return decode_status;

  // Every entity with a :db/valueType is an attribute.
  std::vector<EntityId> attribute_ids;
  prefix.clear();
  AppendId(&prefix, static_cast<uint64_t>(sys::kValueType));
  status = ScanRaw(db, Index::kAevt, prefix, [&](const RawDatom& d) {
    attribute_ids.push_back(static_cast<EntityId>(d.e));
    return true;
  });
  if (!status.ok()) return status;

  for (EntityId id : attribute_ids) {
    auto attr = std::make_shared<Attribute>();
    attr->id = id;
    if (const Value* ident = schema->Ident(id)) attr->ident = *ident;
    std::vector<Value> tuple_type_idents;
    std::optional<ValueType> tuple_type;
    std::vector<Value> tuple_attr_idents;
    prefix.clear();
    AppendId(&prefix, static_cast<uint64_t>(id));
    status = ScanRaw(db, Index::kEavt, prefix, [&](const RawDatom& d) {
      std::string_view v = d.v;
      absl::StatusOr<Value> value = DecodeValue(&v);
      if (!value.ok()) {
        decode_status = value.status();
        return false;
      }
      switch (static_cast<EntityId>(d.a)) {
        case sys::kValueType:
          if (auto type = TypeOfEnum(value->as_int())) attr->spec.type = *type;
          break;
        case sys::kCardinality:
          attr->many = value->as_int() == sys::kCardinalityMany;
          attr->cardinality_since_t = TxToT(d.tx);
          break;
        case sys::kUnique:
          attr->unique =
              value->as_int() == sys::kUniqueIdentity ? Unique::kIdentity : Unique::kValue;
          break;
        case sys::kIsComponent:
          attr->component = value->as_bool();
          break;
        case sys::kNoHistory:
          attr->no_history = value->as_bool();
          break;
        case sys::kDoc:
          attr->doc = std::string(value->as_string());
          break;
        case sys::kTupleType:
          tuple_type = TypeOfEnum(value->as_int());
          break;
        case sys::kTupleTypes:
          tuple_type_idents.assign(value->items().begin(), value->items().end());
          break;
        case sys::kTupleAttrs:
          tuple_attr_idents.assign(value->items().begin(), value->items().end());
          break;
        case sys::kAttrPreds:
          attr->preds.push_back(*value);
          break;
        default:
          break;
      }
      return true;
    });
    if (!status.ok()) return status;
    if (!decode_status.ok()) return decode_status;
    if (tuple_type) {
      attr->spec.tuple_types = {*tuple_type};
      attr->spec.homogeneous = true;
    }
    for (const Value& type_ident : tuple_type_idents) {
      if (type_ident.is_keyword()) {
        if (auto type = ValueTypeFromIdent(type_ident.qualified_name())) {
          attr->spec.tuple_types.push_back(*type);
        }
      }
    }
    for (const Value& member : tuple_attr_idents) {
      auto it = schema->ident_to_id_.find(member);
      if (it != schema->ident_to_id_.end()) attr->tuple_attrs.push_back(it->second);
    }
    schema->attributes_.push_back(std::move(attr));
  }

  for (const auto& attr : schema->attributes_) {
    schema->by_id_[attr->id] = attr.get();
  }
  // Composite tuples take their element types from their member attributes.
  for (const auto& attr : schema->attributes_) {
    if (attr->tuple_attrs.empty()) continue;
    auto* mutable_attr = const_cast<Attribute*>(attr.get());
    mutable_attr->spec.tuple_types.clear();
    mutable_attr->spec.homogeneous = false;
    for (EntityId member : attr->tuple_attrs) {
      const Attribute* m = schema->Find(member);
      mutable_attr->spec.tuple_types.push_back(m ? m->spec.type : ValueType::kNil);
      schema->composites_of_[member].push_back(attr->id);
    }
  }
  return std::shared_ptr<const Schema>(std::move(schema));
}

const Attribute* Schema::Find(EntityId a) const {
  auto it = by_id_.find(a);
  return it == by_id_.end() ? nullptr : it->second;
}

const Attribute* Schema::Find(const Value& ident) const {
  auto id = Entid(ident);
  return id ? Find(*id) : nullptr;
}

std::optional<EntityId> Schema::Entid(const Value& ident) const {
  auto it = ident_to_id_.find(ident);
  if (it == ident_to_id_.end()) return std::nullopt;
  return it->second;
}

const Value* Schema::Ident(EntityId e) const {
  auto it = id_to_ident_.find(e);
  return it == id_to_ident_.end() ? nullptr : &it->second;
}

std::span<const EntityId> Schema::CompositesOf(EntityId a) const {
  auto it = composites_of_.find(a);
  if (it == composites_of_.end()) return {};
  return it->second;
}

}  // namespace accrete::internal
