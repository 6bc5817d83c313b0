// Map growth (MDB_MAP_FULL -> Grow -> retry) and a second process sharing
// the environment (including MDB_MAP_RESIZED after the other one grew it).
#include <gtest/gtest.h>
#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.hpp"
#include "store_test_util.hpp"

namespace accrete::internal {
namespace {

using testing::Add;
using testing::ApplyOne;
using testing::Enc;
using testing::TempDir;

constexpr size_t kTinyMap = size_t{64} << 10;

StoreOptions TinyMap() {
  StoreOptions options;
  options.durable = false;
  options.initial_map_size = kTinyMap;
  return options;
}

// Transaction t of a bulk load: `n` datoms with ~`size`-byte strings.
std::vector<DatomWrite> Bulk(int64_t t, int n, size_t size) {
  std::vector<DatomWrite> writes;
  for (int i = 0; i < n; ++i) {
    writes.push_back(Add(static_cast<uint64_t>(t * 1000 + i), 40,
                         Value::String(std::to_string(t * 1000 + i) + std::string(size, 'p')),
                         ValueType::kString));
  }
  return writes;
}

// What the Connection does: on "map full", abort the whole batch, grow, and
// run the batch again. Returns how many times it grew.
absl::StatusOr<int> ApplyWithGrowth(Store& store, int64_t first_t, int batch, int per_tx,
                                    size_t size) {
  for (int grows = 0;; ++grows) {
    absl::StatusOr<WriteTxn> top = store.BeginWrite();
    if (!top.ok()) return top.status();
    absl::Status s;
    for (int64_t t = first_t; t < first_t + batch && s.ok(); ++t) {
      absl::StatusOr<WriteTxn> nested = top->BeginNested();
      if (!nested.ok()) return nested.status();
      s = nested->ApplyTx(t, Bulk(t, per_tx, size), Meta{.basis_t = t});
      if (s.ok()) s = nested->Commit();
    }
    if (s.ok()) s = top->Commit();
    if (s.ok()) return grows;
    if (!IsMapFull(s)) return s;
    top->Abort();
    if (absl::Status g = store.Grow(); !g.ok()) return g;
  }
}

size_t MapSize(const std::string& dir) {
  MDB_env* env = nullptr;
  MDB_envinfo info{};
  if (mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, 16) == 0 &&
      mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0600) == 0) {
    mdb_env_info(env, &info);
  }
  mdb_env_close(env);
  return info.me_mapsize;
}

TEST(GrowthTest, ATinyMapAbsorbsMegabytesThroughGrowAndRetry) {
  TempDir dir;
  absl::StatusOr<std::shared_ptr<Store>> store = Store::Open(dir.Sub("db"), TinyMap());
  ASSERT_TRUE(store.ok()) << store.status();
  int grows = 0;
  int64_t t = 0;
  for (int round = 0; round < 12; ++round, t += 4) {
    absl::StatusOr<int> g = ApplyWithGrowth(**store, t, 4, 60, 300);
    ASSERT_TRUE(g.ok()) << g.status();
    grows += *g;
  }
  EXPECT_GE(grows, 5);
  absl::StatusOr<Snapshot> snapshot = (*store)->Read();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->ReadMeta()->basis_t, t - 1);
  absl::StatusOr<AttrStats> stats = snapshot->Stats(40);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->datoms, static_cast<uint64_t>(t * 60));
  // Every value of every transaction is there.
  absl::StatusOr<Cursor> cursor = snapshot->OpenCursor(Dbi::kLog);
  ASSERT_TRUE(cursor.ok());
  int64_t entries = 0;
  for (bool ok = cursor->First(); ok; ok = cursor->Next()) ++entries;
  EXPECT_EQ(entries, t);
  for (int64_t i : {int64_t{0}, t / 2, t - 1}) {
    const DatomWrite d = Bulk(i, 60, 300)[59];
    absl::StatusOr<std::optional<std::string>> v = snapshot->KeyValue(d.v);
    ASSERT_TRUE(v.ok() && v->has_value());
    EXPECT_TRUE(snapshot->Get(Dbi::kEavt, EavtKey(d.e, d.a, **v))->has_value());
  }
  snapshot = absl::CancelledError("release");
  EXPECT_GT(MapSize(dir.Sub("db")), size_t{4} << 20);
}

// Runs `child` in a forked process; true when it exited with status 0.
template <typename Fn>
bool InChildProcess(Fn child) {
  const pid_t pid = fork();
  if (pid == 0) _exit(child() ? 0 : 1);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(MultiProcessTest, AnotherProcessSeesCommitsAndItsCommitsAreSeen) {
  TempDir dir;
  StoreOptions options = TinyMap();
  options.durable = true;
  absl::StatusOr<std::shared_ptr<Store>> store = Store::Open(dir.Sub("db"), options);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(ApplyOne(**store, 0, {Add(1, 10, Value::Integer(7))}).ok());

  // The child must not use the parent's environment: it opens its own.
  const std::string path = dir.Sub("db");
  ASSERT_TRUE(InChildProcess([&] {
    absl::StatusOr<std::shared_ptr<Store>> own = Store::Open(path, options);
    if (!own.ok()) return false;
    {
      absl::StatusOr<Snapshot> s = (*own)->Read();
      if (!s.ok() || s->ReadMeta()->basis_t != 0) return false;
      if (!s->Get(Dbi::kEavt, EavtKey(1, 10, Enc(7, ValueType::kLong)))->has_value()) return false;
    }
    // Grow well past the parent's map so that its next read sees
    // MDB_MAP_RESIZED.
    for (int64_t t = 1; t < 25; t += 4) {
      if (!ApplyWithGrowth(**own, t, 4, 60, 300).ok()) return false;
    }
    return true;
  }));

  absl::StatusOr<Snapshot> s = (*store)->Read();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->ReadMeta()->basis_t, 24);
  EXPECT_EQ(s->Stats(40)->datoms, 24u * 60);
  const DatomWrite last = Bulk(24, 60, 300)[59];
  absl::StatusOr<std::optional<std::string>> v = s->KeyValue(last.v);
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_TRUE(s->Get(Dbi::kEavt, EavtKey(last.e, last.a, **v))->has_value());
  s = absl::CancelledError("release");
  // And this process can write after the other one grew the map.
  EXPECT_TRUE(ApplyOne(**store, 25, {Add(2, 10, Value::Integer(8))}).ok());
}

}  // namespace
}  // namespace accrete::internal
