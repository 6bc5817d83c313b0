// 3. Durable single-entity transactions (fsync on every commit): one writer,
// eight concurrent writers (group commit), and raw LMDB durable commits of
// the same size.
//
// "The same size" is measured, not guessed: CommitShape() transacts
// kShapeTxs single-entity transactions into a scratch database and counts,
// per sub-database, the keys they added and their average key and value
// sizes. The raw baseline puts that many keys of those sizes into sub-
// databases of the same names, and rewrites the records accrete rewrites on
// every commit without adding keys (one `stats` record per attribute of the
// transaction, the `meta` record; see lib/store/store.hpp).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench_util.hpp"
#include "raw_lmdb.hpp"
#include "suite.hpp"

namespace accrete::bench {
namespace {

constexpr int64_t kPairs = 100;  // accrete tx + raw commit
constexpr int64_t kRounds = 5;   // of one writer, then eight
constexpr int64_t kOneWriterTxs = 30;
constexpr int kWriters = 8;
constexpr int64_t kTxsPerWriter = 20;
constexpr int64_t kShapeTxs = 200;
// Attributes one of these transactions writes: :db/txInstant and two own.
constexpr int kAttrsPerTx = 3;

Value CommitSchema() { return vec({AttrDef("c/name", "string"), AttrDef("c/n", "long")}); }

Value OneEntityTx(int writer, int64_t i) {
  return vec({map({{kw("db/id"), "e"},
                   {kw("c/name"), Value::String(absl::StrCat("writer ", writer, " #", i))},
                   {kw("c/n"), Value::Integer(i)}})});
}

struct SubDbWrites {
  std::string name;
  int64_t puts = 0;  // per commit
  size_t key_bytes = 0;
  size_t value_bytes = 0;
  bool overwrite = false;  // the same keys every commit
};

const std::vector<SubDbWrites>& CommitShape() {
  static const std::vector<SubDbWrites>* shape = [] {
    TempDir dir("commit-shape");
    {
      auto conn = OpenConnection(dir.path(), Durability::kRelaxed);
      MustTransact(*conn, CommitSchema(), "commit schema");
      MustTransact(*conn, OneEntityTx(0, -1), "commit warm-up");
    }
    std::vector<SubDbUsage> before;
    {
      RawEnv env(dir.path(), MDB_RDONLY);
      before = Census(env, true);
    }
    {
      auto conn = OpenConnection(dir.path(), Durability::kRelaxed);
      for (int64_t i = 0; i < kShapeTxs; ++i) MustTransact(*conn, OneEntityTx(0, i), "commit");
    }
    RawEnv env(dir.path(), MDB_RDONLY);
    auto* result = new std::vector<SubDbWrites>;
    for (const SubDbUsage& after : Census(env, true)) {
      auto old = std::find_if(before.begin(), before.end(),
                              [&](const SubDbUsage& u) { return u.name == after.name; });
      if (old == before.end() || after.entries <= old->entries || after.name == "(main)") continue;
      const uint64_t added = after.entries - old->entries;
      SubDbWrites w;
      w.name = after.name;
      w.puts = std::lround(static_cast<double>(added) / kShapeTxs);
      w.key_bytes = std::max<size_t>(8, (after.key_bytes - old->key_bytes) / added);
      w.value_bytes = (after.value_bytes - old->value_bytes) / added;
      if (w.puts > 0) result->push_back(w);
    }
    result->push_back({"stats", kAttrsPerTx, 8, 16, true});
    result->push_back({"meta", 1, 4, 48, true});
    return result;
  }();
  return *shape;
}

void PostShapeCounters(benchmark::State& state) {
  int64_t puts = 0;
  size_t bytes = 0;
  for (const SubDbWrites& w : CommitShape()) {
    puts += w.puts;
    bytes += static_cast<size_t>(w.puts) * (w.key_bytes + w.value_bytes);
  }
  state.counters["puts/commit"] = static_cast<double>(puts);
  state.counters["bytes/commit"] = static_cast<double>(bytes);
  PostValue("commit.puts", static_cast<double>(puts));
  PostValue("commit.bytes", static_cast<double>(bytes));
}

// Durable raw LMDB commits of CommitShape()'s size into a fresh environment.
class RawCommitter {
 public:
  // `dir` must exist.
  explicit RawCommitter(const std::string& dir)
      : shape_(CommitShape()), env_(dir, 0, size_t{64} << 20) {  // durable: no MDB_NOSYNC
    MDB_txn* txn = nullptr;
    CheckRc(mdb_txn_begin(env_.env(), nullptr, 0, &txn), "mdb_txn_begin", "");
    for (const SubDbWrites& w : shape_)
      dbis_.push_back(env_.OpenDbi(txn, w.name.c_str(), MDB_CREATE));
    CheckRc(mdb_txn_commit(txn), "mdb_txn_commit", "");
  }

