// Connection and Db values through the public API: persistence, read-only
// opens, group commit under concurrency, report queues, map growth, reader
// slots, several processes, and crash durability under SIGKILL.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "test_util.hpp"

namespace accrete {
namespace {

using testing_util::RelaxedOptions;
using testing_util::TempDir;

constexpr const char* kSchema = R"([
  {:db/ident :person/name :db/valueType :db.type/string
   :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :person/address :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/isComponent true}
  {:db/ident :address/city :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :log/seq :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :log/check :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
])";

std::unique_ptr<Connection> OpenWithSchema(const std::string& dir,
                                           const Options& options = RelaxedOptions()) {
  auto conn = Connection::Open(dir, options);
  EXPECT_TRUE(conn.ok()) << conn.status();
  if (!conn.ok()) return nullptr;
  auto report = (*conn)->transact(kSchema);
  EXPECT_TRUE(report.ok()) << report.status();
  return *std::move(conn);
}

size_t CountDatoms(const Db& db, Index index, std::vector<Value> components) {
  auto datoms = db.datoms(index, std::move(components));
  EXPECT_TRUE(datoms.ok()) << datoms.status();
  if (!datoms.ok()) return 0;
  size_t n = 0;
  while (datoms->Next()) ++n;
  EXPECT_TRUE(datoms->status().ok()) << datoms->status();
  return n;
}

TEST(ConnectionTest, DataSurvivesReopen) {
  TempDir dir;
  int64_t t = 0;
  {
    auto conn = OpenWithSchema(dir.path());
    ASSERT_NE(conn, nullptr);
    ASSERT_OK_AND_ASSIGN(TxReport report,
                         conn->transact(R"([{:person/name "Ivan" :person/age 30}])"));
    t = report.t();
  }
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), RelaxedOptions()));
  Db db = conn->db();
  EXPECT_EQ(db.basis_t(), t);
  ASSERT_OK_AND_ASSIGN(Entity ivan, db.entity(vec({kw("person/name"), "Ivan"})));
  ASSERT_OK_AND_ASSIGN(Value age, ivan.Get(kw("person/age")));
  EXPECT_EQ(age, Value(30));
}

TEST(ConnectionTest, MissingDirectoryWithoutCreateIsNotFound) {
  TempDir dir;
  Options options;
  options.create_if_missing = false;
  auto conn = Connection::Open(dir.path(), options);
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(absl::IsNotFound(conn.status())) << conn.status();
}

TEST(ConnectionTest, ReadOnlyOpenReadsAndRefusesWrites) {
  TempDir dir;
  {
    auto conn = OpenWithSchema(dir.path());
    ASSERT_OK(conn->transact(R"([{:person/name "Ivan"}])"));
  }
  Options options;
  options.read_only = true;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), options));
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("person/name")}), 1u);
  auto report = conn->transact(R"([{:person/name "Petr"}])");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(absl::IsPermissionDenied(report.status())) << report.status();
}

TEST(ConnectionTest, ErrorsLeaveTheDatabaseUnchanged) {
  TempDir dir;
  auto conn = OpenWithSchema(dir.path());
  ASSERT_OK(conn->transact(R"([{:person/name "Ivan" :person/age 30}])"));
  const int64_t t = conn->db().basis_t();

  auto malformed = conn->transact("[{:person/name \"Petr\"");
  ASSERT_FALSE(malformed.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(malformed.status()));
  EXPECT_NE(malformed.status().message().find("1:"), std::string_view::npos) << malformed.status();

  auto unknown = conn->transact(R"([[:db/add "p" :person/nmae "Petr"]])");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(unknown.status()));
  EXPECT_NE(unknown.status().message().find(":person/nmae"), std::string_view::npos)
      << unknown.status();

  auto wrong_type = conn->transact(R"([{:person/name "Petr" :person/age "old"}])");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(wrong_type.status()));

  Db db = conn->db();
  EXPECT_EQ(db.basis_t(), t);
  EXPECT_EQ(CountDatoms(db, Index::kAevt, {kw("person/name")}), 1u);
}

