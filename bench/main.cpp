// accrete_bench: the foundation benchmark suite in one run, then one table of
// ratios against the targets (docs/benchmarks.md).
//
// The machine is shared and noisy, so the suite compares side by side: each
// comparison's two sides run in the same process, their repetitions
// interleaved in random order (Google Benchmark's random interleaving, on
// unless the command line says otherwise), and the table takes the best
// repetition of each side.
//
//   accrete_bench [--benchmark_filter=REGEX] [other Google Benchmark flags]
//   ACCRETE_BENCH_MEMORY_DATOMS=10000000 accrete_bench   # the memory run at 10M
//   ACCRETE_BENCH_DIR=/some/disk accrete_bench           # where scratch dbs go
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "suite.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], accrete::bench::kMemoryChildFlag) == 0) {
    return accrete::bench::RunMemoryChild();
  }
  std::vector<char*> args(argv, argv + argc);
  bool interleave_given = false;
  for (char* arg : args) {
    interleave_given |= std::strstr(arg, "benchmark_enable_random_interleaving") != nullptr;
  }
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  if (!interleave_given) args.push_back(interleave.data());
  int args_count = static_cast<int>(args.size());
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;

  accrete::bench::RegisterScanBenchmarks();
  accrete::bench::RegisterImportBenchmarks();
  accrete::bench::RegisterCommitBenchmarks();
  accrete::bench::RegisterAsOfBenchmarks();
  accrete::bench::RegisterSpaceBenchmarks();
  accrete::bench::RegisterMemoryBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  accrete::bench::PrintReport();
  return 0;
}
