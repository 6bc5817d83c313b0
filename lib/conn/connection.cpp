// The Connection: opens the store, hands out Db values, and runs the single
// writer. transact() queues its tx data and waits; the writer thread takes
// every queued transaction at once and commits them in one LMDB write
// transaction (group commit), each in its own nested transaction so each
// keeps its all-or-nothing outcome.
#include "accrete/connection.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "accrete/edn.hpp"
#include "db/db_state.hpp"
#include "db/schema.hpp"
#include "store/store.hpp"
#include "tx/prepare.hpp"

namespace accrete {
namespace {

using internal::DbConfig;
using internal::DbState;
using internal::Meta;
using internal::Schema;
using internal::Store;

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ReportQueueImpl : public ReportQueue {
 public:
  explicit ReportQueueImpl(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void Push(const TxReport& report) {
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= capacity_) {
        queue_.pop_front();
        ++dropped_;
      }
      queue_.push_back(report);
    }
    cv_.notify_one();
  }
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  std::optional<TxReport> Take(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_; });
    return PopLocked();
  }
  std::optional<TxReport> Poll() override {
    std::lock_guard lock(mu_);
    return PopLocked();
  }
  uint64_t dropped() const override {
    std::lock_guard lock(mu_);
    return dropped_;
  }

 private:
  std::optional<TxReport> PopLocked() {
    if (queue_.empty()) return std::nullopt;
    TxReport report = std::move(queue_.front());
    queue_.pop_front();
    return report;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<TxReport> queue_;
  uint64_t dropped_ = 0;
  bool closed_ = false;
};

class ConnectionImpl final : public Connection {
 public:
  ConnectionImpl(std::shared_ptr<Store> store, std::shared_ptr<const DbConfig> config)
      : store_(std::move(store)), config_(std::move(config)) {}

