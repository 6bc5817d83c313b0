// Cast: required keys, units, the JSON line (timestamp and type first), dev
// off unless enabled, and redirection to a callback and to a file.
#include "accrete/cast.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "gmock/gmock.h"

namespace accrete {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using Code = absl::StatusCode;

class CastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cast::redirect([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    cast::redirect(cast::to_stderr());
    cast::enable_dev(false);
  }
  std::vector<std::string> lines_;
};

TEST_F(CastTest, EventIsOneJsonLineWithTimestampAndTypeFirst) {
  ASSERT_OK(cast::event(map({{kw("msg"), "order placed"},
                             {kw("inv/sku"), "SKU-42"},
                             {kw("items"), vec({1, 2.5, Value(), true})},
                             {kw("color"), kw("green")},
                             {kw("at"), Value::Inst(0)}})));
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find('\n'), std::string::npos);
  EXPECT_TRUE(lines_[0].starts_with(R"({"timestamp":")")) << lines_[0];
  Json line = Json::parse(lines_[0]);
  EXPECT_EQ(line["type"], "event");
  EXPECT_EQ(line["msg"], "order placed");
  EXPECT_EQ(line["inv/sku"], "SKU-42");
  EXPECT_EQ(line["items"], Json::parse("[1, 2.5, null, true]"));
  EXPECT_EQ(line["color"], "green");
  EXPECT_EQ(line["at"], "1970-01-01T00:00:00.000Z");
  const std::string timestamp = line["timestamp"];
  EXPECT_EQ(timestamp.size(), 24u) << timestamp;
  EXPECT_TRUE(timestamp.ends_with("Z")) << timestamp;
}

TEST_F(CastTest, RequiredKeysAreChecked) {
  struct Case {
    absl::Status status;
    const char* problem;
  };
  const Case cases[] = {
      {cast::event(map({{kw("message"), "x"}})), "cast/event needs :msg"},
      {cast::event(Value("x")), "cast/event takes a map"},
      {cast::event(map({{kw("msg"), 3}})), "needs :msg to be a string"},
      {cast::event(map({{kw("msg"), "x"}, {kw("type"), "mine"}})), "keeps :type for itself"},
      {cast::alert(map({{kw("ex"), "boom"}})), "cast/alert needs :msg"},
      {cast::dev(map({{kw("note"), "x"}})), "cast/dev needs :msg"},
      {cast::metric(map({{kw("value"), 1}, {kw("units"), kw("msec")}})), "needs :name"},
      {cast::metric(map({{kw("name"), kw("latency")}, {kw("units"), kw("msec")}})),
       "needs :value, a number"},
      {cast::metric(
           map({{kw("name"), kw("latency")}, {kw("value"), "fast"}, {kw("units"), kw("msec")}})),
       "needs :value, a number"},
      {cast::metric(map({{kw("name"), kw("latency")}, {kw("value"), 3}})), "needs :units"},
      {cast::metric(map({{kw("name"), kw("latency")}, {kw("value"), 3}, {kw("units"), kw("ms")}})),
       "one of :msec :bytes :kb :mb :gb :sec :count"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), Code::kInvalidArgument) << c.problem;
    EXPECT_THAT(c.status.message(), HasSubstr(c.problem));
  }
  EXPECT_TRUE(lines_.empty()) << lines_[0];
}

TEST_F(CastTest, MetricsTakeEveryUnit) {
  for (const char* units : {"msec", "bytes", "kb", "mb", "gb", "sec", "count"}) {
    ASSERT_OK(cast::metric(
        map({{kw("name"), kw("inventory/items")}, {kw("value"), 1.5}, {kw("units"), kw(units)}})));
  }
  ASSERT_EQ(lines_.size(), 7u);
  Json line = Json::parse(lines_[0]);
  EXPECT_EQ(line["type"], "metric");
  EXPECT_EQ(line["name"], "inventory/items");
  EXPECT_EQ(line["value"], 1.5);
  EXPECT_EQ(line["units"], "msec");
  EXPECT_EQ(Json::parse(lines_[6])["units"], "count");
}

TEST_F(CastTest, AlertCarriesTheError) {
  ASSERT_OK(cast::alert(map({{kw("msg"), "payment failed"}, {kw("ex"), "UNAVAILABLE: bank"}})));
  ASSERT_EQ(lines_.size(), 1u);
  Json line = Json::parse(lines_[0]);
  EXPECT_EQ(line["type"], "alert");
  EXPECT_EQ(line["ex"], "UNAVAILABLE: bank");
}

TEST_F(CastTest, DevIsSuppressedUnlessEnabled) {
  ASSERT_OK(cast::dev(map({{kw("msg"), "hidden"}})));
  EXPECT_TRUE(lines_.empty());
  cast::enable_dev(true);
  ASSERT_OK(cast::dev(map({{kw("msg"), "shown"}})));
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(Json::parse(lines_[0])["type"], "dev");
}

TEST_F(CastTest, RedirectToAFileAppendsLines) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("accrete-cast-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  auto sink = cast::to_file(path.string());
  ASSERT_OK(sink);
  cast::redirect(*sink);
  ASSERT_OK(cast::event(map({{kw("msg"), "one"}})));
  ASSERT_OK(cast::event(map({{kw("msg"), "two"}})));
  cast::redirect(nullptr);
  ASSERT_OK(cast::event(map({{kw("msg"), "discarded"}})));
  std::ifstream in(path);
  std::string first, second, third;
  ASSERT_TRUE(std::getline(in, first));
  ASSERT_TRUE(std::getline(in, second));
  EXPECT_FALSE(std::getline(in, third));
  EXPECT_EQ(Json::parse(first)["msg"], "one");
  EXPECT_EQ(Json::parse(second)["msg"], "two");
  std::filesystem::remove(path);
}

TEST_F(CastTest, UnopenableFileAndThrowingSinkAreErrors) {
  auto sink = cast::to_file("/nonexistent-dir/cast.jsonl");
  EXPECT_EQ(sink.status().code(), Code::kNotFound);
  EXPECT_THAT(sink.status().message(), HasSubstr("/nonexistent-dir/cast.jsonl"));
  cast::redirect([](std::string_view) { throw std::runtime_error("disk full"); });
  absl::Status s = cast::event(map({{kw("msg"), "x"}}));
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("disk full"));
}

}  // namespace
}  // namespace accrete