TEST(ConnectionTest, ConcurrentWritersEachGetTheirOwnT) {
  TempDir dir;
  Options options;  // durable: group commit shares the fsync
  auto conn = OpenWithSchema(dir.path(), options);
  const int kThreads = 8;
  const int kPerThread = 25;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> ts;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kPerThread; ++j) {
        auto report =
            conn->transact(vec({map({{kw("log/seq"), i * 1000 + j}, {kw("log/check"), i}})}));
        if (!report.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        ts.insert(report->t());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ts.size(), static_cast<size_t>(kThreads * kPerThread));
  // t values are contiguous: no transaction lost its place.
  EXPECT_EQ(*ts.rbegin() - *ts.begin() + 1, kThreads * kPerThread);
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("log/seq")}),
            static_cast<size_t>(kThreads * kPerThread));
}

TEST(ConnectionTest, OneBadTransactionInABatchDoesNotSpoilTheOthers) {
  TempDir dir;
  auto conn = OpenWithSchema(dir.path());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int> bad{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto report = i % 2 == 0 ? conn->transact(vec({map({{kw("log/seq"), i}})}))
                               : conn->transact(vec({map({{kw("log/seq"), "not a long"}})}));
      (report.ok() ? ok : bad)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(bad.load(), 8);
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("log/seq")}), 8u);
}

TEST(ConnectionTest, SubscribersSeeEveryReportInOrderAndCountDrops) {
  TempDir dir;
  auto conn = OpenWithSchema(dir.path());
  auto all = conn->Subscribe(100);
  auto small = conn->Subscribe(3);
  std::vector<int64_t> ts;
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(TxReport report, conn->transact(vec({map({{kw("log/seq"), i}})})));
    ts.push_back(report.t());
  }
  for (int64_t t : ts) {
    auto report = all->Take(std::chrono::seconds(5));
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->t(), t);
  }
  EXPECT_FALSE(all->Poll().has_value());
  EXPECT_EQ(all->dropped(), 0u);
  // The small queue kept the newest three.
  EXPECT_EQ(small->dropped(), 7u);
  for (size_t i = 7; i < 10; ++i) {
    auto report = small->Poll();
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->t(), ts[i]);
  }
}

TEST(ConnectionTest, TinyMapGrowsThroughALargeImport) {
  TempDir dir;
  Options options = RelaxedOptions();
  options.initial_map_size = 256 << 10;
  auto conn = OpenWithSchema(dir.path(), options);
  ASSERT_NE(conn, nullptr);
  // One large transaction, then many 1k-datom ones.
  std::vector<Value> big;
  for (int i = 0; i < 20000; ++i) big.push_back(map({{kw("log/seq"), i}}));
  ASSERT_OK(conn->transact(Value::Vector(big)));
  for (int k = 0; k < 20; ++k) {
    std::vector<Value> batch;
    for (int i = 0; i < 1000; ++i) {
      batch.push_back(
          map({{kw("log/seq"), 100000 + k * 1000 + i},
               {kw("person/name"), std::string(300, 'n') + std::to_string(k * 1000 + i)}}));
    }
    ASSERT_OK(conn->transact(Value::Vector(batch)));
  }
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("log/seq")}), 40000u);
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("person/name")}), 20000u);
}

