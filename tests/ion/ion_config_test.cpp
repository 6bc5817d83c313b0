// ion-config.edn: parsing, shape errors, activation against a registry.
#include <fstream>

#include "ion_fixture.hpp"

namespace accrete::ion_test {
namespace {

using ::testing::HasSubstr;
using Code = absl::StatusCode;

TEST(IonConfigTest, ParsesEveryKeyWithDefaults) {
  auto config = IonConfig::Parse(R"({
    :app-name "inventory"
    :allow [inventory.core/create-item inventory.core/feature-item?]
    :xforms [inventory.core/upper]
    :lambdas {:get-schema {:fn inventory.core/get-schema :description "the schema"}
              :add-item {:fn inventory.core/add-item :timeout-secs 10 :concurrency-limit :none
                         :integration :api-gateway/proxy}
              :tight {:fn inventory.core/tight :timeout-secs 0.5 :concurrency-limit 2}}
    :http-direct {:handler-fn inventory.core/web :pending-ops-queue-length 5
                  :processing-concurrency 2 :pending-ops-exceeded-message "Busy"
                  :pending-ops-exceeded-code 503}})");
  ASSERT_OK(config);
  EXPECT_EQ(config->app_name, "inventory");
  EXPECT_THAT(config->allow, ::testing::ElementsAre("inventory.core/create-item",
                                                    "inventory.core/feature-item?"));
  EXPECT_THAT(config->xforms, ::testing::ElementsAre("inventory.core/upper"));
  ASSERT_EQ(config->lambdas.size(), 3u);
  const LambdaConfig& schema = config->lambdas.at("get-schema");
  EXPECT_EQ(schema.fn, "inventory.core/get-schema");
  EXPECT_EQ(schema.description, "the schema");
  EXPECT_EQ(schema.timeout, std::chrono::seconds(60));
  EXPECT_EQ(schema.concurrency_limit, 20);
  EXPECT_EQ(schema.integration, "");
  const LambdaConfig& add = config->lambdas.at("add-item");
  EXPECT_EQ(add.timeout, std::chrono::seconds(10));
  EXPECT_FALSE(add.concurrency_limit.has_value());
  EXPECT_EQ(add.integration, "api-gateway/proxy");
  EXPECT_EQ(config->lambdas.at("tight").timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(config->lambdas.at("tight").concurrency_limit, 2);
  ASSERT_TRUE(config->http_direct.has_value());
  EXPECT_EQ(config->http_direct->handler_fn, "inventory.core/web");
  EXPECT_EQ(config->http_direct->pending_ops_queue_length, 5);
  EXPECT_EQ(config->http_direct->processing_concurrency, 2);
  EXPECT_EQ(config->http_direct->pending_ops_exceeded_message, "Busy");
  EXPECT_EQ(config->http_direct->pending_ops_exceeded_code, 503);
}

TEST(IonConfigTest, HttpDirectDefaultsAreDatomics) {
  auto config = IonConfig::Parse("{:http-direct {:handler-fn a.b/c}}");
  ASSERT_OK(config);
  EXPECT_EQ(config->http_direct->pending_ops_queue_length, 100);
  EXPECT_EQ(config->http_direct->processing_concurrency, 16);
  EXPECT_EQ(config->http_direct->pending_ops_exceeded_message, "Throttled");
  EXPECT_EQ(config->http_direct->pending_ops_exceeded_code, 429);
  EXPECT_TRUE(config->allow.empty());
}

TEST(IonConfigTest, ShapeErrorsAreAllListedInOneError) {
  auto config = IonConfig::Parse(R"({
    :app-name inventory
    :allow [no-namespace "a.b/string" ok.ns/fn]
    :lambdas {:x {:timeout-secs -1 :concurrency-limit 0 :colour :red}}
    :http-direct {:pending-ops-exceeded-code 200}
    :extra 1})");
  ASSERT_EQ(config.status().code(), Code::kInvalidArgument);
  const std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr(":app-name must be a string"));
  EXPECT_THAT(message, HasSubstr("got no-namespace"));
  EXPECT_THAT(message, HasSubstr("got \"a.b/string\""));
  EXPECT_THAT(message, HasSubstr(":lambdas :x :timeout-secs must be a positive number"));
  EXPECT_THAT(message, HasSubstr(":lambdas :x :concurrency-limit must be an integer from 1"));
  EXPECT_THAT(message, HasSubstr("Unknown key :colour in :lambdas :x"));
  EXPECT_THAT(message, HasSubstr(":lambdas :x has no :fn"));
  EXPECT_THAT(message, HasSubstr(":http-direct has no :handler-fn"));
  EXPECT_THAT(message, HasSubstr(":pending-ops-exceeded-code must be an HTTP error status"));
  EXPECT_THAT(message, HasSubstr("Unknown key :extra"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("ok.ns/fn")));
}