  void Commit() {
    MDB_txn* txn = nullptr;
    CheckRc(mdb_txn_begin(env_.env(), nullptr, 0, &txn), "mdb_txn_begin", "");
    for (size_t i = 0; i < shape_.size(); ++i) {
      const SubDbWrites& w = shape_[i];
      for (int64_t p = 0; p < w.puts; ++p) {
        // Increasing keys, like accrete's new entity ids and t; overwrites
        // reuse one key per put slot.
        const uint64_t id = __builtin_bswap64(w.overwrite ? static_cast<uint64_t>(p) : ++counter_);
        std::memcpy(key_, &id, 8);
        MDB_val k{w.key_bytes, key_}, v{w.value_bytes, value_};
        int rc = mdb_put(txn, dbis_[i], &k, &v, 0);
        CheckRc(rc, "mdb_put", mdb_strerror(rc));
      }
    }
    int rc = mdb_txn_commit(txn);
    CheckRc(rc, "mdb_txn_commit", mdb_strerror(rc));
  }

 private:
  const std::vector<SubDbWrites>& shape_;
  RawEnv env_;
  std::vector<MDB_dbi> dbis_;
  uint64_t counter_ = 0;
  char key_[512] = {};
  char value_[4096] = {};
};

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

// One accrete transaction, then one raw commit, alternately, so that both
// see the same disk: fsync latency on a shared disk swings by 5x within a
// minute. Each side's rate is 1 / its median commit latency.
void BM_DurableOneWriterVsRaw(benchmark::State& state) {
  TempDir dir("commit-one");
  auto conn = OpenConnection(dir.Sub("accrete"), Durability::kDurable);
  MustTransact(*conn, CommitSchema(), "commit schema");
  TempDir raw_dir("commit-raw");
  RawCommitter raw(raw_dir.path());
  std::vector<double> accrete_seconds, raw_seconds;
  int64_t i = 0;
  for (auto _ : state) {
    Stopwatch accrete_watch;
    MustTransact(*conn, OneEntityTx(0, i++), "durable commit");
    accrete_seconds.push_back(accrete_watch.Seconds());
    Stopwatch raw_watch;
    raw.Commit();
    raw_seconds.push_back(raw_watch.Seconds());
  }
  const double accrete_median = Median(accrete_seconds), raw_median = Median(raw_seconds);
  state.counters["accrete_median_ms"] = accrete_median * 1e3;
  state.counters["raw_median_ms"] = raw_median * 1e3;
  PostShapeCounters(state);
  PostRate("commit.one", 1 / accrete_median);
  PostRate("commit.raw", 1 / raw_median);
}

// Commits `per_writer` transactions from each of `writers` threads at once
// and returns the seconds it took.
double ConcurrentBurst(Connection& conn, int writers, int64_t per_writer, int64_t* serial) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w, first = *serial] {
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      for (int64_t i = 0; i < per_writer; ++i) {
        MustTransact(conn, OneEntityTx(w, first + i), "durable commit (concurrent)");
      }
    });
  }
  *serial += per_writer;
  while (ready.load() < writers) std::this_thread::yield();
  Stopwatch watch;
  go.store(true);
  for (std::thread& t : threads) t.join();
  return watch.Seconds();
}

// Rounds of one writer, then eight writers, on one connection: the ratio of
// their rates is taken over the same stretch of disk weather.
void BM_DurableEightVsOneWriter(benchmark::State& state) {
  TempDir dir("commit-eight");
  auto conn = OpenConnection(dir.path(), Durability::kDurable);
  MustTransact(*conn, CommitSchema(), "commit schema");
  int64_t serial = 0;
  double one_seconds = 0, eight_seconds = 0;
  for (auto _ : state) {
    one_seconds += ConcurrentBurst(*conn, 1, kOneWriterTxs, &serial);
    eight_seconds += ConcurrentBurst(*conn, kWriters, kTxsPerWriter, &serial);
  }
  const double one_rate = static_cast<double>(state.iterations() * kOneWriterTxs) / one_seconds;
  const double eight_rate =
      static_cast<double>(state.iterations() * kWriters * kTxsPerWriter) / eight_seconds;
  state.counters["1_writer_tx/s"] = one_rate;
  state.counters["8_writers_tx/s"] = eight_rate;
  PostValue("commit.eight", eight_rate);
  PostValue("commit.one_beside_eight", one_rate);
}

}  // namespace

void RegisterCommitBenchmarks() {
  benchmark::RegisterBenchmark("commit/durable_one_entity_vs_raw_lmdb_same_size",
                               BM_DurableOneWriterVsRaw)
      ->Iterations(kPairs)
      ->Repetitions(2)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("commit/durable_one_entity_8_writers_vs_1",
                               BM_DurableEightVsOneWriter)
      ->Iterations(kRounds)
      ->Repetitions(1)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace accrete::bench