// A transaction far bigger than the map: the map grows by what the prepared
// transaction needs, and the replay applies what was prepared, so the
// transaction function runs once (not once per doubling of the map).
TEST(ConnectionTest, ALargeTransactionIsPreparedOnceWhileTheMapGrows) {
  Registry registry;
  std::atomic<int> calls{0};
  ASSERT_OK(registry.RegisterTxFunction(
      "bulk/people", [&calls](const Db&, std::span<const Value> args) -> absl::StatusOr<Value> {
        ++calls;
        std::vector<Value> people;
        for (int64_t i = 0; i < args[0].as_int(); ++i) {
          people.push_back(map({{kw("person/name"), "p" + std::to_string(i)},
                                {kw("person/age"), i % 100},
                                {kw("log/seq"), i}}));
        }
        return Value::Vector(std::move(people));
      }));
  TempDir dir;
  Options options = RelaxedOptions();
  options.registry = &registry;
  options.initial_map_size = 256 << 10;
  auto conn = OpenWithSchema(dir.path(), options);
  ASSERT_NE(conn, nullptr);
  ASSERT_OK_AND_ASSIGN(StorageInfo before, conn->storage_info());
  ASSERT_OK_AND_ASSIGN(TxReport report, conn->transact(R"([[bulk/people 30000]])"));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(report.tx_data.size(), 90001u);  // three datoms a person, and the txInstant
  EXPECT_EQ(report.tempids.size(), 0u);
  ASSERT_OK_AND_ASSIGN(StorageInfo after, conn->storage_info());
  EXPECT_GT(after.map_size, before.map_size * 16);
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("log/seq")}), 30000u);
  ASSERT_OK_AND_ASSIGN(Entity last, conn->db().entity(vec({kw("person/name"), "p29999"})));
  EXPECT_EQ(last.Get(kw("log/seq")).value(), Value(29999));
  // The next transaction is prepared afresh at the new basis.
  ASSERT_OK(conn->transact(R"([[bulk/people 10]])"));
  EXPECT_EQ(calls.load(), 2);
}

// A thread consuming a Datoms stream holds a read transaction; if its own
// transact then needs the map to grow, the growth cannot wait for it. The
// transaction fails with a clear error instead of hanging, writes nothing,
// and succeeds once the stream is gone.
TEST(ConnectionTest, GrowthBlockedByOwnOpenStreamFailsClearly) {
  TempDir dir;
  Options options = RelaxedOptions();
  options.initial_map_size = 256 << 10;
  options.map_growth_wait = std::chrono::milliseconds(200);
  auto conn = OpenWithSchema(dir.path(), options);
  ASSERT_OK(conn->transact(R"([{:log/seq -1}])"));
  std::vector<Value> big;
  for (int i = 0; i < 20000; ++i) big.push_back(map({{kw("log/seq"), i}}));
  const int64_t t = conn->db().basis_t();
  {
    ASSERT_OK_AND_ASSIGN(Datoms open, conn->db().datoms(Index::kAevt, {kw("log/seq")}));
    ASSERT_TRUE(open.Next());  // the stream now holds a read transaction
    auto report = conn->transact(Value::Vector(big));
    ASSERT_FALSE(report.ok());
    EXPECT_TRUE(absl::IsResourceExhausted(report.status())) << report.status();
    EXPECT_NE(report.status().message().find("Datoms"), absl::string_view::npos) << report.status();
  }
  EXPECT_EQ(conn->db().basis_t(), t);
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("log/seq")}), 1u);
  ASSERT_OK(conn->transact(Value::Vector(big)));
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("log/seq")}), 20001u);
}

TEST(ConnectionTest, ThousandsOfDbValuesNeedNoReaderSlots) {
  TempDir dir;
  Options options = RelaxedOptions();
  options.max_readers = 8;
  auto conn = OpenWithSchema(dir.path(), options);
  std::vector<Db> dbs;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK_AND_ASSIGN(TxReport report, conn->transact(vec({map({{kw("log/seq"), i}})})));
    dbs.push_back(report.db_after);
  }
  // Each value still answers as of its own basis.
  for (size_t i = 0; i < dbs.size(); i += 97) {
    EXPECT_EQ(CountDatoms(dbs[i], Index::kAevt, {kw("log/seq")}), i + 1);
  }
  // Many threads reading at once stay within the slots.
  std::vector<std::thread> readers;
  std::atomic<int> errors{0};
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      for (size_t i = r; i < dbs.size(); i += 50) {
        auto datoms = dbs[i].datoms(Index::kAevt, {kw("log/seq")});
        if (!datoms.ok()) {
          ++errors;
          continue;
        }
        size_t n = 0;
        while (datoms->Next()) ++n;
        if (n != i + 1) ++errors;
      }
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
}

