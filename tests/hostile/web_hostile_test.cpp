// Hostile API Gateway proxy events given to an Ionize'd web ion (found by
// fuzz/ionize_fuzz): the request map the handler sees always prints as EDN
// that reads back, whatever the client put in the event's headers or method.
#include <string>

#include "accrete/accrete.hpp"
#include "accrete/ionize.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace accrete {
namespace {

using ::testing::HasSubstr;

class IonizeHostileTest : public ::testing::Test {
 protected:
  IonizeHostileTest()
      : lambda_(Ionize([this](const Value& request) -> absl::StatusOr<Value> {
          seen_ = request;
          return map({{kw("status"), 200}, {kw("body"), "ok"}});
        })) {}

  LambdaFunction lambda_;
  Value seen_;
};

TEST_F(IonizeHostileTest, AMethodThatIsNotAnHttpMethodIsRefused) {
  for (const char* method : {"", "9ost", "GE T", "a|b", "GET:"}) {
    const std::string event =
        std::string(R"({"httpMethod":")") + method + R"(","path":"/","headers":{}})";
    absl::StatusOr<std::string> answer = lambda_(event, Value());
    ASSERT_FALSE(answer.ok()) << method;
    EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(answer.status().message()), HasSubstr("httpMethod"));
  }
  absl::StatusOr<std::string> v2 = lambda_(
      R"({"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"9"}}})", Value());
  ASSERT_FALSE(v2.ok());
  EXPECT_THAT(std::string(v2.status().message()), HasSubstr("requestContext.http.method"));
  ASSERT_TRUE(lambda_(R"({"httpMethod":"M-SEARCH","path":"/"})", Value()).ok());
  EXPECT_EQ(*seen_.get(kw("request-method")), kw("m-search"));
}

TEST_F(IonizeHostileTest, TheSchemeIsHttpOrHttpsWhateverTheForwardedHeaderSays) {
  for (const auto& [proto, scheme] : {std::pair{"h|tps", "https"}, std::pair{"", "https"},
                                      std::pair{"HTTP", "http"}, std::pair{"ftp", "https"}}) {
    const std::string event = std::string(R"({"httpMethod":"GET","path":"/","headers":)") +
                              R"({"X-Forwarded-Proto":")" + proto + R"("}})";
    ASSERT_TRUE(lambda_(event, Value()).ok()) << proto;
    EXPECT_EQ(*seen_.get(kw("scheme")), kw(scheme)) << proto;
    absl::StatusOr<Value> again = edn::Read(edn::Print(seen_));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, seen_);
  }
}

}  // namespace
}  // namespace accrete
