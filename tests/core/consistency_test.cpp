// Readers racing writers: every transaction moves an amount between two
// accounts, so the total is the same in every consistent state. Readers on
// other threads take db() values and sum the balances over and over while
// writers commit; a torn read (part of one basis, part of another) would show
// a different total. Db values held across many commits keep their answers.
#include <atomic>
#include <random>
#include <thread>

#include "test_util.hpp"

namespace accrete {
namespace {

using testing_util::RelaxedOptions;
using testing_util::TempDir;

constexpr int kAccounts = 20;
constexpr int64_t kInitial = 1000;

absl::StatusOr<int64_t> Total(const Db& db) {
  auto datoms = db.datoms(Index::kAevt, {kw("account/balance")});
  if (!datoms.ok()) return datoms.status();
  int64_t total = 0;
  int n = 0;
  while (datoms->Next()) {
    total += datoms->datom().v.as_int();
    ++n;
  }
  if (!datoms->status().ok()) return datoms->status();
  if (n != kAccounts) return absl::InternalError("wrong number of accounts");
  return total;
}

TEST(ConsistencyTest, ReadersNeverSeeATornState) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), RelaxedOptions()));
  ASSERT_OK(conn->transact(R"([
    {:db/ident :account/id :db/valueType :db.type/long
     :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
    {:db/ident :account/balance :db/valueType :db.type/long
     :db/cardinality :db.cardinality/one}])"));
  std::vector<Value> accounts;
  for (int i = 0; i < kAccounts; ++i) {
    accounts.push_back(map({{kw("account/id"), i}, {kw("account/balance"), kInitial}}));
  }
  ASSERT_OK(conn->transact(Value::Vector(accounts)));
  const int64_t expected = kAccounts * kInitial;
  const Db start = conn->db();

  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        Db db = conn->db();
        auto total = Total(db);
        if (!total.ok() || *total != expected) ++torn;
        // The same value read again answers the same.
        auto again = Total(db);
        if (!again.ok() || *again != *total) ++torn;
        ++reads;
      }
    });
  }

  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w + 1);
      for (int i = 0; i < 150; ++i) {
        int from = static_cast<int>(rng() % kAccounts);
        int to = (from + 1 + static_cast<int>(rng() % (kAccounts - 1))) % kAccounts;
        // Read, then write with cas: a concurrent move of the same account
        // makes the cas fail, and the move is simply retried.
        for (int attempt = 0; attempt < 50; ++attempt) {
          Db db = conn->db();
          auto from_e = db.entity(vec({kw("account/id"), from}));
          auto to_e = db.entity(vec({kw("account/id"), to}));
          if (!from_e.ok() || !to_e.ok()) break;
          int64_t a = from_e->Get(kw("account/balance"))->as_int();
          int64_t b = to_e->Get(kw("account/balance"))->as_int();
          auto report = conn->transact(
              vec({vec({kw("db/cas"), from_e->id(), kw("account/balance"), a, a - 7}),
                   vec({kw("db/cas"), to_e->id(), kw("account/balance"), b, b + 7})}));
          if (report.ok()) break;
          if (!absl::IsFailedPrecondition(report.status())) {
            ++failures;
            break;
          }
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  for (auto& t : readers) t.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 0);
  ASSERT_OK_AND_ASSIGN(int64_t final_total, Total(conn->db()));
  EXPECT_EQ(final_total, expected);
  // The value taken before all of it still reads the initial balances.
  ASSERT_OK_AND_ASSIGN(Datoms balances, start.datoms(Index::kAevt, {kw("account/balance")}));
  for (const Datom& d : balances) EXPECT_EQ(d.v, Value::Integer(kInitial));
  // And the history of the balances holds every move: two retractions and
  // two assertions per committed transaction.
  ASSERT_OK_AND_ASSIGN(Datoms history,
                       conn->db().history().datoms(Index::kAevt, {kw("account/balance")}));
  int64_t retractions = 0;
  for (const Datom& d : history) retractions += d.added ? 0 : 1;
  EXPECT_EQ(retractions, 2 * (conn->db().basis_t() - start.basis_t()));
}

}  // namespace
}  // namespace accrete
