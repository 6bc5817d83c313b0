// Attribute options (:as :limit :default :xform) in every form the grammar
// allows, and the default cardinality-many limit.
#include "pull/pull_fixture.hpp"

namespace accrete::pull_test {
namespace {

TEST_F(PullTest, As) {
  EXPECT_EQ(Pull(R"([[:person/name :as "Name"] [:person/_spouse :as :wife-of]])", Ref("cid")),
            Edn(R"({"Name" "Cid" :wife-of [{:db/id %bob}]})"));
}

TEST_F(PullTest, Limit) {
  EXPECT_EQ(Pull("[[:person/aliases :limit 1]]", Ref("ann")), Edn(R"({:person/aliases ["a"]})"));
  EXPECT_EQ(Pull("[[:person/_friend :limit 1]]", Ref("ann")),
            Edn("{:person/_friend [{:db/id %bob}]}"));
  EXPECT_EQ(Pull("[[:person/aliases :limit nil]]", Ref("ann")),
            Edn(R"({:person/aliases ["a" "annie"]})"));
  // :limit on a cardinality-one attribute changes nothing.
  EXPECT_EQ(Pull("[[:person/name :limit 3]]", Ref("ann")), Edn(R"({:person/name "Ann"})"));
}

TEST_F(PullTest, TwoSpecsOfOneAttributeWithDifferentLimits) {
  EXPECT_EQ(Pull(R"([[:person/aliases :limit 1] [:person/aliases :as "all"] :person/name])",
                 Ref("ann")),
            Edn(R"({:person/aliases ["a"] "all" ["a" "annie"] :person/name "Ann"})"));
}

TEST_F(PullTest, CardinalityManyDefaultLimitIs1000) {
  std::string aliases;
  for (int i = 0; i < 1005; ++i) aliases += " \"alias" + std::to_string(10000 + i) + "\"";
  Tx("[{:db/id \"many\" :person/name \"Many\" :person/aliases [" + aliases + "]}]");
  auto count = [&](std::string_view pattern, std::string_view key) -> size_t {
    Value v = Pull(pattern, Ref("many"));
    const Value* found = v.get(Edn(std::string(key)));
    return found == nullptr ? 0 : found->size();
  };
  EXPECT_EQ(count("[:person/aliases]", ":person/aliases"), 1000u);
  EXPECT_EQ(count("[*]", ":person/aliases"), 1000u);
  EXPECT_EQ(count("[[:person/aliases :limit nil]]", ":person/aliases"), 1005u);
  EXPECT_EQ(count("[(limit :person/aliases nil)]", ":person/aliases"), 1005u);
  EXPECT_EQ(count("[[:person/aliases :limit 1002]]", ":person/aliases"), 1002u);
  EXPECT_EQ(count("[* [:person/aliases :limit 1003]]", ":person/aliases"), 1003u);
  EXPECT_EQ(count("[:person/name [:person/aliases :limit 1004]]", ":person/aliases"), 1004u);
}

TEST_F(PullTest, Default) {
  EXPECT_EQ(Pull("[:person/name [:person/age :default 0]]", Ref("bob")),
            Edn(R"({:person/name "Bob" :person/age 0})"));
  EXPECT_EQ(Pull("[[:person/age :default 0]]", Ref("ann")), Edn("{:person/age 30}"));
  EXPECT_EQ(Pull(R"([[:person/_spouse :default "none" :as "spouse-of"]])", Ref("ann")),
            Edn(R"({"spouse-of" "none"})"));
  // A default fills in even for an entity with nothing else.
  EXPECT_EQ(Pull("[[:person/age :default 0]]", Value::Integer(MakeEntityId(kPartUser, 999999))),
            Edn("{:person/age 0}"));
}

TEST_F(PullTest, LegacyForms) {
  EXPECT_EQ(Pull("[(limit :person/aliases 1)]", Ref("ann")), Edn(R"({:person/aliases ["a"]})"));
  EXPECT_EQ(Pull(R"([("limit" :person/aliases 1)])", Ref("ann")),
            Edn(R"({:person/aliases ["a"]})"));
  EXPECT_EQ(Pull("[(default :person/age 7)]", Ref("bob")), Edn("{:person/age 7}"));
  EXPECT_EQ(Pull("[(:person/aliases :limit 1 :as :short)]", Ref("ann")),
            Edn(R"({:short ["a"]})"));
  EXPECT_EQ(Pull("[[limit :person/aliases 1]]", Ref("ann")), Edn(R"({:person/aliases ["a"]})"));
}

TEST_F(PullTest, OptionsAsMapSpecKeys) {
  EXPECT_EQ(Pull(R"([{[:person/friend :limit 1 :as "first"] [:person/name]}])", Ref("ann")),
            Edn(R"({"first" [{:person/name "Cid"}]})"));
  EXPECT_EQ(Pull("[{(limit :person/friend 1) [:person/name]}]", Ref("ann")),
            Edn(R"({:person/friend [{:person/name "Cid"}]})"));
  EXPECT_EQ(Pull("[{(default :person/spouse :none) [:person/name]}]", Ref("ann")),
            Edn("{:person/spouse :none}"));
  EXPECT_EQ(Pull(R"([:tree/name {[:tree/children :as "kids"] 1}])", Ref("c1")),
            Edn(R"({:tree/name "c1" "kids" [{:tree/name "g1"}]})"));
}

TEST_F(PullTest, Xform) {
  ASSERT_OK(registry_.RegisterXform("test.pull/count", [](const Value& v) -> absl::StatusOr<Value> {
    return Value::Integer(static_cast<int64_t>(v.size()));
  }));
  ASSERT_OK(registry_.RegisterXform("test.pull/upper", [](const Value& v) -> absl::StatusOr<Value> {
    std::string s(v.as_string());
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Value::String(s);
  }));
  ASSERT_OK(registry_.RegisterXform("test.pull/fail", [](const Value&) -> absl::StatusOr<Value> {
    return absl::FailedPreconditionError("no thanks");
  }));
  EXPECT_EQ(Pull("[[:person/name :xform test.pull/upper]]", Ref("ann")),
            Edn(R"({:person/name "ANN"})"));
  // A cardinality-many attribute's xform gets the whole vector.
  EXPECT_EQ(Pull("[[:person/aliases :xform test.pull/count :as :n]]", Ref("ann")),
            Edn("{:n 2}"));
  EXPECT_EQ(Pull("[{[:person/friend :xform test.pull/count] [:person/name]}]", Ref("ann")),
            Edn("{:person/friend 2}"));
  EXPECT_EQ(Pull("[[:db/id :xform test.pull/count]]", Ref("ann")), Edn("{:db/id 0}"));
  // The default is given as is.
  EXPECT_EQ(Pull(R"([[:person/age :default "?" :xform test.pull/count]])", Ref("bob")),
            Edn(R"({:person/age "?"})"));
  ExpectError("[[:person/name :xform test.pull/fail]]", Ref("ann"),
              absl::StatusCode::kFailedPrecondition, {"test.pull/fail", "no thanks"});
}

TEST_F(PullTest, XformFromTheGlobalRegistryIsNotSeenThroughAnotherRegistry) {
  ASSERT_OK(Registry::Global().RegisterXform("test.pull.global/id",
                                             [](const Value& v) -> absl::StatusOr<Value> {
                                               return v;
                                             }));
  ExpectError("[[:person/name :xform test.pull.global/id]]", Ref("ann"),
              absl::StatusCode::kInvalidArgument, {"Unknown xform test.pull.global/id"});
}

}  // namespace
}  // namespace accrete::pull_test
