// The forms of tx data, through Connection::transact: list forms, map
// forms, nested maps, reverse attributes, cardinality-many values, tempids,
// lookup refs, idents, retractions, retractEntity, cas, tx metadata and
// :db/txInstant.
#include "tx_fixture.hpp"

namespace accrete::tx_test {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

Value Email(std::string_view email) { return vec({kw("person/email"), email}); }

TEST_F(TxTest, ListFormAssertsOnATempid) {
  TxReport r = Tx(R"([[:db/add "p" :person/name "Ivan"]])");
  ASSERT_EQ(r.tempids.count("p"), 1u);
  const EntityId p = r.tempids.at("p");
  EXPECT_EQ(PartitionOf(p), kPartUser);
  EXPECT_EQ(Get(Value::Integer(p), "person/name"), Value("Ivan"));
  // The report: the transaction's instant first, then the assertion.
  ASSERT_EQ(r.tx_data.size(), 2u);
  EXPECT_EQ(r.tx_data[0].e, TToTx(r.t()));
  EXPECT_EQ(r.tx_data[0].a, AttrId("db/txInstant"));
  EXPECT_EQ(r.tx_data[0].v.kind(), Kind::kInst);
  EXPECT_EQ(r.tx_data[1], (Datom{p, AttrId("person/name"), "Ivan", TToTx(r.t()), true}));
}

TEST_F(TxTest, MapFormWithoutIdCreatesAnEntity) {
  TxReport r = Tx(R"([{:person/name "Ana" :person/age 31} {:person/name "Bo"}])");
  std::vector<Datom> data = DataOf(r);
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[0].e, data[1].e);
  EXPECT_NE(data[0].e, data[2].e);
  EXPECT_EQ(Get(Value::Integer(data[0].e), "person/age"), Value(31));
  EXPECT_TRUE(r.tempids.empty());
}

TEST_F(TxTest, CardinalityManyValuesAsVectorSetOrList) {
  TxReport r = Tx(R"([{:db/id "a" :person/aliases ["x" "y"]}
                      {:db/id "b" :person/aliases #{"x" "z"}}
                      {:db/id "c" :person/aliases ("w")}
                      {:db/id "d" :person/aliases "solo"}])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("a")), "person/aliases"), set({"x", "y"}));
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("b")), "person/aliases"), set({"x", "z"}));
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("c")), "person/aliases"), set({"w"}));
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("d")), "person/aliases"), set({"solo"}));
}

TEST_F(TxTest, CardinalityOneAssertionRetractsThePreviousValue) {
  TxReport first = Tx(R"([{:db/id "p" :person/email "p@x" :person/age 30}])");
  const EntityId p = first.tempids.at("p");
  TxReport second = Tx(R"([[:db/add [:person/email "p@x"] :person/age 31]])");
  const EntityId tx = TToTx(second.t());
  EXPECT_THAT(DataOf(second), UnorderedElementsAre(Datom{p, AttrId("person/age"), 30, tx, false},
                                                   Datom{p, AttrId("person/age"), 31, tx, true}));
  EXPECT_EQ(Get(Value::Integer(p), "person/age"), Value(31));
}

TEST_F(TxTest, RedundantAssertionsAndAbsentRetractionsAreDropped) {
  TxReport first = Tx(R"([{:db/id "p" :person/email "p@x" :person/aliases ["a" "b"]}])");
  const EntityId p = first.tempids.at("p");
  const std::string e = std::to_string(p);
  TxReport second = Tx("[[:db/add " + e + R"( :person/email "p@x"]
                         [:db/add )" +
                       e + R"( :person/aliases "a"]
                         [:db/retract )" +
                       e + R"( :person/aliases "zzz"]
                         [:db/retract )" +
                       e + R"( :person/age 3]])");
  EXPECT_TRUE(DataOf(second).empty());
  EXPECT_EQ(second.tx_data.size(), 1u);  // only the transaction's instant
}

TEST_F(TxTest, TheTransactionIsASet) {
  TxReport r = Tx(R"([[:db/add "p" :person/name "Ivan"]
                      [:db/add "p" :person/name "Ivan"]
                      {:db/id "p" :person/name "Ivan" :person/aliases ["v" "v"]}])");
  EXPECT_EQ(DataOf(r).size(), 2u);
}

TEST_F(TxTest, RetractOneValueAndAllValues) {
  TxReport r = Tx(R"([{:db/id "p" :person/name "P" :person/aliases ["a" "b" "c"]}])");
  const std::string e = std::to_string(r.tempids.at("p"));
  Tx("[[:db/retract " + e + R"( :person/aliases "b"]])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("p")), "person/aliases"), set({"a", "c"}));
  TxReport all = Tx("[[:db/retract " + e + " :person/aliases]]");
  EXPECT_EQ(DataOf(all).size(), 2u);
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("p")), "person/aliases"), set({}));
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("p")), "person/name"), Value("P"));
}

