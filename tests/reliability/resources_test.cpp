// Resources: a full disk, a very large transaction, multi-megabyte values.
//
// ACCRETE_BIG=1 runs the large variants (1M datoms in one transaction, 15 MiB
// values); by default they are 100k datoms and 4 MiB, to keep CI short.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/test_util.hpp"
#include "gmock/gmock.h"
#include "reliability/workload.hpp"

namespace accrete {
namespace {

using reliability::Filler;
using reliability::K;
using testing_util::TempDir;

bool Big() { return std::getenv("ACCRETE_BIG") != nullptr; }

// What the writer child reports: an acknowledged transaction (code 0), or
// the error that stopped it (code != 0, text). Smaller than PIPE_BUF.
struct Report {
  int64_t seq = 0;
  int64_t t = 0;
  int32_t code = 0;
  char text[240] = {};
};

std::string Blob(int64_t seq) { return Filler(static_cast<uint64_t>(seq), 64 << 10); }

// The disk fills up (the file-size limit of the writer process stands in for
// it): transact fails with ResourceExhausted saying so, every transaction
// acknowledged before is intact, the store verifies, and it takes writes
// again once there is room.
TEST(ResourceTest, DiskFullGivesAClearErrorAndLosesNothingCommitted) {
  TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path()));
    ASSERT_OK(conn->transact(reliability::kSchema));
  }
  const auto file_size = std::filesystem::file_size(dir.path() + "/data.mdb");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
    const rlim_t limit = file_size + (rlim_t{4} << 20);
    const rlimit rl{limit, limit};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(2);
    auto conn = Connection::Open(dir.path());
    if (!conn.ok()) _exit(3);
    int failures = 0;
    for (int64_t seq = 0; seq < 1000; ++seq) {
      absl::StatusOr<TxReport> r = (*conn)->transact(
          Value::Vector({Value::Map({{K("item/sku"), Value("d" + std::to_string(seq))},
                                     {K("item/n"), Value(seq)},
                                     {K("item/blob"), Value(Blob(seq))}})}));
      Report report;
      report.seq = seq;
      if (r.ok()) {
        report.t = r->db_after.basis_t();
      } else {
        report.code = static_cast<int32_t>(r.status().code());
        const std::string text(r.status().message());
        std::strncpy(report.text, text.c_str(), sizeof report.text - 1);
      }
      if (write(fds[1], &report, sizeof report) != sizeof report) _exit(4);
      if (!r.ok() && ++failures == 3) _exit(0);
    }
    _exit(5);  // 64 MB written under a 4 MB limit: the limit did not hold
  }
  close(fds[1]);
  std::vector<Report> acked;
  std::vector<Report> failures;
  Report report;
  while (read(fds[0], &report, sizeof report) == sizeof report) {
    (report.code == 0 ? acked : failures).push_back(report);
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "writer exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  // LMDB reports a write that crosses the limit as a short write (EIO), one
  // that starts past it as EFBIG: both messages say what to look at.
  ASSERT_EQ(failures.size(), 3u);
  for (const Report& failure : failures) {
    EXPECT_THAT(std::string(failure.text), testing::HasSubstr("the disk")) << failure.text;
    EXPECT_TRUE(failure.code == static_cast<int32_t>(absl::StatusCode::kResourceExhausted) ||
                failure.code == static_cast<int32_t>(absl::StatusCode::kInternal))
        << failure.text;
  }
  ASSERT_GT(acked.size(), 10u) << "the limit left no room to write: the test lost its point";
  std::cout << "disk full: " << acked.size()
            << " transactions acknowledged, then: " << failures.front().text << "\n";
  ASSERT_EQ(acked.back().seq + 1, failures.front().seq)
      << "a transaction failed before the disk filled";

  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path()));
  ASSERT_OK_AND_ASSIGN(VerifyReport verified, Verify(*conn));
  EXPECT_TRUE(verified.ok()) << verified.ToStatus();
  Db db = conn->db();
  for (const Report& a : acked) {
    ASSERT_OK_AND_ASSIGN(
        Entity e, db.entity(Value::Vector({K("item/sku"), Value("d" + std::to_string(a.seq))})));
    EXPECT_EQ(e.Get(K("item/blob")).value(), Value(Blob(a.seq))) << "transaction " << a.seq;
    EXPECT_EQ(e.Get(K("item/n")).value(), Value(a.seq));
  }
  // The failed transaction left nothing behind.
  for (const Report& failure : failures) {
    auto lost = db.entity(Value::Vector({K("item/sku"), Value("d" + std::to_string(failure.seq))}));
    EXPECT_TRUE(absl::IsNotFound(lost.status())) << lost.status();
  }
  EXPECT_EQ(db.basis_t(), acked.back().t);
  ASSERT_OK(conn->transact(R"([{:item/sku "room-again" :item/n 1}])"));
}

