// Joins through cached attribute columns (lib/query/column_cache): a dense
// join on the latest db reads each attribute once into a column and answers
// later queries at that basis from it. Every answer must equal the one the
// cursor merge gives (a filtered db never uses columns), before and after
// the column is cached, and a column must never answer for another basis.
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
