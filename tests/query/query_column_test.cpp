// Joins through cached attribute columns (lib/query/column_cache): a dense
// join on the latest db reads each attribute once into a column and answers
// later queries at that basis from it. Every answer must equal the one the
// cursor merge gives (a filtered db never uses columns), before and after
// the column is cached, and a column must never answer for another basis.
#include <random>

#include "query_fixture.hpp"

namespace accrete::query_test {
namespace {

constexpr const char* kQueries[] = {
    // One attribute per entity, then several, as in the people comparison.
    R"([:find ?e ?a :where [?e :c/name "Ivan"] [?e :c/age ?a]])",
    R"([:find ?e ?a :where [?e :c/name "Ivan"] [?e :c/age ?a] [?e :c/sex :male]])",
    R"([:find ?e ?s ?a :where [?e :c/name "Ivan"] [?e :c/salary ?s] [?e :c/age ?a]
                              [?e :c/sex :female]])",
    // Cardinality many: several datoms per entity.
    R"([:find ?e ?x :where [?e :c/name "Petr"] [?e :c/alias ?x]])",
    // A range pushed into the probe.
    R"([:find ?e ?a :where [?e :c/name "Oleg"] [?e :c/age ?a] [(< ?a 40)]])",
    // Entities missing the attribute join to nothing.
    R"([:find ?e ?p :where [?e :c/name "Yuri"] [?e :c/parent ?p]])",
};

class ColumnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = Connection::Open(dir_.path(), testing_util::RelaxedOptions());
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = *std::move(conn);
    ASSERT_OK(conn_->transact(R"([
      {:db/ident :c/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
      {:db/ident :c/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
      {:db/ident :c/salary :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
      {:db/ident :c/alias :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
      {:db/ident :c/sex :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
      {:db/ident :c/parent :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])"));
    // 600 people, each name held by 1 in 6, so that joins on it are dense.
    static constexpr const char* kNames[] = {"Ivan", "Petr", "Oleg", "Yuri", "Anna", "Maria"};
    std::string data = "[";
    for (int i = 0; i < 600; ++i) {
      absl::StrAppend(&data, "{:db/id \"p", i, "\" :c/name \"", kNames[i % 6], "\" :c/age ",
                      (i * 7) % 60, " :c/sex ", i % 4 == 0 ? ":female" : ":male");
      if (i % 3 == 0) absl::StrAppend(&data, " :c/salary ", i, ".5");
      if (i % 5 != 0) absl::StrAppend(&data, " :c/alias [\"a", i % 7, "\" \"b", i % 2, "\"]");
      if (i % 4 != 1 && i > 0) absl::StrAppend(&data, " :c/parent \"p", i - 1, "\"");
      data += "}";
    }
    ASSERT_OK(conn_->transact(data + "]"));
  }

  Db db() const { return conn_->db(); }

  // Empties the process-wide cache, so that counts of columns start from 0
  // (columns of earlier tests' stores go when they are next looked up).
  static void EmptyCache() {
    const size_t limit = GetColumnCacheStats().limit_bytes;
    SetColumnCacheLimit(0);
    SetColumnCacheLimit(limit);
  }
  static Value Q(std::string_view query, const Db& db) {
    absl::StatusOr<QueryResult> r = q(query, db);
    EXPECT_TRUE(r.ok()) << query << ": " << r.status();
    return r.ok() ? r->value() : Value::Keyword("error");
  }

  // The same db seen through a filter that keeps everything: no columns.
  static Db Uncached(const Db& db) {
    return db.filter([](const Db&, const Datom&) { return true; });
  }

  testing_util::TempDir dir_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(ColumnTest, AnswersEqualTheCursorMergeBeforeAndAfterCaching) {
  const Db latest = db();
  for (const char* query : kQueries) {
    SCOPED_TRACE(query);
    const Value expected = Q(query, Uncached(latest));
    ASSERT_TRUE(expected.is_set()) << expected.to_string();
    EXPECT_GT(expected.size(), 0u);
    EXPECT_EQ(Q(query, latest), expected);  // merges, noting the want
    EXPECT_EQ(Q(query, latest), expected);  // builds the columns
    EXPECT_EQ(Q(query, latest), expected);  // answers from them
  }
}

TEST_F(ColumnTest, AColumnNeverAnswersForAnotherBasis) {
  const Db before = db();
  std::vector<Value> answers;
  for (const char* query : kQueries) answers.push_back(Q(query, before));
  // Asked again, the same db value builds its columns and answers alike.
  for (size_t k = 0; k < std::size(kQueries); ++k) EXPECT_EQ(Q(kQueries[k], before), answers[k]);
  // Change the age, aliases and sex of every third Ivan.
  ASSERT_OK_AND_ASSIGN(QueryResult ivans,
                       q(R"([:find [?e ...] :where [?e :c/name "Ivan"]])", before));
  std::string data = "[";
  for (size_t k = 0; k < ivans.size(); k += 3) {
    const int64_t e = ivans.value().items()[k].as_int();
    absl::StrAppend(&data, "[:db/add ", e, " :c/age 99] [:db/add ", e,
                    " :c/alias \"new\"] [:db/retract ", e, " :c/sex :male]");
  }
  ASSERT_OK(conn_->transact(data + "]"));
  const Db after = db();
  for (size_t k = 0; k < std::size(kQueries); ++k) {
    SCOPED_TRACE(kQueries[k]);
    EXPECT_EQ(Q(kQueries[k], after), Q(kQueries[k], Uncached(after)));
    // The old value still answers as it did, and as_of agrees with it.
    EXPECT_EQ(Q(kQueries[k], before), answers[k]);
    EXPECT_EQ(Q(kQueries[k], after.as_of(before.basis_t())), answers[k]);
  }
  EXPECT_NE(Q(kQueries[0], after), answers[0]);
}

// Writes between queries: the columns of a new basis are derived from the
// last basis's and the log since -- on the first query at the new basis --
// and answer exactly as a merge does, whatever the transactions did to the
// attribute; a change a derivation cannot take (a long value, too many
// transactions) falls back to merging.
TEST_F(ColumnTest, ColumnsFollowTheWritesBetweenQueries) {
  auto expect_same = [&](const Db& at) {
    for (const char* query : kQueries) {
      SCOPED_TRACE(query);
      EXPECT_EQ(Q(query, at), Q(query, Uncached(at)));
    }
  };
  EmptyCache();
  Db at = db();
  for (const char* query : kQueries) Q(query, at);
  expect_same(at);  // the second query at this basis: columns built
  ASSERT_OK_AND_ASSIGN(QueryResult ivans, q(R"([:find [?e ...] :where [?e :c/name "Ivan"]])", at));
  const Value ivan_ids = ivans.value();
  const std::span<const Value> ids = ivan_ids.items();
  ASSERT_GE(ids.size(), 40u);
  auto id = [&](size_t k) { return absl::StrCat(ids[k].as_int()); };
  const std::vector<std::string> steps = {
      // Cardinality one replaced; a value retracted; a new entity.
      absl::StrCat("[[:db/add ", id(0), " :c/age 98] [:db/retract ", id(1),
                   " :c/sex :male] [:db/retract ", id(2), " :c/sex :female]",
                   R"( {:c/name "Ivan" :c/age 5 :c/sex :male :c/alias ["n1" "n2"]}])"),
      // Cardinality many: one value added, one retracted.
      absl::StrCat("[[:db/add ", id(3), " :c/alias \"zz\"] [:db/retract ", id(4),
                   " :c/alias \"a1\"] [:db/retract ", id(4), " :c/alias \"b0\"]]"),
      // Retracted and asserted again in later transactions: the last wins.
      absl::StrCat("[[:db/retract ", id(1), " :c/age 7] [:db/add ", id(1), " :c/sex :female]]"),
      absl::StrCat("[[:db/add ", id(1), " :c/sex :male] [:db/add ", id(5), " :c/age 0]]"),
      // A whole entity retracted, and refs to it.
      absl::StrCat("[[:db/retractEntity ", id(6), "]]"),
  };
  for (const std::string& step : steps) {
    SCOPED_TRACE(step);
    auto report = conn_->transact(step);
    ASSERT_TRUE(report.ok()) << report.status();
    at = db();
    const size_t columns = GetColumnCacheStats().columns;
    EXPECT_EQ(Q(kQueries[2], at), Q(kQueries[2], Uncached(at)));
    // Derived on this first query at the new basis: the salary and age
    // columns (:c/sex is dense too, but every basis keeps its own).
    EXPECT_GE(GetColumnCacheStats().columns, columns + 2);
    expect_same(at);
  }
  // Several transactions at once, then a long value (derivation gives way to
  // a build) and more transactions than kMaxDeltaTxs (the same).
  ASSERT_OK(conn_->transact(absl::StrCat("[[:db/add ", id(7), " :c/age 1]]")));
  ASSERT_OK(conn_->transact(absl::StrCat("[[:db/add ", id(8), " :c/age 2]]")));
  expect_same(db());
  ASSERT_OK(conn_->transact(
      absl::StrCat("[[:db/add ", id(9), " :c/alias \"", std::string(300, 'L'), "\"]]")));
  expect_same(db());
  for (int i = 0; i < 70; ++i) {
    ASSERT_OK(conn_->transact(absl::StrCat("[[:db/add ", id(10 + i % 20), " :c/age ", i, "]]")));
  }
  expect_same(db());
  expect_same(db());
}

// Random writes between queries, each basis's columns derived from the one
// before: every answer equals the merge's. The seed is printed on failure.
TEST_F(ColumnTest, DerivedColumnsMatchMergesUnderRandomWrites) {
  EmptyCache();
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  for (const char* query : kQueries) Q(query, db());
  for (const char* query : kQueries) Q(query, db());
  ASSERT_OK_AND_ASSIGN(QueryResult people, q("[:find [?e ...] :where [?e :c/name]]", db()));
  const Value people_ids = people.value();
  const std::span<const Value> ids = people_ids.items();
  static constexpr const char* kNames[] = {"Ivan", "Petr", "Oleg", "Yuri"};
  for (int step = 0; step < 40; ++step) {
    std::string tx = "[";
    const int ops = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < ops; ++k) {
      const std::string e = absl::StrCat(ids[rng() % ids.size()].as_int());
      switch (rng() % 6) {
        case 0:
          absl::StrAppend(&tx, "[:db/add ", e, " :c/age ", rng() % 60, "]");
          break;
        case 1:
          absl::StrAppend(&tx, "[:db/add ", e, " :c/alias \"a", rng() % 7, "\"]");
          break;
        case 2:
          absl::StrAppend(&tx, "[:db/retract ", e, " :c/alias \"a", rng() % 7, "\"]");
          break;
        case 3:
          absl::StrAppend(&tx, "[:db/add ", e, " :c/sex ", rng() % 2 ? ":male" : ":female", "]");
          break;
        case 4:
          absl::StrAppend(&tx, "{:c/name \"", kNames[rng() % 4], "\" :c/age ", rng() % 60,
                          " :c/sex :male :c/salary ", rng() % 100, ".5}");
          break;
        default:
          absl::StrAppend(&tx, "[:db/add ", e, " :c/salary ", rng() % 100, ".25]");
          break;
      }
    }
    auto report = conn_->transact(tx + "]");
    // Two ops may conflict (two ages for one entity): then nothing changed.
    if (!report.ok()) continue;
    const Db at = db();
    for (const char* query : kQueries) {
      SCOPED_TRACE(absl::StrCat("step ", step, ": ", tx, "]\n", query));
      ASSERT_EQ(Q(query, at), Q(query, Uncached(at)));
    }
  }
}

// Changes at the edges of a derived column's chunks (lib/query/
// column_cache.hpp: 256 datoms each, so the 256th and 257th entities of
// :c/age, in entity order): the last datom of a chunk retracted or
// replaced, a first one replaced, values added between two chunks.
TEST_F(ColumnTest, DerivedColumnsAreRightAtTheEdgesOfChunks) {
  EmptyCache();
  const char* query = R"([:find ?e ?a :where [?e :c/name _] [?e :c/age ?a]])";
  Q(query, db());
  Q(query, db());  // built: one chunk
  // The first derivation cuts it into chunks of 256.
  ASSERT_OK(conn_->transact(R"([{:c/name "Ivan" :c/age 1}])"));
  EXPECT_EQ(Q(query, db()), Q(query, Uncached(db())));
  ASSERT_OK_AND_ASSIGN(QueryResult aged, q("[:find [?e ...] :where [?e :c/age]]", db()));
  std::vector<int64_t> ids;
  const Value aged_ids = aged.value();
  for (const Value& id : aged_ids.items()) ids.push_back(id.as_int());
  std::sort(ids.begin(), ids.end());
  ASSERT_GT(ids.size(), 520u);
  const std::vector<std::string> steps = {
      absl::StrCat("[[:db/retract ", ids[255], " :c/age ", "(placeholder)]]"),
      absl::StrCat("[[:db/add ", ids[511], " :c/age 77] [:db/add ", ids[256], " :c/age 78]]"),
      absl::StrCat("[[:db/add ", ids[255], " :c/age 79] [:db/add ", ids.back(), " :c/age 80]]"),
      absl::StrCat("[[:db/retract ", ids[512], " :c/age ", "(placeholder)]]"),
  };
  for (std::string step : steps) {
    // A retraction names the current value.
    if (size_t at = step.find("(placeholder)"); at != std::string::npos) {
      const int64_t e = std::stoll(step.substr(14, step.find(' ', 14) - 14));
      ASSERT_OK_AND_ASSIGN(QueryResult age,
                           q(absl::StrCat("[:find ?a . :where [", e, " :c/age ?a]]"), db()));
      step.replace(at, std::strlen("(placeholder)"), age.value().to_string());
    }
    SCOPED_TRACE(step);
    ASSERT_OK(conn_->transact(step));
    EXPECT_EQ(Q(query, db()), Q(query, Uncached(db())));
  }
}

// The cache's size is the application's: columns are built up to the
// limit, dropped when it shrinks, never built when it is 0 -- and the
// answers are the same either way.
TEST_F(ColumnTest, TheApplicationSetsWhatTheCacheHolds) {
  const size_t default_limit = GetColumnCacheStats().limit_bytes;
  EXPECT_EQ(default_limit, size_t{64} << 20);
  struct Restore {
    size_t limit;
    ~Restore() { SetColumnCacheLimit(limit); }
  } restore{default_limit};
  EmptyCache();
  const Db latest = db();
  const char* query = kQueries[2];  // three attributes besides the name
  const Value expected = Q(query, Uncached(latest));
  const size_t columns_before = GetColumnCacheStats().columns;
  EXPECT_EQ(Q(query, latest), expected);
  EXPECT_EQ(Q(query, latest), expected);  // builds the columns
  ColumnCacheStats stats = GetColumnCacheStats();
  EXPECT_GE(stats.columns, columns_before + 3);
  EXPECT_GT(stats.bytes, 0u);
  EXPECT_LE(stats.bytes, stats.limit_bytes);

  // Shrunk below what is held: the least recently used go at once.
  SetColumnCacheLimit(stats.bytes / 2);
  ColumnCacheStats shrunk = GetColumnCacheStats();
  EXPECT_LT(shrunk.columns, stats.columns);
  EXPECT_LE(shrunk.bytes, stats.bytes / 2);
  EXPECT_EQ(Q(query, latest), expected);

  // Off: nothing held, nothing built, the same answers.
  SetColumnCacheLimit(0);
  EXPECT_EQ(GetColumnCacheStats().columns, 0u);
  EXPECT_EQ(GetColumnCacheStats().bytes, 0u);
  ASSERT_OK(conn_->transact(R"([{:c/name "Ivan" :c/age 1 :c/salary 2.5 :c/sex :female}])"));
  const Db next = db();
  const Value next_expected = Q(query, Uncached(next));
  EXPECT_NE(next_expected, expected);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Q(query, next), next_expected);
  EXPECT_EQ(GetColumnCacheStats().columns, 0u);

  // On again: the same db value builds its columns on its second query.
  SetColumnCacheLimit(default_limit);
  EXPECT_EQ(Q(query, next), next_expected);
  EXPECT_EQ(Q(query, next), next_expected);
  EXPECT_GE(GetColumnCacheStats().columns, 3u);
}

}  // namespace
}  // namespace accrete::query_test