TEST(IonConfigTest, NotEdnOrNotAMap) {
  EXPECT_EQ(IonConfig::Parse("{:allow [").status().code(), Code::kInvalidArgument);
  EXPECT_THAT(IonConfig::Parse("[:allow]").status().message(),
              HasSubstr("ion-config must be a map"));
}

TEST(IonConfigTest, LoadsFromAFileAndNamesIt) {
  testing_util::TempDir dir;
  std::filesystem::create_directories(dir.path());
  const std::string path = dir.path() + "/ion-config.edn";
  {
    std::ofstream out(path);
    out << "{:app-name \"from-file\" :allow [a.b/c]}";
  }
  auto config = IonConfig::Load(path);
  ASSERT_OK(config);
  EXPECT_EQ(config->app_name, "from-file");
  EXPECT_EQ(IonConfig::Load(dir.path() + "/absent.edn").status().code(), Code::kNotFound);
  {
    std::ofstream out(path);
    out << "{:allow 3}";
  }
  EXPECT_THAT(IonConfig::Load(path).status().message(), HasSubstr(path));
}

TEST_F(IonTest, ActivationChecksEveryNameAgainstTheRegistryAndListsThemAll) {
  auto config = IonConfig::Parse(R"({
    :allow [inv/add inv/nope inv/echo]
    :xforms [inv/double]
    :lambdas {:a {:fn inv/add} :b {:fn inv/echo}}
    :http-direct {:handler-fn inv/echo}})");
  ASSERT_OK(config);
  const absl::Status s = registry_.Activate(*config);
  ASSERT_EQ(s.code(), Code::kInvalidArgument);
  const std::string message(s.message());
  EXPECT_THAT(message, HasSubstr("inv/nope in :allow is not a registered"));
  // A lambda is not something queries and transactions call.
  EXPECT_THAT(message, HasSubstr("inv/echo in :allow is not a registered"));
  EXPECT_THAT(message, HasSubstr("inv/double in :xforms is not a registered xform"));
  EXPECT_THAT(message, HasSubstr("inv/add (:fn of lambda :a) is not a registered lambda"));
  EXPECT_THAT(message, HasSubstr("inv/echo (:http-direct :handler-fn) is not a registered web"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr(":b")));
  // Nothing was activated: the policy is still open.
  EXPECT_EQ(registry_.active_config(), nullptr);
  EXPECT_OK(registry_.CheckAllowed("inv/secret"));
}

TEST_F(IonTest, ActivationMakesTheConfigActive) {
  Activate();
  ASSERT_NE(registry_.active_config(), nullptr);
  EXPECT_EQ(registry_.active_config()->app_name, "ion-test");
  EXPECT_OK(registry_.CheckAllowed("inv/add"));
  EXPECT_EQ(registry_.CheckAllowed("inv/secret").code(), Code::kPermissionDenied);
  // Activating another config replaces the first.
  auto open = IonConfig::Parse("{:allow [inv/secret]}");
  ASSERT_OK(open);
  ASSERT_OK(registry_.Activate(*open));
  EXPECT_OK(registry_.CheckAllowed("inv/secret"));
  EXPECT_EQ(registry_.CheckAllowed("inv/add").code(), Code::kPermissionDenied);
}

TEST_F(IonTest, RegisteringANameTwiceIsAnError) {
  EXPECT_EQ(registry_
                .RegisterLambda("inv/echo",
                                [](std::string_view, const Value&) -> absl::StatusOr<std::string> {
                                  return std::string();
                                })
                .code(),
            Code::kAlreadyExists);
  EXPECT_EQ(registry_
                .RegisterWebHandler("inv/web",
                                    [](const Value&) -> absl::StatusOr<Value> { return Value(); })
                .code(),
            Code::kAlreadyExists);
  EXPECT_EQ(registry_
                .RegisterWebHandler("no-namespace",
                                    [](const Value&) -> absl::StatusOr<Value> { return Value(); })
                .code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace accrete::ion_test
