// Lambda ions: invocation through the active config, the context map, the
// per-lambda timeout and concurrency limit, and errors.
#include <thread>

#include "ion_fixture.hpp"

namespace accrete::ion_test {
namespace {

using ::testing::HasSubstr;
using Code = absl::StatusCode;

TEST_F(IonTest, LambdaNeedsAnActiveConfigThatNamesIt) {
  EXPECT_EQ(registry_.InvokeLambda("echo", "{}").status().code(), Code::kNotFound);
  Activate();
  auto r = registry_.InvokeLambda("nope", "{}");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr(":nope"));
}

TEST_F(IonTest, LambdaGetsItsInputAndAContextMap) {
  Activate();
  auto r = registry_.InvokeLambda("echo", "\"hi\"");
  ASSERT_OK(r);
  EXPECT_EQ(*r, "\"hi\" from echo");
  // With or without the keyword's colon, and the caller's context is kept.
  Value seen;
  ASSERT_OK(registry_.RegisterLambda(
      "inv/context", [&seen](std::string_view, const Value& context) -> absl::StatusOr<std::string> {
        seen = context;
        return std::string("ok");
      }));
  auto config = IonConfig::Parse("{:lambdas {:ctx {:fn inv/context}}}");
  ASSERT_OK(config);
  ASSERT_OK(registry_.Activate(*config));
  ASSERT_OK(registry_.InvokeLambda(":ctx", "null", map({{kw("user"), "ada"}})));
  ASSERT_TRUE(seen.is_map()) << seen.to_string();
  EXPECT_EQ(*seen.get(kw("user")), Value("ada"));
  EXPECT_EQ(*seen.get(kw("function-name")), Value("ctx"));
  ASSERT_NE(seen.get(kw("request-id")), nullptr);
  ASSERT_NE(seen.get(kw("deadline-millis")), nullptr);
  EXPECT_GT(seen.get(kw("deadline-millis"))->as_int(), 0);
}

TEST_F(IonTest, LambdaOverItsTimeoutIsDeadlineExceeded) {
  Activate();
  auto r = registry_.InvokeLambda("slow", "2000");
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr(":slow"));
}

TEST_F(IonTest, LambdaOverItsConcurrencyLimitIsResourceExhausted) {
  Activate();
  // The first call holds :slow's only slot for 600 ms (its caller gives up at
  // 200 ms, but the function keeps running, and keeps the slot).
  std::thread first([this] { (void)registry_.InvokeLambda("slow", "600"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto r = registry_.InvokeLambda("slow", "1");
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("concurrency limit of 1"));
  first.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_OK(registry_.InvokeLambda("slow", "1"));
}

TEST_F(IonTest, LambdaExceptionIsInternalNamingIt) {
  Activate();
  auto r = registry_.InvokeLambda("throws", "{}");
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("inv/throwing-lambda"));
  EXPECT_THAT(r.status().message(), HasSubstr("lambda broke"));
}

TEST_F(IonTest, LambdaErrorKeepsItsCode) {
  ASSERT_OK(registry_.RegisterLambda(
      "inv/refuses", [](std::string_view, const Value&) -> absl::StatusOr<std::string> {
        return absl::InvalidArgumentError("expected a type name");
      }));
  auto config = IonConfig::Parse("{:lambdas {:refuses {:fn inv/refuses}}}");
  ASSERT_OK(config);
  ASSERT_OK(registry_.Activate(*config));
  auto r = registry_.InvokeLambda("refuses", "3");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("expected a type name"));
}

}  // namespace
}  // namespace accrete::ion_test
