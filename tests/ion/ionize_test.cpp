// ionize: API Gateway proxy events (recorded payload format 1.0 and 2.0
// events in fixtures/) to the web ion's request map, and its response map to
// the proxy response JSON; malformed events and responses.
#include "accrete/ionize.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "gmock/gmock.h"

namespace accrete {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(ACCRETE_ION_FIXTURES) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A web ion that keeps the request it saw and answers `response`.
struct Recorder {
  Value request;
  Value response = map({{kw("status"), 201},
                        {kw("headers"), map({{"Content-Type", "application/edn"}})},
                        {kw("body"), "[:ok]"}});
  LambdaFunction Lambda() {
    return Ionize([this](const Value& r) -> absl::StatusOr<Value> {
      request = r;
      return response;
    });
  }
};

Value Get(const Value& map, std::string_view key) {
  const Value* v = map.get(kw(key));
  return v == nullptr ? Value::Keyword("absent") : *v;
}

Value Header(const Value& request, std::string_view name) {
  const Value* v = Get(request, "headers").get(Value(name));
  return v == nullptr ? Value::Keyword("absent") : *v;
}

TEST(Ionize, RestApiEventBecomesTheRequestMap) {
  Recorder web;
  auto out = web.Lambda()(Fixture("apigw-v1-get.json"), Value());
  ASSERT_OK(out);
  const Value& r = web.request;
  EXPECT_EQ(Get(r, "request-method"), kw("get"));
  EXPECT_EQ(Get(r, "uri"), Value("/items/by-type"));
  // multiValueQueryStringParameters win over queryStringParameters (which
  // keeps only the last value), and are encoded back.
  EXPECT_EQ(Get(r, "query-string"), Value("type=hat&color=green&color=red&q=a%20b%26c"));
  EXPECT_EQ(Header(r, "x-custom"), Value("first,second"));
  EXPECT_EQ(Header(r, "accept"), Value("application/edn"));
  EXPECT_EQ(Get(r, "body"), Value());
  EXPECT_EQ(Get(r, "server-name"), Value("abcdef1234.execute-api.us-east-1.amazonaws.com"));
  EXPECT_EQ(Get(r, "server-port"), Value(443));
  EXPECT_EQ(Get(r, "remote-addr"), Value("198.51.100.7"));
  EXPECT_EQ(Get(r, "protocol"), Value("HTTP/1.1"));
  EXPECT_EQ(Get(r, "scheme"), kw("https"));

  Json response = Json::parse(*out);
  EXPECT_EQ(response["statusCode"], 201);
  EXPECT_EQ(response["headers"]["Content-Type"], "application/edn");
  EXPECT_EQ(response["body"], "[:ok]");
  EXPECT_EQ(response["isBase64Encoded"], false);
}

TEST(Ionize, RestApiEventWithOnlySingleValueFields) {
  Json event = Json::parse(Fixture("apigw-v1-get.json"));
  event.erase("multiValueHeaders");
  event["multiValueQueryStringParameters"] = Json::object();  // empty: ignored
  Recorder web;
  ASSERT_OK(web.Lambda()(event.dump(), Value()));
  // nlohmann::json (not ordered) dumps keys sorted.
  EXPECT_EQ(Get(web.request, "query-string"), Value("color=red&type=hat"));
  EXPECT_EQ(Header(web.request, "x-custom"), Value("second"));
}

TEST(Ionize, RestApiBase64BodyIsDecoded) {
  Recorder web;
  ASSERT_OK(web.Lambda()(Fixture("apigw-v1-post-base64.json"), Value()));
  EXPECT_EQ(Get(web.request, "request-method"), kw("post"));
  EXPECT_EQ(Get(web.request, "body"), Value(":hat"));
  EXPECT_EQ(Get(web.request, "query-string"), Value());
  EXPECT_EQ(Get(web.request, "remote-addr"), Value("203.0.113.9"));
}

TEST(Ionize, HttpApiEventBecomesTheRequestMap) {
  Recorder web;
  ASSERT_OK(web.Lambda()(Fixture("apigw-v2-get.json"), Value()));
  const Value& r = web.request;
  EXPECT_EQ(Get(r, "request-method"), kw("get"));
  EXPECT_EQ(Get(r, "uri"), Value("/items/by-type"));
  EXPECT_EQ(Get(r, "query-string"), Value("type=hat&color=green&color=red"));
  EXPECT_EQ(Header(r, "x-custom"), Value("first,second"));
  // Format 2.0 carries cookies apart from the headers.
  EXPECT_EQ(Header(r, "cookie"), Value("session=abc123; theme=dark"));
  EXPECT_EQ(Get(r, "server-name"), Value("r3pmxmplak.execute-api.us-east-2.amazonaws.com"));
  EXPECT_EQ(Get(r, "remote-addr"), Value("205.255.255.176"));
  EXPECT_EQ(Get(r, "body"), Value());
}

TEST(Ionize, HttpApiBinaryBodyBothWays) {
  Recorder web;
  web.response = map({{kw("body"), Value::Bytes(std::string("\x01\x02", 2))}});
  auto out = web.Lambda()(Fixture("apigw-v2-post-base64.json"), Value());
  ASSERT_OK(out);
  EXPECT_EQ(Get(web.request, "body"), Value(std::string("\x00\xff\x80"
                                                        "a",
                                                        4)));
  EXPECT_EQ(Get(web.request, "query-string"), Value());
  EXPECT_EQ(Get(web.request, "server-port"), Value(8443));
  Json response = Json::parse(*out);
  EXPECT_EQ(response["statusCode"], 200);
  EXPECT_EQ(response["body"], "AQI=");
  EXPECT_EQ(response["isBase64Encoded"], true);
}

TEST(Ionize, ABodyThatIsNotUtf8IsSentInBase64) {
  Recorder web;
  web.response = map({{kw("body"), Value(std::string("\xff\xfe", 2))}});
  auto out = web.Lambda()(Fixture("apigw-v1-get.json"), Value());
  ASSERT_OK(out);
  Json response = Json::parse(*out);
  EXPECT_EQ(response["body"], "//4=");
  EXPECT_EQ(response["isBase64Encoded"], true);
}

void ExpectMalformed(const std::string& event, std::string_view what) {
  Recorder web;
  auto out = web.Lambda()(event, Value());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << event;
  EXPECT_THAT(out.status().message(), HasSubstr(what)) << event;
  EXPECT_TRUE(web.request.is_nil()) << "the handler must not be called for " << event;
}

TEST(Ionize, MalformedEventsNameTheProblem) {
  ExpectMalformed("{not json", "is not JSON");
  ExpectMalformed("[1, 2]", "not an object");
  ExpectMalformed(R"({"path": "/x"})", "neither httpMethod");
  ExpectMalformed(R"({"httpMethod": "GET"})", "path is missing");
  ExpectMalformed(R"({"httpMethod": 7, "path": "/x"})", "httpMethod is number, not a string");
  ExpectMalformed(R"({"httpMethod": "GET", "path": "/x", "headers": ["a"]})",
                  "headers is array, not an object");
  ExpectMalformed(R"({"httpMethod": "GET", "path": "/x", "multiValueHeaders": {"a": [1]}})",
                  "multiValueHeaders.a holds a value that is not a string");
  ExpectMalformed(R"({"httpMethod": "POST", "path": "/x", "body": "@@", "isBase64Encoded": true})",
                  "body is not valid base64");
  ExpectMalformed(R"({"httpMethod": "POST", "path": "/x", "body": "a", "isBase64Encoded": "yes"})",
                  "isBase64Encoded is string, not a boolean");
  ExpectMalformed(R"({"version": "2.0", "rawPath": "/x"})", "requestContext.http is missing");
  ExpectMalformed(R"({"version": "2.0", "rawPath": "/x", "requestContext": {"http": {}}})",
                  "requestContext.http.method is missing");
  ExpectMalformed(
      R"({"version": "2.0", "requestContext": {"http": {"method": "GET"}}, "cookies": "a=b"})",
      "rawPath is missing");
  ExpectMalformed(
      R"({"version": "2.0", "rawPath": "/", "requestContext": {"http": {"method": "GET"}}, "cookies": "a=b"})",
      "cookies is not an array of strings");
}

TEST(Ionize, HandlerErrorsAndMalformedResponses) {
  LambdaFunction failing =
      Ionize([](const Value&) -> absl::StatusOr<Value> { return absl::NotFoundError("no items"); });
  auto out = failing(Fixture("apigw-v1-get.json"), Value());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(out.status().message(), "no items");

  Recorder web;
  web.response = map({{kw("status"), "ok"}});
  out = web.Lambda()(Fixture("apigw-v1-get.json"), Value());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(out.status().message(), HasSubstr(":status is \"ok\""));
  web.response = map({{kw("body"), 12}});
  out = web.Lambda()(Fixture("apigw-v1-get.json"), Value());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(out.status().message(), HasSubstr(":body is 12"));
}

TEST(Ionize, AnIonizedHandlerIsALambdaWithTheProxyIntegration) {
  Registry registry;
  ASSERT_OK(registry.RegisterLambda("inv/web-gw",
                                    Ionize([](const Value& request) -> absl::StatusOr<Value> {
                                      return map({{kw("body"), Get(request, "uri")}});
                                    })));
  auto config =
      IonConfig::Parse("{:lambdas {:web {:fn inv/web-gw :integration :api-gateway/proxy}}}");
  ASSERT_OK(config);
  ASSERT_OK(registry.Activate(*config));
  auto out = registry.InvokeLambda("web", Fixture("apigw-v2-get.json"));
  ASSERT_OK(out);
  EXPECT_EQ(Json::parse(*out)["body"], "/items/by-type");
  out = registry.InvokeLambda("web", "{}");
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("Lambda :web: API Gateway proxy event"));
}

}  // namespace
}  // namespace accrete
