// Db::tx_range and Db::for_each_tx: the log, read up to the db's basis.
#include "store/log.hpp"
#include "absl/strings/str_cat.h"
#include "accrete/db.hpp"
#include "db/db_state.hpp"

namespace accrete {

absl::Status Db::for_each_tx(std::optional<int64_t> start, std::optional<int64_t> end,
                             const std::function<absl::Status(const TxLogEntry&)>& fn) const {
  using internal::DecodeValue;
  const int64_t first = start.value_or(0);
  // Speculative (with) transactions are not in the log; the stored part of a
  // db ends at stored_t.
  const int64_t stop = std::min(end.value_or(INT64_MAX), state_->stored_t + 1);
  if (first < 0) {
    return absl::InvalidArgumentError(absl::StrCat("tx_range start must be >= 0, got ", first));
  }
  if (first >= stop) return absl::OkStatus();
  absl::StatusOr<internal::Snapshot> snapshot = state_->store->Read();
  if (!snapshot.ok()) return snapshot.status();
  absl::StatusOr<internal::Cursor> cursor = snapshot->OpenCursor(internal::Dbi::kLog);
  if (!cursor.ok()) return cursor.status();
  TxLogEntry entry;
  for (bool more = cursor->Seek(internal::LogKey(first)); more; more = cursor->Next()) {
    absl::StatusOr<internal::LogEntry> decoded =
        internal::DecodeLogEntry(cursor->key(), cursor->value());
    if (!decoded.ok()) return decoded.status();
    if (decoded->t >= stop) break;
    entry.t = decoded->t;
    entry.data.clear();
    for (const internal::LogDatom& d : decoded->datoms) {
      std::string_view v = d.v;
      absl::StatusOr<Value> value = DecodeValue(&v);
      if (!value.ok()) return value.status();
      entry.data.push_back(Datom{static_cast<EntityId>(d.e), static_cast<EntityId>(d.a),
                                 *std::move(value), TToTx(decoded->t), d.added});
    }
    absl::Status status = fn(entry);
    if (!status.ok()) return status;
  }
  return cursor->status();
}

absl::StatusOr<std::vector<TxLogEntry>> Db::tx_range(std::optional<int64_t> start,
                                                     std::optional<int64_t> end) const {
  std::vector<TxLogEntry> out;
  absl::Status status = for_each_tx(start, end, [&](const TxLogEntry& entry) {
    out.push_back(entry);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace accrete
