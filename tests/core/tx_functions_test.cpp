// Transaction functions, attribute predicates (:db.attr/preds) and entity
// specs (:db/ensure), all registered in the connection's Registry.
#include <atomic>
#include <thread>

#include "tx_fixture.hpp"

namespace accrete::tx_test {
namespace {

using Code = absl::StatusCode;

Value Email(std::string_view email) { return vec({kw("person/email"), email}); }

class TxFunctionTest : public TxTest {
 protected:
  void SetUp() override {
    TxTest::SetUp();
    // [inventory.core/add-item email sku]: an order for the person.
    ASSERT_TRUE(
        registry_
            .RegisterTxFunction(
                "inventory.core/add-item",
                [](const Db&, std::span<const Value> args) -> absl::StatusOr<Value> {
                  if (args.size() != 2) return absl::InvalidArgumentError("arity");
                  return vec({map({{kw("order/customer"), vec({kw("person/email"), args[0]})},
                                   {kw("order/items"), vec({map({{kw("item/sku"), args[1]}})})}})});
                })
            .ok());
    // [my.fns/inc e attr]: reads the db as of the start of the transaction.
    ASSERT_TRUE(registry_
                    .RegisterTxFunction(
                        "my.fns/inc",
                        [](const Db& db, std::span<const Value> args) -> absl::StatusOr<Value> {
                          auto entity = db.entity(args[0]);
                          if (!entity.ok()) return entity.status();
                          auto v = entity->Get(args[1]);
                          if (!v.ok()) return v.status();
                          const int64_t n = v->is_integer() ? v->as_int() : 0;
                          return vec({vec({kw("db/add"), args[0], args[1], n + 1})});
                        })
                    .ok());
    // Calls another function: expansion is recursive.
    ASSERT_TRUE(registry_
                    .RegisterTxFunction(
                        "my.fns/inc-twice",
                        [](const Db&, std::span<const Value> args) -> absl::StatusOr<Value> {
                          return vec({vec({sym("my.fns/inc"), args[0], args[1]}),
                                      vec({kw("db/add"), args[0], kw("person/name"), "twice"})});
                        })
                    .ok());
    ASSERT_TRUE(
        registry_
            .RegisterTxFunction("my.fns/fail",
                                [](const Db&, std::span<const Value>) -> absl::StatusOr<Value> {
                                  return absl::FailedPreconditionError("out of stock");
                                })
            .ok());
    ASSERT_TRUE(
        registry_
            .RegisterTxFunction("my.fns/fault",
                                [](const Db&, std::span<const Value>) -> absl::StatusOr<Value> {
                                  return absl::InternalError("the function's own fault");
                                })
            .ok());
    ASSERT_TRUE(
        registry_
            .RegisterTxFunction("my.fns/forever",
                                [](const Db&, std::span<const Value>) -> absl::StatusOr<Value> {
                                  return vec({vec({sym("my.fns/forever")})});
                                })
            .ok());
    Tx(R"([{:person/email "c@x" :person/age 1}])");
  }
};

TEST_F(TxFunctionTest, FunctionResultIsExpanded) {
  TxReport r = Tx(R"([[inventory.core/add-item "c@x" "sku-1"]])");
  ASSERT_EQ(DataOf(r).size(), 3u);
  auto orders = db().datoms(Index::kAvet, {kw("item/sku"), "sku-1"});
  ASSERT_TRUE(orders.ok());
  auto items = std::move(*orders).ToVector();
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 1u);
}

TEST_F(TxFunctionTest, KeywordNamesAFunctionToo) {
  Tx(R"([[:my.fns/inc [:person/email "c@x"] :person/age]])");
  EXPECT_EQ(Get(Email("c@x"), "person/age"), Value(2));
}

TEST_F(TxFunctionTest, FunctionsSeeTheDbBeforeAndNest) {
  Tx(R"([[my.fns/inc-twice [:person/email "c@x"] :person/age]])");
  EXPECT_EQ(Get(Email("c@x"), "person/age"), Value(2));
  EXPECT_EQ(Get(Email("c@x"), "person/name"), Value("twice"));
  // Two calls in one transaction both read 2 and both write 3: one fact.
  Tx(R"([[my.fns/inc [:person/email "c@x"] :person/age]
                      [my.fns/inc [:person/email "c@x"] :person/age]])");
  EXPECT_EQ(Get(Email("c@x"), "person/age"), Value(3));
}

TEST_F(TxFunctionTest, UnknownFunction) {
  ExpectRejected(R"([[my.fns/nope 1 2]])", Code::kInvalidArgument,
                 {"Unknown transaction function my.fns/nope in [my.fns/nope 1 2]"});
  ExpectRejected(R"([[:my.fns/nope 1 2]])", Code::kInvalidArgument,
                 {"Unknown transaction function my.fns/nope"});
}

TEST_F(TxFunctionTest, FunctionErrorAbortsEverything) {
  ExpectRejected(R"([{:person/email "new@x"} [my.fns/fail]])", Code::kFailedPrecondition,
                 {"out of stock"});
  ExpectRejected(R"([[inventory.core/add-item "c@x"]])", Code::kInvalidArgument, {"arity"});
}

