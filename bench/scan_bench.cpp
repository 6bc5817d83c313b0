// 1. Index scan: Db::datoms over AEVT against a raw LMDB cursor over the
// same sub-database and key range, on the same data (kScanDatoms datoms of
// one long attribute). Both sides decode what a caller needs (e, the long
// value, tx); the raw side does it by hand from the key layout of
// docs/format.md.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>

#include "bench_util.hpp"
#include "raw_lmdb.hpp"
#include "suite.hpp"

namespace accrete::bench {
namespace {

constexpr int64_t kScanDatoms = 1'000'000;
constexpr int64_t kScanBatch = 10'000;

struct ScanData {
  TempDir dir{"scan"};
  EntityId attr = 0;
};

uint64_t BigEndian64(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return __builtin_bswap64(x);
}

// Built once, on first use, and removed at exit; the connection is closed
// again before returning so that either side may open the environment.
const ScanData& Data() {
  static const std::unique_ptr<ScanData> data = [] {
    auto d = std::make_unique<ScanData>();
    auto conn = OpenConnection(d->dir.path());
    MustTransact(*conn, vec({AttrDef("scan/n", "long")}), "scan schema");
    for (int64_t base = 0; base < kScanDatoms; base += kScanBatch) {
      std::vector<Value> tx;
      tx.reserve(kScanBatch);
      for (int64_t i = base; i < base + kScanBatch; ++i) {
        tx.push_back(map({{kw("scan/n"), Value::Integer(i * 7919 % 1'000'003)}}));
      }
      MustTransact(*conn, Value::Vector(std::move(tx)), "scan import");
    }
    d->attr = Check(conn->db().entid(kw("scan/n")), "entid :scan/n");
    return d;
  }();
  return *data;
}

// Times `scan` (one full pass; it returns how many datoms it saw and a sum
// of their parts, so that nothing is optimised away) once per iteration and
// posts the rate as `metric`.
template <typename Scan>
void TimeScans(benchmark::State& state, const std::string& metric, Scan scan) {
  int64_t count = 0;
  double seconds = 0;
  for (auto _ : state) {
    Stopwatch watch;
    uint64_t sum = 0;
    count = scan(&sum);
    benchmark::DoNotOptimize(sum);
    seconds += watch.Seconds();
  }
  if (count != kScanDatoms) {
    state.SkipWithError("the scan saw the wrong number of datoms");
    return;
  }
  state.SetItemsProcessed(state.iterations() * count);
  PostRate(metric, static_cast<double>(state.iterations() * count) / seconds);
}

void BM_ScanDatoms(benchmark::State& state) {
  const ScanData& data = Data();
  auto conn = OpenConnection(data.dir.path());
  Db db = conn->db();
  TimeScans(state, "scan.datoms", [&](uint64_t* sum) {
    int64_t count = 0;
    Datoms datoms = Check(db.datoms(Index::kAevt, {kw("scan/n")}), "datoms");
    for (const Datom& d : datoms) {
      *sum += static_cast<uint64_t>(d.e) + static_cast<uint64_t>(d.v.as_int()) +
              static_cast<uint64_t>(d.tx);
      ++count;
    }
    Check(datoms.status(), "datoms scan");
    return count;
  });
}

void BM_ScanRawCursor(benchmark::State& state) {
  const ScanData& data = Data();
  RawEnv env(data.dir.path(), MDB_RDONLY);
  const MDB_dbi dbi = env.OpenDbi("aevt");
  char prefix[8];
  const uint64_t be_attr = __builtin_bswap64(static_cast<uint64_t>(data.attr));
  std::memcpy(prefix, &be_attr, 8);
  TimeScans(state, "scan.raw", [&](uint64_t* sum) {
    int64_t count = 0;
    RawReadTxn txn(env);
    MDB_cursor* cursor = nullptr;
    CheckRc(mdb_cursor_open(txn.txn(), dbi, &cursor), "mdb_cursor_open", "");
    MDB_val key{8, prefix}, value;
    for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
      const char* k = static_cast<const char*>(key.mv_data);
      if (key.mv_size < 8 || std::memcmp(k, prefix, 8) != 0) break;
      // a(8) e(8) v' where v' of a long is a tag byte and 8 sign-flipped
      // big-endian bytes; the value is tx_a (8 bytes).
      const uint64_t e = BigEndian64(k + 8);
      const int64_t v = static_cast<int64_t>(BigEndian64(k + 17) ^ (uint64_t{1} << 63));
      const uint64_t tx = BigEndian64(static_cast<const char*>(value.mv_data));
      *sum += e + static_cast<uint64_t>(v) + tx;
      ++count;
    }
    mdb_cursor_close(cursor);
    return count;
  });
}

}  // namespace

void RegisterScanBenchmarks() {
  for (auto* b : {benchmark::RegisterBenchmark("scan/datoms_aevt_1M", BM_ScanDatoms),
                  benchmark::RegisterBenchmark("scan/raw_lmdb_cursor_aevt_1M", BM_ScanRawCursor)}) {
    b->Iterations(1)->Repetitions(7)->Unit(benchmark::kMillisecond)->UseRealTime();
  }
}

}  // namespace accrete::bench
