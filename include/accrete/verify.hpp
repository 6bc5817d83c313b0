// accrete::Verify checks a database's store for internal consistency: it
// replays the log and compares what the replay says must be there with every
// index, the history, the long-value table, the per-attribute statistics and
// the meta record. It is the check behind `accrete verify DIR` and the crash
// tests; applications may run it after an unclean shutdown, but a store kept
// by LMDB needs no repair after a crash, so it is a diagnostic, not a
// recovery step.
//
// Ownership and thread safety: Verify reads through one LMDB read transaction
// for its whole run (so it sees one committed state while writers go on, and
// pins the pages of that state until it returns) and keeps the open
// lifetimes of the replay in memory: about 100 bytes per current datom. It
// may be called from any thread, concurrently with transact().
#ifndef ACCRETE_VERIFY_HPP_
#define ACCRETE_VERIFY_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "accrete/connection.hpp"
#include "accrete/status.hpp"

namespace accrete {

struct VerifyOptions {
  // Stop collecting problems after this many (the counts still cover the
  // whole store). Default: 100.
  size_t max_problems = 100;
};

// What Verify read and what it found.
struct VerifyReport {
  int64_t basis_t = -1;         // the t of the state verified
  uint64_t transactions = 0;    // log records replayed
  uint64_t log_datoms = 0;      // datoms in them (assertions and retractions)
  uint64_t current_datoms = 0;  // open lifetimes (EAVT entries)
  uint64_t history_datoms = 0;  // closed lifetimes kept in history (HEAVT entries)
  uint64_t long_values = 0;     // entries of the long-value table
  uint64_t attributes = 0;      // attributes with current datoms
  // One line per inconsistency, naming the sub-database and the entry; empty
  // when the store is consistent.
  std::vector<std::string> problems;
  // True when problems were dropped past VerifyOptions::max_problems.
  bool truncated = false;

  bool ok() const { return problems.empty(); }
  // OK when consistent, else DataLoss listing the first problems.
  absl::Status ToStatus() const;
};

// Verifies the store `conn` writes to, as of its latest committed state.
// Inconsistencies go into the report; the returned status is an error only
// when the store could not be read (Internal, from LMDB).
[[nodiscard]] absl::StatusOr<VerifyReport> Verify(const Connection& conn,
                                                  const VerifyOptions& options = {});

}  // namespace accrete

#endif  // ACCRETE_VERIFY_HPP_
