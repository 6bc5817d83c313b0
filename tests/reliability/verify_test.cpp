// accrete::Verify: passes on healthy stores built by every kind of
// transaction, and names the damage when a test edits the LMDB environment
// behind accrete's back (a stray key, a missing key, a wrong value, a lost
// log record, wrong stats, a lost long value).
#include <lmdb.h>

#include <atomic>
#include <functional>
#include <thread>

#include "core/test_util.hpp"
#include "gmock/gmock.h"
#include "reliability/workload.hpp"

namespace accrete {
namespace {

using reliability::kSchema;
using reliability::MakeTx;
using reliability::Workload;
using testing::HasSubstr;
using testing_util::RelaxedOptions;
using testing_util::TempDir;

// Builds a store with `n` workload transactions (every kind, some of them
// retracting) and closes it.
void BuildStore(const std::string& dir, int n) {
  auto conn = Connection::Open(dir, RelaxedOptions());
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_OK((*conn)->transact(kSchema));
  Workload w;
  w.max_entities = 50;
  w.max_blob = 2000;
  for (int64_t seq = 0; seq < n; ++seq) {
    if (reliability::TxKind(seq - 1) == 2) w.dynamic_attribute = "dyn/a" + std::to_string(seq - 1);
    ASSERT_OK((*conn)->transact(MakeTx(seq, w)));
  }
  ASSERT_OK((*conn)->transact(R"([[:db/retractEntity [:item/sku "I7"]]])"));
}

VerifyReport VerifyDir(const std::string& dir) {
  auto conn = Connection::Open(dir, RelaxedOptions());
  EXPECT_TRUE(conn.ok()) << conn.status();
  if (!conn.ok()) return {};
  auto report = Verify(**conn);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : VerifyReport{};
}

// Opens the environment with LMDB directly (no accrete Connection may be
// open in this process) and runs `edit` on sub-database `name` in a write
// transaction that it commits.
void EditRaw(const std::string& dir, const char* name,
             const std::function<void(MDB_txn*, MDB_dbi)>& edit) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), MDB_SUCCESS);
  ASSERT_EQ(mdb_env_set_maxdbs(env, 32), MDB_SUCCESS);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0600), MDB_SUCCESS);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), MDB_SUCCESS);
  MDB_dbi dbi = 0;
  ASSERT_EQ(mdb_dbi_open(txn, name, 0, &dbi), MDB_SUCCESS) << name;
  edit(txn, dbi);
  ASSERT_EQ(mdb_txn_commit(txn), MDB_SUCCESS);
  mdb_env_close(env);
}

// The key and value at `op` (MDB_FIRST, MDB_LAST) of the sub-database.
std::pair<std::string, std::string> EntryAt(MDB_txn* txn, MDB_dbi dbi, MDB_cursor_op op) {
  MDB_cursor* cursor = nullptr;
  EXPECT_EQ(mdb_cursor_open(txn, dbi, &cursor), MDB_SUCCESS);
  MDB_val k{}, v{};
  EXPECT_EQ(mdb_cursor_get(cursor, &k, &v, op), MDB_SUCCESS);
  std::pair<std::string, std::string> entry(
      std::string(static_cast<const char*>(k.mv_data), k.mv_size),
      std::string(static_cast<const char*>(v.mv_data), v.mv_size));
  mdb_cursor_close(cursor);
  return entry;
}

void Put(MDB_txn* txn, MDB_dbi dbi, const std::string& key, const std::string& value) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), MDB_SUCCESS);
}

void Delete(MDB_txn* txn, MDB_dbi dbi, const std::string& key) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  ASSERT_EQ(mdb_del(txn, dbi, &k, nullptr), MDB_SUCCESS);
}

// The fixture builds one healthy store per test.
class VerifyTest : public testing::Test {
 protected:
  void SetUp() override { BuildStore(dir_.path(), 60); }

  // Verify finds at least one problem, and one of them contains every
  // fragment.
  void ExpectProblem(std::vector<std::string> fragments) {
    VerifyReport report = VerifyDir(dir_.path());
    ASSERT_FALSE(report.ok()) << "Verify missed the damage";
    bool found = false;
    for (const std::string& problem : report.problems) {
      bool all = true;
      for (const std::string& f : fragments) all = all && problem.find(f) != std::string::npos;
      found = found || all;
    }
    std::string listed;
    for (const std::string& problem : report.problems) listed += "\n  " + problem;
    EXPECT_TRUE(found) << "no problem names " << testing::PrintToString(fragments) << ":" << listed;
    EXPECT_TRUE(absl::IsDataLoss(report.ToStatus())) << report.ToStatus();
  }

  TempDir dir_;
};

TEST_F(VerifyTest, HealthyStorePasses) {
  VerifyReport report = VerifyDir(dir_.path());
  std::string listed;
  for (const std::string& problem : report.problems) listed += "\n  " + problem;
  EXPECT_TRUE(report.ok()) << listed;
  EXPECT_OK(report.ToStatus());
  EXPECT_EQ(report.basis_t, 62);  // bootstrap, schema, 60 workload, retractEntity
  EXPECT_EQ(report.transactions, 63u);
  EXPECT_GT(report.current_datoms, 500u);
  EXPECT_GT(report.history_datoms, 10u);  // the upserts closed lifetimes
  EXPECT_GT(report.long_values, 0u);
  EXPECT_GT(report.attributes, 10u);
}

