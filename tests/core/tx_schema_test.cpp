// Schema as data: installing attributes, the changes Datomic allows and the
// ones it forbids, composite tuples kept in step with their members.
#include "tx_fixture.hpp"

namespace accrete::tx_test {
namespace {

using Code = absl::StatusCode;

TEST_F(TxTest, InstalledAttributesLiveInTheDbPartition) {
  TxReport r = Tx(R"([{:db/id "a" :db/ident :thing/size :db/valueType :db.type/long
                       :db/cardinality :db.cardinality/one :db/doc "how big"}])");
  const EntityId a = r.tempids.at("a");
  EXPECT_EQ(PartitionOf(a), kPartDb);
  EXPECT_GE(a, 0x1000);
  EXPECT_EQ(AttrId("thing/size"), a);
  Tx(R"([{:thing/size 3}])");
  auto attribute = db().attribute(kw("thing/size"));
  ASSERT_TRUE(attribute.ok()) << attribute.status();
  // An attribute cannot be used in the transaction that installs it.
  ExpectRejected(R"([{:db/ident :thing/weight :db/valueType :db.type/long
                      :db/cardinality :db.cardinality/one}
                     {:thing/weight 3}])",
                 Code::kInvalidArgument, {"Unknown attribute :thing/weight"});
}

TEST_F(TxTest, EntitiesWithIdentsTakeDbIdsOthersUserIds) {
  TxReport r = Tx(R"([{:db/id "e" :db/ident :status/active} {:db/id "u" :person/name "U"}])");
  EXPECT_EQ(PartitionOf(r.tempids.at("e")), kPartDb);
  EXPECT_EQ(PartitionOf(r.tempids.at("u")), kPartUser);
}

TEST_F(TxTest, NewAttributesAreValidated) {
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/long}])", Code::kInvalidArgument,
                 {":bad/a", ":db/cardinality"});
  ExpectRejected(R"([{:db/ident :bad/a :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {":bad/a", ":db/valueType"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.cardinality/one
                      :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {":db/valueType of :bad/a", ":db.type/*"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/long
                      :db/cardinality :db.type/long}])",
                 Code::kInvalidArgument, {":db/cardinality of :bad/a"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/long
                      :db/cardinality :db.cardinality/one :db/unique :db.cardinality/one}])",
                 Code::kInvalidArgument, {":db/unique of :bad/a"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/long
                      :db/cardinality :db.cardinality/one :db/isComponent true}])",
                 Code::kInvalidArgument, {":bad/a cannot be a component"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/tuple
                      :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {"Tuple attribute :bad/a needs exactly one"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/long
                      :db/tupleAttrs [:person/name :person/age]
                      :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {":db.type/tuple"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/tuple
                      :db/tupleAttrs [:person/name :person/aliases]
                      :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {":person/aliases", "cardinality-one"});
  ExpectRejected(R"([{:db/ident :bad/a :db/valueType :db.type/tuple
                      :db/tupleTypes [:db.type/long :db.type/nope]
                      :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {":db/tupleTypes of :bad/a"});
  ExpectRejected(R"([{:db/ident :bad/a :db/unique :db.unique/identity}])", Code::kInvalidArgument,
                 {"not a complete attribute"});
  ExpectRejected(R"([{:db/id "x" :person/name "X" :db/valueType :db.type/long
                      :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {"not a complete attribute"});
}

TEST_F(TxTest, TupleAttributesOfEachShapeInstall) {
  Tx(R"([{:db/ident :geo/point :db/valueType :db.type/tuple
          :db/tupleTypes [:db.type/double :db.type/double] :db/cardinality :db.cardinality/one}
         {:db/ident :geo/tags :db/valueType :db.type/tuple :db/tupleType :db.type/keyword
          :db/cardinality :db.cardinality/one}])");
  TxReport r = Tx(R"([{:db/id "p" :geo/point [1.5 2.5] :geo/tags [:a :b :c]}])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("p")), "geo/point"), vec({1.5, 2.5}));
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("p")), "geo/tags"), vec({kw("a"), kw("b"), kw("c")}));
}

