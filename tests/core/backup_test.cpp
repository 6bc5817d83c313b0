// Connection::Backup: both copy modes reproduce every index, the history and
// the log exactly, at one basis t, while a writer goes on; the repacked copy
// is the smaller one; a copy never overwrites a database.
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "test_util.hpp"

namespace accrete {
namespace {

using testing_util::RelaxedOptions;
using testing_util::TempDir;

constexpr const char* kSchema = R"([
  {:db/ident :b/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :b/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :b/tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :b/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :b/blob :db/valueType :db.type/string :db/cardinality :db.cardinality/one}])";

// What a Db answers from: the four indexes, the history (unless
// `current_only`: an as_of db's history view is not limited to its t), and
// the log up to `db`'s as-of t.
std::vector<std::string> Contents(const Db& db, bool current_only = false) {
  std::vector<std::string> out;
  std::vector<Db> views = {db};
  if (!current_only) views.push_back(db.history());
  for (const Db& view : views) {
    for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
      absl::StatusOr<Datoms> datoms = view.datoms(index);
      EXPECT_TRUE(datoms.ok()) << datoms.status();
      if (!datoms.ok()) return out;
      while (datoms->Next()) out.push_back(datoms->datom().to_string());
      EXPECT_TRUE(datoms->status().ok()) << datoms->status();
      out.push_back("--");
    }
  }
  const std::optional<int64_t> as_of = db.as_of_t();
  absl::StatusOr<std::vector<TxLogEntry>> log =
      db.tx_range(std::nullopt, as_of ? std::optional<int64_t>(*as_of + 1) : std::nullopt);
  EXPECT_TRUE(log.ok()) << log.status();
  if (log.ok()) {
    for (const TxLogEntry& entry : *log) {
      out.push_back(absl::StrCat("t ", entry.t));
      for (const Datom& d : entry.data) out.push_back(d.to_string());
    }
  }
  return out;
}

// 3,000 entities in 30 transactions, then changes and retractions, so that
// the history, the log and a long (out-of-key) value are all non-trivial.
void Populate(Connection& conn) {
  ASSERT_TRUE(conn.transact(kSchema).ok());
  for (int tx = 0; tx < 30; ++tx) {
    std::string data = "[";
    for (int i = tx * 100; i < tx * 100 + 100; ++i) {
      // A friend in this transaction by tempid, in the previous one by
      // lookup ref (which sees the db as of the transaction's start).
      const std::string friend_ref = i % 100 > 0 ? absl::StrCat("\"p", i - 1, "\"")
                                     : i > 0     ? absl::StrCat("[:b/name \"person ", i - 1, "\"]")
                                                 : "";
      absl::StrAppend(&data, "{:db/id \"p", i, "\" :b/name \"person ", i, "\" :b/n ", i % 17,
                      " :b/tag [:t", i % 5, " :t", i % 3, "]",
                      friend_ref.empty() ? "" : absl::StrCat(" :b/friend [", friend_ref, "]"), "}");
    }
    absl::StatusOr<TxReport> report = conn.transact(data + "]");
    ASSERT_TRUE(report.ok()) << report.status();
  }
  ASSERT_TRUE(conn.transact(absl::StrCat(R"([{:b/name "person 7" :b/blob ")",
                                         std::string(5000, 'x'), R"("}])"))
                  .ok());
  ASSERT_TRUE(conn.transact(R"([[:db/retract [:b/name "person 3"] :b/tag :t3]
                                {:b/name "person 4" :b/n 1000}
                                [:db/retractEntity [:b/name "person 5"]]])")
                  .ok());
}

uint64_t DataFileBytes(const std::string& dir) {
  return std::filesystem::file_size(std::filesystem::path(dir) / "data.mdb");
}

