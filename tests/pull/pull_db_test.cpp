// Pull on every kind of Db: as_of, since, with(), filtered; and one pattern
// used across schema changes.
#include "pull/pull_fixture.hpp"

namespace accrete::pull_test {
namespace {

TEST_F(PullTest, AsOfSeesThePast) {
  const Db before = db();
  Tx(R"([[:db/add [:person/email "ann@x"] :person/name "Anna"]
         [:db/retract [:person/email "ann@x"] :person/aliases "a"]
         [:db/retract [:person/email "ann@x"] :person/friend [:person/email "cid@x"]]
         [:db/add [:person/email "ann@x"] :person/aliases "nan"]])");
  const Db now = db();
  EXPECT_EQ(Pull(now, "[:person/name :person/aliases {:person/friend [:person/name]}]", Ref("ann")),
            Edn(R"({:person/name "Anna" :person/aliases ["annie" "nan"]
                    :person/friend [{:person/name "Bob"}]})"));
  const Db then = now.as_of(before.basis_t());
  const Value past = Edn(R"({:person/name "Ann" :person/aliases ["a" "annie"]
                             :person/friend [{:person/name "Cid"} {:person/name "Bob"}]})");
  EXPECT_EQ(Pull(then, "[:person/name :person/aliases {:person/friend [:person/name]}]", Ref("ann")),
            past);
  // The same through the whole-entity scan of *.
  Value all = Pull(then, "[*]", Ref("ann"));
  EXPECT_EQ(*all.get(kw("person/name")), Value("Ann"));
  EXPECT_EQ(*all.get(kw("person/aliases")), Edn(R"(["a" "annie"])"));
  // Attributes outside the pattern's range changed too (the scan starts at
  // its first attribute and stops past its last).
  EXPECT_EQ(Pull(then, "[:person/age :person/aliases]", Ref("ann")),
            Edn(R"({:person/age 30 :person/aliases ["a" "annie"]})"));
  EXPECT_EQ(Pull(then, "[:person/email :person/age]", Ref("ann")),
            Edn(R"({:person/email "ann@x" :person/age 30})"));
  // Before the entity existed, nothing.
  EXPECT_EQ(Pull(now.as_of(1), "[*]", Ref("ann")), Edn("{}"));
}

TEST_F(PullTest, ReverseRefsAsOf) {
  const Db before = db();
  Tx(R"([[:db/retract [:person/email "ann@x"] :person/friend [:person/email "cid@x"]]])");
  EXPECT_EQ(Pull("[:person/_friend]", Ref("cid")), Edn("{}"));
  EXPECT_EQ(Pull(db().as_of(before.basis_t()), "[:person/_friend]", Ref("cid")),
            Edn("{:person/_friend [{:db/id %ann}]}"));
}

TEST_F(PullTest, SinceSeesOnlyWhatCameAfter) {
  const Db before = db();
  Tx(R"([[:db/add [:person/email "bob@x"] :person/age 41]])");
  EXPECT_EQ(Pull(db().since(before.basis_t()), "[:person/name :person/age]", Ref("bob")),
            Edn("{:person/age 41}"));
}

TEST_F(PullTest, WithDb) {
  auto report = db().with(Edn(R"([{:db/id "dan" :person/name "Dan" :person/email "dan@x"
                                   :person/friend [[:person/email "bob@x"]]}
                                  [:db/add [:person/email "bob@x"] :person/age 50]])"));
  ASSERT_OK(report);
  const Db with = report->db_after;
  EXPECT_EQ(Pull(with, R"([:person/name {:person/friend [:person/name :person/age]}])",
                 vec({kw("person/email"), "dan@x"})),
            Edn(R"({:person/name "Dan" :person/friend [{:person/name "Bob" :person/age 50}]})"));
  EXPECT_EQ(Pull(with, "[:person/age {:person/_friend [:person/name]}]", Ref("bob")),
            Edn(R"({:person/age 50 :person/_friend [{:person/name "Ann"} {:person/name "Dan"}]})"));
  // The stored db is untouched.
  EXPECT_EQ(Pull("[:person/age]", Ref("bob")), Edn("{}"));
}

TEST_F(PullTest, WithDbThatAddsAnAttribute) {
  auto report = db().with(Edn(R"([{:db/ident :person/nick :db/valueType :db.type/string
                                   :db/cardinality :db.cardinality/one}])"));
  ASSERT_OK(report);
  auto again = report->db_after.with(Edn(R"([[:db/add [:person/email "bob@x"] :person/nick "B"]])"));
  ASSERT_OK(again);
  // The attribute exists only in the with() dbs.
  auto pattern = Edn("[:person/name :person/nick]");
  EXPECT_EQ(Pull(again->db_after, "[:person/name :person/nick]", Ref("bob")),
            Edn(R"({:person/name "Bob" :person/nick "B"})"));
  auto results = pull_many(again->db_after, pattern, {Ref("bob"), Ref("cid")});
  ASSERT_OK(results);
  EXPECT_EQ((*results)[0], Edn(R"({:person/name "Bob" :person/nick "B"})"));
  ExpectError("[:person/name :person/nick]", Ref("bob"), absl::StatusCode::kInvalidArgument,
              {"Unknown attribute :person/nick"});
}

TEST_F(PullTest, FilteredDb) {
  const EntityId age = *db().entid(kw("person/age"));
  const Db filtered = db().filter([age](const Db&, const Datom& d) { return d.a != age; });
  EXPECT_EQ(Pull(filtered, "[:person/name :person/age]", Ref("ann")),
            Edn(R"({:person/name "Ann"})"));
  EXPECT_EQ(Pull(filtered, "[:person/age]", Ref("ann")), Edn("{}"));
  const EntityId cid = Id("cid");
  const Db no_cid = db().filter([cid](const Db&, const Datom& d) { return d.e != cid; });
  EXPECT_EQ(Pull(no_cid, "[{:person/friend [:person/name]}]", Ref("ann")),
            Edn(R"({:person/friend [{} {:person/name "Bob"}]})"));
}

}  // namespace
}  // namespace accrete::pull_test
