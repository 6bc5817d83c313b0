// Schema as data: an attribute is installed by asserting :db/ident,
// :db/valueType and :db/cardinality on a new entity, and altered by
// asserting or retracting its schema attributes. This file checks that what
// the transaction does to schema is something Datomic allows, against the
// state before and the facts of the transaction, and says whether the
// Connection must reload the Schema.
#include <string>
#include <utility>
#include <vector>

#include "edn/str_cat.hpp"
#include "tx/preparer.hpp"

namespace accrete::internal::tx {
namespace {

// Attributes whose datoms define the schema.
bool IsSchemaAttribute(EntityId a) {
  return (a >= sys::kIdent && a <= sys::kTupleTypes) || a == sys::kAttrPreds;
}

// Attributes that only an attribute may carry.
bool IsAttributeOnly(EntityId a) {
  return a == sys::kValueType || a == sys::kCardinality || a == sys::kUnique ||
         a == sys::kIsComponent || a == sys::kNoHistory || a == sys::kIndex ||
         a == sys::kTupleAttrs || a == sys::kTupleType || a == sys::kTupleTypes ||
         a == sys::kAttrPreds;
}

constexpr ValueType kAllTypes[] = {
    ValueType::kBoolean, ValueType::kLong,   ValueType::kBigInt,  ValueType::kFloat,
    ValueType::kDouble,  ValueType::kBigDec, ValueType::kInstant, ValueType::kRef,
    ValueType::kKeyword, ValueType::kString, ValueType::kSymbol,  ValueType::kUri,
    ValueType::kBytes,   ValueType::kUuid,   ValueType::kTuple,
};

// The value type named by a :db.type/* entity id.
std::optional<ValueType> TypeOfEntity(EntityId e) {
  for (ValueType t : kAllTypes) {
    if (e == sys::kTypeBase + static_cast<EntityId>(t)) return t;
  }
  return std::nullopt;
}

std::optional<EntityId> RefOf(const std::string& encoded) {
  Value v = DecodeOrNil(encoded);
  if (!v.is_integer()) return std::nullopt;
  return v.as_int();
}

bool IsTrue(const std::vector<std::string>& values) {
  if (values.empty()) return false;
  Value v = DecodeOrNil(values[0]);
  return v.is_boolean() && v.as_bool();
}

}  // namespace

// The checks for one entity whose schema attributes the transaction touches.
class SchemaChange {
 public:
  SchemaChange(Preparer* p, EntityId e, std::vector<const Fact*> facts)
      : p_(*p), e_(e), facts_(std::move(facts)) {}

  absl::Status Check();

 private:
  // The values of system attribute `a` on the entity after the transaction.
  absl::StatusOr<std::vector<std::string>> After(EntityId a);
  bool Touched(EntityId a) const {
    for (const Fact* f : facts_) {
      if (f->attr->id == a) return true;
    }
    return false;
  }
  std::string Name() const;
  absl::Status Error(std::string_view what) const;
  absl::Status CheckSystemEntity();
  absl::Status CheckAlteration(const Attribute& before);
  absl::Status CheckNewAttribute();
  absl::Status CheckTupleAttrs(const std::string& encoded);
  absl::Status CheckCardinalityOne(const Attribute& attr);
  absl::Status CheckValuesUnique(const Attribute& attr);