TEST_F(TxTest, AllowedSchemaChanges) {
  Tx(R"([{:person/email "a@x" :person/aliases ["one"] :person/name "A"}
         {:person/email "b@x" :person/name "B"}])");
  // Documentation, history, component flags.
  Tx(R"([{:db/ident :person/name :db/doc "a person's name" :db/noHistory true}])");
  EXPECT_EQ(Get(kw("person/name"), "db/doc"), Value("a person's name"));
  // Cardinality many -> one: no entity has two aliases.
  Tx(R"([{:db/ident :person/aliases :db/cardinality :db.cardinality/one}])");
  Tx(R"([[:db/add [:person/email "a@x"] :person/aliases "two"]])");
  EXPECT_EQ(Get(vec({kw("person/email"), "a@x"}), "person/aliases"), Value("two"));
  // And back to many.
  Tx(R"([{:db/ident :person/aliases :db/cardinality :db.cardinality/many}])");
  // Adding uniqueness to values that are unique, and removing it.
  Tx(R"([{:db/ident :person/name :db/unique :db.unique/identity}])");
  EXPECT_EQ(db().entid(vec({kw("person/name"), "B"})).ok(), true);
  Tx(R"([[:db/retract :person/name :db/unique :db.unique/identity]])");
  EXPECT_FALSE(db().entid(vec({kw("person/name"), "B"})).ok());
  // Renaming.
  Tx(R"([[:db/add :person/age :db/ident :person/years]])");
  EXPECT_NE(AttrId("person/years"), 0);
  EXPECT_EQ(AttrId("person/age"), 0);
}

TEST_F(TxTest, SchemaChangesRefusedByTheData) {
  Tx(R"([{:person/email "a@x" :person/aliases ["one" "two"] :person/name "Same"}
         {:person/email "b@x" :person/name "Same"}])");
  ExpectRejected(R"([{:db/ident :person/aliases :db/cardinality :db.cardinality/one}])",
                 Code::kInvalidArgument, {"cardinality one", "several values"});
  ExpectRejected(R"([{:db/ident :person/name :db/unique :db.unique/value}])",
                 Code::kInvalidArgument, {"Cannot make :person/name unique", "\"Same\""});
}

TEST_F(TxTest, ForbiddenSchemaChanges) {
  ExpectRejected(R"([{:db/ident :person/age :db/valueType :db.type/string}])",
                 Code::kInvalidArgument, {"Cannot change :db/valueType of :person/age"});
  ExpectRejected(R"([[:db/retract :person/age :db/cardinality :db.cardinality/one]])",
                 Code::kInvalidArgument, {"Cannot retract :db/cardinality of :person/age"});
  ExpectRejected(R"([[:db/retract :person/age :db/valueType :db.type/long]])",
                 Code::kInvalidArgument, {"Cannot retract :db/valueType of :person/age"});
  ExpectRejected(R"([[:db/retract :person/age :db/ident :person/age]])", Code::kInvalidArgument,
                 {"Cannot retract :db/ident of attribute :person/age"});
  ExpectRejected(R"([[:db/add :db/doc :db/ident :db/documentation]])", Code::kInvalidArgument,
                 {"system entity :db/doc"});
  ExpectRejected(R"([[:db/add :db/doc :db/cardinality :db.cardinality/many]])",
                 Code::kInvalidArgument, {"system entity :db/doc"});
  ExpectRejected(R"([[:db/add :db.type/long :person/name "long"]])", Code::kInvalidArgument,
                 {"Cannot change :person/name of system entity :db.type/long"});
  Tx(R"([[:db/add :db/ident :db/doc "documented"]])");
  ExpectRejected(R"([{:db/ident :person/name :db/isComponent true}])", Code::kInvalidArgument,
                 {":person/name cannot be a component"});
  Tx(kRegistrationSchema);
  Tx(kRegistrationComposite);
  ExpectRejected(R"([{:db/ident :reg/course+semester :db/tupleAttrs [:reg/semester :reg/course]}])",
                 Code::kInvalidArgument, {"Cannot change :db/tupleAttrs of :reg/course+semester"});
}

