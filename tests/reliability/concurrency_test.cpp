// Readers in threads and processes against writers that keep committing.
//
// The workload is a bank: every transaction moves an amount between two of
// kAccounts accounts and records one event. So a Db at basis t must answer
//   sum of balances  == kAccounts * kInitial      (no half of a transfer)
//   number of events == t - setup_t                (no transaction in part, and
//                                                   the answers of one basis)
// A torn read (two answers from different states, or part of a transaction)
// breaks one of these. The tests run under ThreadSanitizer in CI
// (ACCRETE_TSAN, .ci/run), with smaller counts there.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "core/test_util.hpp"

namespace accrete {
namespace {

using testing_util::TempDir;

constexpr int kAccounts = 20;
constexpr int64_t kInitial = 1000;

#if defined(__SANITIZE_THREAD__)
constexpr bool kTsan = true;
#else
constexpr bool kTsan = false;
#endif
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

// Sizes: the sanitizers run everything 3-15x slower.
constexpr int kCommits = kTsan ? 300 : kAsan ? 500 : 2000;
constexpr int kReaderThreads = 8;
constexpr int kManyThreads = kTsan ? 100 : 300;

Value K(std::string_view name) { return Value::Keyword(name); }

Options TestOptions() {
  Options options;
  options.durability = Durability::kRelaxed;
  // Small, so the map grows (several times) while readers read.
  options.initial_map_size = size_t{256} << 10;
  return options;
}

// Creates the schema and the accounts; returns the t after which every
// transaction is a transfer.
int64_t SetUpBank(Connection& conn) {
  EXPECT_OK(conn.transact(R"([
    {:db/ident :acct/id :db/valueType :db.type/long :db/cardinality :db.cardinality/one
     :db/unique :db.unique/identity}
    {:db/ident :acct/balance :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
    {:db/ident :ev/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
    {:db/ident :ev/note :db/valueType :db.type/string :db/cardinality :db.cardinality/one}])"));
  std::vector<Value> accounts;
  for (int i = 0; i < kAccounts; ++i) {
    accounts.push_back(
        Value::Map({{K("acct/id"), Value(i)}, {K("acct/balance"), Value(kInitial)}}));
  }
  auto report = conn.transact(Value::Vector(std::move(accounts)));
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? report->db_after.basis_t() : -1;
}

// One transfer: reads the two balances from the latest db and writes both,
// with :db/cas so that a concurrent transfer between the same accounts makes
// this one fail (then the caller retries) instead of losing money.
absl::Status Transfer(Connection& conn, std::mt19937* rng, int64_t n) {
  while (true) {
    const int from = static_cast<int>((*rng)() % kAccounts);
    const int to = (from + 1 + static_cast<int>((*rng)() % (kAccounts - 1))) % kAccounts;
    Db db = conn.db();
    absl::StatusOr<Entity> a = db.entity(Value::Vector({K("acct/id"), Value(from)}));
    absl::StatusOr<Entity> b = db.entity(Value::Vector({K("acct/id"), Value(to)}));
    if (!a.ok()) return a.status();
    if (!b.ok()) return b.status();
    absl::StatusOr<Value> va = a->Get(K("acct/balance"));
    absl::StatusOr<Value> vb = b->Get(K("acct/balance"));
    if (!va.ok()) return va.status();
    if (!vb.ok()) return vb.status();
    const int64_t amount = static_cast<int64_t>((*rng)() % 50);
    // Every tenth event carries a long note, so long values are read too.
    std::string note = n % 10 == 0 ? std::string(300, static_cast<char>('a' + n % 26)) : "n";
    absl::StatusOr<TxReport> r = conn.transact(Value::Vector({
        Value::Vector(
            {K("db/cas"), Value(a->id()), K("acct/balance"), *va, Value(va->as_int() - amount)}),
        Value::Vector(
            {K("db/cas"), Value(b->id()), K("acct/balance"), *vb, Value(vb->as_int() + amount)}),
        Value::Map({{K("ev/n"), Value(n)}, {K("ev/note"), Value(note)}}),
    }));
    if (r.ok()) return absl::OkStatus();
    if (!absl::IsFailedPrecondition(r.status())) return r.status();  // not a cas conflict
  }
}

struct Answers {
  int64_t basis = -1;
  int64_t balance_sum = 0;
  int64_t events = 0;
  friend bool operator==(const Answers&, const Answers&) = default;
};

// Two ways to the same answers: a query and a raw index scan.
absl::StatusOr<Answers> Read(const Db& db) {
  Answers answers;
  answers.basis = db.as_of_t().value_or(db.basis_t());
  absl::StatusOr<QueryResult> sum =
      q("[:find (sum ?b) . :with ?a :where [?a :acct/balance ?b]]", db);
  if (!sum.ok()) return sum.status();
  answers.balance_sum = sum->value().as_int();
  absl::StatusOr<Datoms> events = db.datoms(Index::kAevt, {K("ev/n")});
  if (!events.ok()) return events.status();
  while (events->Next()) ++answers.events;
  if (!events->status().ok()) return events->status();
  absl::StatusOr<QueryResult> counted = q("[:find (count ?e) . :where [?e :ev/note]]", db);
  if (!counted.ok()) return counted.status();
  const int64_t notes = counted->empty() ? 0 : counted->value().as_int();
  if (notes != answers.events) {
    return absl::InternalError("torn read: " + std::to_string(answers.events) + " events, " +
                               std::to_string(notes) + " notes");
  }
  return answers;
}

// The invariants of one basis, as a message ("" when they hold).
std::string Broken(const Answers& a, int64_t setup_t) {
  std::string text;
  if (a.balance_sum != kAccounts * kInitial) {
    text += "balances sum to " + std::to_string(a.balance_sum) + "; ";
  }
  if (a.events != a.basis - setup_t) {
    text += std::to_string(a.events) + " events at basis " + std::to_string(a.basis) + "; ";
  }
  return text;
}

// Writers commit `commits` transfers from `writers` threads.
class Writers {
 public:
  Writers(Connection& conn, int writers, int commits) {
    for (int w = 0; w < writers; ++w) {
      threads_.emplace_back([this, &conn, w, writers, commits] {
        std::mt19937 rng(static_cast<unsigned>(w));
        for (int i = w; i < commits && status_.ok(); i += writers) {
          absl::Status s = Transfer(conn, &rng, i);
          if (!s.ok()) {
            std::lock_guard lock(mu_);
            status_ = s;
          }
        }
        ++finished_;
      });
    }
  }
  ~Writers() { Join().IgnoreError(); }
  bool done() const { return finished_.load() == static_cast<int>(threads_.size()); }
  absl::Status Join() {
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    return status_;
  }

 private:
  std::vector<std::thread> threads_;
  std::atomic<int> finished_{0};
  std::mutex mu_;
  absl::Status status_;
};

TEST(ConcurrencyTest, ThreadsReadOneBasisWhileWritersCommitAndTheMapGrows) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), TestOptions()));
  const int64_t setup_t = SetUpBank(*conn);
  ASSERT_OK_AND_ASSIGN(StorageInfo before, conn->storage_info());
  std::atomic<int64_t> reads{0};
  std::atomic<int64_t> failures{0};
  std::string first_failure;
  std::mutex mu;
  {
    Writers writers(*conn, 3, kCommits);
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaderThreads; ++r) {
      readers.emplace_back([&, r] {
        std::mt19937 rng(100 + r);
        while (!writers.done()) {
          Db db = conn->db();
          // Half the reads are of an earlier basis.
          if (r % 2 == 1 && db.basis_t() > setup_t) {
            db = db.as_of(setup_t + static_cast<int64_t>(rng() % (db.basis_t() - setup_t + 1)));
          }
          absl::StatusOr<Answers> a = Read(db);
          std::string broken = a.ok() ? Broken(*a, setup_t) : a.status().ToString();
          if (!broken.empty()) {
            std::lock_guard lock(mu);
            if (failures++ == 0) first_failure = broken;
          }
          ++reads;
        }
      });
    }
    for (std::thread& t : readers) t.join();
    ASSERT_OK(writers.Join());
  }
  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_GT(reads.load(), kReaderThreads);
  std::cout << "concurrency: " << reads.load() << " consistent reads by " << kReaderThreads
            << " threads during " << kCommits << " commits from 3 writer threads\n";
  ASSERT_OK_AND_ASSIGN(Answers last, Read(conn->db()));
  EXPECT_EQ(last.events, kCommits);
  EXPECT_EQ(Broken(last, setup_t), "");
  ASSERT_OK_AND_ASSIGN(StorageInfo after, conn->storage_info());
  EXPECT_GT(after.map_size, before.map_size) << "the map never grew: the test lost its point";
  ASSERT_OK_AND_ASSIGN(VerifyReport report, Verify(*conn));
  EXPECT_TRUE(report.ok()) << report.ToStatus();
}

