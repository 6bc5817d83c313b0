// The Db value's index and schema API through the public headers: datoms
// with partial components, seek_datoms, index_range bounds, filter(),
// since/as_of combined, entid/ident/attribute, and their errors.
#include <algorithm>

#include "test_util.hpp"

namespace accrete {
namespace {

using testing_util::RelaxedOptions;
using testing_util::TempDir;

class DbApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = Connection::Open(dir_.path(), RelaxedOptions());
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = *std::move(conn);
    ASSERT_OK(conn_->transact(R"([
      {:db/ident :item/sku :db/valueType :db.type/string
       :db/cardinality :db.cardinality/one :db/unique :db.unique/identity
       :db/doc "Stock keeping unit"}
      {:db/ident :item/count :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
      {:db/ident :item/tags :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
      {:db/ident :item/parent :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}])"));
    for (int i = 0; i < 10; ++i) {
      auto report = conn_->transact(
          vec({map({{kw("item/sku"), "SKU-" + std::to_string(i)},
                    {kw("item/count"), i * 10},
                    {kw("item/tags"), set({kw("tag/even"), kw(i % 2 ? "tag/odd" : "tag/x")})}})}));
      ASSERT_TRUE(report.ok()) << report.status();
      ts_.push_back(report->t());
    }
  }

  std::vector<Datom> All(absl::StatusOr<Datoms> datoms) {
    EXPECT_TRUE(datoms.ok()) << datoms.status();
    if (!datoms.ok()) return {};
    auto all = std::move(*datoms).ToVector();
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? *all : std::vector<Datom>{};
  }

  TempDir dir_;
  std::unique_ptr<Connection> conn_;
  std::vector<int64_t> ts_;
};

TEST_F(DbApiTest, DatomsByLeadingComponents) {
  Db db = conn_->db();
  Value sku3 = vec({kw("item/sku"), "SKU-3"});
  // EAVT by entity (lookup ref), then entity + attribute.
  auto by_entity = All(db.datoms(Index::kEavt, {sku3}));
  EXPECT_EQ(by_entity.size(), 4u);  // sku, count, two tags
  auto tags = All(db.datoms(Index::kEavt, {sku3, kw("item/tags")}));
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_TRUE(compare(tags[0].v, tags[1].v) < 0);  // value order within [e a]
  // AVET by attribute and value.
  auto counted = All(db.datoms(Index::kAvet, {kw("item/count"), 30}));
  ASSERT_EQ(counted.size(), 1u);
  EXPECT_EQ(counted[0].e, db.entid(sku3).value());
  // AEVT over one attribute is in entity order.
  auto counts = All(db.datoms(Index::kAevt, {kw("item/count")}));
  ASSERT_EQ(counts.size(), 10u);
  EXPECT_TRUE(std::is_sorted(counts.begin(), counts.end(),
                             [](const Datom& a, const Datom& b) { return a.e < b.e; }));
}

TEST_F(DbApiTest, DatomsErrorsNameTheProblem) {
  Db db = conn_->db();
  auto unknown = db.datoms(Index::kAevt, {kw("item/nope")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(unknown.status()));
  EXPECT_NE(unknown.status().message().find(":item/nope"), absl::string_view::npos);

  auto wrong_type = db.datoms(Index::kAvet, {kw("item/count"), "ten"});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(wrong_type.status())) << wrong_type.status();

  auto not_ref = db.datoms(Index::kVaet, {Value::Integer(1), kw("item/count")});
  EXPECT_FALSE(not_ref.ok());

  auto missing = db.datoms(Index::kEavt, {vec({kw("item/sku"), "SKU-404"})});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
}

TEST_F(DbApiTest, SeekDatomsRunsToTheEndOfTheIndex) {
  Db db = conn_->db();
  auto from = All(db.seek_datoms(Index::kAvet, {kw("item/count"), 70}));
  // 70, 80, 90 of :item/count, then whatever attributes sort after it.
  ASSERT_GE(from.size(), 3u);
  EXPECT_EQ(from[0].v, Value(70));
  EXPECT_EQ(from[1].v, Value(80));
  EXPECT_EQ(from[2].v, Value(90));
}

TEST_F(DbApiTest, IndexRangeBounds) {
  Db db = conn_->db();
  auto values = [&](const Value& start, const Value& end) {
    std::vector<int64_t> out;
    for (const Datom& d : All(db.index_range(kw("item/count"), start, end))) {
      out.push_back(d.v.as_int());
    }
    return out;
  };
  EXPECT_EQ(values(20, 50), (std::vector<int64_t>{20, 30, 40}));
  EXPECT_EQ(values(Value(), 20), (std::vector<int64_t>{0, 10}));
  EXPECT_EQ(values(75, Value()), (std::vector<int64_t>{80, 90}));
  EXPECT_TRUE(values(50, 50).empty());
  auto bad = db.index_range(kw("item/count"), "a", Value());
  EXPECT_FALSE(bad.ok());
}

TEST_F(DbApiTest, FilterKeepsOnlyWhatThePredicateAccepts) {
  Db db = conn_->db();
  ASSERT_OK_AND_ASSIGN(EntityId count_attr, db.entid(kw("item/count")));
  Db small = db.filter(
      [count_attr](const Db&, const Datom& d) { return d.a != count_attr || d.v.as_int() < 30; });
  EXPECT_TRUE(small.is_filtered());
  EXPECT_EQ(All(small.datoms(Index::kAevt, {kw("item/count")})).size(), 3u);
  // Filters conjoin.
  Db smaller = small.filter(
      [count_attr](const Db&, const Datom& d) { return d.a != count_attr || d.v.as_int() > 0; });
  EXPECT_EQ(All(smaller.datoms(Index::kAevt, {kw("item/count")})).size(), 2u);
  // The original is unchanged.
  EXPECT_EQ(All(db.datoms(Index::kAevt, {kw("item/count")})).size(), 10u);
}

TEST_F(DbApiTest, SinceAndAsOfCombine) {
  Db db = conn_->db();
  // Items 3..6 were added by ts_[3]..ts_[6].
  Db window = db.since(ts_[2]).as_of(ts_[6]);
  EXPECT_EQ(window.since_t(), ts_[2]);
  EXPECT_EQ(window.as_of_t(), ts_[6]);
  EXPECT_EQ(All(window.datoms(Index::kAevt, {kw("item/sku")})).size(), 4u);
  // as_of earlier than since leaves nothing.
  EXPECT_TRUE(All(db.since(ts_[5]).as_of(ts_[3]).datoms(Index::kAevt, {kw("item/sku")})).empty());
}

TEST_F(DbApiTest, HistoryShowsRetractionsWithTheirTransaction) {
  ASSERT_OK_AND_ASSIGN(TxReport report,
                       conn_->transact(R"([[:db/add [:item/sku "SKU-1"] :item/count 11]])"));
  Db history = conn_->db().history();
  EXPECT_TRUE(history.is_history());
  auto counts =
      All(history.datoms(Index::kEavt, {vec({kw("item/sku"), "SKU-1"}), kw("item/count")}));
  ASSERT_EQ(counts.size(), 3u);  // 10 asserted, 10 retracted, 11 asserted
  std::sort(counts.begin(), counts.end(), [](const Datom& a, const Datom& b) {
    return a.tx != b.tx ? a.tx < b.tx : a.added < b.added;  // retraction first
  });
  EXPECT_EQ(counts[0].v, Value(10));
  EXPECT_TRUE(counts[0].added);
  EXPECT_EQ(counts[1].v, Value(10));
  EXPECT_FALSE(counts[1].added);
  EXPECT_EQ(counts[1].tx, TToTx(report.t()));
  EXPECT_EQ(counts[2].v, Value(11));
}

// The by-time history may take only the first lifetime closed after t for a
// cardinality-one attribute; values from a time when the attribute was
// cardinality many must still all show.
TEST_F(DbApiTest, AsOfBeforeACardinalityChangeShowsEveryValue) {
  Value sku = vec({kw("item/sku"), "SKU-2"});
  ASSERT_OK_AND_ASSIGN(TxReport two_tags,
                       conn_->transact(R"([[:db/add [:item/sku "SKU-2"] :item/tags :tag/z]])"));
  const int64_t t_many = two_tags.t();
  ASSERT_OK(conn_->transact(R"([[:db/retract [:item/sku "SKU-2"] :item/tags :tag/even]
                               [:db/retract [:item/sku "SKU-2"] :item/tags :tag/x]])"));
  // Every entity now has at most one tag: many -> one is allowed.
  for (int i = 0; i < 10; ++i) {
    if (i == 2) continue;
    ASSERT_OK(conn_->transact(
        vec({vec({kw("db/retract"), vec({kw("item/sku"), "SKU-" + std::to_string(i)}),
                  kw("item/tags"), kw("tag/even")})})));
  }
  ASSERT_OK(conn_->transact(R"([{:db/id :item/tags :db/cardinality :db.cardinality/one}])"));
  for (int k = 0; k < 5; ++k) {
    ASSERT_OK(conn_->transact(vec({vec(
        {kw("db/add"), sku, kw("item/tags"), Value::Keyword("tag", "v" + std::to_string(k))})})));
  }
  Db then = conn_->db().as_of(t_many);
  auto tags = All(then.datoms(Index::kEavt, {sku, kw("item/tags")}));
  std::vector<Value> values;
  for (const Datom& d : tags) values.push_back(d.v);
  EXPECT_EQ(values, (std::vector<Value>{kw("tag/even"), kw("tag/x"), kw("tag/z")}));
  // And the latest db has only the last single value.
  auto now = All(conn_->db().datoms(Index::kEavt, {sku, kw("item/tags")}));
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].v, kw("tag/v4"));
  // In between, each as_of shows exactly the value of that moment.
  ASSERT_OK_AND_ASSIGN(auto log, conn_->db().tx_range(conn_->db().basis_t() - 4, std::nullopt));
  for (size_t k = 0; k < log.size(); ++k) {
    auto at = All(conn_->db().as_of(log[k].t).datoms(Index::kEavt, {sku, kw("item/tags")}));
    ASSERT_EQ(at.size(), 1u) << "t " << log[k].t;
    EXPECT_EQ(at[0].v, Value::Keyword("tag", "v" + std::to_string(k)));
  }
}