TEST_F(TxTest, LookupRefsInEntityAndValuePositions) {
  Tx(R"([{:person/email "a@x" :person/name "A"} {:person/email "b@x" :person/name "B"}])");
  Tx(R"([[:db/add [:person/email "a@x"] :person/friend [:person/email "b@x"]]
         {:db/id [:person/email "b@x"] :person/spouse [:person/email "a@x"]}])");
  const EntityId a = Entid(Email("a@x"));
  const EntityId b = Entid(Email("b@x"));
  EXPECT_EQ(Get(Value::Integer(a), "person/friend"), set({Value::Integer(b)}));
  EXPECT_EQ(Get(Value::Integer(b), "person/spouse"), Value::Integer(a));
}

TEST_F(TxTest, CardinalityManyRefTakesOneLookupRefOrSeveral) {
  Tx(R"([{:person/email "a@x"} {:person/email "b@x"} {:person/email "c@x"}])");
  Tx(R"([{:db/id [:person/email "a@x"] :person/friend [:person/email "b@x"]}])");
  EXPECT_EQ(Get(Email("a@x"), "person/friend"), set({Value::Integer(Entid(Email("b@x")))}));
  Tx(R"([{:db/id [:person/email "c@x"]
          :person/friend [[:person/email "a@x"] [:person/email "b@x"]]}])");
  EXPECT_EQ(Get(Email("c@x"), "person/friend"),
            set({Value::Integer(Entid(Email("a@x"))), Value::Integer(Entid(Email("b@x")))}));
}

TEST_F(TxTest, IdentsAsEntitiesAndRefValues) {
  TxReport r = Tx(R"([{:db/id "p" :person/color :color/red}
                      [:db/add :color/blue :db/doc "the colour of the sky"]])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("p")), "person/color"), kw("color/red"));
  EXPECT_EQ(Get(kw("color/blue"), "db/doc"), Value("the colour of the sky"));
}

TEST_F(TxTest, IntegerEntityIdsOfExistingEntities) {
  TxReport r = Tx(R"([{:db/id "p" :person/name "P"}])");
  const EntityId p = r.tempids.at("p");
  Tx("[{:db/id " + std::to_string(p) + " :person/age 7}]");
  EXPECT_EQ(Get(Value::Integer(p), "person/age"), Value(7));
}

TEST_F(TxTest, NestedComponentMapsBecomeEntities) {
  TxReport r = Tx(R"([{:db/id "p" :person/name "P"
                       :person/address {:address/city "Oslo" :address/street "Karl Johan"}}
                      {:db/id "o" :order/items [{:item/sku "a"} {:item/sku "b"}]}])");
  Value address = Get(Value::Integer(r.tempids.at("p")), "person/address");
  ASSERT_TRUE(address.is_integer()) << address.to_string();
  EXPECT_EQ(Get(address, "address/city"), Value("Oslo"));
  Value items = Get(Value::Integer(r.tempids.at("o")), "order/items");
  ASSERT_EQ(items.size(), 2u);
  std::vector<Value> skus;
  for (const Value& item : items.items()) skus.push_back(Get(item, "item/sku"));
  EXPECT_THAT(skus, UnorderedElementsAre(Value("a"), Value("b")));
}

TEST_F(TxTest, NestedMapWithAUniqueAttributeUpserts) {
  Tx(R"([{:person/email "c@x" :person/name "Customer"}])");
  const EntityId c = Entid(Email("c@x"));
  TxReport r = Tx(R"([{:db/id "o" :order/customer {:person/email "c@x" :person/age 40}}])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("o")), "order/customer"), Value::Integer(c));
  EXPECT_EQ(Get(Value::Integer(c), "person/age"), Value(40));
}

TEST_F(TxTest, ReverseAttributeNamesPointBack) {
  Tx(R"([{:person/email "a@x"} {:person/email "b@x"}])");
  TxReport r = Tx(R"([{:db/id "c" :person/name "C"
                       :person/_friend [[:person/email "a@x"] [:person/email "b@x"]]}
                      {:db/id "d" :person/name "D" :person/_spouse [:person/email "a@x"]}])");
  const Value c = Value::Integer(r.tempids.at("c"));
  EXPECT_EQ(Get(Email("a@x"), "person/friend"), set({c}));
  EXPECT_EQ(Get(Email("b@x"), "person/friend"), set({c}));
  EXPECT_EQ(Get(Email("a@x"), "person/spouse"), Value::Integer(r.tempids.at("d")));
}

TEST_F(TxTest, TempidsReferToEachOther) {
  TxReport r = Tx(R"([{:db/id "a" :person/name "A" :person/spouse "b"}
                      {:db/id "b" :person/name "B" :person/spouse "a"}])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("a")), "person/spouse"),
            Value::Integer(r.tempids.at("b")));
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("b")), "person/spouse"),
            Value::Integer(r.tempids.at("a")));
}

TEST_F(TxTest, TransactionMetadataOnDatomicTx) {
  TxReport r = Tx(R"([{:person/name "P"} {:db/id "datomic.tx" :tx/user "bob"}])");
  const EntityId tx = TToTx(r.t());
  EXPECT_EQ(r.tempids.at("datomic.tx"), tx);
  EXPECT_EQ(Get(Value::Integer(tx), "tx/user"), Value("bob"));
  // The transaction entity can be a ref value too.
  TxReport r2 = Tx(R"([{:person/name "Q" :person/friend "datomic.tx"}])");
  EXPECT_EQ(DataOf(r2).size(), 2u);
}

