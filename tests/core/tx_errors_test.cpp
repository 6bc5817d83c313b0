// Every rejection of bad tx data: the code, a message naming what was wrong
// and where, and a database left exactly as it was.
#include "tx_fixture.hpp"

namespace accrete::tx_test {
namespace {

using Code = absl::StatusCode;

class TxErrorTest : public TxTest {
 protected:
  void SetUp() override {
    TxTest::SetUp();
    TxReport r = Tx(R"([{:db/id "p" :person/email "p@x" :person/age 30 :person/ssn "1"}
                        {:db/id "q" :person/email "q@x"}])");
    p_ = std::to_string(r.tempids.at("p"));
  }
  std::string p_;
};

TEST_F(TxErrorTest, UnknownAttributeNamesTheForm) {
  ExpectRejected(R"([[:db/add "p" :person/nmae "Ivan"]])", Code::kInvalidArgument,
                 {R"(Unknown attribute :person/nmae in [:db/add "p" :person/nmae "Ivan"])"});
  ExpectRejected(R"([{:person/nmae "Ivan"}])", Code::kInvalidArgument,
                 {"Unknown attribute :person/nmae in {:person/nmae \"Ivan\"}"});
  ExpectRejected(R"([{:person/_nmae 1}])", Code::kInvalidArgument,
                 {"Unknown attribute :person/_nmae"});
  // A reverse name needs a ref attribute.
  ExpectRejected(R"([{:person/_name 1}])", Code::kInvalidArgument,
                 {"Unknown attribute :person/_name"});
}

TEST_F(TxErrorTest, WrongValueType) {
  ExpectRejected(R"([[:db/add "p" :person/age "thirty"]])", Code::kInvalidArgument,
                 {"\"thirty\"", ":person/age", "db.type/long", "[:db/add \"p\" :person/age"});
  ExpectRejected(R"([{:person/name 42}])", Code::kInvalidArgument,
                 {"42", ":person/name", "db.type/string"});
  ExpectRejected(R"([{:person/name nil}])", Code::kInvalidArgument, {"nil", ":person/name"});
}

TEST_F(TxErrorTest, ValueTooLarge) {
  ExpectRejected("[{:person/name \"" + std::string(5000, 'x') + "\"}]", Code::kInvalidArgument,
                 {":person/name", "bytes", "limit of 4096"});
}

TEST_F(TxErrorTest, MalformedForms) {
  ExpectRejected(R"({:person/name "x"})", Code::kInvalidArgument, {"list or vector"});
  ExpectRejected(R"([42])", Code::kInvalidArgument, {"42"});
  ExpectRejected(R"([[:db/add "p" :person/name]])", Code::kInvalidArgument, {"[:db/add e a v]"});
  ExpectRejected(R"([["p" :person/name "x"]])", Code::kInvalidArgument, {"operation"});
  ExpectRejected(R"([{"name" "x"}])", Code::kInvalidArgument, {"attribute keywords"});
  ExpectRejected(R"([[:db/add 3.5 :person/name "x"]])", Code::kInvalidArgument,
                 {"Cannot resolve entity 3.5"});
}

TEST_F(TxErrorTest, UniqueValueConflicts) {
  // With existing data.
  ExpectRejected("[[:db/add [:person/email \"q@x\"] :person/ssn \"1\"]]", Code::kFailedPrecondition,
                 {"Unique conflict", ":person/ssn", "\"1\"", "already held by entity " + p_});
  // Within the transaction.
  ExpectRejected(R"([{:person/ssn "9" :person/name "A"} {:person/ssn "9" :person/name "B"}])",
                 Code::kFailedPrecondition, {"Unique conflict", "asserted for two entities"});
  // Identity values asserted on two known entities.
  ExpectRejected("[[:db/add [:person/email \"q@x\"] :person/email \"p@x\"]]",
                 Code::kFailedPrecondition, {"Unique conflict", ":person/email"});
}

TEST_F(TxErrorTest, TwoValuesForCardinalityOne) {
  ExpectRejected("[[:db/add " + p_ + " :person/age 1] [:db/add " + p_ + " :person/age 2]]",
                 Code::kFailedPrecondition,
                 {"two values for cardinality-one attribute :person/age", "1", "2"});
  ExpectRejected(R"([{:db/id "n" :person/name "A"} [:db/add "n" :person/name "B"]])",
                 Code::kFailedPrecondition, {"two values", ":person/name"});
}

TEST_F(TxErrorTest, AssertingAndRetractingOneFact) {
  ExpectRejected(
      "[[:db/add " + p_ + " :person/aliases \"a\"] [:db/retract " + p_ + " :person/aliases \"a\"]]",
      Code::kFailedPrecondition, {"both asserted and retracted"});
}

TEST_F(TxErrorTest, CasMismatch) {
  ExpectRejected("[[:db/cas " + p_ + " :person/age 29 31]]", Code::kFailedPrecondition,
                 {"Compare failed", ":person/age", p_, "expected to be 29", "but is 30"});
  ExpectRejected("[[:db/cas " + p_ + " :person/age nil 31]]", Code::kFailedPrecondition,
                 {"Compare failed", "absent (nil)", "but is 30"});
  ExpectRejected("[[:db/cas " + p_ + " :person/name \"x\" \"y\"]]", Code::kFailedPrecondition,
                 {"Compare failed", "but is absent"});
  ExpectRejected("[[:db/cas " + p_ + " :person/aliases \"x\" \"y\"]]", Code::kInvalidArgument,
                 {"cardinality-one"});
}

TEST_F(TxErrorTest, TempidUsedOnlyAsAValue) {
  ExpectRejected("[[:db/add " + p_ + " :person/friend \"ghost\"]]", Code::kInvalidArgument,
                 {"Tempid \"ghost\"", "only as a value"});
  ExpectRejected(R"([{:person/_friend "someone"}])", Code::kInvalidArgument,
                 {"used only as a value"});
}

TEST_F(TxErrorTest, TempidsInRetractions) {
  ExpectRejected(R"([[:db/retract "p" :person/name "x"]])", Code::kInvalidArgument,
                 {"Tempid \"p\""});
  ExpectRejected(R"([[:db/retractEntity "p"]])", Code::kInvalidArgument, {"Tempid \"p\""});
}

TEST_F(TxErrorTest, EntityIdsThatDoNotExist) {
  const EntityId future = MakeEntityId(kPartUser, 1) + 1000000;
  ExpectRejected("[[:db/add " + std::to_string(future) + " :person/name \"x\"]]",
                 Code::kInvalidArgument, {"Entity id " + std::to_string(future), "does not exist"});
  ExpectRejected("[[:db/add " + p_ + " :person/spouse " + std::to_string(future) + "]]",
                 Code::kInvalidArgument, {"does not exist"});
  ExpectRejected(R"([[:db/add 123456789 :person/name "x"]])", Code::kInvalidArgument,
                 {"does not exist"});
  ExpectRejected(R"([[:db/add -1 :person/name "x"]])", Code::kInvalidArgument, {"does not exist"});
}

TEST_F(TxErrorTest, PastTransactionsAreImmutable) {
  const int64_t t = db().basis_t();
  ExpectRejected("[[:db/add " + std::to_string(TToTx(t)) + " :tx/user \"x\"]]",
                 Code::kInvalidArgument, {"transaction", "immutable"});
  ExpectRejected("[[:db/add " + std::to_string(TToTx(t + 5)) + " :tx/user \"x\"]]",
                 Code::kInvalidArgument, {"does not exist"});
}

TEST_F(TxErrorTest, UnresolvableReferences) {
  ExpectRejected(R"([[:db/add [:person/email "nobody@x"] :person/age 1]])", Code::kInvalidArgument,
                 {"Lookup ref [:person/email \"nobody@x\"] names no entity"});
  ExpectRejected(R"([[:db/add [:person/name "x"] :person/age 1]])", Code::kInvalidArgument,
                 {"not unique"});
  ExpectRejected(R"([[:db/add :no/such-ident :person/age 1]])", Code::kInvalidArgument,
                 {"Unknown ident :no/such-ident"});
  ExpectRejected("[{:db/id " + p_ + " :person/color :color/green}]", Code::kInvalidArgument,
                 {"Unknown ident :color/green"});
}

TEST_F(TxErrorTest, NestedMapsNeedAUniqueAttributeOrAComponent) {
  ExpectRejected(R"([{:person/name "A" :person/spouse {:person/name "B"}}])",
                 Code::kInvalidArgument, {"Nested entity map under :person/spouse"});
  ExpectRejected("[[:db/add " + p_ + R"( :person/spouse {:person/email "z@x"}]])",
                 Code::kInvalidArgument, {"only in map forms"});
}

TEST_F(TxErrorTest, TxInstantNotAnInstant) {
  ExpectRejected(R"([{:db/id "datomic.tx" :db/txInstant 5}])", Code::kInvalidArgument,
                 {":db/txInstant"});
}

}  // namespace
}  // namespace accrete::tx_test