// A function's Internal error is that transaction's error with its code,
// not a storage fault of the whole group commit: transactions committed
// alongside it are unaffected.
TEST_F(TxFunctionTest, FunctionInternalErrorKeepsItsCodeAndSparesTheBatch) {
  ExpectRejected(R"([[my.fns/fault]])", Code::kInternal, {"the function's own fault"});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int> internal{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto report =
          i % 2 == 0 ? conn_->transact(
                           vec({map({{kw("person/email"), "batch" + std::to_string(i) + "@x"}})}))
                     : conn_->transact(vec({vec({sym("my.fns/fault")})}));
      if (report.ok()) ++ok;
      if (absl::IsInternal(report.status())) ++internal;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(internal.load(), 4);
}

TEST_F(TxFunctionTest, RunawayRecursionIsBounded) {
  ExpectRejected(R"([[my.fns/forever]])", Code::kInvalidArgument, {"nested deeper than"});
}

class PredicateTest : public TxTest {
 protected:
  void SetUp() override {
    TxTest::SetUp();
    ASSERT_TRUE(registry_
                    .RegisterAttrPredicate(
                        "my.preds/adult?",
                        [](const Value& v) { return v.is_integer() && v.as_int() >= 18; })
                    .ok());
    ASSERT_TRUE(registry_
                    .RegisterEntityPredicate("my.preds/named-adult?",
                                             [](const Db& db, EntityId e) {
                                               auto entity = db.entity(Value::Integer(e));
                                               if (!entity.ok()) return false;
                                               auto age = entity->Get(kw("voter/age"));
                                               return age.ok() && age->is_integer() &&
                                                      age->as_int() < 150;
                                             })
                    .ok());
    Tx(R"([{:db/ident :voter/age :db/valueType :db.type/long
            :db/cardinality :db.cardinality/one :db.attr/preds my.preds/adult?}
           {:db/ident :voter/id :db/valueType :db.type/string
            :db/cardinality :db.cardinality/one :db.attr/preds [my.preds/unregistered]}
           {:db/ident :voter/name :db/valueType :db.type/string
            :db/cardinality :db.cardinality/one}
           {:db/ident :voter/validate :db.entity/attrs [:voter/name :voter/age]
            :db.entity/preds my.preds/named-adult?}
           {:db/ident :voter/unknown-pred :db.entity/preds my.preds/nope}])");
  }
};

TEST_F(PredicateTest, AttributePredicatePasses) {
  TxReport r = Tx(R"([{:db/id "v" :voter/age 30}])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("v")), "voter/age"), Value(30));
}

TEST_F(PredicateTest, FailingAttributePredicate) {
  ExpectRejected(R"([{:voter/age 12}])", Code::kInvalidArgument,
                 {"12", ":voter/age", "my.preds/adult?"});
}

TEST_F(PredicateTest, UnregisteredAttributePredicate) {
  ExpectRejected(R"([{:voter/id "a"}])", Code::kInvalidArgument,
                 {"my.preds/unregistered", "not registered"});
}

TEST_F(PredicateTest, EnsurePasses) {
  TxReport r = Tx(R"([{:db/id "v" :voter/name "V" :voter/age 40 :db/ensure :voter/validate}])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("v")), "voter/name"), Value("V"));
}

TEST_F(PredicateTest, EnsureMissingAttribute) {
  ExpectRejected(R"([{:db/id "v" :voter/age 40 :db/ensure :voter/validate}])",
                 Code::kInvalidArgument, {":voter/validate", "missing", ":voter/name"});
}

TEST_F(PredicateTest, EnsureFailingPredicate) {
  ExpectRejected(R"([{:db/id "v" :voter/name "Old" :voter/age 200 :db/ensure :voter/validate}])",
                 Code::kInvalidArgument, {":voter/validate", "my.preds/named-adult?"});
}

TEST_F(PredicateTest, EnsureUnregisteredPredicate) {
  ExpectRejected(R"([{:db/id "v" :voter/name "V" :db/ensure :voter/unknown-pred}])",
                 Code::kInvalidArgument, {"my.preds/nope", "not registered"});
}

TEST_F(PredicateTest, EnsureNeedsAnEntity) {
  ExpectRejected(R"([{:db/id "v" :db/ensure :voter/validate}])", Code::kInvalidArgument,
                 {":db/ensure", "tempid \"v\""});
  ExpectRejected(R"([{:db/id "v" :voter/name "V" :db/ensure :person/name}])",
                 Code::kInvalidArgument, {":person/name", "not an entity spec"});
}

TEST_F(PredicateTest, EnsureOnAnExistingEntitySeesTheDbAfter) {
  TxReport r = Tx(R"([{:db/id "v" :voter/name "V" :voter/age 40}])");
  const std::string v = std::to_string(r.tempids.at("v"));
  ExpectRejected(
      "[[:db/retract " + v + " :voter/name \"V\"] {:db/id " + v + " :db/ensure :voter/validate}]",
      Code::kInvalidArgument, {"missing", ":voter/name"});
}

}  // namespace
}  // namespace accrete::tx_test