TEST_F(DbApiTest, EntidIdentAndAttribute) {
  Db db = conn_->db();
  ASSERT_OK_AND_ASSIGN(EntityId sku, db.entid(kw("item/sku")));
  EXPECT_EQ(db.ident(sku).value(), kw("item/sku"));
  EXPECT_EQ(db.entid(Value::Integer(sku)).value(), sku);
  EXPECT_TRUE(absl::IsNotFound(db.entid(kw("item/nope")).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(db.entid(vec({kw("item/count"), 10})).status()))
      << "a lookup ref needs a unique attribute";
  EXPECT_TRUE(absl::IsInvalidArgument(db.entid("SKU-1").status()));

  ASSERT_OK_AND_ASSIGN(Value attr, db.attribute(kw("item/sku")));
  EXPECT_EQ(*attr.get(kw("db/valueType")), kw("db.type/string"));
  EXPECT_EQ(*attr.get(kw("db/unique")), kw("db.unique/identity"));
  EXPECT_EQ(*attr.get(kw("db/doc")), Value("Stock keeping unit"));
  EXPECT_TRUE(absl::IsNotFound(db.attribute(kw("item/nope")).status()));

  // Schema is data: the attribute's own datoms are in the indexes.
  auto schema = All(db.datoms(Index::kEavt, {kw("item/sku")}));
  EXPECT_GE(schema.size(), 4u);
}

TEST_F(DbApiTest, TxRangeReadsTheLog) {
  Db db = conn_->db();
  ASSERT_OK_AND_ASSIGN(auto log, db.tx_range(ts_[2], ts_[5]));
  ASSERT_EQ(log.size(), 3u);
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].t, ts_[2 + i]);
    // The tx instant plus sku, count and two tags.
    EXPECT_EQ(log[i].data.size(), 5u);
  }
  // An older db's log stops at its basis.
  ASSERT_OK_AND_ASSIGN(auto older, db.as_of(ts_[3]).tx_range(ts_[2], std::nullopt));
  EXPECT_EQ(older.size(), ts_.size() - 2);  // as_of filters datoms, not the log
  Db held = conn_->db();
  ASSERT_OK(conn_->transact(R"([{:item/sku "SKU-new"}])"));
  ASSERT_OK_AND_ASSIGN(auto held_log, held.tx_range(std::nullopt, std::nullopt));
  EXPECT_EQ(held_log.back().t, held.basis_t());
}

}  // namespace
}  // namespace accrete