// A Db holds no read transaction: values taken along the way answer the same
// after thousands of later commits, and pin no reader slots meanwhile.
TEST(ConcurrencyTest, DbValuesAnswerTheSameAcrossThousandsOfCommits) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), TestOptions()));
  const int64_t setup_t = SetUpBank(*conn);
  std::vector<std::pair<Db, Answers>> held;
  std::vector<std::vector<Datom>> held_events;
  std::mt19937 rng(7);
  for (int i = 0; i < kCommits; ++i) {
    if (i % (kCommits / 8) == 0) {
      Db db = conn->db();
      ASSERT_OK_AND_ASSIGN(Answers a, Read(db));
      ASSERT_OK_AND_ASSIGN(Datoms events, db.datoms(Index::kEavt));
      ASSERT_OK_AND_ASSIGN(std::vector<Datom> all, std::move(events).ToVector());
      held.emplace_back(db, a);
      held_events.push_back(std::move(all));
    }
    ASSERT_OK(Transfer(*conn, &rng, i));
  }
  ASSERT_OK_AND_ASSIGN(StorageInfo info, conn->storage_info());
  EXPECT_LT(info.readers, 70u) << "held Db values pin reader slots";
  for (size_t i = 0; i < held.size(); ++i) {
    const auto& [db, answers] = held[i];
    ASSERT_OK_AND_ASSIGN(Answers again, Read(db));
    EXPECT_EQ(again, answers) << "Db at basis " << db.basis_t();
    EXPECT_EQ(Broken(again, setup_t), "");
    ASSERT_OK_AND_ASSIGN(Datoms events, db.datoms(Index::kEavt));
    ASSERT_OK_AND_ASSIGN(std::vector<Datom> all, std::move(events).ToVector());
    EXPECT_TRUE(all == held_events[i]) << "EAVT of the Db at basis " << db.basis_t() << " changed";
    // And the latest db as of that basis says the same.
    ASSERT_OK_AND_ASSIGN(Answers as_of, Read(conn->db().as_of(db.basis_t())));
    EXPECT_EQ(as_of, answers);
  }
}

