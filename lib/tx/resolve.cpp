// Tempid resolution. A tempid that asserts a :db.unique/identity value held
// by an existing entity becomes that entity (upsert); tempids asserting the
// same identity value in this transaction become one entity. Resolving one
// tempid can make another's value known (a ref-typed identity attribute whose
// value is a tempid), so the passes repeat until nothing changes. What is left
// gets new ids: in :db.part/db when the entity asserts :db/ident (schema stays
// in the small, dense partition), in :db.part/user otherwise.
#include <optional>
#include <string>
#include <utility>

#include "edn/str_cat.hpp"
#include "tx/preparer.hpp"

namespace accrete::internal::tx {
namespace {

std::string TempName(const TempId& t) {
  return t.name.empty() ? Cat("of the map form ", FormText(t.form)) : Cat("\"", t.name, "\"");
}

}  // namespace

size_t Preparer::Root(size_t t) {
  while (temps_[t].parent != t) {
    temps_[t].parent = temps_[temps_[t].parent].parent;
    t = temps_[t].parent;
  }
  return t;
}

absl::Status Preparer::Bind(size_t t, EntityId e, const Value* form) {
  TempId& root = temps_[Root(t)];
  if (root.entity != 0 && root.entity != e) {
    return absl::FailedPreconditionError(Cat("Upsert conflict: tempid ", TempName(temps_[t]),
                                             " resolves to two entities, ", root.entity, " and ", e,
                                             InForm(form)));
  }
  root.entity = e;
  return absl::OkStatus();
}

absl::Status Preparer::Union(size_t a, size_t b, const Value* form) {
  size_t ra = Root(a);
  size_t rb = Root(b);
  if (ra == rb) return absl::OkStatus();
  // The earlier tempid stays the root, so allocation follows first use.
  if (rb < ra) std::swap(ra, rb);
  TempId& keep = temps_[ra];
  TempId& gone = temps_[rb];
  if (keep.entity != 0 && gone.entity != 0 && keep.entity != gone.entity) {
    return absl::FailedPreconditionError(
        Cat("Upsert conflict: tempids ", TempName(keep), " and ", TempName(gone),
            " assert the same unique identity value but resolve to entities ", keep.entity, " and ",
            gone.entity, InForm(form)));
  }
  if (keep.entity == 0) keep.entity = gone.entity;
  keep.asserted |= gone.asserted;
  keep.asserts_ident |= gone.asserts_ident;
  keep.used_as_value |= gone.used_as_value;
  gone.parent = ra;
  return absl::OkStatus();
}

EntityId Preparer::Resolved(ERef r) { return r.temp ? temps_[Root(r.id)].entity : r.id; }

bool Preparer::IsNewEntity(EntityId e) const {
  if (e == tx_id_) return true;
  const int64_t n = e & ((int64_t{1} << kPartitionShift) - 1);
  switch (PartitionOf(e)) {
    case kPartUser:
      return n >= next_user_before_;
    case kPartDb:
      return n >= next_db_before_;
    default:
      return false;
  }
}

absl::Status Preparer::ResolveTempids() {
  if (temps_.empty()) return absl::OkStatus();
  std::vector<size_t> identity_ops;
  for (size_t i = 0; i < ops_.size(); ++i) {
    const Op& op = ops_[i];
    if (op.type == OpType::kAdd && op.attr->unique == Unique::kIdentity) {
      identity_ops.push_back(i);
    }
  }
  // Values looked up in AVET, so that later passes do not read again.
  absl::flat_hash_map<std::pair<EntityId, std::string>, EntityId> held_by;
  // Who asserts an identity value in this pass: a tempid root or an entity.
  absl::flat_hash_map<std::pair<EntityId, std::string>, ERef> claims;
  for (bool changed = true; changed;) {
    changed = false;
    claims.clear();
    for (size_t i : identity_ops) {
      Op& op = ops_[i];
      // The value as bytes; an unresolved tempid value can only match other
      // assertions of the same tempid in this transaction.
      std::string v;
      bool v_known = true;
      if (!op.attr->is_ref()) {
        v = op.v;
      } else if (EntityId target = Resolved(op.v_ref); target != 0) {
        v = RefBytes(target);
      } else {
        v_known = false;
        v = Cat("tempid:", Root(op.v_ref.id));
      }
      std::pair<EntityId, std::string> key(op.attr->id, std::move(v));
      // A tempid already resolved is looked up all the same: a second
      // entity for it is a conflict.
      if (op.e.temp && v_known) {
        auto [it, inserted] = held_by.try_emplace(key, 0);
        if (inserted) {
          absl::StatusOr<std::vector<uint64_t>> found = EntitiesWith(state_, key.first, key.second);
          if (!found.ok()) return found.status();
          if (!found->empty()) it->second = static_cast<EntityId>(found->front());
        }
        op.unheld = it->second == 0;
        if (it->second != 0) {
          const bool was_open = temps_[Root(op.e.id)].entity == 0;
          if (absl::Status s = Bind(op.e.id, it->second, op.form); !s.ok()) return s;
          changed |= was_open;
        }
      }
      ERef subject = op.e;
      if (subject.temp) {
        const size_t root = Root(subject.id);
        subject = temps_[root].entity != 0 ? ERef::Entity(temps_[root].entity) : ERef::Temp(root);
      }
      auto [it, inserted] = claims.try_emplace(std::move(key), subject);
      if (inserted) continue;
      ERef other = it->second;
      if (other.temp) other = ERef::Temp(Root(other.id));
      if (other.temp && temps_[other.id].entity != 0) other = ERef::Entity(temps_[other.id].entity);
      if (subject.temp && other.temp) {
        if (subject.id != other.id) {
          if (absl::Status s = Union(subject.id, other.id, op.form); !s.ok()) return s;
          changed = true;
        }
      } else if (subject.temp || other.temp) {
        const ERef temp = subject.temp ? subject : other;
        const EntityId entity = subject.temp ? other.id : subject.id;
        if (absl::Status s = Bind(temp.id, entity, op.form); !s.ok()) return s;
        changed = true;
      }
      // Two known entities claiming one value: a unique conflict, reported
      // with the other uniqueness checks (facts.cpp).
    }
  }

  for (size_t i = 0; i < temps_.size(); ++i) {
    TempId& root = temps_[Root(i)];
    if (root.entity != 0) continue;
    if (!root.asserted) {
      if (temps_[i].used_as_value) {
        return absl::InvalidArgumentError(
            Cat("Tempid ", TempName(temps_[i]),
                " is used only as a value: no assertion in the transaction is about it",
                InForm(temps_[i].form)));
      }
      continue;  // a map with nothing in it: no entity
    }
    root.entity = root.asserts_ident ? MakeEntityId(kPartDb, next_db_++)
                                     : MakeEntityId(kPartUser, next_user_++);
  }
  return absl::OkStatus();
}

}  // namespace accrete::internal::tx
