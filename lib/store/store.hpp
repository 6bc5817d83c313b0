// The storage layer: one LMDB environment holding one database. The only code
// that includes lmdb.h lives in lib/store/. Layers above speak in sub-database
// ids, encoded keys and cursors.
//
// Sub-databases (on-disk format: do not change names or layouts; see
// docs/format.md):
//   eavt aevt avet vaet          current indexes: open lifetimes -> t of tx_a
//   heavt haevt havet hvaet      history: closed lifetimes (key + t_a) -> t of tx_r
//   log                          t (8 bytes) -> that transaction's datoms
//   vals                         id (8 bytes) -> a long value's full encoding
//   stats                        a (8 bytes) -> datom count, distinct values
//   meta                         "meta" -> Meta
//
// Thread safety: a Store is shared by every Db and the Connection that opened
// it; all its methods are thread-safe. A Snapshot or Cursor belongs to one
// thread at a time.
#ifndef ACCRETE_LIB_STORE_STORE_HPP_
#define ACCRETE_LIB_STORE_STORE_HPP_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/encoding.hpp"

// LMDB types, declared so that this header need not include lmdb.h.
struct MDB_env;
struct MDB_txn;
struct MDB_cursor;

namespace accrete::internal {

enum class Dbi : uint8_t {
  kEavt,
  kAevt,
  kAvet,
  kVaet,
  kHistEavt,
  kHistAevt,
  kHistAvet,
  kHistVaet,
  kLog,
  kVals,
  kStats,
  kMeta,
  // History of EAVT ordered by retraction time within [e a]:
  //   id(e) id(a) id(t_r) v' -> t_a
  // An as_of(t) read of [e a] seeks to t_r > t and reads only the lifetimes
  // closed after t, instead of every closed version of [e a].
  kHistEavtByTime,
};
inline constexpr int kDbiCount = 13;

// The history sub-database of a current index (kEavt -> kHistEavt).
constexpr Dbi HistoryOf(Dbi current) { return static_cast<Dbi>(static_cast<int>(current) + 4); }

struct StoreOptions {
  // Create the directory (mode 0700) and the environment when absent.
  // Default: true.
  bool create_if_missing = true;
  // MDB_RDONLY: Read works, BeginWrite is PermissionDenied. Default: false.
  bool read_only = false;
  // false: MDB_NOSYNC (a crash may lose the last transactions, never
  // consistency). Default: true.
  bool durable = true;
  // The map size of a new environment; an existing one keeps its larger
  // size. Default: 64 MiB.
  size_t initial_map_size = size_t{64} << 20;
  // Grow() multiplies the map size by this (values <= 1 mean 2). Default: 2.
  double map_growth_factor = 2.0;
  // LMDB reader slots, shared by every process using the environment.
  // Default: 1022.
  unsigned max_readers = 1022;
  // How long Grow waits for this process's open read transactions to end
  // before it gives up with ResourceExhausted. Default: 10 s.
  std::chrono::milliseconds grow_wait{10000};
};

// The store's counters, kept in `meta` and updated by every transaction.
// on-disk format: do not change.
struct Meta {
  uint32_t format_version = 3;
  int64_t basis_t = -1;         // t of the last committed transaction
  int64_t next_db_eid = 0;      // next counter in :db.part/db
  int64_t next_user_eid = 0;    // next counter in :db.part/user
  int64_t last_tx_instant = 0;  // ms since epoch of the last :db/txInstant
  int64_t schema_t = -1;        // t of the last transaction touching schema
};

// The LMDB environment's size and use, for inspection tools.
struct EnvInfo {
  size_t map_size = 0;    // bytes reserved for the map
  size_t used_bytes = 0;  // pages in use up to the last one written, in bytes
  size_t page_size = 0;
  unsigned max_readers = 0;
  unsigned readers = 0;    // reader slots in use, across processes
  uint64_t file_size = 0;  // bytes of data.mdb on disk
};

// Per-attribute statistics over current datoms, exact.
struct AttrStats {
  uint64_t datoms = 0;
  uint64_t distinct_values = 0;
};

class Store;

// True for the status of a write that failed because the LMDB map is full:
// ResourceExhausted with the message exactly "map full". The batch must be
// aborted, Store::Grow called, and the batch retried.
inline bool IsMapFull(const absl::Status& status) {
  return absl::IsResourceExhausted(status) && status.message() == "map full";
}

// A forward cursor over one sub-database. Keys and values it returns stay
// valid until the cursor moves or its Snapshot ends. A Cursor must be
// destroyed before its Snapshot (for a write transaction's view: before the
// transaction ends). Moving it allocates nothing.
class Cursor {
 public:
  Cursor() = default;
  Cursor(Cursor&& other) noexcept;
  Cursor& operator=(Cursor&& other) noexcept;
  ~Cursor();

