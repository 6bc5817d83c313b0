// Upsert through :db.unique/identity: tempids resolving to existing
// entities, merging, conflicts, and resolution that takes several passes.
#include "tx_fixture.hpp"

namespace accrete::tx_test {
namespace {

using Code = absl::StatusCode;

Value Email(std::string_view email) { return vec({kw("person/email"), email}); }

TEST_F(TxTest, TempidUpsertsToTheEntityHoldingTheIdentity) {
  TxReport first = Tx(R"([{:db/id "p" :person/email "p@x" :person/name "Old"}])");
  TxReport second = Tx(R"([{:db/id "q" :person/email "p@x" :person/name "New"}])");
  EXPECT_EQ(second.tempids.at("q"), first.tempids.at("p"));
  EXPECT_EQ(Get(Email("p@x"), "person/name"), Value("New"));
}

TEST_F(TxTest, MapWithoutIdUpserts) {
  TxReport first = Tx(R"([{:db/id "p" :person/email "p@x"}])");
  TxReport second = Tx(R"([{:person/email "p@x" :person/age 9}])");
  EXPECT_EQ(DataOf(second).size(), 1u);
  EXPECT_EQ(DataOf(second)[0].e, first.tempids.at("p"));
}

TEST_F(TxTest, SeveralTempidsResolvingToOneEntityMerge) {
  TxReport first = Tx(R"([{:db/id "p" :person/email "p@x"}])");
  TxReport r = Tx(R"([{:db/id "a" :person/email "p@x" :person/name "N"}
                      {:db/id "b" :person/email "p@x" :person/age 3}])");
  EXPECT_EQ(r.tempids.at("a"), first.tempids.at("p"));
  EXPECT_EQ(r.tempids.at("b"), first.tempids.at("p"));
}

TEST_F(TxTest, NewTempidsAssertingOneIdentityBecomeOneEntity) {
  TxReport r = Tx(R"([{:db/id "a" :person/email "new@x" :person/name "N"}
                      {:db/id "b" :person/email "new@x" :person/age 3}])");
  EXPECT_EQ(r.tempids.at("a"), r.tempids.at("b"));
  EXPECT_EQ(Get(Email("new@x"), "person/age"), Value(3));
}

TEST_F(TxTest, ResolvingOneTempidMakesAnotherResolvable) {
  // A badge is identified by its holder (a ref): the badge tempid can only
  // be looked up once the holder's tempid has upserted.
  TxReport first = Tx(R"([{:db/id "p" :person/email "p@x"}
                          {:db/id "b" :badge/holder "p" :badge/level 1}])");
  TxReport r = Tx(R"([{:db/id "b2" :badge/holder "p2" :badge/level 2}
                      {:db/id "p2" :person/email "p@x"}])");
  EXPECT_EQ(r.tempids.at("p2"), first.tempids.at("p"));
  EXPECT_EQ(r.tempids.at("b2"), first.tempids.at("b"));
  EXPECT_EQ(Get(Value::Integer(first.tempids.at("b")), "badge/level"), Value(2));
}

TEST_F(TxTest, OneTempidResolvingToTwoEntitiesIsAConflict) {
  Tx(R"([{:person/email "a@x"} {:db/id "c" :person/email "c@x"} {:badge/holder "c"}])");
  ExpectRejected(R"([{:db/id "t" :person/email "a@x" :badge/holder [:person/email "c@x"]}])",
                 Code::kFailedPrecondition, {"Upsert conflict", "\"t\""});
}

TEST_F(TxTest, UniqueValueDoesNotUpsert) {
  Tx(R"([{:person/ssn "123"}])");
  ExpectRejected(R"([{:db/id "t" :person/ssn "123" :person/name "X"}])", Code::kFailedPrecondition,
                 {"Unique conflict", ":person/ssn", "\"123\""});
}

TEST_F(TxTest, ExplicitEntityAndTempidOnOneIdentityMerge) {
  TxReport first = Tx(R"([{:db/id "p" :person/name "P"}])");
  const std::string p = std::to_string(first.tempids.at("p"));
  TxReport r = Tx("[[:db/add " + p + R"( :person/email "p@x"]
                   {:db/id "t" :person/email "p@x" :person/age 4}])");
  EXPECT_EQ(r.tempids.at("t"), first.tempids.at("p"));
}

TEST_F(TxTest, RetractingAUniqueValueFreesItInTheSameTransaction) {
  TxReport first = Tx(R"([{:db/id "p" :person/ssn "123"}])");
  const std::string p = std::to_string(first.tempids.at("p"));
  TxReport r = Tx("[[:db/retract " + p + R"( :person/ssn "123"] {:db/id "q" :person/ssn "123"}])");
  EXPECT_NE(r.tempids.at("q"), first.tempids.at("p"));
}

}  // namespace
}  // namespace accrete::tx_test