TEST_F(TxTest, TxInstantIsMonotonic) {
  TxReport a = Tx(R"([{:person/name "A"}])");
  TxReport b = Tx(R"([{:person/name "B"}])");
  EXPECT_LE(a.tx_data[0].v.inst_millis(), b.tx_data[0].v.inst_millis());
}

TEST_F(TxTest, ExplicitTxInstantForImports) {
  TxReport last = Tx(R"([{:person/name "A"}])");
  const int64_t last_ms = last.tx_data[0].v.inst_millis();
  const Value later = Value::Inst(last_ms + 3600 * 1000);
  TxReport r =
      Tx("[{:db/id \"datomic.tx\" :db/txInstant " + later.to_string() + R"(} {:person/name "B"}])");
  EXPECT_EQ(r.tx_data[0].a, AttrId("db/txInstant"));
  EXPECT_EQ(r.tx_data[0].v, later);
  EXPECT_EQ(DataOf(r).size(), 1u);  // the instant is written once, first
  // Earlier than the last one: refused.
  ExpectRejected("[{:db/id \"datomic.tx\" :db/txInstant " + Value::Inst(last_ms - 1).to_string() +
                     R"(} {:person/name "C"}])",
                 absl::StatusCode::kInvalidArgument, {"txInstant", "earlier"});
}

TEST_F(TxTest, RetractEntityRetractsItsDatomsReferencesAndComponents) {
  TxReport r = Tx(R"([{:db/id "p" :person/email "p@x" :person/aliases ["a" "b"]
                       :person/address {:address/city "Oslo"}}
                      {:db/id "q" :person/email "q@x" :person/friend "p" :person/spouse "p"}])");
  const EntityId p = r.tempids.at("p");
  const EntityId q = r.tempids.at("q");
  const Value address = Get(Value::Integer(p), "person/address");
  TxReport gone = Tx("[[:db/retractEntity [:person/email \"p@x\"]]]");
  for (const Datom& d : DataOf(gone)) EXPECT_FALSE(d.added) << d.to_string();
  EXPECT_EQ(DataOf(gone).size(), 7u);  // 4 own, 1 of the address, 2 references
  EXPECT_EQ(Entid(Email("p@x")), 0);
  EXPECT_EQ(Get(Value::Integer(q), "person/friend"), set({}));
  EXPECT_EQ(Get(Value::Integer(q), "person/spouse"), Value());
  EXPECT_EQ(Get(address, "address/city"), Value());
  EXPECT_EQ(Get(Value::Integer(q), "person/email"), Value("q@x"));
}

TEST_F(TxTest, CasSwapsWhenTheValueMatches) {
  TxReport r = Tx(R"([{:db/id "p" :person/email "p@x" :person/age 30}])");
  const std::string e = std::to_string(r.tempids.at("p"));
  Tx("[[:db/cas " + e + " :person/age 30 31]]");
  EXPECT_EQ(Get(Email("p@x"), "person/age"), Value(31));
  // nil as the old value: the attribute must be absent.
  Tx("[[:db/cas " + e + R"( :person/name nil "P"]])");
  EXPECT_EQ(Get(Email("p@x"), "person/name"), Value("P"));
  // Refs compare by entity, given as idents too.
  Tx("[[:db/cas " + e + " :person/color nil :color/red]]");
  Tx("[[:db/cas " + e + " :person/color :color/red :color/blue]]");
  EXPECT_EQ(Get(Email("p@x"), "person/color"), kw("color/blue"));
}

TEST_F(TxTest, WithAppliesSpeculatively) {
  Tx(R"([{:person/email "a@x" :person/age 1}])");
  const Db before = db();
  auto r = before.with(vec({vec({kw("db/add"), Email("a@x"), kw("person/age"), 2})}));
  ASSERT_TRUE(r.ok()) << r.status();
  auto age = r->db_after.entity(Email("a@x"))->Get(kw("person/age"));
  ASSERT_TRUE(age.ok());
  EXPECT_EQ(*age, Value(2));
  EXPECT_EQ(Get(Email("a@x"), "person/age"), Value(1));
  EXPECT_EQ(db().basis_t(), before.basis_t());
}

TEST_F(TxTest, ReportOrderFollowsTheForms) {
  TxReport r = Tx(R"([[:db/add "a" :person/name "A"] [:db/add "b" :person/name "B"]
                      [:db/add "a" :person/age 1]])");
  std::vector<Datom> data = DataOf(r);
  ASSERT_EQ(data.size(), 3u);
  std::vector<Value> values;
  for (const Datom& d : data) values.push_back(d.v);
  EXPECT_THAT(values, ElementsAre(Value("A"), Value("B"), Value(1)));
}

}  // namespace
}  // namespace accrete::tx_test