TEST(ConnectionTest, TxInstantNeverGoesBackwards) {
  TempDir dir;
  Options options = RelaxedOptions();
  std::atomic<int64_t> now{2000000000000};
  options.clock = [&] { return now.load(); };
  auto conn = OpenWithSchema(dir.path(), options);
  ASSERT_OK_AND_ASSIGN(TxReport first, conn->transact(R"([{:log/seq 1}])"));
  now = 1000000000000;  // the clock jumps back
  ASSERT_OK_AND_ASSIGN(TxReport second, conn->transact(R"([{:log/seq 2}])"));
  auto instant = [&](const TxReport& r) {
    for (const Datom& d : r.tx_data) {
      if (d.e == TToTx(r.t())) return d.v.inst_millis();
    }
    return int64_t{-1};
  };
  EXPECT_EQ(instant(first), 2000000000000);
  EXPECT_GE(instant(second), instant(first));
}

TEST(ConnectionTest, WithIsSpeculativeAndChains) {
  TempDir dir;
  auto conn = OpenWithSchema(dir.path());
  ASSERT_OK(conn->transact(R"([{:person/name "Ivan" :person/age 30}])"));
  Db db = conn->db();
  ASSERT_OK_AND_ASSIGN(TxReport one, db.with(edn::Read(R"([{:person/name "Ivan" :person/age 31}
                                                           {:person/name "Petr"}])")
                                                 .value()));
  ASSERT_OK_AND_ASSIGN(TxReport two,
                       one.db_after.with(edn::Read(R"([[:db/retract [:person/name "Petr"]
                                                         :person/name "Petr"]])")
                                             .value()));
  // Nothing was written.
  EXPECT_EQ(conn->db().basis_t(), db.basis_t());
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("person/name")}), 1u);
  // The speculative dbs see their own changes.
  EXPECT_EQ(CountDatoms(one.db_after, Index::kAevt, {kw("person/name")}), 2u);
  EXPECT_EQ(CountDatoms(two.db_after, Index::kAevt, {kw("person/name")}), 1u);
  ASSERT_OK_AND_ASSIGN(Entity ivan, one.db_after.entity(vec({kw("person/name"), "Ivan"})));
  EXPECT_EQ(ivan.Get(kw("person/age")).value(), Value(31));
  // The retracted age 30 shows in the speculative history.
  size_t retracted = 0;
  ASSERT_OK_AND_ASSIGN(Datoms h, one.db_after.history().datoms(Index::kAevt, {kw("person/age")}));
  for (const Datom& d : h) retracted += d.added ? 0 : 1;
  EXPECT_EQ(retracted, 1u);
}

TEST(ConnectionTest, EntityNavigatesForwardReverseAndComponents) {
  TempDir dir;
  auto conn = OpenWithSchema(dir.path());
  ASSERT_OK(conn->transact(R"([{:db/id "ivan" :person/name "Ivan"
                                :person/address {:address/city "Moscow"}}
                               {:person/name "Petr" :person/friend "ivan"}])"));
  Db db = conn->db();
  ASSERT_OK_AND_ASSIGN(Entity ivan, db.entity(vec({kw("person/name"), "Ivan"})));
  ASSERT_OK_AND_ASSIGN(auto friends_of, ivan.Refs(kw("person/_friend")));
  ASSERT_EQ(friends_of.size(), 1u);
  EXPECT_EQ(friends_of[0].Get(kw("person/name")).value(), Value("Petr"));
  ASSERT_OK_AND_ASSIGN(Value touched, ivan.Touch());
  const Value* address = touched.get(kw("person/address"));
  ASSERT_NE(address, nullptr);
  ASSERT_TRUE(address->is_map());
  EXPECT_EQ(*address->get(kw("address/city")), Value("Moscow"));
  auto unknown = ivan.Get(kw("person/nmae"));
  EXPECT_TRUE(absl::IsInvalidArgument(unknown.status())) << unknown.status();
}