TEST_F(VerifyTest, FindsAnEntryMissingFromAevt) {
  std::string key;
  EditRaw(dir_.path(), "aevt", [&](MDB_txn* txn, MDB_dbi dbi) {
    key = EntryAt(txn, dbi, MDB_LAST).first;
    Delete(txn, dbi, key);
  });
  ExpectProblem({"aevt", "is missing"});
}

TEST_F(VerifyTest, FindsAStrayEavtEntry) {
  EditRaw(dir_.path(), "eavt", [&](MDB_txn* txn, MDB_dbi dbi) {
    auto [key, value] = EntryAt(txn, dbi, MDB_LAST);
    // Another entity: the lowest byte of id(e), which leads the key.
    key[static_cast<uint8_t>(key[0])] ^= 0x40;
    Put(txn, dbi, key, value);
  });
  ExpectProblem({"eavt", "not in the log (stray entry)"});
}

TEST_F(VerifyTest, FindsAWrongAssertionTime) {
  EditRaw(dir_.path(), "avet", [&](MDB_txn* txn, MDB_dbi dbi) {
    auto [key, value] = EntryAt(txn, dbi, MDB_FIRST);
    Put(txn, dbi, key, std::string(1, '\x09'));
  });
  ExpectProblem({"avet", "says t=9", "eavt says t="});
}

TEST_F(VerifyTest, FindsALostLogRecord) {
  EditRaw(dir_.path(), "log", [&](MDB_txn* txn, MDB_dbi dbi) {
    std::string key(8, '\0');
    key[7] = 30;
    Delete(txn, dbi, key);
  });
  ExpectProblem({"log: no record for t=30"});
  ExpectProblem({"eavt", "is not in the log (stray entry)"});
}

TEST_F(VerifyTest, FindsAMissingHistoryEntry) {
  EditRaw(dir_.path(), "heavt",
          [&](MDB_txn* txn, MDB_dbi dbi) { Delete(txn, dbi, EntryAt(txn, dbi, MDB_LAST).first); });
  ExpectProblem({"heavt", "is missing"});
}

TEST_F(VerifyTest, FindsAStrayTimeIndexEntry) {
  EditRaw(dir_.path(), "hteavt", [&](MDB_txn* txn, MDB_dbi dbi) {
    auto [key, value] = EntryAt(txn, dbi, MDB_LAST);
    Put(txn, dbi, key, value + "\x01");  // another t_a
  });
  ExpectProblem({"hteavt", "is not in heavt (stray entry)"});
}

TEST_F(VerifyTest, FindsWrongStats) {
  EditRaw(dir_.path(), "stats", [&](MDB_txn* txn, MDB_dbi dbi) {
    auto [key, value] = EntryAt(txn, dbi, MDB_LAST);
    value[7] ^= 1;  // the datom count's low byte
    Put(txn, dbi, key, value);
  });
  ExpectProblem({"stats: attribute", "datoms"});
}

TEST_F(VerifyTest, FindsALostLongValue) {
  EditRaw(dir_.path(), "vals",
          [&](MDB_txn* txn, MDB_dbi dbi) { Delete(txn, dbi, EntryAt(txn, dbi, MDB_FIRST).first); });
  ExpectProblem({"vals"});
}

TEST_F(VerifyTest, FindsAMetaBasisAheadOfTheLog) {
  EditRaw(dir_.path(), "log",
          [&](MDB_txn* txn, MDB_dbi dbi) { Delete(txn, dbi, EntryAt(txn, dbi, MDB_LAST).first); });
  ExpectProblem({"meta: basis t is 62, the log ends at t=61"});
}

// Verify reads one snapshot while a writer goes on, and both stay correct.
TEST(VerifyConcurrencyTest, PassesWhileAWriterCommits) {
  TempDir dir;
  auto conn = Connection::Open(dir.path(), RelaxedOptions());
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_OK((*conn)->transact(kSchema));
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  absl::Status written;
  std::atomic<int64_t> seq{0};
  std::thread writer([&] {
    Workload w;
    w.max_entities = 20;
    w.max_blob = 1000;
    for (; !stop.load() && written.ok(); ++seq) {
      written = (*conn)->transact(MakeTx(seq.load(), w)).status();
    }
    done = true;
  });
  int64_t first_basis = -1;
  int64_t last_basis = -1;
  // Until the writer has committed 200 transactions (or failed).
  while (seq.load() < 200 && !done.load()) {
    ASSERT_OK_AND_ASSIGN(VerifyReport report, Verify(**conn));
    EXPECT_TRUE(report.ok()) << report.ToStatus();
    if (first_basis < 0) first_basis = report.basis_t;
    last_basis = report.basis_t;
  }
  stop = true;
  writer.join();
  EXPECT_OK(written);
  EXPECT_GT(last_basis, first_basis);
}

}  // namespace
}  // namespace accrete
