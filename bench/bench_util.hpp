// Helpers shared by the benchmark suite: scratch directories, failure
// handling, heap measurement, the metric board that the final ratio table is
// read from, and builders for the tx data the benchmarks transact.
//
// Benchmarks are not tests: a failed call aborts the run with a message
// rather than being reported, and no timing is ever asserted.
#ifndef ACCRETE_BENCH_BENCH_UTIL_HPP_
#define ACCRETE_BENCH_BENCH_UTIL_HPP_

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accrete/accrete.hpp"

namespace accrete::bench {

// Prints `what` and the status, then aborts, unless `status` is OK.
void Check(const absl::Status& status, std::string_view what);
template <typename T>
T Check(absl::StatusOr<T> result, std::string_view what) {
  Check(result.status(), what);
  return *std::move(result);
}
// Aborts with `what` and the LMDB/SQLite message when `rc` is not 0.
void CheckRc(int rc, std::string_view what, const char* message);

// A fresh directory under $ACCRETE_BENCH_DIR (default /var/tmp, a real disk,
// so durable commits really fsync), removed with everything in it when the
// TempDir is destroyed.
class TempDir {
 public:
  explicit TempDir(std::string_view name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name, not created.
  std::string Sub(std::string_view name) const;

 private:
  std::string path_;
};

// The size of a file in bytes (0 when absent).
uint64_t FileBytes(const std::string& path);

// Anonymous resident memory of this process in KiB (RssAnon in
// /proc/self/status): the heap and stacks, not the LMDB map.
int64_t RssAnonKb();

// An unsigned integer from the environment, or `fallback`.
uint64_t EnvU64(const char* name, uint64_t fallback);

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// The metric board. Benchmarks post what they measured under a name; the
// report at the end of the run reads it. A rate keeps the best of all
// repetitions (noise on a shared machine only ever slows a run down, so the
// best repetition is the closest to what the code can do); a plain value
// keeps the last one posted.
void PostRate(const std::string& name, double per_second);
void PostValue(const std::string& name, double value);
std::optional<double> Metric(const std::string& name);

// ---- Building tx data -----------------------------------------------------

// The map that installs attribute `ident` (e.g. "person/name") of value type
// `type` (e.g. "string").
Value AttrDef(std::string_view ident, std::string_view type, bool many = false);

// The import data set: entities of five attributes (string, long, double,
// keyword, instant), the shape of a typical record import.
inline constexpr int kImportAttrs = 5;
Value ImportSchema();
// Map forms for entities first .. first+count-1 (tempids "i<n>").
Value ImportEntities(int64_t first, int64_t count);

// Opens (creating) a database in `dir`, aborting on failure.
std::unique_ptr<Connection> OpenConnection(const std::string& dir,
                                           Durability durability = Durability::kRelaxed);

// Transacts `tx_data`, aborting on failure.
TxReport MustTransact(Connection& conn, const Value& tx_data, std::string_view what);

}  // namespace accrete::bench

#endif  // ACCRETE_BENCH_BENCH_UTIL_HPP_