class CompositeTest : public TxTest {
 protected:
  void SetUp() override {
    TxTest::SetUp();
    Tx(kRegistrationSchema);
    Tx(kRegistrationComposite);
  }
  Value Composite(EntityId e) { return Get(Value::Integer(e), "reg/course+semester"); }
};

TEST_F(CompositeTest, MaintainedWhenMembersChange) {
  TxReport r = Tx(R"([{:db/id "r" :reg/course "math" :reg/semester "fall"}])");
  const EntityId e = r.tempids.at("r");
  EXPECT_EQ(Composite(e), vec({"math", "fall"}));
  Tx("[[:db/add " + std::to_string(e) + R"( :reg/semester "spring"]])");
  EXPECT_EQ(Composite(e), vec({"math", "spring"}));
  // A missing member is nil.
  Tx("[[:db/retract " + std::to_string(e) + R"( :reg/course "math"]])");
  EXPECT_EQ(Composite(e), vec({Value(), "spring"}));
  // No member left: the tuple goes too.
  Tx("[[:db/retract " + std::to_string(e) + R"( :reg/semester]])");
  EXPECT_EQ(Composite(e), Value());
}

TEST_F(CompositeTest, PartialFromTheStart) {
  TxReport r = Tx(R"([{:db/id "r" :reg/semester "fall" :reg/grade 3}])");
  EXPECT_EQ(Composite(r.tempids.at("r")), vec({Value(), "fall"}));
}

TEST_F(CompositeTest, UpsertsThroughAUniqueComposite) {
  TxReport r = Tx(R"([{:db/id "r" :reg/course "math" :reg/semester "fall" :reg/grade 3}])");
  TxReport again = Tx(R"([{:db/id "s" :reg/course+semester ["math" "fall"]
                           :reg/course "math" :reg/semester "fall" :reg/grade 5}])");
  EXPECT_EQ(again.tempids.at("s"), r.tempids.at("r"));
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("r")), "reg/grade"), Value(5));
}

TEST_F(CompositeTest, UniqueCompositeConflicts) {
  Tx(R"([{:reg/course "math" :reg/semester "fall"}])");
  ExpectRejected(R"([{:reg/course "math" :reg/semester "fall" :reg/grade 1}])",
                 Code::kFailedPrecondition, {"Unique conflict", ":reg/course+semester"});
}

TEST_F(CompositeTest, AssertingADifferentTupleIsRefused) {
  ExpectRejected(R"([{:reg/course+semester ["math" "spring"] :reg/course "math"
                      :reg/semester "fall"}])",
                 Code::kInvalidArgument, {"maintained from its members"});
  ExpectRejected(R"([[:db/retract 1 :reg/course+semester ["a" "b"]]])", Code::kInvalidArgument,
                 {"cannot be retracted"});
}

TEST_F(CompositeTest, RetractEntityRemovesTheTuple) {
  TxReport r = Tx(R"([{:db/id "r" :reg/course "math" :reg/semester "fall"}])");
  Tx("[[:db/retractEntity " + std::to_string(r.tempids.at("r")) + "]]");
  auto found = db().entid(vec({kw("reg/course+semester"), vec({"math", "fall"})}));
  EXPECT_FALSE(found.ok());
}

TEST_F(TxTest, CompositeInstalledWithItsMembers) {
  Tx(R"([{:db/ident :pt/x :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
         {:db/ident :pt/y :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
         {:db/ident :pt/x+y :db/valueType :db.type/tuple :db/tupleAttrs [:pt/x :pt/y]
          :db/cardinality :db.cardinality/one}])");
  TxReport r = Tx(R"([{:db/id "p" :pt/x 1 :pt/y 2}])");
  EXPECT_EQ(Get(Value::Integer(r.tempids.at("p")), "pt/x+y"), vec({1, 2}));
}

}  // namespace
}  // namespace accrete::tx_test
