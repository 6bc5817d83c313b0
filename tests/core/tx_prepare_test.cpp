// PrepareTx itself: what it hands the Connection (writes, meta, schema flag)
// and how long a large map-form transaction takes.
#include <chrono>

#include "db/db_state.hpp"
#include "tx/prepare.hpp"
#include "tx_fixture.hpp"

namespace accrete::tx_test {
namespace {

internal::TxContext ContextFor(const Db& db, const Registry* registry) {
  internal::TxContext ctx;
  ctx.t = db.basis_t() + 1;
  ctx.now_ms = 1700000000000;
  ctx.registry = registry;
  return ctx;
}

// `n` new people, four datoms each; with `email`, one of them is a
// :db.unique/identity value (an upsert lookup and a uniqueness check each).
Value People(int n, int salt, bool email = false) {
  std::vector<Value> forms;
  forms.reserve(n);
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(salt) + "-" + std::to_string(i);
    std::vector<MapEntry> entries = {{kw("person/name"), "name " + id}, {kw("person/age"), i}};
    if (email) {
      entries.emplace_back(kw("person/email"), id + "@example.com");
      entries.emplace_back(kw("person/aliases"), "a" + id);
    } else {
      entries.emplace_back(kw("person/aliases"), vec({"a" + id, "b" + id}));
    }
    forms.push_back(Value::Map(std::move(entries)));
  }
  return Value::Vector(std::move(forms));
}

TEST_F(TxTest, PreparedWritesMetaAndSchemaFlag) {
  const Db before = db();
  const internal::TxContext ctx = ContextFor(before, &registry_);
  auto tx = internal::PrepareTx(before, People(2, 0), ctx);
  ASSERT_TRUE(tx.ok()) << tx.status();
  ASSERT_EQ(tx->writes.size(), 9u);
  EXPECT_EQ(tx->writes[0].e, static_cast<uint64_t>(TToTx(ctx.t)));
  EXPECT_EQ(tx->writes[0].a, static_cast<uint64_t>(AttrId("db/txInstant")));
  EXPECT_EQ(tx->tx_data.size(), tx->writes.size());
  EXPECT_FALSE(tx->schema_changed);
  EXPECT_EQ(tx->meta_after.basis_t, ctx.t);
  EXPECT_EQ(tx->meta_after.last_tx_instant,
            std::max(ctx.now_ms, before.state()->meta.last_tx_instant));
  EXPECT_EQ(tx->meta_after.next_user_eid, before.state()->meta.next_user_eid + 2);
  EXPECT_EQ(tx->meta_after.schema_t, before.state()->meta.schema_t);

  auto schema = internal::PrepareTx(before,
                                    vec({map({{kw("db/ident"), kw("x/y")},
                                              {kw("db/valueType"), kw("db.type/long")},
                                              {kw("db/cardinality"), kw("db.cardinality/one")}})}),
                                    ctx);
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_TRUE(schema->schema_changed);
  EXPECT_EQ(schema->meta_after.schema_t, ctx.t);
  EXPECT_EQ(schema->meta_after.next_db_eid, before.state()->meta.next_db_eid + 1);
  for (const internal::DatomWrite& w : schema->writes) {
    if (w.a == static_cast<uint64_t>(AttrId("db/valueType"))) {
      EXPECT_TRUE(w.is_ref);
    }
  }
}

TEST_F(TxTest, TxInstantNeverGoesBack) {
  const Db before = db();
  internal::TxContext ctx = ContextFor(before, &registry_);
  ctx.now_ms = 5;  // a clock behind the last transaction
  auto tx = internal::PrepareTx(before, People(1, 0), ctx);
  ASSERT_TRUE(tx.ok()) << tx.status();
  EXPECT_EQ(tx->meta_after.last_tx_instant, before.state()->meta.last_tx_instant);
  EXPECT_EQ(tx->tx_data[0].v, Value::Inst(before.state()->meta.last_tx_instant));
}

// The best of five runs of PrepareTx over `data`, which must give `writes`.
std::chrono::nanoseconds TimePrepare(const Db& db, const Value& data,
                                     const internal::TxContext& ctx, size_t writes) {
  auto best = std::chrono::nanoseconds::max();
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    auto tx = internal::PrepareTx(db, data, ctx);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(tx.ok()) << tx.status();
    if (!tx.ok()) break;
    EXPECT_EQ(tx->writes.size(), writes);
    best = std::min(best, std::chrono::duration_cast<std::chrono::nanoseconds>(took));
  }
  return best;
}

TEST_F(TxTest, ThousandDatomMapFormTransactionPreparesQuickly) {
  // Some existing people, so that the db is not empty.
  Tx(People(250, 1, /*email=*/true).to_string());
  const Db before = db();
  const internal::TxContext ctx = ContextFor(before, &registry_);
  const auto plain = TimePrepare(before, People(250, 2), ctx, 1001);
  const auto unique = TimePrepare(before, People(250, 2, /*email=*/true), ctx, 1001);
  std::printf(
      "PrepareTx of 1000 datoms in 250 map forms: %.3f ms; with an identity each: %.3f ms\n",
      plain.count() / 1e6, unique.count() / 1e6);
  // Generous: this also runs in unoptimised and sanitizer builds (a release
  // build takes well under a millisecond).
  EXPECT_LT(plain, std::chrono::milliseconds(50));
  EXPECT_LT(unique, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace accrete::tx_test