  ~ConnectionImpl() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    std::lock_guard lock(subscribers_mu_);
    for (auto& weak : subscribers_) {
      if (auto queue = weak.lock()) queue->Close();
    }
  }

  absl::Status Init() {
    if (!store_->read_only()) {
      absl::Status status = Bootstrap();
      if (!status.ok()) return status;
      writer_ = std::thread([this] { WriterLoop(); });
    }
    absl::StatusOr<Db> db = LatestDb();
    return db.status();
  }

  Db db() const override {
    absl::StatusOr<Db> db = LatestDb();
    if (db.ok()) return *std::move(db);
    // The store failed to read (a fault); the last known value is still a
    // correct, if older, answer.
    std::lock_guard lock(schema_mu_);
    return Db(last_db_);
  }

  absl::StatusOr<TxReport> transact(const Value& tx_data) override {
    if (store_->read_only()) {
      return absl::PermissionDeniedError(
          absl::StrCat("The database at ", store_->path(), " was opened read-only"));
    }
    auto pending = std::make_shared<Pending>();
    pending->tx_data = tx_data;
    std::future<absl::StatusOr<TxReport>> result = pending->promise.get_future();
    bool wake = false;
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return absl::CancelledError("The connection is closing");
      queue_.push_back(pending);
      wake = queue_.size() >= wake_at_;
    }
    if (wake) queue_cv_.notify_one();
    return result.get();
  }

  std::shared_ptr<ReportQueue> Subscribe(size_t capacity) override {
    auto queue = std::make_shared<ReportQueueImpl>(capacity);
    std::lock_guard lock(subscribers_mu_);
    subscribers_.push_back(queue);
    return queue;
  }

  const std::string& path() const override { return store_->path(); }

  absl::StatusOr<StorageInfo> storage_info() const override {
    absl::StatusOr<internal::EnvInfo> info = store_->Info();
    if (!info.ok()) return info.status();
    StorageInfo out;
    out.map_size = info->map_size;
    out.used_bytes = info->used_bytes;
    out.page_size = info->page_size;
    out.max_readers = info->max_readers;
    out.readers = info->readers;
    out.file_size = info->file_size;
    absl::StatusOr<internal::Snapshot> snapshot = store_->Read();
    if (!snapshot.ok()) return snapshot.status();
    absl::StatusOr<internal::Meta> meta = snapshot->ReadMeta();
    if (!meta.ok()) return meta.status();
    out.basis_t = meta->basis_t;
    absl::StatusOr<internal::Cursor> stats = snapshot->OpenCursor(internal::Dbi::kStats);
    if (!stats.ok()) return stats.status();
    // Each entry: the attribute id (8 bytes) -> its datom count (8 bytes),
    // then its distinct values (store.hpp).
    for (bool more = stats->First(); more; more = stats->Next()) {
      if (stats->key().size() != 8 || stats->value().size() < 8) {
        return absl::DataLossError("malformed stats entry");
      }
      out.current_datoms.emplace_back(static_cast<EntityId>(internal::GetU64(stats->key().data())),
                                      internal::GetU64(stats->value().data()));
    }
    if (!stats->status().ok()) return stats->status();
    return out;
  }

  absl::Status Backup(std::string_view dest_dir, const BackupOptions& options) const override {
    const std::string dest(dest_dir);
    return options.repack ? store_->CopyRepacked(dest) : store_->CopyCompact(dest);
  }

 private:
  struct Pending {
    Value tx_data;
    std::promise<absl::StatusOr<TxReport>> promise;
    std::optional<absl::StatusOr<TxReport>> result;
    // Prepared against the db at basis `prepared_at` but not yet applied:
    // kept when a full map aborts the batch, so that the replay (which
    // starts from the same basis unless another process wrote) applies it
    // without preparing a large transaction twice.
    std::optional<internal::PreparedTx> prepared;
    int64_t prepared_at = -1;
  };

  // The schema for a store whose meta is `meta`, reloaded only when the
  // schema changed (here or in another process).
  absl::StatusOr<std::shared_ptr<const Schema>> SchemaFor(const Meta& meta) const {
    {
      std::lock_guard lock(schema_mu_);
      if (schema_ != nullptr && schema_t_ == meta.schema_t) return schema_;
    }
    DbState probe;
    probe.store = store_;
    probe.config = config_;
    probe.basis_t = meta.basis_t;
    probe.stored_t = meta.basis_t;
    probe.meta = meta;
    absl::StatusOr<std::shared_ptr<const Schema>> schema = Schema::Load(probe);
    if (!schema.ok()) return schema.status();
    std::lock_guard lock(schema_mu_);
    if (meta.schema_t >= schema_t_) {
      schema_ = *schema;
      schema_t_ = meta.schema_t;
    }
    return *schema;
  }

  std::shared_ptr<const DbState> MakeState(const Meta& meta,
                                           std::shared_ptr<const Schema> schema) const {
    auto state = std::make_shared<DbState>();
    state->store = store_;
    state->schema = std::move(schema);
    state->config = config_;
    state->basis_t = meta.basis_t;
    state->stored_t = meta.basis_t;
    state->meta = meta;
    return state;
  }

  absl::StatusOr<Meta> ReadMeta() const {
    absl::StatusOr<internal::Snapshot> snapshot = store_->Read();
    if (!snapshot.ok()) return snapshot.status();
    return snapshot->ReadMeta();
  }

  absl::StatusOr<Db> LatestDb() const {
    absl::StatusOr<Meta> meta = ReadMeta();
    if (!meta.ok()) return meta.status();
    {
      std::lock_guard lock(schema_mu_);
      if (last_db_ != nullptr && last_db_->basis_t == meta->basis_t &&
          schema_t_ == meta->schema_t) {
        return Db(last_db_);
      }
    }
    auto schema = SchemaFor(*meta);
    if (!schema.ok()) return schema.status();
    auto state = MakeState(*meta, *std::move(schema));
    std::lock_guard lock(schema_mu_);
    if (last_db_ == nullptr || last_db_->basis_t < state->basis_t) last_db_ = state;
    return Db(std::move(state));
  }

  int64_t Now() const { return config_->clock ? config_->clock() : SystemNow(); }

  // Installs the system schema in a new database (t = 0).
  absl::Status Bootstrap() {
    absl::StatusOr<internal::WriteTxn> txn = store_->BeginWrite();
    if (!txn.ok()) return txn.status();
    absl::StatusOr<Meta> meta = txn->ReadMeta();
    if (!meta.ok()) return meta.status();
    if (meta->basis_t >= 0) return absl::OkStatus();  // another process did it
    int64_t now = Now();
    Meta after = *meta;
    after.basis_t = 0;
    after.schema_t = 0;
    after.last_tx_instant = now;
    after.next_db_eid = internal::sys::kFirstUserDbId;
    after.next_user_eid = 1;
    std::vector<internal::DatomWrite> datoms = Schema::BootstrapDatoms(now);
    absl::Status status = txn->ApplyTx(0, datoms, after);
    if (!status.ok()) return status;
    return txn->Commit();
  }

  void WriterLoop() {
    // The sizes of the last few batches; the largest is how many writers
    // are taking turns. Not just the last one: when a straggler misses a
    // batch, the next would otherwise wait for that smaller number only, and
    // one batch of seven and one of one (each paying a full commit) would
    // follow each other from then on.
    std::array<size_t, 4> recent{};
    size_t next_recent = 0;
    std::chrono::steady_clock::duration last_commit{};
    while (true) {
      std::vector<std::shared_ptr<Pending>> batch;
      {
        std::unique_lock lock(queue_mu_);
        wake_at_ = 1;
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        // The writers of the last batch are resubmitting right now; on a
        // durable store, waiting up to one commit's time for them to arrive
        // lets them share the next fsync instead of paying one each (on two
        // cores, eight woken writers need about that long to come back).
        const size_t expected = *std::max_element(recent.begin(), recent.end());
        if (store_->options().durable && queue_.size() < expected) {
          const auto linger = std::min<std::chrono::steady_clock::duration>(
              last_commit, std::chrono::milliseconds(1));
          // Only the writer that completes the batch wakes this thread: on
          // two cores, each needless wake-up takes a core from the writers.
          wake_at_ = expected;
          queue_cv_.wait_for(lock, linger, [&] { return stopping_ || queue_.size() >= expected; });
          wake_at_ = 1;
        }
        // Everything queued joins this batch: waiting writers share one
        // commit (and one fsync).
        while (!queue_.empty() && batch.size() < kMaxBatch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      const auto started = std::chrono::steady_clock::now();
      CommitBatch(batch);
      last_commit = std::chrono::steady_clock::now() - started;
      recent[next_recent++ % recent.size()] = batch.size();
    }
  }

  static constexpr size_t kMaxBatch = 512;

  void CommitBatch(const std::vector<std::shared_ptr<Pending>>& batch) {
    absl::Status status;
    for (int attempt = 0;; ++attempt) {
      for (const auto& p : batch) p->result.reset();
      status = TryBatch(batch);
      if (!internal::IsMapFull(status) || attempt > 40) {
        break;
      }
      // The map is full: nothing of the batch was written. Grow (by enough
      // for everything the batch prepared) and replay.
      absl::Status grown = store_->Grow(batch_bytes_);
      if (!grown.ok()) {
        status = grown;
        break;
      }
    }
    // Subscribers get the reports before the writers return, so a report is
    // never observed to arrive after its transact() call finished.
    if (status.ok()) {
      std::vector<TxReport> reports;
      for (const auto& p : batch) {
        if (p->result->ok()) reports.push_back(**p->result);
      }
      Publish(reports);
    }
    for (const auto& p : batch) {
      p->promise.set_value(status.ok() ? *std::move(p->result) : absl::StatusOr<TxReport>(status));
    }
  }

  // Runs every transaction of the batch in one LMDB write transaction.
  // Returns a non-OK status only for a failure of the whole batch.
  absl::Status TryBatch(const std::vector<std::shared_ptr<Pending>>& batch) {
    batch_bytes_ = 0;
    absl::StatusOr<internal::WriteTxn> txn = store_->BeginWrite();
    if (!txn.ok()) return txn.status();
    absl::StatusOr<Meta> meta = txn->ReadMeta();
    if (!meta.ok()) return meta.status();
    auto schema = SchemaFor(*meta);
    if (!schema.ok()) return schema.status();
    std::shared_ptr<const DbState> before = MakeState(*meta, *schema);
    batch_basis_ = before->basis_t;
    for (const auto& p : batch) {
      absl::StatusOr<internal::WriteTxn> nested = txn->BeginNested();
      if (!nested.ok()) return nested.status();
      bool storage_failed = false;
      absl::StatusOr<std::shared_ptr<const DbState>> after =
          RunOne(before, *nested, p.get(), &storage_failed);
      if (!after.ok()) {
        nested->Abort();
        // A full map or a storage fault ends the whole batch (it is replayed
        // after growing, or every writer gets the fault); anything else is
        // this transaction's own error.
        if (storage_failed) return after.status();
        p->result = after.status();
        continue;
      }
      absl::Status committed = nested->Commit();
      if (!committed.ok()) return committed;
      before = *std::move(after);
    }
    absl::Status committed = txn->Commit();
    if (!committed.ok()) return committed;
    std::lock_guard lock(schema_mu_);
    if (before->schema != nullptr && before->meta.schema_t >= schema_t_) {
      schema_ = before->schema;
      schema_t_ = before->meta.schema_t;
    }
    return absl::OkStatus();
  }

  // Prepares and applies one transaction in `nested`. Sets *storage_failed
  // when the failing step wrote to or reloaded from the store.
  absl::StatusOr<std::shared_ptr<const DbState>> RunOne(
      const std::shared_ptr<const DbState>& before, internal::WriteTxn& nested, Pending* p,
      bool* storage_failed) {
    internal::TxContext ctx;
    ctx.t = before->basis_t + 1;
    ctx.now_ms = Now();
    ctx.registry = config_->registry;
    ctx.max_value_bytes = config_->max_value_bytes;
    Db db_before(before);
    // Reused only at the batch's first basis: there the db is exactly the
    // committed state at that t, whereas later in a batch the same t could
    // follow a different outcome of an earlier transaction.
    if (!p->prepared.has_value() || p->prepared_at != before->basis_t ||
        before->basis_t != batch_basis_) {
      absl::StatusOr<internal::PreparedTx> prepared =
          internal::PrepareTx(db_before, p->tx_data, ctx);
      if (!prepared.ok()) return prepared.status();
      p->prepared = *std::move(prepared);
      p->prepared_at = before->basis_t;
    }
    internal::PreparedTx* tx = &*p->prepared;
    batch_bytes_ += internal::MapBytesFor(tx->writes);
    absl::Status status = nested.ApplyTx(ctx.t, tx->writes, tx->meta_after);
    if (!status.ok()) {
      *storage_failed = true;
      return status;
    }
    std::shared_ptr<const Schema> schema = before->schema;
    if (tx->schema_changed) {
      DbState probe = *MakeState(tx->meta_after, nullptr);
      auto loaded = Schema::Load(probe);
      if (!loaded.ok()) {
        *storage_failed = true;
        return loaded.status();
      }
      schema = *std::move(loaded);
    }
    std::shared_ptr<const DbState> after = MakeState(tx->meta_after, schema);
    Db db_after(after);
    if (!tx->ensures.empty()) {
      status = internal::CheckEnsures(db_after, *tx, *config_->registry);
      if (!status.ok()) return status;
    }
    p->result = TxReport{std::move(db_before), std::move(db_after), std::move(tx->tx_data),
                         std::move(tx->tempids)};
    p->prepared.reset();  // its tx_data is in the report now
    return after;
  }

  void Publish(const std::vector<TxReport>& reports) {
    if (reports.empty()) return;
    std::lock_guard lock(subscribers_mu_);
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
      auto queue = it->lock();
      if (queue == nullptr) {
        it = subscribers_.erase(it);
        continue;
      }
      for (const TxReport& report : reports) queue->Push(report);
      ++it;
    }
  }

  std::shared_ptr<Store> store_;
  std::shared_ptr<const DbConfig> config_;

  mutable std::mutex schema_mu_;
  mutable std::shared_ptr<const Schema> schema_;
  mutable int64_t schema_t_ = -2;
  mutable std::shared_ptr<const DbState> last_db_;

  // Of the batch being written (writer thread only): its first basis, and
  // the map space its prepared transactions need (MapBytesFor).
  int64_t batch_basis_ = -1;
  size_t batch_bytes_ = 0;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  // A transact() call wakes the writer thread only once the queue holds this
  // many transactions (what the writer is waiting for). Under queue_mu_.
  size_t wake_at_ = 1;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread writer_;

  std::mutex subscribers_mu_;
  std::vector<std::weak_ptr<ReportQueueImpl>> subscribers_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(std::string_view dir,
                                                             const Options& options) {
  internal::StoreOptions store_options;
  store_options.create_if_missing = options.create_if_missing && !options.read_only;
  store_options.read_only = options.read_only;
  store_options.durable = options.durability == Durability::kDurable;
  store_options.initial_map_size = options.initial_map_size;
  store_options.map_growth_factor = options.map_growth_factor;
  store_options.max_readers = options.max_readers;
  store_options.grow_wait = options.map_growth_wait;
  absl::StatusOr<std::shared_ptr<Store>> store = Store::Open(std::string(dir), store_options);
  if (!store.ok()) return store.status();
  auto config = std::make_shared<DbConfig>();
  config->registry = options.registry != nullptr ? options.registry : &Registry::Global();
  config->max_value_bytes = options.max_value_bytes;
  config->clock = options.clock;
  auto conn = std::make_unique<ConnectionImpl>(*std::move(store), std::move(config));
  absl::Status status = conn->Init();
  if (!status.ok()) return status;
  return std::unique_ptr<Connection>(std::move(conn));
}

absl::StatusOr<TxReport> Connection::transact(std::string_view edn_tx_data) {
  absl::StatusOr<Value> tx_data = edn::Read(edn_tx_data);
  if (!tx_data.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Malformed tx data: ", tx_data.status().message()));
  }
  return transact(*tx_data);
}

}  // namespace accrete