// Hundreds of threads reading at once, each with its own Db values, while a
// writer commits: every read succeeds (no reader-slot exhaustion).
TEST(ConcurrencyTest, HundredsOfReaderThreadsDoNotExhaustReaderSlots) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), TestOptions()));
  const int64_t setup_t = SetUpBank(*conn);
  std::atomic<int64_t> failures{0};
  std::string first_failure;
  std::mutex mu;
  std::atomic<bool> go{false};
  {
    Writers writers(*conn, 1, kCommits / 4);
    std::vector<std::thread> threads;
    for (int r = 0; r < kManyThreads; ++r) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < 5; ++i) {
          absl::StatusOr<Answers> a = Read(conn->db());
          std::string broken = a.ok() ? Broken(*a, setup_t) : a.status().ToString();
          if (!broken.empty()) {
            std::lock_guard lock(mu);
            if (failures++ == 0) first_failure = broken;
          }
        }
      });
    }
    go = true;
    for (std::thread& t : threads) t.join();
    ASSERT_OK(writers.Join());
  }
  EXPECT_EQ(failures.load(), 0) << first_failure;
  ASSERT_OK_AND_ASSIGN(StorageInfo info, conn->storage_info());
  EXPECT_LE(info.readers, info.max_readers);
}

// Limits under load: while writers commit and other threads query, a query
// past its timeout stops with DeadlineExceeded, a cancelled one with
// Cancelled, one past its memory budget with ResourceExhausted -- each
// promptly -- and the queries within their limits keep getting consistent
// answers.
TEST(ConcurrencyTest, QueriesStopAtTheirLimitsWhileWritersCommit) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), TestOptions()));
  ASSERT_GE(SetUpBank(*conn), 0);
  ASSERT_OK(conn->transact(R"([{:db/ident :num/v :db/valueType :db.type/long
                                :db/cardinality :db.cardinality/one}])"));
  std::vector<Value> numbers;
  for (int i = 0; i < 3000; ++i) numbers.push_back(Value::Map({{K("num/v"), Value(i)}}));
  ASSERT_OK(conn->transact(Value::Vector(std::move(numbers))));
  const int64_t bank_t = conn->db().basis_t();
  // 9M pairs: far more work than any of the limits below allows.
  constexpr const char* kPairs =
      "[:find (count ?x) . :with ?y :where [?x :num/v ?a] [?y :num/v ?b] [(< ?a ?b)]]";
  // What "promptly" means here: far below the seconds the whole query takes
  // (unoptimised and under the sanitizers), far above scheduling noise.
  constexpr auto kPrompt = std::chrono::seconds(3);
  using Clock = std::chrono::steady_clock;

  std::mutex mu;
  std::vector<std::string> failures;
  auto fail = [&](std::string what) {
    std::lock_guard lock(mu);
    failures.push_back(std::move(what));
  };

  Writers writers(*conn, 2, kCommits / 4);
  std::vector<std::thread> threads;
  std::atomic<int> limited_done{0};
  constexpr int kLimited = 3 * 3;  // three rounds of timeout, cancel and budget
  for (int round = 0; round < 3; ++round) {
    threads.emplace_back([&] {
      QueryOptions options;
      options.timeout = absl::Milliseconds(20);
      const Clock::time_point started = Clock::now();
      Db db = conn->db();
      const QueryInput in[] = {QueryInput(db)};
      absl::StatusOr<QueryResult> r = q(kPairs, in, options);
      const auto late = Clock::now() - started - std::chrono::milliseconds(20);
      if (!absl::IsDeadlineExceeded(r.status())) {
        fail("timeout: " + r.status().ToString());
      } else if (late > kPrompt) {
        fail("timeout: stopped " + std::to_string(std::chrono::duration<double>(late).count()) +
             " s late");
      }
      ++limited_done;
    });
    threads.emplace_back([&] {
      std::atomic<bool> cancel{false};
      std::atomic<int64_t> cancelled_at{0};
      std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        cancelled_at = Clock::now().time_since_epoch().count();
        cancel = true;
      });
      QueryOptions options;
      options.cancel = &cancel;
      Db db = conn->db();
      const QueryInput in[] = {QueryInput(db)};
      absl::StatusOr<QueryResult> r = q(kPairs, in, options);
      const Clock::time_point ended = Clock::now();
      canceller.join();
      const Clock::time_point at{Clock::duration(cancelled_at.load())};
      if (!absl::IsCancelled(r.status())) {
        fail("cancel: " + r.status().ToString());
      } else if (ended - at > kPrompt) {
        fail("cancel: stopped " +
             std::to_string(std::chrono::duration<double>(ended - at).count()) +
             " s after it was cancelled");
      }
      ++limited_done;
    });
    threads.emplace_back([&] {
      QueryOptions options;
      options.memory_budget = size_t{1} << 20;
      Db db = conn->db();
      const QueryInput in[] = {QueryInput(db)};
      absl::StatusOr<QueryResult> r = q(kPairs, in, options);
      if (!absl::IsResourceExhausted(r.status()) ||
          r.status().message().find("budget") == std::string_view::npos) {
        fail("budget: " + r.status().ToString());
      }
      ++limited_done;
    });
  }
  // Meanwhile a reader within its limits keeps answering, each answer from
  // one basis.
  int64_t reads = 0;
  while (limited_done.load() < kLimited || reads == 0) {
    absl::StatusOr<Answers> a = Read(conn->db());
    std::string broken = a.ok() ? Broken(*a, bank_t) : a.status().ToString();
    if (!broken.empty()) fail("reader: " + broken);
    ++reads;
  }
  for (std::thread& t : threads) t.join();
  ASSERT_OK(writers.Join());
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, the first: " << failures[0];
  EXPECT_GT(conn->db().basis_t(), bank_t);
}

