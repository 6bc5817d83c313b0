// The :allow policy of an active ion config, from queries (function and
// predicate expressions, aggregates, rules, nested queries) and transactions
// (transaction functions, attribute and entity predicates), and how errors and
// exceptions from ions reach the caller.
#include "ion_fixture.hpp"

namespace accrete::ion_test {
namespace {

using ::testing::HasSubstr;
using Code = absl::StatusCode;

absl::Status QueryStatus(std::string_view query, const Db& db) {
  return q(query, db).status();
}

TEST_F(IonTest, WithoutAConfigEveryRegisteredFunctionIsCallable) {
  EXPECT_OK(QueryStatus("[:find ?d :where [_ :inv/count ?c] [(inv/hidden ?c) ?d]]", db()));
  EXPECT_OK(conn_->transact(R"([[inv/secret "SKU-3" 1]])"));
}

TEST_F(IonTest, AllowedQueryFunctionsPredicatesAndAggregatesRun) {
  Activate();
  auto r = q("[:find ?d . :where [?e :inv/sku \"SKU-1\"] [?e :inv/count ?c] [(inv/double ?c) ?d]]",
             db());
  ASSERT_OK(r);
  EXPECT_EQ(r->value(), Value(10));
  r = q("[:find [?s ...] :where [?e :inv/count ?c] [(inv/big? ?c)] [?e :inv/sku ?s]]", db());
  ASSERT_OK(r);
  EXPECT_EQ(r->value(), vec({"SKU-2"}));
  r = q("[:find (inv/total ?c) . :where [_ :inv/count ?c]]", db());
  ASSERT_OK(r);
  EXPECT_EQ(r->value(), Value(55));
  // Built-ins need no :allow.
  r = q("[:find (sum ?c) . :where [_ :inv/count ?c] [(> ?c 1)] [(str ?c) ?s]]", db());
  ASSERT_OK(r);
  EXPECT_EQ(r->value(), Value(55));
}

TEST_F(IonTest, QueryFunctionOutsideAllowIsPermissionDeniedNamingIt) {
  Activate();
  absl::Status s = QueryStatus("[:find ?d :where [_ :inv/count ?c] [(inv/hidden ?c) ?d]]", db());
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("inv/hidden is not in the :allow list"));
  EXPECT_THAT(s.message(), HasSubstr("[(inv/hidden ?c) ?d]"));
  // A predicate expression, and a name nobody registered: refused the same
  // way, before any lookup.
  s = QueryStatus("[:find ?c :where [_ :inv/count ?c] [(inv/hidden ?c)]]", db());
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  s = QueryStatus("[:find ?c :where [_ :inv/count ?c] [(no.such/fn ?c)]]", db());
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("no.such/fn"));
}

TEST_F(IonTest, AggregateOutsideAllowIsPermissionDenied) {
  Activate();
  absl::Status s = QueryStatus("[:find (inv/hidden-total ?c) . :where [_ :inv/count ?c]]", db());
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("inv/hidden-total"));
}

TEST_F(IonTest, FunctionOutsideAllowInsideARuleIsPermissionDenied) {
  Activate();
  const char* query = R"([:find ?s :in $ % :where (doubled ?s ?d)])";
  auto allowed = q(query, db(), Value(*edn::Read(R"([[(doubled ?s ?d) [?e :inv/sku ?s]
                                                       [?e :inv/count ?c] [(inv/double ?c) ?d]]])")));
  EXPECT_OK(allowed);
  auto denied = q(query, db(), Value(*edn::Read(R"([[(doubled ?s ?d) [?e :inv/sku ?s]
                                                      [?e :inv/count ?c] [(inv/hidden ?c) ?d]]])")));
  EXPECT_EQ(denied.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(denied.status().message(), HasSubstr("inv/hidden"));
}

TEST_F(IonTest, FunctionOutsideAllowInsideANestedQueryIsPermissionDenied) {
  Activate();
  auto allowed = q(R"([:find ?m . :where
      [(q [:find (max ?d) . :where [_ :inv/count ?c] [(inv/double ?c) ?d]] $) ?m]])",
                   db());
  ASSERT_OK(allowed);
  EXPECT_EQ(allowed->value(), Value(100));
  absl::Status s = QueryStatus(R"([:find ?m . :where
      [(q [:find (max ?d) . :where [_ :inv/count ?c] [(inv/hidden ?c) ?d]] $) ?m]])",
                               db());
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("inv/hidden"));
}

