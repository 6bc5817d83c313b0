// 2. Bulk import with relaxed durability: one large transaction, and a
// stream of 1k-datom transactions, into a fresh database each repetition.
// Only transact() is timed; building the tx data is the caller's work.
#include <benchmark/benchmark.h>

#include "bench_util.hpp"
#include "suite.hpp"

namespace accrete::bench {
namespace {

constexpr int64_t kLargeTxEntities = 100'000;  // 500k datoms
constexpr int64_t kSmallTxEntities = 200;      // 1k datoms
constexpr int64_t kSmallTxCount = 300;         // 300k datoms

void BM_ImportLargeTx(benchmark::State& state) {
  for (auto _ : state) {
    TempDir dir("import-large");
    auto conn = OpenConnection(dir.path());
    MustTransact(*conn, ImportSchema(), "import schema");
    const Value tx = ImportEntities(0, kLargeTxEntities);
    Stopwatch watch;
    MustTransact(*conn, tx, "large import");
    const double seconds = watch.Seconds();
    state.SetIterationTime(seconds);
    PostRate("import.large", kLargeTxEntities * kImportAttrs / seconds);
  }
  state.counters["datoms/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kLargeTxEntities * kImportAttrs),
                         benchmark::Counter::kIsRate);
}

void BM_ImportSmallTxs(benchmark::State& state) {
  for (auto _ : state) {
    TempDir dir("import-small");
    auto conn = OpenConnection(dir.path());
    MustTransact(*conn, ImportSchema(), "import schema");
    double seconds = 0;
    for (int64_t i = 0; i < kSmallTxCount; ++i) {
      const Value tx = ImportEntities(i * kSmallTxEntities, kSmallTxEntities);
      Stopwatch watch;
      MustTransact(*conn, tx, "1k-datom import");
      seconds += watch.Seconds();
    }
    state.SetIterationTime(seconds);
    PostRate("import.small", kSmallTxCount * kSmallTxEntities * kImportAttrs / seconds);
  }
  state.counters["datoms/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kSmallTxCount * kSmallTxEntities * kImportAttrs),
      benchmark::Counter::kIsRate);
}

}  // namespace

void RegisterImportBenchmarks() {
  benchmark::RegisterBenchmark("import/relaxed_one_tx_500k_datoms", BM_ImportLargeTx)
      ->Iterations(1)
      ->Repetitions(3)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("import/relaxed_1k_datom_txs_300k_datoms", BM_ImportSmallTxs)
      ->Iterations(1)
      ->Repetitions(3)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace accrete::bench
