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

// Reads a key id in the store's form (docs/format.md): a count byte n, then
// n big-endian bytes. Returns the bytes it took.
size_t RawId(const char* p, uint64_t* id) {
  const size_t n = static_cast<uint8_t>(p[0]);
  uint64_t x = 0;
  for (size_t i = 1; i <= n; ++i) x = (x << 8) | static_cast<uint8_t>(p[i]);
  *id = x;
  return n + 1;
}

void BM_ScanRawCursor(benchmark::State& state) {
  const ScanData& data = Data();
  RawEnv env(data.dir.path(), MDB_RDONLY);
  const MDB_dbi dbi = env.OpenDbi("aevt");
  // The AEVT prefix of the attribute: its id in key form.
  std::string prefix;
  {
    uint64_t a = static_cast<uint64_t>(data.attr);
    int n = 0;
    for (uint64_t x = a; x != 0; x >>= 8) ++n;
    prefix.push_back(static_cast<char>(n));
    for (int i = n - 1; i >= 0; --i) prefix.push_back(static_cast<char>(a >> (8 * i)));
  }
  TimeScans(state, "scan.raw", [&](uint64_t* sum) {
    int64_t count = 0;
    RawReadTxn txn(env);
    MDB_cursor* cursor = nullptr;
    CheckRc(mdb_cursor_open(txn.txn(), dbi, &cursor), "mdb_cursor_open", "");
    MDB_val key{prefix.size(), prefix.data()}, value;
    for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
      const char* k = static_cast<const char*>(key.mv_data);
      if (key.mv_size < prefix.size() || std::memcmp(k, prefix.data(), prefix.size()) != 0) {
        break;
      }
      // id(a) id(e) v', where v' of a long is a tag byte and 8 sign-flipped
      // big-endian bytes; the value is t_a in 1 to 6 big-endian bytes.
      uint64_t e = 0;
      const size_t e_at = prefix.size();
      const size_t v_at = e_at + RawId(k + e_at, &e);
      const int64_t v = static_cast<int64_t>(BigEndian64(k + v_at + 1) ^ (uint64_t{1} << 63));
      uint64_t t = 0;
      const char* tv = static_cast<const char*>(value.mv_data);
      for (size_t i = 0; i < value.mv_size; ++i) t = (t << 8) | static_cast<uint8_t>(tv[i]);
      *sum += e + static_cast<uint64_t>(v) + t;
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
