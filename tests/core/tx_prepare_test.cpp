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

// `n` new people, four datoms each.
Value People(int n, int salt) {
  std::vector<Value> forms;
  forms.reserve(n);
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(salt) + "-" + std::to_string(i);
    forms.push_back(map({{kw("person/name"), "name " + id},
                         {kw("person/age"), i},
                         {kw("person/aliases"), vec({"a" + id, "b" + id})}}));
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

TEST_F(TxTest, ThousandDatomMapFormTransactionPreparesQuickly) {
  // Some existing people, so that the db is not empty.
  Tx(People(250, 1).to_string());
  const Db before = db();
  const internal::TxContext ctx = ContextFor(before, &registry_);
  const Value data = People(250, 2);  // 1000 datoms
  auto best = std::chrono::nanoseconds::max();
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    auto tx = internal::PrepareTx(before, data, ctx);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_EQ(tx->writes.size(), 1001u);
    best = std::min(best, std::chrono::duration_cast<std::chrono::nanoseconds>(took));
  }
  std::printf("PrepareTx of 1000 datoms in map forms: %.3f ms\n", best.count() / 1e6);
  // Generous: this also runs in unoptimised and sanitizer builds.
  EXPECT_LT(best, std::chrono::milliseconds(50));
}

}  // namespace
}  // namespace accrete::tx_test
