// 4. Reading one entity as of a t followed by 10k later transactions, as a
// ratio to the same read on the latest db. Two histories:
//   other: the later transactions touch other entities only;
//   same:  every later transaction changes this entity's :ao/n (card one),
//          so 10k closed lifetimes of [e :ao/n] lie in the scanned range.
// Two reads: datoms(kEavt, {e}) drained, and Entity::Touch.
#include <benchmark/benchmark.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "bench_util.hpp"
#include "suite.hpp"

namespace accrete::bench {
namespace {

constexpr int64_t kLaterTxs = 10'000;
constexpr int64_t kOtherEntities = 1'000;

enum class History { kOther, kSame };
enum class Read { kDatoms, kTouch };

struct AsOfData {
  TempDir dir;
  EntityId e = 0;
  int64_t t0 = 0;  // the t right after e was created
  explicit AsOfData(std::string_view name) : dir(name) {}
};

// Built once per history, on first use, and removed at exit.
const AsOfData& Data(History history) {
  static std::unique_ptr<AsOfData> data[2];
  std::unique_ptr<AsOfData>& d = data[static_cast<int>(history)];
  if (d != nullptr) return *d;
  d = std::make_unique<AsOfData>(history == History::kOther ? "asof-other" : "asof-same");
  auto conn = OpenConnection(d->dir.path());
  MustTransact(*conn,
               vec({AttrDef("ao/name", "string"), AttrDef("ao/n", "long"),
                    AttrDef("ao/tags", "keyword", /*many=*/true)}),
               "as-of schema");
  std::vector<Value> others;
  for (int64_t i = 0; i < kOtherEntities; ++i) {
    others.push_back(map({{kw("db/id"), Value::String(absl::StrCat("o", i))},
                          {kw("ao/name"), Value::String(absl::StrCat("other ", i))},
                          {kw("ao/n"), Value::Integer(i)}}));
  }
  const TxReport others_report =
      MustTransact(*conn, Value::Vector(std::move(others)), "as-of others");
  std::vector<EntityId> other_ids;
  for (const auto& [tempid, id] : others_report.tempids) other_ids.push_back(id);
  TxReport created =
      MustTransact(*conn,
                   vec({map({{kw("db/id"), "e"},
                             {kw("ao/name"), "the entity"},
                             {kw("ao/n"), 0},
                             {kw("ao/tags"), vec({kw("t/a"), kw("t/b"), kw("t/c")})}})}),
                   "as-of entity");
  d->e = created.tempids.at("e");
  d->t0 = created.t();
  for (int64_t i = 1; i <= kLaterTxs; ++i) {
    const EntityId target =
        history == History::kSame ? d->e : other_ids[(i * 7919) % other_ids.size()];
    MustTransact(*conn, vec({vec({kw("db/add"), target, kw("ao/n"), Value::Integer(i)})}),
                 "as-of later tx");
  }
  return *d;
}

// Reads the entity and returns how many datoms (kDatoms) or how many tags
// (kTouch) it saw.
int64_t ReadEntity(const Db& db, EntityId e, Read read) {
  if (read == Read::kTouch) {
    const Value touched = Check(Check(db.entity(e), "entity").Touch(), "Touch");
    const Value* tags = touched.get(kw("ao/tags"));
    return tags != nullptr && touched.get(kw("ao/n")) != nullptr
               ? static_cast<int64_t>(tags->size())
               : -1;
  }
  Datoms datoms = Check(db.datoms(Index::kEavt, {e}), "datoms");
  int64_t n = 0;
  while (datoms.Next()) ++n;
  Check(datoms.status(), "datoms scan");
  return n;
}

void BM_EntityRead(benchmark::State& state, History history, Read read, bool as_of,
                   std::string metric) {
  const AsOfData& data = Data(history);
  auto conn = OpenConnection(data.dir.path());
  Db db = conn->db();
  if (as_of) db = db.as_of(data.t0);
  // The entity has 5 datoms: name, n and 3 tags.
  const int64_t seen = ReadEntity(db, data.e, read);
  if (seen != (read == Read::kTouch ? 3 : 5)) {
    state.SkipWithError(absl::StrCat("unexpected entity size ", seen).c_str());
    return;
  }
  Stopwatch watch;
  for (auto _ : state) benchmark::DoNotOptimize(ReadEntity(db, data.e, read));
  PostRate(metric, static_cast<double>(state.iterations()) / watch.Seconds());
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

void RegisterAsOfBenchmarks() {
  for (History history : {History::kOther, History::kSame}) {
    for (Read read : {Read::kDatoms, Read::kTouch}) {
      for (bool as_of : {false, true}) {
        const std::string h = history == History::kOther ? "other" : "same";
        const std::string r = read == Read::kDatoms ? "datoms_eavt" : "touch";
        const std::string v = as_of ? "as_of" : "latest";
        const std::string metric = absl::StrCat("asof.", h, ".", r, ".", v);
        benchmark::RegisterBenchmark(
            absl::StrCat("as_of/", r, "/", h, "_10k_later_txs/", v).c_str(),
            [=](benchmark::State& state) { BM_EntityRead(state, history, read, as_of, metric); })
            ->MinTime(0.2)
            ->Repetitions(3)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace accrete::bench