TEST(ConnectionTest, IndexRangeIsEndExclusive) {
  TempDir dir;
  auto conn = OpenWithSchema(dir.path());
  for (int i = 0; i < 10; ++i) ASSERT_OK(conn->transact(vec({map({{kw("person/age"), i}})})));
  ASSERT_OK_AND_ASSIGN(Datoms range, conn->db().index_range(kw("person/age"), 3, 7));
  std::vector<int64_t> ages;
  for (const Datom& d : range) ages.push_back(d.v.as_int());
  EXPECT_EQ(ages, (std::vector<int64_t>{3, 4, 5, 6}));
}

// A second process sees a transaction as soon as the writer's transact
// returns.
TEST(ConnectionTest, AnotherProcessSeesCommits) {
  TempDir dir;
  auto conn = OpenWithSchema(dir.path(), Options{});
  int to_child[2];
  int to_parent[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(to_parent), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child writes one transaction with its own connection.
    auto child = Connection::Open(dir.path());
    int ok = child.ok() && (*child)->transact(R"([{:person/name "from-child"}])").ok();
    child = absl::UnknownError("closed");
    char byte = ok ? 'y' : 'n';
    (void)!write(to_parent[1], &byte, 1);
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(to_parent[0], &byte, 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(byte, 'y');
  Db db = conn->db();
  ASSERT_OK_AND_ASSIGN(Entity e, db.entity(vec({kw("person/name"), "from-child"})));
  EXPECT_GT(e.id(), 0);
  // And this process keeps writing after the other one did.
  ASSERT_OK(conn->transact(R"([{:person/name "from-parent"}])"));
  EXPECT_EQ(CountDatoms(conn->db(), Index::kAevt, {kw("person/name")}), 2u);
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) close(fd);
}

// A child process transacts in a loop and reports each acknowledged
// transaction; it is killed with SIGKILL at a random moment. After reopening,
// every acknowledged transaction is there, whole, and nothing partial is.
TEST(ConnectionTest, AcknowledgedTransactionsSurviveSigkill) {
  std::mt19937 rng(20261121);
  for (int round = 0; round < 5; ++round) {
    TempDir dir;
    { OpenWithSchema(dir.path(), Options{}); }
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      auto conn = Connection::Open(dir.path());  // durable
      if (!conn.ok()) _exit(1);
      for (int64_t i = 0;; ++i) {
        // Two datoms per transaction: both or neither may survive.
        auto report = (*conn)->transact(vec({map({{kw("log/seq"), i}, {kw("log/check"), -i}})}));
        if (!report.ok()) _exit(2);
        if (write(fds[1], &i, sizeof i) != sizeof i) _exit(3);
      }
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 300));
    kill(pid, SIGKILL);
    int64_t acknowledged = -1;
    int64_t i = 0;
    while (read(fds[0], &i, sizeof i) == sizeof i) acknowledged = i;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped on its own: " << status;

    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path()));
    Db db = conn->db();
    std::set<int64_t> seqs;
    ASSERT_OK_AND_ASSIGN(Datoms datoms, db.datoms(Index::kAevt, {kw("log/seq")}));
    for (const Datom& d : datoms) {
      seqs.insert(d.v.as_int());
      ASSERT_OK_AND_ASSIGN(Entity e, db.entity(Value::Integer(d.e)));
      EXPECT_EQ(e.Get(kw("log/check")).value(), Value::Integer(-d.v.as_int()))
          << "partial transaction for seq " << d.v.as_int();
    }
    for (int64_t k = 0; k <= acknowledged; ++k) {
      EXPECT_TRUE(seqs.count(k)) << "acknowledged transaction " << k << " lost";
    }
    // The store is still writable.
    ASSERT_OK(conn->transact(R"([{:log/seq -1}])"));
  }
}

}  // namespace
}  // namespace accrete
