// The pull grammar through the public API: attribute names, *, :db/id, map
// specs, reverse refs, components, recursion, eids.
#include "pull/pull_fixture.hpp"

namespace accrete::pull_test {
namespace {

TEST_F(PullTest, AttributeNames) {
  EXPECT_EQ(Pull("[:person/name :person/age]", Ref("ann")),
            Edn(R"({:person/name "Ann" :person/age 30})"));
}

TEST_F(PullTest, MissingAttributesAreLeftOut) {
  EXPECT_EQ(Pull("[:person/name :person/age]", Ref("bob")), Edn(R"({:person/name "Bob"})"));
}

TEST_F(PullTest, NothingToPullGivesAnEmptyMap) {
  EXPECT_EQ(Pull("[:person/age]", Ref("bob")), Edn("{}"));
  EXPECT_EQ(Pull("[:person/name]", Value::Integer(MakeEntityId(kPartUser, 999999))), Edn("{}"));
  EXPECT_EQ(Pull("[*]", Value::Integer(MakeEntityId(kPartUser, 999999))), Edn("{}"));
}

TEST_F(PullTest, CardinalityManyGivesAVectorInValueOrder) {
  EXPECT_EQ(Pull("[:person/aliases]", Ref("ann")), Edn(R"({:person/aliases ["a" "annie"]})"));
}

TEST_F(PullTest, DbId) {
  EXPECT_EQ(Pull("[:db/id :person/name]", Ref("bob")), Edn(R"({:db/id %bob :person/name "Bob"})"));
  EXPECT_EQ(Pull("[[:db/id :as \"id\"]]", Ref("bob")), Edn(R"({"id" %bob})"));
}

TEST_F(PullTest, RefsWithoutASubpatternAreReferenceMaps) {
  EXPECT_EQ(Pull("[:person/spouse :person/friend]", Ref("bob")),
            Edn("{:person/spouse {:db/id %cid} :person/friend [{:db/id %ann}]}"));
}

TEST_F(PullTest, RefsToIdentsCarryTheIdent) {
  const EntityId red = *db().entid(kw("color/red"));
  EXPECT_EQ(Pull("[:person/color]", Ref("ann")),
            Edn("{:person/color {:db/id " + std::to_string(red) + " :db/ident :color/red}}"));
}

TEST_F(PullTest, WildcardPullsEveryAttributeAndExpandsComponents) {
  const EntityId red = *db().entid(kw("color/red"));
  EXPECT_EQ(Pull("[*]", Ref("ann")),
            Edn(R"({:db/id %ann :person/name "Ann" :person/email "ann@x" :person/age 30
                    :person/aliases ["a" "annie"]
                    :person/color {:db/id )" +
                std::to_string(red) + R"( :db/ident :color/red}
                    :person/friend [{:db/id %cid} {:db/id %bob}]
                    :person/address {:db/id %ann-home :address/city "Oslo"}})"));
}

TEST_F(PullTest, WildcardExpandsComponentsRecursively) {
  EXPECT_EQ(Pull("[*]", Ref("order")),
            Edn(R"({:db/id %order :order/customer {:db/id %ann}
                    :order/items [{:db/id %i1 :item/sku "A1"
                                   :item/parts [{:db/id %bolt :part/name "bolt"}]}
                                  {:db/id %i2 :item/sku "B2"}]})"));
}

TEST_F(PullTest, WildcardWithAnExplicitSpecForOneAttribute) {
  EXPECT_EQ(Pull("[* {:person/spouse [:person/name]}]", Ref("bob")),
            Edn(R"({:db/id %bob :person/name "Bob" :person/email "bob@x"
                    :person/spouse {:person/name "Cid"} :person/friend [{:db/id %ann}]})"));
}

TEST_F(PullTest, WildcardWithANamedAttributeIsTheWildcard) {
  EXPECT_EQ(Pull("[* :person/name :db/id]", Ref("order")), Pull("[*]", Ref("order")));
}

TEST_F(PullTest, WildcardAsAString) {
  EXPECT_EQ(Pull(R"(["*"])", Ref("cid")),
            Edn(R"({:db/id %cid :person/name "Cid" :person/email "cid@x"})"));
}

TEST_F(PullTest, NamedComponentWithoutASubpatternIsExpanded) {
  EXPECT_EQ(Pull("[:person/address]", Ref("ann")),
            Edn(R"({:person/address {:db/id %ann-home :address/city "Oslo"}})"));
}

TEST_F(PullTest, MapSpecsNest) {
  EXPECT_EQ(Pull("[:person/name {:person/friend [:person/name {:person/spouse [:person/name]}]}]",
                 Ref("ann")),
            Edn(R"({:person/name "Ann"
                    :person/friend [{:person/name "Cid"}
                                    {:person/name "Bob" :person/spouse {:person/name "Cid"}}]})"));
}

TEST_F(PullTest, MapSpecWithSeveralEntries) {
  EXPECT_EQ(Pull("[{:person/spouse [:person/name] :person/friend [:db/id]}]", Ref("bob")),
            Edn(R"({:person/spouse {:person/name "Cid"} :person/friend [{:db/id %ann}]})"));
}

TEST_F(PullTest, NestedEntityWithNothingToPullIsAnEmptyMap) {
  EXPECT_EQ(Pull("[{:person/spouse [:person/age]}]", Ref("bob")), Edn("{:person/spouse {}}"));
  EXPECT_EQ(Pull("[{:person/friend [:person/age]}]", Ref("ann")),
            Edn("{:person/friend [{} {}]}"));
}

TEST_F(PullTest, ReverseRefsGiveVectors) {
  EXPECT_EQ(Pull("[:person/_friend]", Ref("cid")), Edn("{:person/_friend [{:db/id %ann}]}"));
  EXPECT_EQ(Pull("[{:person/_spouse [:person/name]}]", Ref("cid")),
            Edn(R"({:person/_spouse [{:person/name "Bob"}]})"));
  EXPECT_EQ(Pull("[:person/_spouse]", Ref("ann")), Edn("{}"));
}

TEST_F(PullTest, ReverseComponentGivesOneMap) {
  EXPECT_EQ(Pull("[:person/_address]", Ref("ann-home")), Edn("{:person/_address {:db/id %ann}}"));
  EXPECT_EQ(Pull("[{:order/_items [{:order/customer [:person/name]}]}]", Ref("i2")),
            Edn(R"({:order/_items {:order/customer {:person/name "Ann"}}})"));
}

TEST_F(PullTest, UnboundedRecursion) {
  EXPECT_EQ(Pull("[:tree/name {:tree/children ...}]", Ref("root")),
            Edn(R"({:tree/name "root"
                    :tree/children [{:tree/name "c1"
                                     :tree/children [{:tree/name "g1"
                                                      :tree/children [{:tree/name "leaf"}]}]}
                                    {:tree/name "c2"}]})"));
}

TEST_F(PullTest, RecursionToADepth) {
  EXPECT_EQ(Pull("[:tree/name {:tree/children 1}]", Ref("root")),
            Edn(R"({:tree/name "root" :tree/children [{:tree/name "c1"} {:tree/name "c2"}]})"));
  EXPECT_EQ(Pull("[:tree/name {:tree/children 2}]", Ref("root")),
            Edn(R"({:tree/name "root"
                    :tree/children [{:tree/name "c1" :tree/children [{:tree/name "g1"}]}
                                    {:tree/name "c2"}]})"));
}

TEST_F(PullTest, ReverseRecursionWalksUp) {
  EXPECT_EQ(Pull("[:tree/name {:tree/_children ...}]", Ref("leaf")),
            Edn(R"({:tree/name "leaf"
                    :tree/_children [{:tree/name "g1"
                                      :tree/_children [{:tree/name "c1"
                                                        :tree/_children [{:tree/name "root"}]}]}]})"));
}

TEST_F(PullTest, RecursionStopsAtACycle) {
  Tx(R"([[:db/add [:tree/name "leaf"] :tree/children [:tree/name "root"]]])");
  EXPECT_EQ(Pull("[:tree/name {:tree/children ...}]", Ref("c1")),
            Edn(R"({:tree/name "c1"
                    :tree/children
                    [{:tree/name "g1"
                      :tree/children
                      [{:tree/name "leaf"
                        :tree/children
                        [{:tree/name "root"
                          :tree/children [{:db/id %c1} {:tree/name "c2"}]}]}]}]})"));
}

TEST_F(PullTest, MutualFriendsCycle) {
  EXPECT_EQ(Pull("[:person/name {:person/friend ...}]", Ref("bob")),
            Edn(R"({:person/name "Bob"
                    :person/friend [{:person/name "Ann"
                                     :person/friend [{:person/name "Cid"} {:db/id %bob}]}]})"));
}

TEST_F(PullTest, RecursionDeeperThanTheNestingLimitFails) {
  std::string tx = "[";
  for (int i = 0; i < 1100; ++i) {
    tx += "{:db/id \"n" + std::to_string(i) + "\" :tree/name \"n" + std::to_string(i) + "\"" +
          (i + 1 < 1100 ? " :tree/children [\"n" + std::to_string(i + 1) + "\"]" : "") + "}";
  }
  Tx(tx + "]");
  ExpectError("[:tree/name {:tree/children ...}]", Ref("n0"), absl::StatusCode::kResourceExhausted,
              {"deeper than"});
  // A bounded recursion over the same chain is fine.
  Value shallow = Pull("[{:tree/children 3}]", Ref("n0"));
  EXPECT_EQ(shallow, Edn("{:tree/children [{:tree/children [{:tree/children [{}]}]}]}"));
}

TEST_F(PullTest, EidAsIdent) {
  EXPECT_EQ(Pull("[:db/ident :db/valueType :db/cardinality]", kw("person/aliases")),
            Pull("[:db/ident :db/valueType :db/cardinality]",
                 Value::Integer(*db().entid(kw("person/aliases")))));
  Value attr = Pull("[:db/ident {:db/valueType [:db/ident]}]", kw("person/aliases"));
  EXPECT_EQ(attr, Edn("{:db/ident :person/aliases :db/valueType {:db/ident :db.type/string}}"));
}

TEST_F(PullTest, EidAsLookupRef) {
  EXPECT_EQ(Pull("[:person/name]", vec({kw("person/email"), "bob@x"})),
            Edn(R"({:person/name "Bob"})"));
  EXPECT_EQ(Pull("[:person/name]", list({kw("person/email"), "bob@x"})),
            Edn(R"({:person/name "Bob"})"));
}

TEST_F(PullTest, PatternAsAValue) {
  auto result = pull(db(), vec({kw("person/name"), map({{kw("person/spouse"), vec({kw("db/id")})}})}),
                     Ref("bob"));
  ASSERT_OK(result);
  EXPECT_EQ(*result, Edn(R"({:person/name "Bob" :person/spouse {:db/id %cid}})"));
}

TEST_F(PullTest, PullManyKeepsTheOrderOfItsEids) {
  auto results = pull_many(db(), Edn("[:person/name]"),
                           {Ref("cid"), vec({kw("person/email"), "ann@x"}), Ref("bob"),
                            Value::Integer(MakeEntityId(kPartUser, 999999)), Ref("cid")});
  ASSERT_OK(results);
  EXPECT_EQ(*results,
            (std::vector<Value>{Edn(R"({:person/name "Cid"})"), Edn(R"({:person/name "Ann"})"),
                                Edn(R"({:person/name "Bob"})"), Edn("{}"),
                                Edn(R"({:person/name "Cid"})")}));
}

TEST_F(PullTest, PullManyOverManyEntities) {
  // More entities than one read transaction serves (pull_many renews it).
  std::vector<Value> eids;
  std::vector<Value> expected;
  for (int i = 0; i < 9000; ++i) {
    eids.push_back(i % 2 == 0 ? Ref("ann") : Ref("leaf"));
    expected.push_back(i % 2 == 0 ? Edn(R"({:person/name "Ann" :person/_friend [{:db/id %bob}]})")
                                  : Edn(R"({:tree/name "leaf"})"));
  }
  auto results = pull_many(db(), Edn("[:person/name :tree/name :person/_friend]"), eids);
  ASSERT_OK(results);
  EXPECT_EQ(*results, expected);
}

TEST_F(PullTest, PullManyFailsOnABadEid) {
  auto results = pull_many(db(), Edn("[:person/name]"),
                           {Ref("cid"), vec({kw("person/email"), "nobody@x"})});
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace accrete::pull_test