  // Positions at the first key >= `key`; false when there is none.
  bool Seek(std::string_view key);
  bool First();
  bool Next();
  bool valid() const { return valid_; }
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  // Non-OK if a move failed for a reason other than reaching the end.
  const absl::Status& status() const { return status_; }

 private:
  friend class Snapshot;
  explicit Cursor(MDB_cursor* cursor) : cursor_(cursor) {}
  bool Load(int rc);
  MDB_cursor* cursor_ = nullptr;
  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
  absl::Status status_;
};

// A consistent view of the store: a short LMDB read transaction, or the
// calling thread's active write transaction (see Store::Read). Ends when
// destroyed. Move-only.
class Snapshot {
 public:
  Snapshot(Snapshot&& other) noexcept;
  Snapshot& operator=(Snapshot&& other) noexcept;
  ~Snapshot();

  // The meta record as of this snapshot (default Meta for an empty store).
  absl::StatusOr<Meta> ReadMeta() const;
  // The value stored under `key`, or nullopt. Valid until the snapshot ends.
  absl::StatusOr<std::optional<std::string_view>> Get(Dbi dbi, std::string_view key) const;
  absl::StatusOr<Cursor> OpenCursor(Dbi dbi) const;
  absl::StatusOr<AttrStats> Stats(uint64_t attr) const;

  // The full encoding of a value given its in-key form v' (see encoding.hpp):
  // v' itself when short, the stored long value otherwise.
  absl::StatusOr<std::string_view> FullValue(std::string_view v_in_key) const;
  // The in-key form v' of a full encoding: the encoding itself when short;
  // for a long value, its prefix and id if the value is stored, nullopt if it
  // is not (then no datom holds it).
  absl::StatusOr<std::optional<std::string>> KeyValue(std::string_view full) const;

  MDB_txn* txn() const { return txn_; }

 protected:
  friend class Store;
  Snapshot(const Store* store, MDB_txn* txn, bool owned);
  // Returns an owned read transaction to the store's pool.
  void Release();
  const Store* store_ = nullptr;
  MDB_txn* txn_ = nullptr;
  bool owned_ = false;      // false: borrowed from the thread's write transaction
  std::thread::id holder_;  // the thread that began an owned snapshot
};

// One datom of a transaction, as the transaction layer resolved it.
struct DatomWrite {
  uint64_t e = 0;
  uint64_t a = 0;
  std::string v;             // full encoding
  bool added = true;         // false: a retraction of the current [e a v]
  bool is_ref = false;       // maintain VAET
  bool keep_history = true;  // false for :db/noHistory attributes
};

// A generous estimate of the map space that writing `datoms` takes (index
// entries, log, history, half-full pages): what Store::Grow is asked to make
// room for after a full map. Overestimating costs only address space.
size_t MapBytesFor(std::span<const DatomWrite> datoms);

// A nested write transaction for one accrete transaction inside a batch.
// Aborted on destruction unless committed. While alive, Store::Read on this
// thread reads through it (so transaction functions and the transaction
// layer see earlier transactions of the same batch, and the transaction's own
// writes when checking :db/ensure). A write transaction belongs to the thread
// that began it (LMDB's writer lock is held by that thread): use and end it
// there. Ending a transaction ends its open nested transactions with it.
class WriteTxn : public Snapshot {
 public:
  WriteTxn(WriteTxn&&) noexcept;
  WriteTxn& operator=(WriteTxn&&) noexcept;
  ~WriteTxn();

