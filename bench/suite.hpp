// The parts of the suite: each file registers its benchmarks in the order
// main() calls these, and the report at the end reads what they posted on the
// metric board (bench_util.hpp).
#ifndef ACCRETE_BENCH_SUITE_HPP_
#define ACCRETE_BENCH_SUITE_HPP_

#include <string>

namespace accrete::bench {

void RegisterScanBenchmarks();
void RegisterImportBenchmarks();
void RegisterCommitBenchmarks();
void RegisterAsOfBenchmarks();
void RegisterSpaceBenchmarks();
void RegisterMemoryBenchmarks();

// The memory benchmark measures a fresh process: main() runs this instead of
// the suite when started with kMemoryChildFlag, and prints its results as
// `key=value` lines on stdout.
inline constexpr const char* kMemoryChildFlag = "--memory-child";
int RunMemoryChild();

// Prints the table of ratios against the targets from the metric board.
void PrintReport();

}  // namespace accrete::bench

#endif  // ACCRETE_BENCH_SUITE_HPP_
