// PrepareTx drives the stages of preparer.hpp; CheckEnsures runs the
// :db/ensure entity specs after the transaction.
#include "tx/prepare.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "edn/str_cat.hpp"
#include "tx/preparer.hpp"

namespace accrete::internal {
namespace tx {

Preparer::Preparer(const Db& db, const TxContext& ctx)
    : db_(db),
      state_(*db.state()),
      schema_(*state_.schema),
      ctx_(ctx),
      registry_(ctx.registry != nullptr ? *ctx.registry : Registry::Global()),
      tx_id_(TToTx(ctx.t)) {
  next_user_before_ = state_.meta.next_user_eid;
  // The counter of :db.part/db starts above the system entities.
  next_db_before_ = std::max<int64_t>(state_.meta.next_db_eid, sys::kFirstUserDbId);
  next_user_ = next_user_before_;
  next_db_ = next_db_before_;
}

absl::StatusOr<PreparedTx> Preparer::Run(const Value& tx_data) {
  if (absl::Status s = ExpandForms(tx_data, nullptr, 0); !s.ok()) return s;
  if (absl::Status s = ResolveTempids(); !s.ok()) return s;
  if (absl::Status s = BuildFacts(); !s.ok()) return s;
  std::vector<Op>().swap(ops_);  // all in facts_ now; a bulk import's largest part
  if (absl::Status s = MaintainComposites(); !s.ok()) return s;
  if (absl::Status s = ApplyCardinality(); !s.ok()) return s;
  if (absl::Status s = CheckUnique(); !s.ok()) return s;
  if (absl::Status s = CheckPredicates(); !s.ok()) return s;
  if (absl::Status s = CheckSchemaChanges(); !s.ok()) return s;
  if (absl::Status s = SetTxInstant(); !s.ok()) return s;
  if (absl::Status s = ResolveEnsures(); !s.ok()) return s;
  BuildOutput();
  return std::move(out_);
}

absl::Status Preparer::SetTxInstant() {
  const int64_t last = state_.meta.last_tx_instant;
  tx_instant_ = std::max(ctx_.now_ms, last);
  auto it = card_one_.find(EA(tx_id_, sys::kTxInstant));
  if (it == card_one_.end()) return absl::OkStatus();
  // An explicit instant (imports replaying history) must keep the log's
  // instants monotonic, like the clock's.
  Fact* explicit_instant = it->second;
  Value v = DecodeOrNil(explicit_instant->v);
  if (v.kind() != Kind::kInst || v.inst_millis() < last) {
    return absl::InvalidArgumentError(
        Cat("Explicit :db/txInstant ", v.to_string(), " is earlier than the last transaction's ",
            Value::Inst(last).to_string(), InForm(explicit_instant->form)));
  }
  tx_instant_ = v.inst_millis();
  explicit_instant->dropped = true;  // written first, below
  return absl::OkStatus();
}

absl::Status Preparer::ResolveEnsures() {
  for (const PendingEnsure& p : ensures_) {
    const EntityId e = Resolved(p.entity);
    if (e == 0) {
      const TempId& temp = temps_[p.entity.id];
      return absl::InvalidArgumentError(
          Cat(":db/ensure is about an entity the transaction asserts nothing about",
              temp.name.empty() ? std::string() : Cat(" (tempid \"", temp.name, "\")"),
              InForm(temp.form)));
    }
    out_.ensures.push_back({e, p.spec});
  }
  return absl::OkStatus();
}

void Preparer::BuildOutput() {
  const EntityId tx = tx_id_;
  const Attribute* instant_attr = schema_.Find(sys::kTxInstant);
  std::string instant;
  EncodeValue(Value::Inst(tx_instant_), TypeSpec{ValueType::kInstant, {}, false}, &instant)
      .IgnoreError();  // an instant always encodes
  size_t count = 1;
  for (const Fact& f : facts_) count += !f.dropped;
  out_.writes.reserve(count);
  out_.tx_data.reserve(count);
  auto emit = [&](EntityId e, const Attribute& attr, std::string v, bool added) {
    Datom d;
    d.e = e;
    d.a = attr.id;
    d.v = DecodeOrNil(v);
    d.tx = tx;
    d.added = added;
    out_.tx_data.push_back(std::move(d));
    DatomWrite w;
    w.e = static_cast<uint64_t>(e);
    w.a = static_cast<uint64_t>(attr.id);
    w.v = std::move(v);
    w.added = added;
    w.is_ref = attr.is_ref();
    w.keep_history = !attr.no_history;
    out_.writes.push_back(std::move(w));
  };
  emit(tx, *instant_attr, std::move(instant), true);
  for (Fact& f : facts_) {
    if (!f.dropped) emit(f.e, *f.attr, std::move(f.v), f.added);
  }
  for (const auto& [name, index] : temp_by_name_) {
    const EntityId e = temps_[Root(index)].entity;
    if (e != 0) out_.tempids.emplace(name, e);
  }
  Meta& meta = out_.meta_after;
  meta = state_.meta;
  meta.basis_t = ctx_.t;
  meta.next_user_eid = next_user_;
  if (next_db_ != next_db_before_) meta.next_db_eid = next_db_;
  meta.last_tx_instant = tx_instant_;
  if (out_.schema_changed) meta.schema_t = ctx_.t;
}

}  // namespace tx

absl::StatusOr<PreparedTx> PrepareTx(const Db& db_before, const Value& tx_data,
                                     const TxContext& ctx) {
  tx::Preparer preparer(db_before, ctx);
  return preparer.Run(tx_data);
}

absl::Status CheckEnsures(const Db& db_after, const PreparedTx& tx, const Registry& registry) {
  if (tx.ensures.empty()) return absl::OkStatus();
  const DbState& state = *db_after.state();
  const Schema& schema = *state.schema;
  auto spec_name = [&](EntityId spec) {
    const Value* ident = schema.Ident(spec);
    return ident != nullptr ? ident->to_string() : Cat(spec);
  };
  for (const EnsureCheck& check : tx.ensures) {
    absl::StatusOr<std::vector<std::string>> attrs = ValuesOf(state, check.spec, sys::kEntityAttrs);
    if (!attrs.ok()) return attrs.status();
    absl::StatusOr<std::vector<std::string>> preds = ValuesOf(state, check.spec, sys::kEntityPreds);
    if (!preds.ok()) return preds.status();
    if (attrs->empty() && preds->empty()) {
      return absl::InvalidArgumentError(
          Cat(":db/ensure of entity ", check.entity, " names ", spec_name(check.spec),
              ", which is not an entity spec (it has no :db.entity/attrs or :db.entity/preds)"));
    }
    for (const std::string& encoded : *attrs) {
      Value ident = tx::DecodeOrNil(encoded);
      const Attribute* attr = ident.is_keyword() ? schema.Find(ident) : nullptr;
      bool present = false;
      if (attr != nullptr) {
        absl::StatusOr<std::vector<std::string>> values = ValuesOf(state, check.entity, attr->id);
        if (!values.ok()) return values.status();
        present = !values->empty();
      }
      if (!present) {
        return absl::InvalidArgumentError(
            Cat("Entity ", check.entity, " does not satisfy ", spec_name(check.spec),
                ": it is missing required attribute ", ident.to_string()));
      }
    }
    for (const std::string& encoded : *preds) {
      Value pred = tx::DecodeOrNil(encoded);
      std::shared_ptr<const EntityPredicate> fn =
          pred.is_symbol() ? registry.FindEntityPredicate(pred.qualified_name()) : nullptr;
      if (pred.is_symbol()) {
        if (absl::Status s = registry.CheckAllowed(pred.qualified_name()); !s.ok()) {
          return absl::Status(
              s.code(), Cat("Entity predicate of ", spec_name(check.spec), ": ", s.message()));
        }
      }
      if (fn == nullptr) {
        return absl::InvalidArgumentError(Cat("Entity predicate ", pred.to_string(), " of ",
                                              spec_name(check.spec), " is not registered"));
      }
      bool ok = false;
      try {
        ok = (*fn)(db_after, check.entity);
      } catch (...) {
        return absl::InternalError(Cat("Entity predicate ", pred.to_string(), " of ",
                                       spec_name(check.spec), " threw an exception"));
      }
      if (!ok) {
        return absl::InvalidArgumentError(Cat("Entity ", check.entity, " does not satisfy ",
                                              spec_name(check.spec), ": predicate ",
                                              pred.to_string(), " returned false"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace accrete::internal