TEST_F(IonTest, TransactionFunctionOutsideAllowIsRefusedAndNothingIsWritten) {
  Activate();
  EXPECT_OK(conn_->transact(R"([[inv/add "SKU-3" 3]])"));
  const int64_t t = db().basis_t();
  auto r = conn_->transact(R"([[inv/add "SKU-4" 4] [inv/secret "SKU-5" 5]])");
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("inv/secret is not in the :allow list"));
  EXPECT_THAT(r.status().message(), HasSubstr("[inv/secret \"SKU-5\" 5]"));
  EXPECT_EQ(db().basis_t(), t);
  EXPECT_EQ(db().entity(vec({kw("inv/sku"), "SKU-4"})).status().code(), Code::kNotFound);
}

TEST_F(IonTest, TransactionFunctionErrorKeepsItsCategoryAndAbortsTheTransaction) {
  Activate();
  const int64_t t = db().basis_t();
  auto r = conn_->transact(R"([[inv/add "SKU-4" 4] [inv/fails]])");
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("out of stock"));
  EXPECT_EQ(db().basis_t(), t);
}

TEST_F(IonTest, TransactionFunctionExceptionIsInternalNamingTheIon) {
  Activate();
  const int64_t t = db().basis_t();
  auto r = conn_->transact(R"([[inv/add "SKU-4" 4] [inv/throws]])");
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("inv/throws"));
  EXPECT_THAT(r.status().message(), HasSubstr("bad stock"));
  EXPECT_EQ(db().basis_t(), t);
}

TEST_F(IonTest, QueryFunctionExceptionIsInternalNamingTheIon) {
  ASSERT_OK(registry_.RegisterQueryFunction(
      "inv/explodes", [](std::span<const Value>) -> absl::StatusOr<Value> {
        throw std::runtime_error("kaboom");
      }));
  absl::Status s =
      QueryStatus("[:find ?d :where [_ :inv/count ?c] [(inv/explodes ?c) ?d]]", db());
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("inv/explodes"));
}

TEST_F(IonTest, AttributeAndEntityPredicatesOutsideAllowAreRefused) {
  ASSERT_OK(registry_.RegisterAttrPredicate("inv/positive?",
                                            [](const Value& v) { return v.as_int() > 0; }));
  ASSERT_OK(registry_.RegisterEntityPredicate("inv/stocked?",
                                              [](const Db&, EntityId) { return true; }));
  ASSERT_OK(conn_->transact(R"([
    {:db/ident :inv/price :db/valueType :db.type/long :db/cardinality :db.cardinality/one
     :db.attr/preds inv/positive?}
    {:db/ident :inv/stocked :db.entity/preds inv/stocked?}])"));
  Activate();
  auto r = conn_->transact(R"([{:inv/sku "SKU-1" :inv/price 3}])");
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("inv/positive?"));
  r = conn_->transact(R"([{:inv/sku "SKU-1" :db/ensure :inv/stocked}])");
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("inv/stocked?"));
  // Allowed, they run.
  auto config = IonConfig::Parse("{:allow [inv/positive? inv/stocked?]}");
  ASSERT_OK(config);
  ASSERT_OK(registry_.Activate(*config));
  EXPECT_OK(conn_->transact(R"([{:inv/sku "SKU-1" :inv/price 3 :db/ensure :inv/stocked}])"));
  EXPECT_EQ(conn_->transact(R"([{:inv/sku "SKU-1" :inv/price -3}])").status().code(),
            Code::kInvalidArgument);
}

TEST_F(IonTest, PredicateExceptionsAreInternal) {
  ASSERT_OK(registry_.RegisterAttrPredicate("inv/odd?", [](const Value&) -> bool {
    throw std::runtime_error("odd");
  }));
  ASSERT_OK(conn_->transact(R"([
    {:db/ident :inv/weight :db/valueType :db.type/long :db/cardinality :db.cardinality/one
     :db.attr/preds inv/odd?}])"));
  auto r = conn_->transact(R"([{:inv/sku "SKU-1" :inv/weight 3}])");
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("inv/odd?"));
}

}  // namespace
}  // namespace accrete::ion_test