// Reader processes, each with its own connection, while this process writes.
// A child checks every db it reads until it sees the writer's last
// transaction, and exits 0 only when all were consistent.
TEST(ConcurrencyTest, ReaderProcessesReadOneBasisWhileAnotherProcessCommits) {
  TempDir dir;
  int64_t setup_t = -1;
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), TestOptions()));
    setup_t = SetUpBank(*conn);
  }
  const int64_t final_t = setup_t + kCommits / 2;
  // The children are forked before this process starts any thread.
  std::vector<pid_t> children;
  for (int c = 0; c < 3; ++c) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto conn = Connection::Open(dir.path(), TestOptions());
      if (!conn.ok()) _exit(2);
      int64_t last = -1;
      // Bounded, so that a writer that died cannot hang the test.
      for (int i = 0; i < 1000000 && last < final_t; ++i) {
        Db db = (*conn)->db();
        absl::StatusOr<Answers> a = Read(db);
        if (!a.ok() || !Broken(*a, setup_t).empty()) {
          fprintf(stderr, "reader process: %s\n",
                  a.ok() ? Broken(*a, setup_t).c_str() : a.status().ToString().c_str());
          _exit(1);
        }
        last = a->basis;
      }
      _exit(last == final_t ? 0 : 3);
    }
    children.push_back(pid);
  }
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), TestOptions()));
    std::mt19937 rng(3);
    for (int i = 0; i < kCommits / 2; ++i) ASSERT_OK(Transfer(*conn, &rng, i));
    ASSERT_EQ(conn->db().basis_t(), final_t);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "reader process: exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
}

}  // namespace
}  // namespace accrete
