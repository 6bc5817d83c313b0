// Expansion: tx forms -> Ops. Map forms become assertions, nested maps new
// (or upserted) entities, reverse attribute names assertions on the other
// entity, transaction functions the tx data they return. Idents and lookup
// refs resolve here, against the db as of the start of the transaction;
// tempids stay symbolic until every form is expanded (resolve.cpp).
#include <exception>
#include <string>
#include <utility>

#include "edn/str_cat.hpp"
#include "edn/utf8.hpp"
#include "tx/preparer.hpp"

namespace accrete::internal::tx {
namespace {

// Transaction functions calling transaction functions stop here: a runaway
// recursion is a bug in the functions, reported rather than overflowing.
constexpr int kMaxFunctionDepth = 64;

const Value& DbIdKey() {
  static const Value k = kw("db/id");
  return k;
}
const Value& DbEnsureKey() {
  static const Value k = kw("db/ensure");
  return k;
}

bool IsOp(const Value& head, std::string_view name) { return head.qualified_name() == name; }

// Whether every string in `v` (a scalar, or a tuple's items) is valid UTF-8.
bool IsUtf8Text(const Value& v) {
  if (v.is_string()) return IsValidUtf8(v.as_string());
  if (!v.is_sequential()) return true;
  for (const Value& item : v.items()) {
    if (!IsUtf8Text(item)) return false;
  }
  return true;
}

std::string Truncated(std::string text) {
  constexpr size_t kMax = 300;
  if (text.size() > kMax) {
    text.resize(kMax);
    text += "...";
  }
  return text;
}

}  // namespace

std::string FormText(const Value* form) {
  return form == nullptr ? std::string("tx data") : Truncated(form->to_string());
}

std::string InForm(const Value* form) { return Cat(" in ", FormText(form)); }

std::string RefBytes(EntityId e) {
  static const TypeSpec kRef{ValueType::kRef, {}, false};
  std::string out;
  // An integer always encodes as a ref; the status cannot be an error.
  EncodeValue(Value::Integer(e), kRef, &out).IgnoreError();
  return out;
}

Value DecodeOrNil(std::string_view encoded) {
  absl::StatusOr<Value> v = DecodeValue(&encoded);
  return v.ok() ? *std::move(v) : Value();
}

std::string EncodedText(std::string_view encoded) {
  return Truncated(DecodeOrNil(encoded).to_string());
}

absl::Status Preparer::ExpandForms(const Value& forms, const Value* caller, int depth) {
  if (!forms.is_collection()) {
    return absl::InvalidArgumentError(Cat(
        "Transaction data must be a list or vector of forms, got ", Truncated(forms.to_string()),
        caller == nullptr ? std::string() : Cat(" from ", FormText(caller))));
  }
  for (const Value& form : forms.items()) {
    if (absl::Status s = ExpandForm(form, depth); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Preparer::ExpandForm(const Value& form, int depth) {
  if (form.is_map()) return ExpandMap(form, &form, depth).status();
  if (form.is_sequential() && form.size() > 0) return ExpandListForm(form, depth);
  return absl::InvalidArgumentError(
      Cat("Expected a list form ([:db/add e a v], ...) or a map form, got ", FormText(&form)));
}

absl::Status Preparer::ExpandListForm(const Value& form, int depth) {
  std::span<const Value> items = form.items();
  const Value& head = items[0];
  if (head.is_symbol()) return ExpandTxFunction(form, depth);
  if (!head.is_keyword()) {
    return absl::InvalidArgumentError(
        Cat("A list form starts with an operation (:db/add, :db/retract, "
            ":db/retractEntity, :db/cas) or a transaction function name, got ",
            FormText(&form)));
  }
  auto arity = [&](size_t lo, size_t hi, std::string_view shape) -> absl::Status {
    if (items.size() < lo || items.size() > hi) {
      return absl::InvalidArgumentError(Cat("Expected ", shape, ", got ", FormText(&form)));
    }
    return absl::OkStatus();
  };
  if (IsOp(head, "db/add")) {
    if (absl::Status s = arity(4, 4, "[:db/add e a v]"); !s.ok()) return s;
    absl::StatusOr<Op> op = StartListOp(OpType::kAdd, form, /*allow_temp=*/true);
    if (!op.ok()) return op.status();
    if (absl::Status s = SetOpValue(&*op, items[3], /*allow_temp=*/true); !s.ok()) return s;
    return AddOp(*std::move(op));
  }
  if (IsOp(head, "db/retract")) {
    if (absl::Status s = arity(3, 4, "[:db/retract e a] or [:db/retract e a v]"); !s.ok()) {
      return s;
    }
    const bool all = items.size() == 3;
    absl::StatusOr<Op> op = StartListOp(all ? OpType::kRetractAll : OpType::kRetract, form,
                                        /*allow_temp=*/false);
    if (!op.ok()) return op.status();
    if (!op->attr->tuple_attrs.empty()) {
      return absl::InvalidArgumentError(
          Cat("Composite tuple attribute ", op->attr->ident.to_string(),
              " is maintained from its members and cannot be retracted", InForm(&form)));
    }
    if (!all) {
      if (absl::Status s = SetOpValue(&*op, items[3], /*allow_temp=*/false); !s.ok()) return s;
    }
    return AddOp(*std::move(op));
  }
  if (IsOp(head, "db/retractEntity") || IsOp(head, "db.fn/retractEntity")) {
    if (absl::Status s = arity(2, 2, "[:db/retractEntity e]"); !s.ok()) return s;
    absl::StatusOr<Op> op = StartListOp(OpType::kRetractEntity, form, /*allow_temp=*/false);
    if (!op.ok()) return op.status();
    return AddOp(*std::move(op));
  }
  if (IsOp(head, "db/cas") || IsOp(head, "db.fn/cas")) {
    if (absl::Status s = arity(5, 5, "[:db/cas e a old-value new-value]"); !s.ok()) return s;
    absl::StatusOr<Op> op = StartListOp(OpType::kCas, form, /*allow_temp=*/false);
    if (!op.ok()) return op.status();
    if (op->attr->many) {
      return absl::InvalidArgumentError(Cat(":db/cas needs a cardinality-one attribute; ",
                                            op->attr->ident.to_string(), " is cardinality many",
                                            InForm(&form)));
    }
    if (items[3].is_nil()) {
      op->cas_old_nil = true;
    } else if (op->attr->is_ref()) {
      absl::StatusOr<EntityId> old = ResolveExisting(items[3], &form);
      if (!old.ok()) return old.status();
      op->cas_old = RefBytes(*old);
    } else if (absl::Status s = EncodeFor(*op->attr, items[3], &form, &op->cas_old); !s.ok()) {
      return s;
    }
    if (absl::Status s = SetOpValue(&*op, items[4], /*allow_temp=*/true); !s.ok()) return s;
    return AddOp(*std::move(op));
  }
  // Any other keyword names a transaction function, as in Datomic Pro
  // (`[:my.ns/fn args]`); Datomic Cloud's symbols come here too.
  return ExpandTxFunction(form, depth);
}

absl::StatusOr<Op> Preparer::StartListOp(OpType type, const Value& form, bool allow_temp) {
  std::span<const Value> items = form.items();
  Op op;
  op.type = type;
  op.form = &form;
  absl::StatusOr<ERef> e = ResolveRef(items[1], &form, allow_temp);
  if (!e.ok()) return e.status();
  op.e = *e;
  if (type != OpType::kRetractEntity) {
    absl::StatusOr<const Attribute*> attr = FindAttr(items[2], &form);
    if (!attr.ok()) return attr.status();
    op.attr = *attr;
  }
  return op;
}

absl::Status Preparer::ExpandTxFunction(const Value& form, int depth) {
  const Value& head = form.items()[0];
  if (depth >= kMaxFunctionDepth) {
    return absl::InvalidArgumentError(Cat("Transaction functions nested deeper than ",
                                          kMaxFunctionDepth, " calls", InForm(&form)));
  }
  const std::string_view name = head.qualified_name();
  if (absl::Status s = registry_.CheckAllowed(name); !s.ok()) {
    return absl::Status(s.code(), Cat(s.message(), InForm(&form)));
  }
  std::shared_ptr<const TxFunction> fn = registry_.FindTxFunction(name);
  if (fn == nullptr) {
    return absl::InvalidArgumentError(Cat("Unknown transaction function ", name, InForm(&form)));
  }
  absl::StatusOr<Value> result;
  try {
    result = (*fn)(db_, form.items().subspan(1));
  } catch (const std::exception& e) {
    return absl::InternalError(Cat("Transaction function ", name, " threw: ", e.what()));
  } catch (...) {
    return absl::InternalError(Cat("Transaction function ", name, " threw an exception"));
  }
  if (!result.ok()) return result.status();
  owned_.push_back(*std::move(result));
  return ExpandForms(owned_.back(), &form, depth + 1);
}

absl::StatusOr<ERef> Preparer::ExpandMap(const Value& map, const Value* form, int depth) {
  ERef e;
  if (const Value* id = map.get(DbIdKey()); id != nullptr) {
    absl::StatusOr<ERef> r = ResolveRef(*id, form, /*allow_temp=*/true);
    if (!r.ok()) return r.status();
    e = *r;
  } else {
    e = ERef::Temp(NewAutoTemp(form));
  }
  for (const auto& [key, value] : map.entries()) {
    if (key == DbIdKey()) continue;
    if (key == DbEnsureKey()) {
      absl::StatusOr<EntityId> spec = ResolveExisting(value, form);
      if (!spec.ok()) return spec.status();
      ensures_.push_back({e, *spec});
      continue;
    }
    if (!key.is_keyword()) {
      return absl::InvalidArgumentError(
          Cat("Map form keys are attribute keywords, got ", key.to_string(), InForm(form)));
    }
    if (const Attribute* attr = schema_.Find(key); attr != nullptr) {
      if (absl::Status s = ExpandMapValue(e, attr, value, form, depth); !s.ok()) return s;
      continue;
    }
    // A reverse name, :ns/_attr, points the values back at this entity.
    std::string_view name = key.name();
    if (!name.empty() && name[0] == '_') {
      const Attribute* forward = schema_.Find(Value::Keyword(key.ns(), name.substr(1)));
      if (forward != nullptr && forward->is_ref()) {
        if (absl::Status s = ExpandReverse(e, forward, value, form, depth); !s.ok()) return s;
        continue;
      }
    }
    return absl::InvalidArgumentError(Cat("Unknown attribute ", key.to_string(), InForm(form)));
  }
  return e;
}

namespace {

// Whether `v`, given for a cardinality-many attribute in a map form, is a
// collection of values rather than one value. A vector can also be one
// lookup ref (refs) or one tuple (tuples): those read as one value unless
// every item is itself a collection.
bool IsManyValues(const Schema& schema, const Attribute& attr, const Value& v) {
  if (v.is_set()) return true;
  if (!v.is_sequential()) return false;
  if (attr.is_ref()) {
    std::span<const Value> items = v.items();
    if (items.size() == 2 && items[0].is_keyword() && !items[1].is_keyword()) {
      const Attribute* a = schema.Find(items[0]);
      if (a != nullptr && a->unique != Unique::kNone) return false;
    }
    return true;
  }
  if (attr.spec.type == ValueType::kTuple) {
    for (const Value& item : v.items()) {
      if (!item.is_sequential()) return false;
    }
  }
  return true;
}

// Calls `one` for each item of `v` when `many`, else for `v` itself.
template <typename Fn>
absl::Status ForEachValue(bool many, const Value& v, const Fn& one) {
  if (!many) return one(v);
  for (const Value& x : v.items()) {
    if (absl::Status s = one(x); !s.ok()) return s;
  }
  return absl::OkStatus();
}

bool HasUniqueAttribute(const Schema& schema, const Value& map) {
  for (const auto& [key, value] : map.entries()) {
    if (!key.is_keyword()) continue;
    const Attribute* a = schema.Find(key);
    if (a != nullptr && a->unique != Unique::kNone) return true;
  }
  return false;
}

}  // namespace

absl::Status Preparer::ExpandMapValue(ERef e, const Attribute* attr, const Value& v,
                                      const Value* form, int depth) {
  auto one = [&](const Value& x) -> absl::Status {
    Op op = Op::Assertion(e, attr, form);
    if (attr->is_ref() && x.is_map()) {
      if (!attr->component && x.get(DbIdKey()) == nullptr && !HasUniqueAttribute(schema_, x)) {
        return absl::InvalidArgumentError(
            Cat("Nested entity map under ", attr->ident.to_string(),
                " must have a unique attribute or a :db/id, unless the attribute is a component",
                InForm(form)));
      }
      absl::StatusOr<ERef> child = ExpandMap(x, form, depth);
      if (!child.ok()) return child.status();
      op.v_ref = *child;
      if (child->temp) temps_[child->id].used_as_value = true;
    } else if (absl::Status s = SetOpValue(&op, x, /*allow_temp=*/true); !s.ok()) {
      return s;
    }
    return AddOp(std::move(op));
  };
  return ForEachValue(attr->many && IsManyValues(schema_, *attr, v), v, one);
}

absl::Status Preparer::ExpandReverse(ERef e, const Attribute* attr, const Value& v,
                                     const Value* form, int depth) {
  auto one = [&](const Value& x) -> absl::Status {
    Op op = Op::Assertion(ERef(), attr, form);
    op.v_ref = e;
    if (e.temp) temps_[e.id].used_as_value = true;
    absl::StatusOr<ERef> source =
        x.is_map() ? ExpandMap(x, form, depth) : ResolveRef(x, form, /*allow_temp=*/true);
    if (!source.ok()) return source.status();
    op.e = *source;
    return AddOp(std::move(op));
  };
  // Like a cardinality-many ref: one lookup ref, or a collection of refs.
  return ForEachValue(IsManyValues(schema_, *attr, v), v, one);
}

absl::StatusOr<ERef> Preparer::ResolveRef(const Value& ref, const Value* form, bool allow_temp) {
  if (ref.is_string()) {
    if (!allow_temp) {
      return absl::InvalidArgumentError(Cat("Tempid ", ref.to_string(),
                                            " cannot be used here: only assertions create entities",
                                            InForm(form)));
    }
    return ERef::Temp(TempIndex(ref.as_string(), form));
  }
  absl::StatusOr<EntityId> e = ResolveExisting(ref, form);
  if (!e.ok()) return e.status();
  return ERef::Entity(*e);
}

absl::StatusOr<EntityId> Preparer::ResolveExisting(const Value& ref, const Value* form) {
  if (ref.is_integer()) return CheckEntityId(ref.as_int(), form);
  if (ref.is_keyword()) {
    std::optional<EntityId> e = schema_.Entid(ref);
    if (!e) {
      return absl::InvalidArgumentError(Cat("Unknown ident ", ref.to_string(), InForm(form)));
    }
    return *e;
  }
  if (ref.is_sequential() && ref.size() == 2) return LookupRef(ref, form);
  if (ref.is_string()) {
    return absl::InvalidArgumentError(Cat(
        "Tempid ", ref.to_string(), " cannot be used here: it names no entity yet", InForm(form)));
  }
  return absl::InvalidArgumentError(
      Cat("Cannot resolve entity ", Truncated(ref.to_string()),
          ": expected an entity id, a tempid, an ident or a lookup ref", InForm(form)));
}

absl::StatusOr<EntityId> Preparer::CheckEntityId(int64_t e, const Value* form) {
  const int64_t n = e & ((int64_t{1} << kPartitionShift) - 1);
  bool exists = false;
  if (e >= 0) {
    switch (PartitionOf(e)) {
      case kPartDb:
        exists = n < next_db_before_;
        break;
      case kPartUser:
        exists = n < next_user_before_;
        break;
      case kPartTx:
        exists = n <= ctx_.t;
        break;
      default:
        break;
    }
  }
  if (!exists) {
    return absl::InvalidArgumentError(
        Cat("Entity id ", e,
            " does not exist: entity ids are made by the database (use a tempid for a new entity)",
            InForm(form)));
  }
  return e;
}

absl::StatusOr<EntityId> Preparer::LookupRef(const Value& ref, const Value* form) {
  std::span<const Value> items = ref.items();
  absl::StatusOr<const Attribute*> attr = FindAttr(items[0], form);
  if (!attr.ok()) return attr.status();
  if ((*attr)->unique == Unique::kNone) {
    return absl::InvalidArgumentError(Cat("Lookup ref ", Truncated(ref.to_string()),
                                          " names attribute ", (*attr)->ident.to_string(),
                                          ", which is not unique", InForm(form)));
  }
  if (items[1].is_nil()) {
    return absl::InvalidArgumentError(
        Cat("Lookup ref ", ref.to_string(), " has a nil value", InForm(form)));
  }
  std::string v;
  if ((*attr)->is_ref()) {
    absl::StatusOr<EntityId> target = ResolveExisting(items[1], form);
    if (!target.ok()) return target.status();
    v = RefBytes(*target);
  } else if (absl::Status s = EncodeFor(**attr, items[1], form, &v); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<uint64_t>> found = EntitiesWith(state_, (*attr)->id, v);
  if (!found.ok()) return found.status();
  if (found->empty()) {
    return absl::InvalidArgumentError(
        Cat("Lookup ref ", Truncated(ref.to_string()), " names no entity", InForm(form)));
  }
  return static_cast<EntityId>(found->front());
}

absl::StatusOr<const Attribute*> Preparer::FindAttr(const Value& ident, const Value* form) {
  const Attribute* attr = nullptr;
  if (ident.is_keyword()) {
    attr = schema_.Find(ident);
  } else if (ident.is_integer()) {
    attr = schema_.Find(ident.as_int());
  }
  if (attr == nullptr) {
    return absl::InvalidArgumentError(
        Cat("Unknown attribute ", Truncated(ident.to_string()), InForm(form)));
  }
  return attr;
}

absl::Status Preparer::EncodeFor(const Attribute& attr, const Value& v, const Value* form,
                                 std::string* out) {
  if (v.is_nil()) {
    return absl::InvalidArgumentError(Cat("nil is not a value (retract the attribute instead) for ",
                                          attr.ident.to_string(), InForm(form)));
  }
  if (absl::Status s = EncodeValue(v, attr.spec, out); !s.ok()) {
    return absl::InvalidArgumentError(Cat("Value ", Truncated(v.to_string()),
                                          " does not fit attribute ", attr.ident.to_string(),
                                          " of type :", ValueTypeIdent(attr.spec.type), " (",
                                          std::string(s.message()), ")", InForm(form)));
  }
  // Text that is not UTF-8 could be stored but never printed as EDN, exported
  // or imported again; the reader refuses it, so must a Value built in code.
  if (!IsUtf8Text(v)) {
    return absl::InvalidArgumentError(
        Cat("Value of ", attr.ident.to_string(), " is not valid UTF-8", InForm(form)));
  }
  if (out->size() > ctx_.max_value_bytes) {
    return absl::InvalidArgumentError(Cat("Value of ", attr.ident.to_string(), " is ", out->size(),
                                          " bytes encoded, more than the limit of ",
                                          ctx_.max_value_bytes, " bytes", InForm(form)));
  }
  return absl::OkStatus();
}

absl::Status Preparer::SetOpValue(Op* op, const Value& v, bool allow_temp) {
  if (!op->attr->is_ref()) return EncodeFor(*op->attr, v, op->form, &op->v);
  if (v.is_map()) {
    return absl::InvalidArgumentError(
        Cat("Nested entity maps are allowed only in map forms", InForm(op->form)));
  }
  absl::StatusOr<ERef> r = ResolveRef(v, op->form, allow_temp);
  if (!r.ok()) return r.status();
  op->v_ref = *r;
  if (r->temp) temps_[r->id].used_as_value = true;
  return absl::OkStatus();
}

size_t Preparer::TempIndex(std::string_view name, const Value* form) {
  auto [it, inserted] = temp_by_name_.try_emplace(std::string(name), temps_.size());
  if (inserted) {
    TempId t;
    t.name = std::string(name);
    t.form = form;
    t.parent = temps_.size();
    if (name == "datomic.tx") t.entity = tx_id_;
    temps_.push_back(std::move(t));
  }
  return it->second;
}

size_t Preparer::NewAutoTemp(const Value* form) {
  TempId t;
  t.form = form;
  t.parent = temps_.size();
  temps_.push_back(std::move(t));
  return temps_.size() - 1;
}

absl::Status Preparer::CheckAssertable(const Op& op) {
  if (!op.e.temp && PartitionOf(op.e.id) == kPartTx && op.e.id != tx_id_) {
    return absl::InvalidArgumentError(Cat(
        "Cannot assert or retract facts about transaction ", op.e.id,
        ": a past transaction is immutable (use \"datomic.tx\" for this one)", InForm(op.form)));
  }
  return absl::OkStatus();
}

absl::Status Preparer::AddOp(Op op) {
  if (absl::Status s = CheckAssertable(op); !s.ok()) return s;
  if (op.e.temp && (op.type == OpType::kAdd || op.type == OpType::kCas)) {
    TempId& t = temps_[op.e.id];
    t.asserted = true;
    if (op.attr->id == sys::kIdent) t.asserts_ident = true;
  }
  ops_.push_back(std::move(op));
  return absl::OkStatus();
}

}  // namespace accrete::internal::tx
