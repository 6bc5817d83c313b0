// Every way a pull can be refused: malformed patterns, unknown attributes,
// bad options, bad eids, history dbs.
#include "pull/pull_fixture.hpp"

namespace accrete::pull_test {
namespace {

using absl::StatusCode;

TEST_F(PullTest, PatternMustBeANonEmptyVector) {
  ExpectError(":person/name", Ref("ann"), StatusCode::kInvalidArgument,
              {":person/name", "expected a vector"});
  ExpectError("[]", Ref("ann"), StatusCode::kInvalidArgument, {"at least one"});
  ExpectError("{:person/friend [:person/name]}", Ref("ann"), StatusCode::kInvalidArgument,
              {"expected a vector"});
}

TEST_F(PullTest, TextThatIsNotEdn) {
  ExpectError("[:person/name", Ref("ann"), StatusCode::kInvalidArgument, {});
}

TEST_F(PullTest, MalformedSpecs) {
  ExpectError("[:person/name 42]", Ref("ann"), StatusCode::kInvalidArgument,
              {"42", "expected an attribute name"});
  ExpectError(R"([:person/name "name"])", Ref("ann"), StatusCode::kInvalidArgument,
              {R"("name")"});
  ExpectError("[[]]", Ref("ann"), StatusCode::kInvalidArgument, {"[]"});
  ExpectError("[{}]", Ref("ann"), StatusCode::kInvalidArgument, {"{}"});
  ExpectError("[{:db/id [:person/name]}]", Ref("ann"), StatusCode::kInvalidArgument,
              {":db/id cannot have a subpattern"});
  ExpectError("[{:person/friend :person/name}]", Ref("ann"), StatusCode::kInvalidArgument,
              {"{:person/friend :person/name}", "expected a pattern, ... or a positive"});
  ExpectError("[{:person/friend 0}]", Ref("ann"), StatusCode::kInvalidArgument,
              {"{:person/friend 0}"});
  ExpectError("[{[:person/friend] [:db/id]}]", Ref("ann"), StatusCode::kInvalidArgument,
              {"[:person/friend]", "option/value pairs"});
  ExpectError("[{:person/friend [:person/name {:person/spouse [42]}]}]", Ref("ann"),
              StatusCode::kInvalidArgument, {"42"});
}

TEST_F(PullTest, BadOptions) {
  ExpectError("[[:person/aliases :limit 0]]", Ref("ann"), StatusCode::kInvalidArgument,
              {"[:person/aliases :limit 0]", ":limit", "positive integer or nil"});
  ExpectError("[[:person/aliases :limit -3]]", Ref("ann"), StatusCode::kInvalidArgument,
              {"-3"});
  ExpectError(R"([[:person/aliases :limit "5"]])", Ref("ann"), StatusCode::kInvalidArgument,
              {R"("5")"});
  ExpectError("[[:person/aliases :limit]]", Ref("ann"), StatusCode::kInvalidArgument,
              {"option/value pairs"});
  ExpectError("[[:person/aliases :size 5]]", Ref("ann"), StatusCode::kInvalidArgument,
              {"unknown attribute option :size"});
  ExpectError(R"([[:person/name :xform "upper"]])", Ref("ann"), StatusCode::kInvalidArgument,
              {":xform", "symbol"});
  ExpectError("[(limit :person/aliases)]", Ref("ann"), StatusCode::kInvalidArgument,
              {"(limit :person/aliases)"});
  ExpectError("[(limit :person/aliases :all)]", Ref("ann"), StatusCode::kInvalidArgument,
              {":all"});
  ExpectError("[(default 5 :person/aliases)]", Ref("ann"), StatusCode::kInvalidArgument,
              {"expected an attribute name"});
  ExpectError("[(:person/aliases)]", Ref("ann"), StatusCode::kInvalidArgument,
              {"option/value pairs"});
}

TEST_F(PullTest, UnknownAttributes) {
  ExpectError("[:person/name :person/nmae]", Ref("ann"), StatusCode::kInvalidArgument,
              {"Unknown attribute :person/nmae", "[:person/name :person/nmae]"});
  ExpectError("[:person/_nobody]", Ref("ann"), StatusCode::kInvalidArgument,
              {"Unknown attribute :person/_nobody"});
  ExpectError("[{:person/friend [:person/agee]}]", Ref("ann"), StatusCode::kInvalidArgument,
              {"Unknown attribute :person/agee", "[:person/agee]"});
  // Even when the entity does not exist.
  ExpectError("[:person/nmae]", Value::Integer(MakeEntityId(kPartUser, 999999)),
              StatusCode::kInvalidArgument, {":person/nmae"});
}

TEST_F(PullTest, RefOnlySpecsOnOtherAttributes) {
  ExpectError("[:person/_name]", Ref("ann"), StatusCode::kInvalidArgument,
              {":person/_name", "not", "ref"});
  ExpectError("[{:person/name [:db/id]}]", Ref("ann"), StatusCode::kInvalidArgument,
              {":person/name", "ref"});
  ExpectError("[{:person/age ...}]", Ref("ann"), StatusCode::kInvalidArgument,
              {":person/age", "ref"});
}

TEST_F(PullTest, UnknownXform) {
  ExpectError("[[:person/name :xform no.such/fn]]", Ref("ann"), StatusCode::kInvalidArgument,
              {"Unknown xform no.such/fn"});
}

TEST_F(PullTest, BadEids) {
  ExpectError("[:person/name]", vec({kw("person/email"), "nobody@x"}), StatusCode::kNotFound,
              {"nobody@x"});
  ExpectError("[:person/name]", vec({kw("person/name"), "Ann"}), StatusCode::kInvalidArgument,
              {"not unique"});
  ExpectError("[:person/name]", vec({kw("person/nmae"), "Ann"}), StatusCode::kInvalidArgument,
              {":person/nmae"});
  ExpectError("[:person/name]", Value::String("ann"), StatusCode::kInvalidArgument,
              {"\"ann\""});
  ExpectError("[:person/name]", vec({kw("person/email")}), StatusCode::kInvalidArgument, {});
  ExpectError("[:person/name]", kw("no/such-ident"), StatusCode::kNotFound, {":no/such-ident"});
}

TEST_F(PullTest, HistoryDbIsRefused) {
  auto result = pull(db().history(), "[:person/name]", Ref("ann"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), ::testing::HasSubstr("history"));
}

}  // namespace
}  // namespace accrete::pull_test
