// Db::with: a transaction applied to an in-memory overlay instead of the
// store. The prepared datoms become lifetimes opened (assertions) or closed
// (retractions) at the speculative t; reads merge them with the stored
// indexes (see scan.hpp).
#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "accrete/db.hpp"
#include "db/db_state.hpp"
#include "db/scan.hpp"
#include "db/schema.hpp"
#include "tx/prepare.hpp"

namespace accrete {
namespace internal {
namespace {

struct IndexKeys {
  std::string keys[4];
  bool has_vaet = false;
};

IndexKeys KeysOf(const DatomWrite& w, std::string_view v_in_key) {
  IndexKeys k;
  k.keys[static_cast<int>(Index::kEavt)] = EavtKey(w.e, w.a, v_in_key);
  k.keys[static_cast<int>(Index::kAevt)] = AevtKey(w.a, w.e, v_in_key);
  k.keys[static_cast<int>(Index::kAvet)] = AvetKey(w.a, v_in_key, w.e);
  if (w.is_ref) {
    k.keys[static_cast<int>(Index::kVaet)] = VaetKey(v_in_key, w.a, w.e);
    k.has_vaet = true;
  }
  return k;
}

bool LifeLess(const Overlay::Life& a, const Overlay::Life& b) {
  int c = a.key.compare(b.key);
  return c != 0 ? c < 0 : a.tx_a < b.tx_a;
}

// Applies `tx` to a copy of `base`'s overlay.
absl::StatusOr<std::shared_ptr<const Overlay>> Extend(const DbState& base, const PreparedTx& tx,
                                                      int64_t t) {
  auto overlay =
      base.overlay ? std::make_shared<Overlay>(*base.overlay) : std::make_shared<Overlay>();
  absl::StatusOr<Snapshot> snapshot = base.store->Read();
  if (!snapshot.ok()) return snapshot.status();
  for (const DatomWrite& w : tx.writes) {
    absl::StatusOr<std::string> v_in_key = OverlayKeyValue(*snapshot, w.v);
    if (!v_in_key.ok()) return v_in_key.status();
    IndexKeys keys = KeysOf(w, *v_in_key);
    if (w.added) {
      for (int i = 0; i < 4; ++i) {
        if (i == static_cast<int>(Index::kVaet) && !keys.has_vaet) continue;
        Overlay::Life life{keys.keys[i], w.v, t, kOpen};
        auto& lives = overlay->lives[i];
        lives.insert(std::upper_bound(lives.begin(), lives.end(), life, LifeLess), std::move(life));
      }
      continue;
    }
    // A retraction closes the open lifetime of [e a v]: one in the overlay
    // if an earlier speculative transaction opened it, else a stored one.
    auto& eavt = overlay->lives[static_cast<int>(Index::kEavt)];
    const std::string& eavt_key = keys.keys[static_cast<int>(Index::kEavt)];
    auto open = std::find_if(eavt.begin(), eavt.end(), [&](const Overlay::Life& life) {
      return life.key == eavt_key && life.tx_r == kOpen;
    });
    if (open != eavt.end()) {
      int64_t tx_a = open->tx_a;
      for (int i = 0; i < 4; ++i) {
        for (Overlay::Life& life : overlay->lives[i]) {
          if (life.key == keys.keys[i] && life.tx_a == tx_a) life.tx_r = t;
        }
      }
      continue;
    }
    std::optional<int64_t> stored_tx_a;
    std::string prefix;
    AppendId(&prefix, w.e);
    AppendId(&prefix, w.a);
    absl::StatusOr<ValueMatch> match = AppendLookupValue(base, &prefix, w.v);
    if (!match.ok()) return match.status();
    const bool compare_full = *match == ValueMatch::kPrefix;
    absl::Status status = ScanRaw(base, Index::kEavt, prefix, [&](const RawDatom& d) {
      if (compare_full && d.v != w.v) return true;
      stored_tx_a = TxToT(d.tx);
      return false;
    });
    if (!status.ok()) return status;
    if (!stored_tx_a) {
      return absl::InternalError(
          absl::StrCat("with: no current datom to retract for entity ", w.e, " attribute ", w.a));
    }
    for (int i = 0; i < 4; ++i) {
      if (i == static_cast<int>(Index::kVaet) && !keys.has_vaet) continue;
      std::string closed_key = keys.keys[i];
      PutU64(&closed_key, static_cast<uint64_t>(*stored_tx_a));
      overlay->closed[i][closed_key] = t;
    }
  }
  return std::shared_ptr<const Overlay>(std::move(overlay));
}

int64_t Now(const DbConfig& config) {
  if (config.clock) return config.clock();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace
}  // namespace internal

absl::StatusOr<TxReport> Db::with(const Value& tx_data) const {
  using internal::DbState;
  if (state_->as_of_t || state_->since_t || state_->history || !state_->filters.empty()) {
    return absl::InvalidArgumentError(
        "with() needs an unfiltered db (not as_of, since, history or filter)");
  }
  internal::TxContext ctx;
  ctx.t = state_->basis_t + 1;
  ctx.now_ms = internal::Now(*state_->config);
  ctx.registry = state_->config->registry;
  ctx.max_value_bytes = state_->config->max_value_bytes;
  absl::StatusOr<internal::PreparedTx> tx = internal::PrepareTx(*this, tx_data, ctx);
  if (!tx.ok()) return tx.status();
  auto overlay = internal::Extend(*state_, *tx, ctx.t);
  if (!overlay.ok()) return overlay.status();
  auto after = std::make_shared<DbState>(*state_);
  after->basis_t = ctx.t;
  after->meta = tx->meta_after;
  after->overlay = *std::move(overlay);
  if (tx->schema_changed) {
    auto schema = internal::Schema::Load(*after);
    if (!schema.ok()) return schema.status();
    after->schema = *std::move(schema);
  }
  Db db_after(std::move(after));
  if (!tx->ensures.empty()) {
    absl::Status status = internal::CheckEnsures(db_after, *tx, *ctx.registry);
    if (!status.ok()) return status;
  }
  TxReport report{*this, std::move(db_after), std::move(tx->tx_data), std::move(tx->tempids)};
  return report;
}

}  // namespace accrete
