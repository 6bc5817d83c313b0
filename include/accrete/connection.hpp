// accrete::Connection opens one database (a directory holding one LMDB
// environment) and is the only way to write to it: transact() appends a
// transaction, db() reads the latest value.
//
// Ownership and thread safety: a Connection owns the environment handle and a
// writer thread. All methods may be called from any number of threads at once.
// Concurrent transact() calls are serialised; those that arrive together are
// committed in one LMDB write transaction (group commit), each with its own t
// and its own all-or-nothing outcome. Several processes may open the same
// directory: LMDB's write lock serialises their writers, and a reader in any
// process sees every transaction committed before its db() call.
// Db values keep the environment open: they stay readable after the
// Connection that made them is destroyed.
#ifndef ACCRETE_CONNECTION_HPP_
#define ACCRETE_CONNECTION_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accrete/db.hpp"
#include "accrete/ion.hpp"
#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete {

enum class Durability {
  // Every commit is fsync'ed before transact() returns: a committed
  // transaction survives a process kill and a machine crash.
  kDurable,
  // No fsync on commit (LMDB's MDB_NOSYNC): survives a process kill, may lose
  // the last transactions on a machine crash; never corrupts the store.
  kRelaxed,
};

struct Options {
  // Create the directory and an empty database when absent. Default: true.
  bool create_if_missing = true;
  // Open without the ability to write. Default: false.
  bool read_only = false;
  // Default: kDurable.
  Durability durability = Durability::kDurable;
  // Initial LMDB map size in bytes; the map grows by itself when full.
  // Default: 64 MiB.
  size_t initial_map_size = size_t{64} << 20;
  // Each growth multiplies the map size by this factor. Default: 2.
  double map_growth_factor = 2.0;
  // LMDB reader slots (concurrent read transactions across all processes).
  // Default: 1022.
  unsigned max_readers = 1022;
  // Growing the map waits for this process's open reads (Datoms streams) to
  // end; past this, the transactions that needed the space fail with
  // ResourceExhausted instead of waiting forever. Default: 10 s.
  std::chrono::milliseconds map_growth_wait{10000};
  // The largest value (string, bytes, ...) one datom may carry. Larger ones
  // are refused with InvalidArgument. Default: 16 MiB.
  size_t max_value_bytes = size_t{16} << 20;
  // Where transaction functions and predicates are looked up.
  // Default: nullptr, meaning Registry::Global().
  const Registry* registry = nullptr;
  // Milliseconds since the epoch for :db/txInstant. Default: the system clock.
  std::function<int64_t()> clock;
};

// Reports of committed transactions, in commit order, for one subscriber.
// Bounded: when the subscriber falls `capacity` reports behind, the oldest
// unread reports are dropped and counted in dropped(); the writer never waits
// for a slow subscriber. A subscriber that sees dropped() grow can catch up
// from the log (Db::tx_range). Thread-safe.
class ReportQueue {
 public:
  virtual ~ReportQueue() = default;
  // The next report, waiting up to `timeout`; nullopt on timeout or after
  // the connection is closed and the queue is drained.
  virtual std::optional<TxReport> Take(std::chrono::milliseconds timeout) = 0;
  // The next report if one is ready.
  virtual std::optional<TxReport> Poll() = 0;
  // Reports dropped because this subscriber fell behind.
  virtual uint64_t dropped() const = 0;
};

// The size and use of a database's LMDB environment (for tools such as
// `accrete stat`).
struct StorageInfo {
  uint64_t map_size = 0;    // bytes reserved for the memory map (grows by itself)
  uint64_t used_bytes = 0;  // bytes of the map in use
  uint64_t page_size = 0;
  unsigned max_readers = 0;
  unsigned readers = 0;    // reader slots in use, by all processes
  uint64_t file_size = 0;  // bytes of the data file on disk
  // The count of current datoms per attribute id that the store keeps up to
  // date with every transaction (reading it costs one entry per attribute,
  // not a scan of the indexes), ascending by id, attributes with none left
  // out; and the basis t it holds for, read in the same snapshot.
  int64_t basis_t = -1;
  std::vector<std::pair<EntityId, uint64_t>> current_datoms;
};

// How Connection::Backup copies.
struct BackupOptions {
  // true: every index is rebuilt in key order, so that its pages are full;
  // the copy is about a third smaller than the live file (whose mid-tree
  // inserts leave pages two-thirds full) and takes longer to write. false:
  // LMDB's compacting copy, which drops free pages but copies the others as
  // they are. Default: true.
  bool repack = true;
};

class Connection {
 public:
  // Opens (or creates) the database in `dir`. NotFound when it is absent and
  // create_if_missing is false; FailedPrecondition when `dir` holds something
  // that is not an accrete database or was written by an incompatible format
  // version.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Connection>> Open(
      std::string_view dir, const Options& options = {});

  virtual ~Connection() = default;

  // The latest database value: every transaction committed (by any process)
  // before this call.
  virtual Db db() const = 0;

  // Applies `tx_data` (a list or vector of tx forms) atomically. Returns when
  // the transaction is committed (and, in durable mode, on disk).
  // InvalidArgument for malformed data, unknown attributes, wrong value types,
  // failed predicates; FailedPrecondition for unique, cas and upsert
  // conflicts; PermissionDenied when read_only. On error nothing is written.
  [[nodiscard]] virtual absl::StatusOr<TxReport> transact(const Value& tx_data) = 0;
  // The same for EDN text. InvalidArgument, with line:column, when the text
  // is not EDN.
  [[nodiscard]] absl::StatusOr<TxReport> transact(std::string_view edn_tx_data);
  [[nodiscard]] absl::StatusOr<TxReport> transact(const char* edn_tx_data) {
    return transact(std::string_view(edn_tx_data));
  }
  [[nodiscard]] absl::StatusOr<TxReport> transact(const std::string& edn_tx_data) {
    return transact(std::string_view(edn_tx_data));
  }

  // Subscribes to the reports of every transaction committed through this
  // connection from now on.
  virtual std::shared_ptr<ReportQueue> Subscribe(size_t capacity = 1024) = 0;

  // The directory this connection opened.
  virtual const std::string& path() const = 0;

  // The environment's map size, use and reader slots, and the stored datom
  // counts. Internal on a storage failure.
  [[nodiscard]] virtual absl::StatusOr<StorageInfo> storage_info() const = 0;

  // Writes a consistent, compacted copy of the database (every committed
  // transaction as of the call) into directory `dest_dir`, created when
  // absent. Works on read-only connections; writers in this and other
  // processes go on while it copies (it holds one LMDB read transaction).
  // The copy appears whole or not at all: it is written under another name
  // and renamed to data.mdb when complete.
  // AlreadyExists when `dest_dir` already holds a database; InvalidArgument
  // when it cannot be created; Internal / PermissionDenied on I/O failures.
  [[nodiscard]] virtual absl::Status Backup(std::string_view dest_dir,
                                            const BackupOptions& options) const = 0;
  [[nodiscard]] absl::Status Backup(std::string_view dest_dir) const {
    return Backup(dest_dir, BackupOptions{});
  }
};

}  // namespace accrete

#endif  // ACCRETE_CONNECTION_HPP_
