// Parameters: get_env from the program or ACCRETE_ENV_MAP, get_app_info,
// get_params from the file-backed provider, ACCRETE_PARAMS_FILE, and a
// provider of the program's own.
#include "accrete/params.hpp"

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "gmock/gmock.h"

namespace accrete {
namespace {

using ::testing::HasSubstr;
using Code = absl::StatusCode;

class ParamsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ASSERT_OK(set_env(Value()));
    set_params_provider(nullptr);
    ::unsetenv("ACCRETE_ENV_MAP");
    ::unsetenv("ACCRETE_PARAMS_FILE");
    std::filesystem::remove(file_);
  }

  std::string WriteParams(std::string_view edn) {
    std::ofstream(file_) << edn;
    return file_.string();
  }

  std::filesystem::path file_ = std::filesystem::temp_directory_path() /
                                ("accrete-params-" + std::to_string(::getpid()) + ".edn");
};

TEST_F(ParamsTest, EnvFromTheProgramElseAccreteEnvMap) {
  ::unsetenv("ACCRETE_ENV_MAP");
  auto env = get_env();
  ASSERT_OK(env);
  EXPECT_TRUE(env->is_nil());

  ::setenv("ACCRETE_ENV_MAP", R"({:env :staging :region "eu-west-1"})", 1);
  env = get_env();
  ASSERT_OK(env);
  EXPECT_EQ(*env->get(kw("env")), kw("staging"));

  // What the program says wins over the variable.
  ASSERT_OK(set_env(map({{kw("env"), kw("prod")}})));
  env = get_env();
  ASSERT_OK(env);
  EXPECT_EQ(*env, map({{kw("env"), kw("prod")}}));
  EXPECT_EQ(set_env(Value("prod")).code(), Code::kInvalidArgument);
}

TEST_F(ParamsTest, MalformedAccreteEnvMapIsAnError) {
  ::setenv("ACCRETE_ENV_MAP", "{:env", 1);
  EXPECT_EQ(get_env().status().code(), Code::kInvalidArgument);
  EXPECT_THAT(get_env().status().message(), HasSubstr("ACCRETE_ENV_MAP is not EDN"));
  ::setenv("ACCRETE_ENV_MAP", "[:env :prod]", 1);
  EXPECT_THAT(get_env().status().message(), HasSubstr("must be an EDN map"));
}

TEST_F(ParamsTest, AppInfoNamesTheActiveConfigsAppAndTheRevision) {
  Registry registry;
  Value info = get_app_info(registry);
  EXPECT_TRUE(info.get(kw("app-name"))->is_nil());
  auto config = IonConfig::Parse(R"({:app-name "inventory"})");
  ASSERT_OK(config);
  ASSERT_OK(registry.Activate(*config));
  set_app_revision("dev-ada-1", false);
  info = get_app_info(registry);
  EXPECT_EQ(*info.get(kw("app-name")), Value("inventory"));
  EXPECT_EQ(*info.get(kw("revision")), Value("dev-ada-1"));
  EXPECT_EQ(*info.get(kw("revision-reproducible")), Value(false));
}

TEST_F(ParamsTest, ParamsUnderAPathFromAFile) {
  auto provider = file_params(WriteParams(R"({"/inventory/prod/db-name" "inv"
                                              "/inventory/prod/limits/max-items" 100
                                              "/inventory/dev/db-name" "inv-dev"
                                              "/inventory/production" "not under prod/"})"));
  ASSERT_OK(provider);
  set_params_provider(*provider);
  auto params = get_params(map({{kw("path"), "/inventory/prod/"}}));
  ASSERT_OK(params);
  EXPECT_EQ(*params, map({{"db-name", "inv"}, {"limits/max-items", 100}}));
  // The final '/' is implied.
  params = get_params(map({{kw("path"), "/inventory/dev"}}));
  ASSERT_OK(params);
  EXPECT_EQ(*params, map({{"db-name", "inv-dev"}}));
  params = get_params(map({{kw("path"), "/nothing/"}}));
  ASSERT_OK(params);
  EXPECT_EQ(*params, Value::Map({}));
}

TEST_F(ParamsTest, DefaultProviderReadsAccreteParamsFile) {
  ::unsetenv("ACCRETE_PARAMS_FILE");
  auto params = get_params(map({{kw("path"), "/app/"}}));
  EXPECT_EQ(params.status().code(), Code::kFailedPrecondition);
  ::setenv("ACCRETE_PARAMS_FILE", WriteParams(R"({"/app/key" "v"})").c_str(), 1);
  params = get_params(map({{kw("path"), "/app/"}}));
  ASSERT_OK(params);
  EXPECT_EQ(*params, map({{"key", "v"}}));
  ::setenv("ACCRETE_PARAMS_FILE", "/nonexistent/params.edn", 1);
  EXPECT_EQ(get_params(map({{kw("path"), "/app/"}})).status().code(), Code::kNotFound);
}

TEST_F(ParamsTest, BadRequestsAndFilesNameTheProblem) {
  set_params_provider([](std::string_view) -> absl::StatusOr<Value> { return Value::Map({}); });
  for (const Value& bad :
       {Value("/app/"), map({{kw("path"), "app/"}}), map({{kw("dir"), "/a/"}})}) {
    auto params = get_params(bad);
    EXPECT_EQ(params.status().code(), Code::kInvalidArgument) << bad.to_string();
    EXPECT_THAT(params.status().message(), HasSubstr("{:path \"/...\"}"));
  }
  EXPECT_THAT(file_params(WriteParams("[1 2]")).status().message(), HasSubstr("must hold a map"));
  EXPECT_THAT(file_params(WriteParams(R"({"no-slash" 1})")).status().message(),
              HasSubstr("the name \"no-slash\" is not a string starting with '/'"));
  EXPECT_EQ(file_params("/nonexistent/params.edn").status().code(), Code::kNotFound);
}

TEST_F(ParamsTest, AProviderOfTheProgramsOwn) {
  std::string asked;
  set_params_provider([&asked](std::string_view path) -> absl::StatusOr<Value> {
    asked = std::string(path);
    if (path == "/down/") return absl::UnavailableError("parameter store down");
    return map({{"/svc/a", 1}, {"/elsewhere/b", 2}});
  });
  auto params = get_params(map({{kw("path"), "/svc"}}));
  ASSERT_OK(params);
  EXPECT_EQ(asked, "/svc/");
  // Names outside the path are not passed on, whatever the provider says.
  EXPECT_EQ(*params, map({{"a", 1}}));
  EXPECT_EQ(get_params(map({{kw("path"), "/down/"}})).status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace accrete
