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

void BM_DurableRawLmdb(benchmark::State& state) {
  const std::vector<SubDbWrites>& shape = CommitShape();
  TempDir dir("commit-raw");
  RawEnv env(dir.path(), 0, size_t{64} << 20);  // durable: no MDB_NOSYNC
  std::vector<MDB_dbi> dbis;
  {
    MDB_txn* txn = nullptr;
    CheckRc(mdb_txn_begin(env.env(), nullptr, 0, &txn), "mdb_txn_begin", "");
    for (const SubDbWrites& w : shape) dbis.push_back(env.OpenDbi(txn, w.name.c_str(), MDB_CREATE));
    CheckRc(mdb_txn_commit(txn), "mdb_txn_commit", "");
  }
  std::string key(512, '\0');
  std::string value(4096, 'v');
  uint64_t counter = 0;
  double seconds = 0;
  for (auto _ : state) {
    Stopwatch watch;
    MDB_txn* txn = nullptr;
    CheckRc(mdb_txn_begin(env.env(), nullptr, 0, &txn), "mdb_txn_begin", "");
    for (size_t i = 0; i < shape.size(); ++i) {
      const SubDbWrites& w = shape[i];
      for (int64_t p = 0; p < w.puts; ++p) {
        // Increasing keys, like accrete's new entity ids and t; overwrites
        // reuse one key per put slot.
        const uint64_t id = __builtin_bswap64(w.overwrite ? static_cast<uint64_t>(p) : ++counter);
        std::memcpy(key.data(), &id, 8);
        MDB_val k{w.key_bytes, key.data()}, v{w.value_bytes, value.data()};
        int rc = mdb_put(txn, dbis[i], &k, &v, 0);
        CheckRc(rc, "mdb_put", mdb_strerror(rc));
      }
    }
    int rc = mdb_txn_commit(txn);
    CheckRc(rc, "mdb_txn_commit", mdb_strerror(rc));
    seconds += watch.Seconds();
  }
  PostShapeCounters(state);
  state.SetItemsProcessed(state.iterations());
  PostRate("commit.raw", static_cast<double>(state.iterations()) / seconds);
}

void BM_DurableOneWriter(benchmark::State& state) {
  TempDir dir("commit-one");
  auto conn = OpenConnection(dir.path(), Durability::kDurable);
  MustTransact(*conn, CommitSchema(), "commit schema");
  int64_t i = 0;
  double seconds = 0;
  for (auto _ : state) {
    Stopwatch watch;
    MustTransact(*conn, OneEntityTx(0, i++), "durable commit");
    seconds += watch.Seconds();
  }
  state.SetItemsProcessed(state.iterations());
  PostRate("commit.one", static_cast<double>(state.iterations()) / seconds);
}

void BM_DurableEightWriters(benchmark::State& state) {
  for (auto _ : state) {
    TempDir dir("commit-eight");
    auto conn = OpenConnection(dir.path(), Durability::kDurable);
    MustTransact(*conn, CommitSchema(), "commit schema");
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
        for (int64_t i = 0; i < kTxsPerWriter; ++i) {
          MustTransact(*conn, OneEntityTx(w, i), "durable commit (8 writers)");
        }
      });
    }
    while (ready.load() < kWriters) std::this_thread::yield();
    Stopwatch watch;
    go.store(true);
    for (std::thread& t : writers) t.join();
    const double seconds = watch.Seconds();
    state.SetIterationTime(seconds);
    PostRate("commit.eight", kWriters * kTxsPerWriter / seconds);
  }
  state.SetItemsProcessed(state.iterations() * kWriters * kTxsPerWriter);
}

}  // namespace

void RegisterCommitBenchmarks() {
  benchmark::RegisterBenchmark("commit/durable_raw_lmdb_same_size", BM_DurableRawLmdb)
      ->Iterations(kOneWriterTxs)
      ->Repetitions(8)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("commit/durable_one_entity_1_writer", BM_DurableOneWriter)
      ->Iterations(kOneWriterTxs)
      ->Repetitions(8)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("commit/durable_one_entity_8_writers", BM_DurableEightWriters)
      ->Iterations(1)
      ->Repetitions(6)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace accrete::bench
