// 6. Memory: the heap (RssAnon, not the LMDB map, which is file-backed)
// while importing N datoms as a stream of 1k-datom transactions, and while
// scanning them all through Db::datoms. N is ACCRETE_BENCH_MEMORY_DATOMS
// (default 2M; the figure is 10M).
//
// It runs in a fresh child process (this executable started again with
// kMemoryChildFlag), so that heap freed by earlier benchmarks cannot hide
// growth. The child prints key=value lines; the benchmark posts them.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "bench_util.hpp"
#include "suite.hpp"

namespace accrete::bench {
namespace {

constexpr int64_t kEntitiesPerTx = 1'000 / kImportAttrs;
constexpr int64_t kScanSampleEvery = 1 << 16;

int64_t MemoryDatoms() {
  return static_cast<int64_t>(EnvU64("ACCRETE_BENCH_MEMORY_DATOMS", 2'000'000));
}

void BM_Memory(benchmark::State& state) {
  for (auto _ : state) {
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
      state.SkipWithError("readlink /proc/self/exe failed");
      return;
    }
    self[n] = '\0';
    FILE* child = popen(absl::StrCat("'", self, "' ", kMemoryChildFlag).c_str(), "r");
    if (child == nullptr) {
      state.SkipWithError("popen failed");
      return;
    }
    std::map<std::string, double, std::less<>> results;
    char line[256];
    while (std::fgets(line, sizeof line, child) != nullptr) {
      char key[64];
      double value;
      if (std::sscanf(line, "%63[^=]=%lf", key, &value) == 2) results[key] = value;
    }
    if (pclose(child) != 0 || !results.contains("scan_peak_growth_kb")) {
      state.SkipWithError("the memory child failed");
      return;
    }
    for (const auto& [key, value] : results) {
      state.counters[key] = value;
      PostValue("memory." + key, value);
    }
  }
}

}  // namespace

int RunMemoryChild() {
  const int64_t datoms = MemoryDatoms();
  TempDir dir("memory");
  auto conn = OpenConnection(dir.path());
  MustTransact(*conn, ImportSchema(), "memory schema");

  const int64_t import_base = RssAnonKb();
  int64_t import_peak = import_base;
  Stopwatch import_watch;
  const int64_t entities = datoms / kImportAttrs;
  for (int64_t first = 0; first < entities; first += kEntitiesPerTx) {
    MustTransact(*conn, ImportEntities(first, std::min(kEntitiesPerTx, entities - first)),
                 "memory import");
    import_peak = std::max(import_peak, RssAnonKb());
  }
  const double import_seconds = import_watch.Seconds();

  const int64_t scan_base = RssAnonKb();
  int64_t scan_peak = scan_base;
  int64_t scanned = 0;
  Stopwatch scan_watch;
  {
    Datoms all = Check(conn->db().datoms(Index::kEavt), "memory scan");
    while (all.Next()) {
      if (++scanned % kScanSampleEvery == 0) scan_peak = std::max(scan_peak, RssAnonKb());
    }
    Check(all.status(), "memory scan");
  }
  scan_peak = std::max(scan_peak, RssAnonKb());
  const double scan_seconds = scan_watch.Seconds();

  std::printf("datoms=%lld\n", static_cast<long long>(datoms));
  std::printf("import_base_kb=%lld\n", static_cast<long long>(import_base));
  std::printf("import_peak_growth_kb=%lld\n", static_cast<long long>(import_peak - import_base));
  std::printf("import_datoms_per_s=%.0f\n", static_cast<double>(datoms) / import_seconds);
  std::printf("scan_base_kb=%lld\n", static_cast<long long>(scan_base));
  std::printf("scan_peak_growth_kb=%lld\n", static_cast<long long>(scan_peak - scan_base));
  std::printf("scanned_datoms=%lld\n", static_cast<long long>(scanned));
  std::printf("scan_datoms_per_s=%.0f\n", static_cast<double>(scanned) / scan_seconds);
  return 0;
}

void RegisterMemoryBenchmarks() {
  benchmark::RegisterBenchmark("memory/import_and_scan_rss_anon", BM_Memory)
      ->Iterations(1)
      ->Repetitions(1)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace accrete::bench
