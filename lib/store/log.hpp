// The transaction log: one record per transaction, keyed by t, holding every
// datom the transaction wrote with its full value encoding. It is the source
// of truth for tx_range, export/import and rebuilding the indexes.
// on-disk format: do not change (docs/format.md, "log").
#ifndef ACCRETE_LIB_STORE_LOG_HPP_
#define ACCRETE_LIB_STORE_LOG_HPP_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/store.hpp"

namespace accrete::internal {

// The `log` key of transaction t: t as 8 big-endian bytes, so the log scans in
// t order. Precondition: t >= 0.
std::string LogKey(int64_t t);

// Appends the log record of transaction `t` to `out`. `closed_tx_a[i]` is the
// tx_a of the lifetime datoms[i] closed when it is a retraction (ignored for
// assertions).
void EncodeLogRecord(int64_t t, std::span<const DatomWrite> datoms,
                     std::span<const uint64_t> closed_tx_a, std::string* out);

// One datom of a log record.
struct LogDatom {
  uint64_t e = 0;
  uint64_t a = 0;
  // The full value encoding; a view into the record (valid as long as the
  // record bytes are, i.e. until the Snapshot that read them ends).
  std::string_view v;
  bool added = true;
  // The transaction entity id that opened the lifetime: this transaction for
  // an assertion, the earlier one for a retraction.
  uint64_t tx_a = 0;
};

struct LogEntry {
  int64_t t = 0;
  std::vector<LogDatom> datoms;
};

// Decodes one `log` key/value pair. DataLoss when malformed.
absl::StatusOr<LogEntry> DecodeLogEntry(std::string_view key, std::string_view value);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_STORE_LOG_HPP_
