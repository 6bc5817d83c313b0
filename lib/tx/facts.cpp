// Ops -> Facts, and the rules that hold between facts: retractEntity and cas
// against the db before, composite tuples kept in step with their members,
// one value per cardinality-one attribute (the old one retracted), redundant
// assertions and retractions of absent facts dropped, uniqueness, attribute
// predicates. The transaction is a set: a fact given twice is one fact.
#include <algorithm>
#include <string>
#include <utility>

#include "edn/str_cat.hpp"
#include "tx/preparer.hpp"

namespace accrete::internal::tx {
namespace {

std::string DatomText(EntityId e, const Attribute& attr, std::string_view v) {
  return Cat("[", e, " ", attr.ident.to_string(), " ", EncodedText(v), "]");
}

// The prefix of EAVT keys of entity `e`, and of AEVT/AVET keys of attribute
// `a`: the id in key form (AppendId, encoding.hpp).
std::string IdPrefix(uint64_t id) {
  std::string out;
  AppendId(&out, id);
  return out;
}

}  // namespace

absl::StatusOr<const std::vector<std::string>*> Preparer::Current(EntityId e,
                                                                  const Attribute* attr) {
  static const std::vector<std::string> kNone;
  if (IsNewEntity(e)) return &kNone;
  auto [it, inserted] = current_.try_emplace(EA(e, attr->id));
  if (inserted) {
    absl::StatusOr<std::vector<std::string>> values = ValuesOf(state_, e, attr->id);
    if (!values.ok()) {
      current_.erase(it);
      return values.status();
    }
    it->second = *std::move(values);
  }
  return &it->second;
}

const Fact* Preparer::FindFact(EntityId e, EntityId a, std::string_view v, bool added) const {
  auto it = fact_index_.find(FactKey{e, a, v});
  return it == fact_index_.end() || it->second->added != added ? nullptr : it->second;
}

bool Preparer::IsRetracted(EntityId e, EntityId a, std::string_view v) const {
  return FindFact(e, a, v, false) != nullptr;
}

absl::Status Preparer::AddFact(EntityId e, const Attribute* attr, std::string v, bool added,
                               const Value* form) {
  // The fact is built first so that the index's key can view its own string,
  // and one probe both finds a duplicate and inserts: a bulk import spends
  // most of its preparation here.
  Fact& f = facts_.emplace_back();
  f.e = e;
  f.attr = attr;
  f.v = std::move(v);
  f.added = added;
  f.form = form;
  auto [it, inserted] = fact_index_.try_emplace(FactKey{e, attr->id, f.v}, &f);
  if (!inserted) {
    const Fact* existing = it->second;
    if (existing->added == added) {
      facts_.pop_back();
      return absl::OkStatus();
    }
    absl::Status conflict = absl::FailedPreconditionError(
        Cat("Conflict: ", DatomText(e, *attr, f.v), " is both asserted and retracted", InForm(form),
            " and ", FormText(existing->form)));
    facts_.pop_back();
    return conflict;
  }
  if (added && !attr->many) {
    // Two values for one cardinality-one attribute of one entity: which one
    // wins would depend on form order, and the transaction is a set.
    auto [one, first] = card_one_.try_emplace(EA(e, attr->id), &f);
    if (!first) {
      absl::Status conflict = absl::FailedPreconditionError(
          Cat("Conflict: two values for cardinality-one attribute ", attr->ident.to_string(),
              " of entity ", e, ": ", EncodedText(one->second->v), " and ", EncodedText(f.v),
              InForm(one->second->form), " and ", FormText(form)));
      fact_index_.erase(it);
      facts_.pop_back();
      return conflict;
    }
  }
  return absl::OkStatus();
}

absl::Status Preparer::BuildFacts() {
  absl::flat_hash_set<EntityId> retracted_entities;
  // Most ops become one fact: sizing the indexes once saves rehashing them
  // log(n) times over a bulk import.
  fact_index_.reserve(fact_index_.size() + ops_.size());
  card_one_.reserve(card_one_.size() + ops_.size());
  // Each Op becomes facts once: its encoded value moves into the fact.
  for (Op& op : ops_) {
    const EntityId e = Resolved(op.e);
    switch (op.type) {
      case OpType::kAdd:
      case OpType::kRetract: {
        std::string v = op.attr->is_ref() ? RefBytes(Resolved(op.v_ref)) : std::move(op.v);
        const size_t before = facts_.size();
        if (absl::Status s = AddFact(e, op.attr, std::move(v), op.type == OpType::kAdd, op.form);
            !s.ok()) {
          return s;
        }
        if (facts_.size() > before) facts_.back().unheld = op.unheld;
        break;
      }
      case OpType::kRetractAll: {
        absl::StatusOr<const std::vector<std::string>*> values = Current(e, op.attr);
        if (!values.ok()) return values.status();
        for (const std::string& v : **values) {
          if (absl::Status s = AddFact(e, op.attr, v, false, op.form); !s.ok()) return s;
        }
        break;
      }
      case OpType::kRetractEntity:
        if (absl::Status s = RetractEntity(e, op.form, &retracted_entities); !s.ok()) return s;
        break;
      case OpType::kCas: {
        if (absl::Status s = CheckCas(op, e); !s.ok()) return s;
        std::string v = op.attr->is_ref() ? RefBytes(Resolved(op.v_ref)) : std::move(op.v);
        if (absl::Status s = AddFact(e, op.attr, std::move(v), true, op.form); !s.ok()) return s;
        break;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Preparer::RetractEntity(EntityId e, const Value* form,
                                     absl::flat_hash_set<EntityId>* seen) {
  if (!seen->insert(e).second || IsNewEntity(e)) return absl::OkStatus();
  struct Found {
    EntityId e;
    EntityId a;
    std::string v;
  };
  std::vector<Found> found;
  absl::Status scan = ScanRaw(state_, Index::kEavt, IdPrefix(e), [&](const RawDatom& d) {
    found.push_back({static_cast<EntityId>(d.e), static_cast<EntityId>(d.a), std::string(d.v)});
    return true;
  });
  if (!scan.ok()) return scan;
  const size_t own = found.size();
  // References to the entity, through VAET (refs only).
  scan = ScanRaw(state_, Index::kVaet, RefBytes(e), [&](const RawDatom& d) {
    found.push_back({static_cast<EntityId>(d.e), static_cast<EntityId>(d.a), std::string(d.v)});
    return true;
  });
  if (!scan.ok()) return scan;
  std::vector<EntityId> components;
  for (size_t i = 0; i < found.size(); ++i) {
    const Attribute* attr = schema_.Find(found[i].a);
    if (attr == nullptr) {
      return absl::InternalError(Cat("Datom of entity ", found[i].e, " has attribute ", found[i].a,
                                     ", which the schema does not know"));
    }
    if (i < own && attr->component && attr->is_ref()) {
      Value child = DecodeOrNil(found[i].v);
      if (child.is_integer()) components.push_back(child.as_int());
    }
    if (absl::Status s = AddFact(found[i].e, attr, std::move(found[i].v), false, form); !s.ok()) {
      return s;
    }
  }
  for (EntityId child : components) {
    if (absl::Status s = RetractEntity(child, form, seen); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Preparer::CheckCas(const Op& op, EntityId e) {
  absl::StatusOr<const std::vector<std::string>*> values = Current(e, op.attr);
  if (!values.ok()) return values.status();
  const std::vector<std::string>& current = **values;
  const bool match =
      op.cas_old_nil ? current.empty() : (current.size() == 1 && current[0] == op.cas_old);
  if (!match) {
    return absl::FailedPreconditionError(Cat(
        "Compare failed: ", op.attr->ident.to_string(), " of entity ", e, " was expected to be ",
        op.cas_old_nil ? std::string("absent (nil)") : EncodedText(op.cas_old), " but is ",
        current.empty() ? std::string("absent (nil)") : EncodedText(current[0]), InForm(op.form)));
  }
  return absl::OkStatus();
}

absl::Status Preparer::MaintainComposites() {
  // (entity, composite attribute) pairs whose members change, in fact order.
  std::vector<std::pair<EntityId, const Attribute*>> affected;
  absl::flat_hash_set<EA> seen;
  const size_t n = facts_.size();
  for (size_t i = 0; i < n; ++i) {
    const Fact& f = facts_[i];
    if (!f.attr->tuple_attrs.empty() && f.added && seen.insert(EA(f.e, f.attr->id)).second) {
      affected.emplace_back(f.e, f.attr);
    }
    for (EntityId composite : schema_.CompositesOf(f.attr->id)) {
      if (seen.insert(EA(f.e, composite)).second) {
        const Attribute* attr = schema_.Find(composite);
        if (attr != nullptr) affected.emplace_back(f.e, attr);
      }
    }
  }
  for (const auto& [e, composite] : affected) {
    const Value* form = nullptr;
    std::vector<Value> elements;
    elements.reserve(composite->tuple_attrs.size());
    bool any_member = false;
    for (EntityId member_id : composite->tuple_attrs) {
      const Attribute* member = schema_.Find(member_id);
      if (member == nullptr) {
        elements.emplace_back();
        continue;
      }
      std::string_view v;
      if (auto it = card_one_.find(EA(e, member_id)); it != card_one_.end()) {
        v = it->second->v;
        form = it->second->form;
      } else {
        absl::StatusOr<const std::vector<std::string>*> current = Current(e, member);
        if (!current.ok()) return current.status();
        for (const std::string& c : **current) {
          if (!IsRetracted(e, member_id, c)) {
            v = c;
            break;
          }
        }
      }
      if (v.empty()) {
        elements.emplace_back();
      } else {
        elements.push_back(DecodeOrNil(v));
        any_member = true;
      }
    }
    const Fact* asserted = nullptr;
    if (auto it = card_one_.find(EA(e, composite->id)); it != card_one_.end()) {
      asserted = it->second;
      if (form == nullptr) form = asserted->form;
    }
    if (!any_member) {
      if (asserted != nullptr) {
        return absl::InvalidArgumentError(Cat("Composite tuple attribute ",
                                              composite->ident.to_string(),
                                              " is maintained from its members, and entity ", e,
                                              " has none of them", InForm(asserted->form)));
      }
      absl::StatusOr<const std::vector<std::string>*> current = Current(e, composite);
      if (!current.ok()) return current.status();
      for (const std::string& c : **current) {
        if (absl::Status s = AddFact(e, composite, c, false, form); !s.ok()) return s;
      }
      continue;
    }
    std::string v;
    if (absl::Status s = EncodeValue(Value::Vector(std::move(elements)), composite->spec, &v);
        !s.ok()) {
      return absl::InternalError(Cat("Cannot encode composite ", composite->ident.to_string(), ": ",
                                     std::string(s.message())));
    }
    if (asserted != nullptr) {
      if (asserted->v != v) {
        return absl::InvalidArgumentError(
            Cat("Composite tuple attribute ", composite->ident.to_string(),
                " is maintained from its members: asserted ", EncodedText(asserted->v),
                " but the members give ", EncodedText(v), InForm(asserted->form)));
      }
      continue;
    }
    if (absl::Status s = AddFact(e, composite, std::move(v), true, form); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Preparer::ApplyCardinality() {
  // Facts added below are retractions of current values: never revisited.
  const size_t n = facts_.size();
  absl::flat_hash_map<EA, absl::flat_hash_set<std::string_view>> many_sets;
  for (size_t i = 0; i < n; ++i) {
    Fact& f = facts_[i];
    if (IsNewEntity(f.e)) {
      // Nothing to retract on an entity this transaction creates.
      if (!f.added) f.dropped = true;
      continue;
    }
    absl::StatusOr<const std::vector<std::string>*> values = Current(f.e, f.attr);
    if (!values.ok()) return values.status();
    const std::vector<std::string>& current = **values;
    bool present;
    if (current.size() <= 8) {
      present = std::find(current.begin(), current.end(), f.v) != current.end();
    } else {
      auto [it, inserted] = many_sets.try_emplace(EA(f.e, f.attr->id));
      if (inserted) it->second.insert(current.begin(), current.end());
      present = it->second.contains(f.v);
    }
    if (f.added) {
      if (present) {
        f.dropped = true;
      } else if (!f.attr->many && !current.empty() && !IsRetracted(f.e, f.attr->id, current[0])) {
        if (absl::Status s = AddFact(f.e, f.attr, current[0], false, f.form); !s.ok()) return s;
      }
    } else if (!present) {
      f.dropped = true;
    }
  }
  return absl::OkStatus();
}

absl::Status Preparer::CheckUnique() {
  absl::flat_hash_map<std::pair<EntityId, std::string_view>, const Fact*> claims;
  for (const Fact& f : facts_) {
    if (!f.added || f.dropped || f.attr->unique == Unique::kNone) continue;
    auto [it, inserted] = claims.try_emplace(std::make_pair(f.attr->id, std::string_view(f.v)), &f);
    if (!inserted && it->second->e != f.e) {
      return absl::FailedPreconditionError(Cat("Unique conflict: ", f.attr->ident.to_string(), " ",
                                               EncodedText(f.v), " is asserted for two entities, ",
                                               it->second->e, " and ", f.e, InForm(f.form)));
    }
    if (f.unheld) continue;
    absl::StatusOr<std::vector<uint64_t>> holders = EntitiesWith(state_, f.attr->id, f.v);
    if (!holders.ok()) return holders.status();
    for (uint64_t h : *holders) {
      const EntityId holder = static_cast<EntityId>(h);
      if (holder != f.e && !IsRetracted(holder, f.attr->id, f.v)) {
        return absl::FailedPreconditionError(
            Cat("Unique conflict: ", f.attr->ident.to_string(), " ", EncodedText(f.v),
                " is already held by entity ", holder, ", cannot assert it for entity ", f.e,
                InForm(f.form)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Preparer::CheckPredicates() {
  for (const Fact& f : facts_) {
    if (!f.added || f.attr->preds.empty()) continue;
    const Value value = DecodeOrNil(f.v);
    for (const Value& pred : f.attr->preds) {
      if (absl::Status s = registry_.CheckAllowed(pred.qualified_name()); !s.ok()) {
        return absl::Status(s.code(), Cat("Attribute predicate of ", f.attr->ident.to_string(),
                                          ": ", s.message(), InForm(f.form)));
      }
      std::shared_ptr<const AttrPredicate> fn = registry_.FindAttrPredicate(pred.qualified_name());
      if (fn == nullptr) {
        return absl::InvalidArgumentError(Cat("Attribute predicate ", pred.qualified_name(), " of ",
                                              f.attr->ident.to_string(), " is not registered",
                                              InForm(f.form)));
      }
      bool ok = false;
      try {
        ok = (*fn)(value);
      } catch (...) {
        return absl::InternalError(Cat("Attribute predicate ", pred.qualified_name(), " of ",
                                       f.attr->ident.to_string(), " threw an exception",
                                       InForm(f.form)));
      }
      if (!ok) {
        return absl::InvalidArgumentError(
            Cat("Value ", EncodedText(f.v), " of ", f.attr->ident.to_string(),
                " fails attribute predicate ", pred.qualified_name(), InForm(f.form)));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace accrete::internal::tx