  // Writes one transaction: every index, the log entry for `t`, stats, vals
  // for long values, and `meta_after`. A retraction moves the open lifetime
  // to history (or drops it when !keep_history); retracting a datom that is
  // not current is an Internal error (the transaction layer removes those).
  // ResourceExhausted with the message "map full" when the map is full: the
  // caller aborts the whole batch, calls Store::Grow, and retries.
  absl::Status ApplyTx(int64_t t, std::span<const DatomWrite> datoms, const Meta& meta_after);

  absl::Status Put(Dbi dbi, std::string_view key, std::string_view value);
  // OK when `key` is absent.
  absl::Status Delete(Dbi dbi, std::string_view key);

  // A nested transaction (LMDB child txn) for one accrete transaction. At
  // most one is open at a time; this one must not be used until it ends.
  absl::StatusOr<WriteTxn> BeginNested();
  // Commits into the parent (nested) or to disk (top level). The transaction
  // has ended whatever the outcome. FailedPrecondition while a nested
  // transaction is open or after the end; "map full" as for ApplyTx.
  absl::Status Commit();
  void Abort();

 private:
  friend class Store;
  // The LMDB transaction and its nesting links, on the heap so that moving a
  // WriteTxn (into a StatusOr, say) leaves the links valid.
  struct Node;
  WriteTxn(const Store* store, std::unique_ptr<Node> node);
  absl::Status End(bool commit);
  std::unique_ptr<Node> node_;
};

class Store : public std::enable_shared_from_this<Store> {
 public:
  // Opens or creates the environment in directory `dir`, creating the
  // sub-databases and (on creation) an empty meta. NotFound when absent and
  // !create_if_missing; FailedPrecondition for an unknown format version.
  // A directory already open in this process yields that same Store (LMDB
  // forbids opening an environment twice in one process); FailedPrecondition
  // if it was opened with a different read_only.
  static absl::StatusOr<std::shared_ptr<Store>> Open(const std::string& dir,
                                                     const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A read snapshot of the latest committed state; on a thread inside a
  // WriteTxn of this store, a view through that write transaction instead.
  // Reuses pooled LMDB read transactions (reset while idle, so they pin
  // nothing). Handles MDB_MAP_RESIZED from other processes.
  absl::StatusOr<Snapshot> Read() const;

  // Begins the top-level write transaction of a batch; blocks while another
  // thread or process writes. PermissionDenied when read-only.
  absl::StatusOr<WriteTxn> BeginWrite();

  // Grows the map by the growth factor, and further if needed so that at
  // least `room` bytes are free past the pages in use: a transaction too big
  // for one doubling is then replayed once, not once per doubling. Call with
  // no write transaction open on this thread; waits for this process's
  // readers to finish.
  absl::Status Grow(size_t room = 0);

  // The environment's map size and use; Internal on an LMDB failure.
  absl::StatusOr<EnvInfo> Info() const;
  // Writes a compacted, consistent copy of the environment (LMDB's
  // mdb_env_copy2 with MDB_CP_COMPACT: a read transaction, so writers in
  // any process go on) into directory `dest`, created when absent.
  // AlreadyExists when `dest` already holds a data.mdb.
  absl::Status CopyCompact(const std::string& dest) const;
  // The same, but rebuilt entry by entry in key order so that every page is
  // full (the live store's pages are about two-thirds full); slower than
  // CopyCompact, a fraction of the size. Consistent: one read transaction.
  absl::Status CopyRepacked(const std::string& dest) const;

  const std::string& path() const { return path_; }
  const StoreOptions& options() const { return options_; }
  bool read_only() const { return options_.read_only; }

 private:
  Store(std::string path, StoreOptions options);
  absl::Status OpenEnvironment();
  // Adopts a map size grown by another process (after MDB_MAP_RESIZED).
  absl::Status AdoptMapSize() const;
  std::string path_;
  StoreOptions options_;
  MDB_env* env_ = nullptr;
  unsigned dbis_[kDbiCount] = {};
  friend class Snapshot;
  friend class WriteTxn;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Key builders and parsers for the index layouts in encoding.hpp. `v` is the
// in-key form v'.
std::string EavtKey(uint64_t e, uint64_t a, std::string_view v);
std::string AevtKey(uint64_t a, uint64_t e, std::string_view v);
std::string AvetKey(uint64_t a, std::string_view v, uint64_t e);
std::string VaetKey(std::string_view v, uint64_t a, uint64_t e);
// The key of [e a v'] in current index `dbi` (kEavt..kVaet), written over
// `*out` so that a loop can reuse one buffer.
void BuildIndexKey(Dbi dbi, uint64_t e, uint64_t a, std::string_view v, std::string* out);
// The same key, appended to `*out`.
void AppendIndexKey(Dbi dbi, uint64_t e, uint64_t a, std::string_view v, std::string* out);
// Appends the suffix that makes a current-index key the key of its closed
// lifetime in the history index: the t of tx_a (tail form, encoding.hpp).
void AppendHistorySuffix(std::string* key, int64_t t_a);

// A kHistEavtByTime key: id(e) id(a) id(t_r) v'.
void BuildTimeKey(uint64_t e, uint64_t a, int64_t t_r, std::string_view v, std::string* out);
struct TimeKeyParts {
  size_t group_size = 0;  // bytes of id(e) id(a): the [e a] group prefix
  uint64_t e = 0;
  uint64_t a = 0;
  int64_t t_r = 0;
  std::string_view v;  // in-key form
};
// DataLoss for a malformed key.
absl::StatusOr<TimeKeyParts> ParseTimeKey(std::string_view key);
// Parses a key of current index `dbi` (or its history, then tx_a is set).
// DataLoss for a malformed key.
absl::StatusOr<KeyParts> ParseKey(Dbi dbi, std::string_view key);

// ParseKey for the key of a current index (kEavt..kVaet), inline for the
// scan path: false when malformed.
inline bool ParseCurrentKey(Dbi dbi, std::string_view key, KeyParts* parts) {
  size_t n1 = 0;
  size_t n2 = 0;
  switch (dbi) {
    case Dbi::kEavt:
      if ((n1 = ReadId(key, &parts->e)) == 0) return false;
      if ((n2 = ReadId(key.substr(n1), &parts->a)) == 0) return false;
      parts->v = key.substr(n1 + n2);
      break;
    case Dbi::kAevt:
      if ((n1 = ReadId(key, &parts->a)) == 0) return false;
      if ((n2 = ReadId(key.substr(n1), &parts->e)) == 0) return false;
      parts->v = key.substr(n1 + n2);
      break;
    case Dbi::kAvet:
      if ((n1 = ReadId(key, &parts->a)) == 0) return false;
      if ((n2 = ReadTailId(key.substr(n1), &parts->e)) == 0) return false;
      parts->v = key.substr(n1, key.size() - n1 - n2);
      break;
    case Dbi::kVaet: {  // v is a ref's 9-byte encoding
      constexpr size_t v_size = 1 + 8;
      if (key.size() < v_size || EncodedType(key) != ValueType::kRef) return false;
      parts->v = key.substr(0, v_size);
      if ((n1 = ReadId(key.substr(v_size), &parts->a)) == 0) return false;
      if ((n2 = ReadId(key.substr(v_size + n1), &parts->e)) == 0) return false;
      if (v_size + n1 + n2 != key.size()) return false;
      break;
    }
    default:
      return false;
  }
  const size_t n = parts->v.size();
  return (n >= 1 && n <= kMaxInlineValue) || n == kLongValueRef;
}

// The layers above read lifetimes only through these, so that the encoding of
// tx ids in entries can change in one place.
//
// The t held by an index entry's value: tx_a in a current index, tx_r in a
// history index.
int64_t EntryT(std::string_view value);
// Splits a history key into the current-index key it extends and its tx_a
// (as t). DataLoss when too short.
absl::StatusOr<std::pair<std::string_view, int64_t>> SplitHistoryKey(std::string_view key);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_STORE_STORE_HPP_