TEST(BackupTest, BothModesCopyEverythingAndRepackingIsSmaller) {
  TempDir source;
  TempDir repacked;
  TempDir compacted;
  uint64_t live_used = 0;
  std::vector<std::string> expected;
  std::vector<std::string> expected_as_of;
  int64_t basis = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(source.path(), RelaxedOptions()));
    Populate(*conn);
    const Db db = conn->db();
    basis = db.basis_t();
    expected = Contents(db);
    expected_as_of = Contents(db.as_of(basis - 10), /*current_only=*/true);
    ASSERT_OK(conn->Backup(repacked.path()));
    ASSERT_OK(conn->Backup(compacted.path(), BackupOptions{.repack = false}));
    ASSERT_OK_AND_ASSIGN(StorageInfo info, conn->storage_info());
    live_used = info.used_bytes;
  }
  for (const TempDir* copy : {&repacked, &compacted}) {
    SCOPED_TRACE(copy->path());
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(copy->path()) / "data.mdb.partial"));
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(copy->path(), RelaxedOptions()));
    ASSERT_OK_AND_ASSIGN(VerifyReport verified, Verify(*conn));
    EXPECT_OK(verified.ToStatus());
    EXPECT_EQ(verified.basis_t, basis);
    const Db db = conn->db();
    EXPECT_EQ(db.basis_t(), basis);
    EXPECT_EQ(Contents(db), expected);
    EXPECT_EQ(Contents(db.as_of(basis - 10), /*current_only=*/true), expected_as_of);
    // The copy is a database like any other: it takes new transactions.
    ASSERT_OK_AND_ASSIGN(TxReport report, conn->transact(R"([{:b/name "new" :b/n 1}])"));
    EXPECT_EQ(report.t(), basis + 1);
  }
  // Repacking fills the pages that the live store's mid-tree inserts split.
  EXPECT_LT(DataFileBytes(repacked.path()), DataFileBytes(compacted.path()));
  EXPECT_LT(DataFileBytes(repacked.path()) * 10, live_used * 9);
}

TEST(BackupTest, CopiesOneBasisWhileAWriterGoesOn) {
  TempDir source;
  TempDir copy;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(source.path(), RelaxedOptions()));
  Populate(*conn);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (!conn->transact(absl::StrCat("[{:b/name \"w", i, "\" :b/n ", i, "}]")).ok()) return;
    }
  });
  absl::Status backed_up = conn->Backup(copy.path());
  stop = true;
  writer.join();
  ASSERT_OK(backed_up);
  ASSERT_OK_AND_ASSIGN(auto copied, Connection::Open(copy.path(), RelaxedOptions()));
  const Db db = copied->db();
  // Whatever basis the copy caught, it holds exactly the source as of it.
  EXPECT_GT(db.basis_t(), 32);
  EXPECT_EQ(Contents(db, /*current_only=*/true),
            Contents(conn->db().as_of(db.basis_t()), /*current_only=*/true));
}

TEST(BackupTest, NeverOverwritesADatabase) {
  TempDir source;
  TempDir other;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(source.path(), RelaxedOptions()));
  Populate(*conn);
  {
    ASSERT_OK_AND_ASSIGN(auto existing, Connection::Open(other.path(), RelaxedOptions()));
    ASSERT_OK(existing->transact(R"([{:db/ident :other/attr :db/valueType :db.type/long
                                      :db/cardinality :db.cardinality/one}])"));
  }
  const uint64_t before = DataFileBytes(other.path());
  for (bool repack : {true, false}) {
    absl::Status s = conn->Backup(other.path(), BackupOptions{.repack = repack});
    EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
    EXPECT_NE(s.message().find(other.path()), absl::string_view::npos) << s;
  }
  EXPECT_EQ(DataFileBytes(other.path()), before);
  ASSERT_OK_AND_ASSIGN(auto reopened, Connection::Open(other.path(), RelaxedOptions()));
  EXPECT_TRUE(reopened->db().attribute(Value::Keyword("other/attr")).ok());
}

}  // namespace
}  // namespace accrete