  Preparer& p_;
  EntityId e_;
  std::vector<const Fact*> facts_;
};

absl::StatusOr<std::vector<std::string>> SchemaChange::After(EntityId a) {
  const Attribute* attr = p_.schema_.Find(a);
  std::vector<std::string> out;
  if (attr == nullptr) return out;
  absl::StatusOr<const std::vector<std::string>*> current = p_.Current(e_, attr);
  if (!current.ok()) return current.status();
  for (const std::string& v : **current) {
    if (!p_.IsRetracted(e_, a, v)) out.push_back(v);
  }
  for (const Fact* f : facts_) {
    if (f->attr->id == a && f->added && !f->dropped) out.push_back(f->v);
  }
  return out;
}

std::string SchemaChange::Name() const {
  for (const Fact* f : facts_) {
    if (f->attr->id == sys::kIdent && f->added) return EncodedText(f->v);
  }
  if (const Value* ident = p_.schema_.Ident(e_); ident != nullptr) return ident->to_string();
  return Cat("entity ", e_);
}

absl::Status SchemaChange::Error(std::string_view what) const {
  return absl::InvalidArgumentError(Cat(what, InForm(facts_.front()->form)));
}

absl::Status SchemaChange::Check() {
  if (PartitionOf(e_) == kPartDb && e_ < sys::kFirstUserDbId) return CheckSystemEntity();
  // A user ident in the system's namespaces could shadow a system ident that a
  // later version adds, or be mistaken for one.
  for (const Fact* f : facts_) {
    if (f->attr->id != sys::kIdent || !f->added) continue;
    const std::string ident = EncodedText(f->v);
    if (ident.starts_with(":db/") || ident.starts_with(":db.")) {
      return Error(Cat("Cannot assert :db/ident ", ident,
                       ": the :db and :db.* namespaces are reserved for the system schema"));
    }
  }
  if (const Attribute* before = p_.schema_.Find(e_); before != nullptr) {
    return CheckAlteration(*before);
  }
  absl::StatusOr<std::vector<std::string>> type = After(sys::kValueType);
  if (!type.ok()) return type.status();
  bool attribute_only = false;
  for (const Fact* f : facts_) attribute_only |= IsAttributeOnly(f->attr->id) && f->added;
  if (!type->empty() || Touched(sys::kCardinality) || attribute_only) return CheckNewAttribute();
  return absl::OkStatus();
}

absl::Status SchemaChange::CheckSystemEntity() {
  for (const Fact* f : facts_) {
    if (f->attr->id != sys::kDoc) {
      return absl::InvalidArgumentError(Cat("Cannot change ", f->attr->ident.to_string(),
                                            " of system entity ", Name(),
                                            ": the system schema is fixed", InForm(f->form)));
    }
  }
  return absl::OkStatus();
}

absl::Status SchemaChange::CheckAlteration(const Attribute& before) {
  const std::string name = before.ident.to_string();
  if (Touched(sys::kValueType)) {
    absl::StatusOr<std::vector<std::string>> type = After(sys::kValueType);
    if (!type.ok()) return type.status();
    if (type->empty()) return Error(Cat("Cannot retract :db/valueType of ", name));
    return Error(Cat("Cannot change :db/valueType of ", name,
                     " from :", ValueTypeIdent(before.spec.type), " to ",
                     EncodedText(type->front()), " (a value type never changes)"));
  }
  if (Touched(sys::kCardinality)) {
    absl::StatusOr<std::vector<std::string>> card = After(sys::kCardinality);
    if (!card.ok()) return card.status();
    if (card->empty()) return Error(Cat("Cannot retract :db/cardinality of ", name));
    std::optional<EntityId> c = RefOf(card->front());
    if (c != sys::kCardinalityOne && c != sys::kCardinalityMany) {
      return Error(
          Cat(":db/cardinality of ", name, " must be :db.cardinality/one or :db.cardinality/many"));
    }
    if (c == sys::kCardinalityOne && before.many) {
      if (absl::Status s = CheckCardinalityOne(before); !s.ok()) return s;
    }
  }
  for (EntityId a : {sys::kTupleAttrs, sys::kTupleType, sys::kTupleTypes}) {
    if (Touched(a)) {
      return Error(Cat("Cannot change ", p_.schema_.Find(a)->ident.to_string(), " of ", name,
                       ": a tuple's shape never changes"));
    }
  }
  if (Touched(sys::kUnique)) {
    absl::StatusOr<std::vector<std::string>> unique = After(sys::kUnique);
    if (!unique.ok()) return unique.status();
    if (!unique->empty()) {
      std::optional<EntityId> u = RefOf(unique->front());
      if (u != sys::kUniqueValue && u != sys::kUniqueIdentity) {
        return Error(
            Cat(":db/unique of ", name, " must be :db.unique/value or :db.unique/identity"));
      }
      if (before.unique == Unique::kNone) {
        if (absl::Status s = CheckValuesUnique(before); !s.ok()) return s;
      }
    }
  }
  if (Touched(sys::kIsComponent)) {
    absl::StatusOr<std::vector<std::string>> component = After(sys::kIsComponent);
    if (!component.ok()) return component.status();
    if (IsTrue(*component) && !before.is_ref()) {
      return Error(Cat(name, " cannot be a component: only ref attributes can"));
    }
  }
  if (Touched(sys::kIdent)) {
    absl::StatusOr<std::vector<std::string>> ident = After(sys::kIdent);
    if (!ident.ok()) return ident.status();
    if (ident->empty()) {
      return Error(Cat("Cannot retract :db/ident of attribute ", name,
                       " (rename it by asserting a new :db/ident)"));
    }
  }
  return absl::OkStatus();
}

absl::Status SchemaChange::CheckNewAttribute() {
  absl::StatusOr<std::vector<std::string>> ident = After(sys::kIdent);
  absl::StatusOr<std::vector<std::string>> type = After(sys::kValueType);
  absl::StatusOr<std::vector<std::string>> card = After(sys::kCardinality);
  absl::StatusOr<std::vector<std::string>> unique = After(sys::kUnique);
  absl::StatusOr<std::vector<std::string>> component = After(sys::kIsComponent);
  absl::StatusOr<std::vector<std::string>> tuple_attrs = After(sys::kTupleAttrs);
  absl::StatusOr<std::vector<std::string>> tuple_type = After(sys::kTupleType);
  absl::StatusOr<std::vector<std::string>> tuple_types = After(sys::kTupleTypes);
  for (const auto* s :
       {&ident, &type, &card, &unique, &component, &tuple_attrs, &tuple_type, &tuple_types}) {
    if (!s->ok()) return s->status();
  }
  const std::string name = Name();
  if (ident->empty() || type->empty() || card->empty()) {
    return Error(
        Cat("Entity ", name,
            " is not a complete attribute: an attribute needs :db/ident, :db/valueType and "
            ":db/cardinality"));
  }
  if (PartitionOf(e_) != kPartDb) {
    return Error(
        Cat("Attribute ", name, " must be installed in :db.part/db: install it on a tempid"));
  }
  std::optional<EntityId> type_ref = RefOf(type->front());
  std::optional<ValueType> value_type = type_ref ? TypeOfEntity(*type_ref) : std::nullopt;
  if (!value_type) {
    return Error(Cat(":db/valueType of ", name, " must be a :db.type/* ident, got ",
                     EncodedText(type->front())));
  }
  std::optional<EntityId> c = RefOf(card->front());
  if (c != sys::kCardinalityOne && c != sys::kCardinalityMany) {
    return Error(
        Cat(":db/cardinality of ", name, " must be :db.cardinality/one or :db.cardinality/many"));
  }
  if (!unique->empty()) {
    std::optional<EntityId> u = RefOf(unique->front());
    if (u != sys::kUniqueValue && u != sys::kUniqueIdentity) {
      return Error(Cat(":db/unique of ", name, " must be :db.unique/value or :db.unique/identity"));
    }
  }
  if (IsTrue(*component) && value_type != ValueType::kRef) {
    return Error(Cat(name, " cannot be a component: only ref attributes can"));
  }
  const int shapes = !tuple_attrs->empty() + !tuple_type->empty() + !tuple_types->empty();
  if (value_type == ValueType::kTuple && shapes != 1) {
    return Error(Cat("Tuple attribute ", name,
                     " needs exactly one of :db/tupleAttrs (composite), :db/tupleType "
                     "(homogeneous) or :db/tupleTypes (heterogeneous)"));
  }
  if (value_type != ValueType::kTuple && shapes != 0) {
    return Error(Cat(name,
                     " has :db/tupleAttrs, :db/tupleType or :db/tupleTypes, so its "
                     ":db/valueType must be :db.type/tuple"));
  }
  if (!tuple_attrs->empty()) {
    if (absl::Status s = CheckTupleAttrs(tuple_attrs->front()); !s.ok()) return s;
  }
  if (!tuple_type->empty()) {
    std::optional<EntityId> t = RefOf(tuple_type->front());
    std::optional<ValueType> element = t ? TypeOfEntity(*t) : std::nullopt;
    if (!element || element == ValueType::kTuple) {
      return Error(
          Cat(":db/tupleType of ", name, " must be a :db.type/* ident other than :db.type/tuple"));
    }
  }
  if (!tuple_types->empty()) {
    Value types = DecodeOrNil(tuple_types->front());
    bool ok = types.is_sequential() && types.size() >= 2 && types.size() <= 8;
    for (size_t i = 0; ok && i < types.size(); ++i) {
      const Value& t = types.items()[i];
      std::optional<ValueType> element =
          t.is_keyword() ? ValueTypeFromIdent(t.qualified_name()) : std::nullopt;
      ok = element && element != ValueType::kTuple;
    }
    if (!ok) {
      return Error(Cat(":db/tupleTypes of ", name,
                       " must be 2 to 8 :db.type/* idents other than :db.type/tuple"));
    }
  }
  return absl::OkStatus();
}

absl::Status SchemaChange::CheckTupleAttrs(const std::string& encoded) {
  const std::string name = Name();
  Value members = DecodeOrNil(encoded);
  if (!members.is_sequential() || members.size() < 2 || members.size() > 8) {
    return Error(Cat(":db/tupleAttrs of ", name, " must list 2 to 8 attributes"));
  }
  for (const Value& m : members.items()) {
    const Attribute* member = m.is_keyword() ? p_.schema_.Find(m) : nullptr;
    if (member == nullptr) {
      // An attribute installed by this same transaction is fine too.
      std::string ident;
      bool installed_here = false;
      if (m.is_keyword() && EncodeValue(m, TypeSpec{ValueType::kKeyword, {}, false}, &ident).ok()) {
        for (const Fact& fact : p_.facts_) {
          if (fact.attr->id == sys::kIdent && fact.added && fact.v == ident) {
            installed_here = true;
            break;
          }
        }
      }
      if (!installed_here) {
        return Error(Cat(":db/tupleAttrs of ", name, " names ", m.to_string(),
                         ", which is not an attribute"));
      }
      continue;
    }
    if (member->many || member->spec.type == ValueType::kTuple) {
      return Error(Cat(":db/tupleAttrs of ", name, " names ", m.to_string(),
                       ": members of a composite tuple must be cardinality-one "
                       "attributes that are not tuples"));
    }
  }
  return absl::OkStatus();
}

absl::Status SchemaChange::CheckCardinalityOne(const Attribute& attr) {
  uint64_t previous = 0;
  bool first = true;
  EntityId offender = 0;
  std::string prefix;
  AppendId(&prefix, attr.id);
  absl::Status scan = ScanRaw(p_.state_, Index::kAevt, prefix, [&](const RawDatom& d) {
    if (!first && d.e == previous) {
      offender = static_cast<EntityId>(d.e);
      return false;
    }
    first = false;
    previous = d.e;
    return true;
  });
  if (!scan.ok()) return scan;
  if (offender != 0) {
    return Error(Cat("Cannot make ", attr.ident.to_string(), " cardinality one: entity ", offender,
                     " has several values"));
  }
  return absl::OkStatus();
}

absl::Status SchemaChange::CheckValuesUnique(const Attribute& attr) {
  std::string previous;
  uint64_t previous_e = 0;
  bool first = true;
  std::string duplicate;
  EntityId a = 0;
  EntityId b = 0;
  std::string prefix;
  AppendId(&prefix, attr.id);
  absl::Status scan = ScanRaw(p_.state_, Index::kAvet, prefix, [&](const RawDatom& d) {
    if (!first && d.v == previous && d.e != previous_e) {
      duplicate = previous;
      a = static_cast<EntityId>(previous_e);
      b = static_cast<EntityId>(d.e);
      return false;
    }
    first = false;
    previous.assign(d.v);
    previous_e = d.e;
    return true;
  });
  if (!scan.ok()) return scan;
  if (!duplicate.empty()) {
    return Error(Cat("Cannot make ", attr.ident.to_string(), " unique: value ",
                     EncodedText(duplicate), " is held by entities ", a, " and ", b));
  }
  return absl::OkStatus();
}

absl::Status Preparer::CheckSchemaChanges() {
  // Entities with schema facts, in the order they first appear.
  std::vector<EntityId> order;
  absl::flat_hash_map<EntityId, std::vector<const Fact*>> by_entity;
  for (const Fact& f : facts_) {
    if (f.dropped) continue;
    const bool schema_fact = IsSchemaAttribute(f.attr->id);
    const bool in_db_part = PartitionOf(f.e) == kPartDb;
    if (schema_fact || in_db_part) out_.schema_changed = true;
    if (!schema_fact && !(in_db_part && f.e < sys::kFirstUserDbId)) continue;
    auto [it, inserted] = by_entity.try_emplace(f.e);
    if (inserted) order.push_back(f.e);
    it->second.push_back(&f);
  }
  for (EntityId e : order) {
    SchemaChange change(this, e, std::move(by_entity[e]));
    if (absl::Status s = change.Check(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace accrete::internal::tx
