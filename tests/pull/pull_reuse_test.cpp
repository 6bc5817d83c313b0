// What one pull reuses from entity to entity (the buffers an entity's datoms
// are read into, per nesting level) and what it hands out instead of copying
// (values taken by their only reader, maps built from entries already in key
// order): none of it may show in a result.
#include <algorithm>

#include "pull/pull_fixture.hpp"

namespace accrete::pull_test {
namespace {

// Each pattern pulled from each entity alone and with pull_many over all of
// them in one go (one puller, its buffers reused): the same results.
TEST_F(PullTest, PullManyGivesWhatEachPullGives) {
  const std::vector<std::string> patterns = {
      "[:person/name :person/aliases :person/age]",
      "[:person/aliases]",
      "[*]",
      "[:db/id :person/name {:person/friend [:person/name :person/aliases]}]",
      "[:tree/name {:tree/children ...}]",
      "[:tree/name {:tree/children 1}]",
      "[* {:person/friend [*]}]",
      "[:person/name :person/_friend {:order/items [:item/sku {:item/parts [:part/name]}]}]",
  };
  // Big entities next to small ones and entities with nothing, in both
  // orders: a buffer grown by one entity must not leave values for the next.
  std::vector<Value> eids;
  for (const char* name : {"ann", "leaf", "bob", "order", "root", "cid", "ann", "i1", "c1"}) {
    eids.push_back(Ref(name));
  }
  eids.push_back(Value::Integer(MakeEntityId(kPartUser, 999999)));
  eids.push_back(Ref("ann"));
  for (const std::string& pattern : patterns) {
    auto many = pull_many(db(), Edn(pattern), eids);
    ASSERT_OK(many);
    ASSERT_EQ(many->size(), eids.size());
    for (size_t i = 0; i < eids.size(); ++i) {
      EXPECT_EQ((*many)[i], Pull(pattern, eids[i])) << pattern << " of " << eids[i].to_string();
    }
  }
}

TEST_F(PullTest, TwoSpecsReadingOneCardinalityOneAttributeBothGetIt) {
  EXPECT_EQ(Pull(R"([:person/name [:person/name :as "n"] [:person/name :as :n2]])", Ref("ann")),
            Edn(R"({:person/name "Ann" "n" "Ann" :n2 "Ann"})"));
  EXPECT_EQ(
      Pull(R"([* [:person/aliases :as "aka"]])", Ref("ann")).get(Value::String("aka"))->to_string(),
      R"(["a" "annie"])");
}

// Two specs giving one key: the later one in the pattern wins when it has a
// value, as for any map built with a repeated key.
TEST_F(PullTest, SpecsSharingAKeyTheLaterWins) {
  EXPECT_EQ(Pull("[[:person/aliases :as :x] [:person/name :as :x]]", Ref("ann")),
            Edn(R"({:x "Ann"})"));
  EXPECT_EQ(Pull("[[:person/name :as :x] [:person/aliases :as :x]]", Ref("ann")),
            Edn(R"({:x ["a" "annie"]})"));
  EXPECT_EQ(Pull("[[:person/name :as :x] [:person/aliases :as :x]]", Ref("bob")),
            Edn(R"({:x "Bob"})"));
  EXPECT_EQ(Pull("[[:person/name :as :person/age] :person/age]", Ref("ann")),
            Edn("{:person/age 30}"));
}

// Keys of different kinds sort as compare() orders them; the map a pull
// builds must hold them in that order to be found.
TEST_F(PullTest, KeysOfMixedKindsCanBeLookedUp) {
  const Value result =
      Pull(R"([[:person/name :as "s"] [:person/age :as 7] :person/aliases [:db/id :as a/sym]])",
           Ref("ann"));
  ASSERT_TRUE(result.is_map());
  EXPECT_EQ(result.size(), 4u);
  EXPECT_EQ(*result.get(Value::String("s")), Value::String("Ann"));
  EXPECT_EQ(*result.get(Value::Integer(7)), Value::Integer(30));
  EXPECT_EQ(result.get(kw("person/aliases"))->size(), 2u);
  EXPECT_EQ(*result.get(sym("a/sym")), Ref("ann"));
  EXPECT_EQ(result, Edn(R"({"s" "Ann" 7 30 :person/aliases ["a" "annie"] a/sym %ann})"));
}

// A pull shares one decoded Value between datoms with the same encoded
// value (a small direct-mapped cache per pull, dropped for attributes whose
// values mostly differ). Strings short and long, keywords, values repeating
// often, rarely and never, more distinct values than the cache holds: every
// entity still gets exactly its own values.
TEST_F(PullTest, RepeatedValuesDecodeAsThemselves) {
  Tx(R"([{:db/ident :thing/kind :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
         {:db/ident :thing/label :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
         {:db/ident :thing/tags :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
         {:db/ident :thing/note :db/valueType :db.type/string :db/cardinality :db.cardinality/one}])");
  constexpr int kThings = 3000;
  const std::string long_note(100, 'n');  // longer than any encoding the cache keeps
  auto label = [](int i) { return "label-" + std::to_string(i % 700); };
  auto tags = [](int i) {
    std::vector<std::string> t = {"t" + std::to_string(i % 4),
                                  "a-tag-longer-than-sixteen-bytes-" + std::to_string(i % 2),
                                  "u" + std::to_string(i)};
    std::sort(t.begin(), t.end());
    return t;
  };
  std::string tx = "[";
  for (int i = 0; i < kThings; ++i) {
    tx += "{:db/id \"x" + std::to_string(i) + "\" :thing/kind :kind/k" + std::to_string(i % 3) +
          " :thing/label \"" + label(i) + "\" :thing/tags [";
    for (const std::string& t : tags(i)) tx += "\"" + t + "\" ";
    tx += "]";
    if (i % 10 == 0) tx += " :thing/note \"" + long_note + std::to_string(i % 20) + "\"";
    tx += "}\n";
  }
  Tx(tx + "]");

  std::vector<Value> eids;
  std::vector<Value> expected;
  for (int i = 0; i < kThings; ++i) {
    eids.push_back(Ref("x" + std::to_string(i)));
    std::vector<Value> tag_values;
    for (const std::string& t : tags(i)) tag_values.push_back(Value::String(t));
    std::vector<MapEntry> entries = {{kw("thing/kind"), kw("kind/k" + std::to_string(i % 3))},
                                     {kw("thing/label"), Value::String(label(i))},
                                     {kw("thing/tags"), Value::Vector(std::move(tag_values))}};
    if (i % 10 == 0) {
      entries.push_back({kw("thing/note"), Value::String(long_note + std::to_string(i % 20))});
    }
    expected.push_back(Value::Map(std::move(entries)));
  }
  for (const char* pattern : {"[:thing/kind :thing/label :thing/tags :thing/note]",
                              "[:thing/note :thing/tags :thing/label :thing/kind]"}) {
    auto results = pull_many(db(), Edn(pattern), eids);
    ASSERT_OK(results);
    EXPECT_EQ(*results, expected) << pattern;
  }
  // One attribute alone takes another path through the scan.
  auto labels = pull_many(db(), Edn("[:thing/label]"), eids);
  ASSERT_OK(labels);
  for (int i = 0; i < kThings; ++i) {
    EXPECT_EQ((*labels)[i], Value::Map({{kw("thing/label"), Value::String(label(i))}})) << i;
  }
}

// pull and pull_many parse a pattern Value once and keep it, keyed by the
// Value's identity. One Value against dbs with different schemas, and many
// patterns built one after another (freed ones' addresses reused): each
// pull still does what its pattern and its db say.
TEST_F(PullTest, APatternValueIsParsedOnceAndStillResolvedPerSchema) {
  const Value pattern = Edn("[:person/name :thing/size]");
  const Db before = db();
  auto unknown = pull(before, pattern, Ref("ann"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  Tx(R"([{:db/ident :thing/size :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])");
  Tx("[[:db/add " + std::to_string(Id("ann")) + " :thing/size 3]]");
  EXPECT_EQ(Pull(db(), "[:person/name :thing/size]", Ref("ann")),
            Edn(R"({:person/name "Ann" :thing/size 3})"));
  auto now = pull(db(), pattern, Ref("ann"));
  ASSERT_OK(now);
  EXPECT_EQ(*now, Edn(R"({:person/name "Ann" :thing/size 3})"));
  EXPECT_FALSE(pull(before, pattern, Ref("ann")).ok());
  auto many = pull_many(db(), pattern, {Ref("bob"), Ref("ann")});
  ASSERT_OK(many);
  EXPECT_EQ(*many, (std::vector<Value>{Edn(R"({:person/name "Bob"})"),
                                       Edn(R"({:person/name "Ann" :thing/size 3})")}));
}

TEST_F(PullTest, ManyPatternValuesInTurn) {
  for (int i = 0; i < 500; ++i) {
    const Value pattern = vec({vec({kw("person/name"), kw("as"), Value::Integer(i)})});
    auto one = pull(db(), pattern, Ref("ann"));
    ASSERT_OK(one);
    EXPECT_EQ(*one, Value::Map({{Value::Integer(i), Value::String("Ann")}})) << i;
    auto many = pull_many(db(), i % 2 == 0 ? pattern : Edn("[:person/age]"), {Ref("ann")});
    ASSERT_OK(many);
    EXPECT_EQ(many->front(), i % 2 == 0 ? Value::Map({{Value::Integer(i), Value::String("Ann")}})
                                        : Edn("{:person/age 30}"))
        << i;
  }
}

}  // namespace
}  // namespace accrete::pull_test