// One transaction of many datoms (100k, or 1M with ACCRETE_BIG): committed
// whole, read back by count, and the store verifies.
TEST(ResourceTest, AVeryLargeTransaction) {
  const int entities = Big() ? 500000 : 50000;  // two datoms each
  TempDir dir;
  Options options;
  options.durability = Durability::kRelaxed;
  options.initial_map_size = size_t{8} << 20;  // grows during the commit
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), options));
  ASSERT_OK(conn->transact(reliability::kSchema));
  std::vector<Value> forms;
  forms.reserve(entities);
  for (int i = 0; i < entities; ++i) {
    forms.push_back(
        Value::Map({{K("item/sku"), Value("big" + std::to_string(i))}, {K("item/n"), Value(i)}}));
  }
  ASSERT_OK_AND_ASSIGN(TxReport report, conn->transact(Value::Vector(std::move(forms))));
  EXPECT_EQ(report.tx_data.size(), static_cast<size_t>(2 * entities + 1));  // + txInstant
  ASSERT_OK_AND_ASSIGN(QueryResult n, q("[:find (count ?e) . :where [?e :item/n]]", conn->db()));
  EXPECT_EQ(n.value(), Value(entities));
  ASSERT_OK_AND_ASSIGN(Entity last,
                       conn->db().entity(Value::Vector(
                           {K("item/sku"), Value("big" + std::to_string(entities - 1))})));
  EXPECT_EQ(last.Get(K("item/n")).value(), Value(entities - 1));
  ASSERT_OK_AND_ASSIGN(VerifyReport verified, Verify(*conn));
  EXPECT_TRUE(verified.ok()) << verified.ToStatus();
  EXPECT_GE(verified.current_datoms, static_cast<uint64_t>(2 * entities));
}

// Values of several megabytes: stored, read back byte for byte (also as of
// an earlier t after being replaced), and refused past max_value_bytes.
TEST(ResourceTest, MultiMegabyteValues) {
  const size_t size = Big() ? (size_t{15} << 20) : (size_t{4} << 20);
  TempDir dir;
  Options options;
  options.durability = Durability::kRelaxed;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), options));
  ASSERT_OK(conn->transact(reliability::kSchema));
  const std::string first = Filler(1, size);
  const std::string second = Filler(2, size);
  ASSERT_OK_AND_ASSIGN(TxReport r1,
                       conn->transact(Value::Vector({Value::Map(
                           {{K("item/sku"), Value("huge")}, {K("item/blob"), Value(first)}})})));
  ASSERT_OK(conn->transact(Value::Vector(
      {Value::Map({{K("item/sku"), Value("huge")}, {K("item/blob"), Value(second)}})})));
  const Value huge = Value::Vector({K("item/sku"), Value("huge")});
  ASSERT_OK_AND_ASSIGN(Entity now, conn->db().entity(huge));
  EXPECT_TRUE(now.Get(K("item/blob")).value() == Value(second));
  ASSERT_OK_AND_ASSIGN(Entity then, conn->db().as_of(r1.db_after.basis_t()).entity(huge));
  EXPECT_TRUE(then.Get(K("item/blob")).value() == Value(first));
  ASSERT_OK_AND_ASSIGN(VerifyReport verified, Verify(*conn));
  EXPECT_TRUE(verified.ok()) << verified.ToStatus();
  EXPECT_GE(verified.long_values, 2u);
  // Past the limit (16 MiB by default): refused, naming the limit.
  auto too_big = conn->transact(Value::Vector(
      {Value::Map({{K("item/sku"), Value("huge")},
                   {K("item/blob"), Value(std::string((size_t{16} << 20) + 1, 'z'))}})}));
  EXPECT_TRUE(absl::IsInvalidArgument(too_big.status())) << too_big.status();
}

}  // namespace
}  // namespace accrete
