// HTTP Direct over real sockets on 127.0.0.1: the request and response maps,
// 413, 500 without internals, and back-pressure (429 beyond the queue).
#include "accrete/http_direct.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "accrete/cast.hpp"
#include "accrete/edn.hpp"
#include "accrete/ion_config.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace accrete {
namespace {

using ::testing::HasSubstr;

class HttpDirectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Echoes the request map as EDN; /fail errors, /throw throws, /slow
    // sleeps 500 ms, /bad answers a malformed response.
    auto web = [](const Value& request) -> absl::StatusOr<Value> {
      const std::string_view uri = request.get(kw("uri"))->as_string();
      if (uri == "/fail") return absl::InternalError("secret detail");
      if (uri == "/throw") throw std::runtime_error("secret detail");
      if (uri == "/bad") return Value(42);
      if (uri == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (uri == "/missing") return map({{kw("status"), 404}, {kw("body"), "no such thing"}});
      return map({{kw("status"), 200},
                  {kw("headers"), map({{"Content-Type", "application/edn"}, {"X-Ion", "yes"}})},
                  {kw("body"), edn::Print(request)}});
    };
    ASSERT_TRUE(registry_.RegisterWebHandler("test.web/handler", web).ok());
  }

  void Serve(std::string_view config_text) {
    auto config = IonConfig::Parse(config_text);
    ASSERT_TRUE(config.ok()) << config.status();
    ASSERT_TRUE(registry_.Activate(*config).ok());
    HttpDirectOptions options;
    options.max_body_bytes = 1000;
    auto server = HttpDirect::Start(registry_, options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  httplib::Client Client() const { return httplib::Client("127.0.0.1", server_->port()); }

  Registry registry_;
  std::unique_ptr<HttpDirect> server_;
};

TEST_F(HttpDirectTest, StartNeedsAnActiveConfigWithHttpDirect) {
  auto server = HttpDirect::Start(registry_);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(HttpDirectTest, RequestAndResponseMaps) {
  Serve(R"({:app-name "t" :http-direct {:handler-fn test.web/handler}})");
  auto res = Client().Post("/items/hat?limit=3", {{"X-Custom", "a"}}, ":hat", "application/edn");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/edn");
  EXPECT_EQ(res->get_header_value("X-Ion"), "yes");
  auto request = edn::Read(res->body);
  ASSERT_TRUE(request.ok()) << res->body;
  EXPECT_EQ(*request->get(kw("request-method")), kw("post"));
  EXPECT_EQ(*request->get(kw("uri")), Value("/items/hat"));
  EXPECT_EQ(*request->get(kw("query-string")), Value("limit=3"));
  EXPECT_EQ(*request->get(kw("body")), Value(":hat"));
  EXPECT_EQ(*request->get(kw("remote-addr")), Value("127.0.0.1"));
  EXPECT_EQ(*request->get(kw("server-port")), Value::Integer(server_->port()));
  EXPECT_EQ(*request->get(kw("protocol")), Value("HTTP/1.1"));
  EXPECT_EQ(*request->get(kw("scheme")), kw("http"));
  const Value* headers = request->get(kw("headers"));
  ASSERT_NE(headers, nullptr);
  EXPECT_EQ(*headers->get(Value("x-custom")), Value("a"));
  EXPECT_EQ(*headers->get(Value("content-type")), Value("application/edn"));

  res = Client().Get("/missing");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "no such thing");
}

TEST_F(HttpDirectTest, HandlerErrorsAre500WithoutInternalsAndCastAsAlerts) {
  std::mutex mu;
  std::vector<std::string> casts;
  cast::redirect([&](std::string_view line) {
    std::lock_guard<std::mutex> lock(mu);
    casts.emplace_back(line);
  });
  Serve(R"({:app-name "t" :http-direct {:handler-fn test.web/handler}})");
  for (const char* path : {"/fail", "/throw", "/bad"}) {
    auto res = Client().Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 500) << path;
    EXPECT_THAT(res->body, ::testing::Not(HasSubstr("secret"))) << path;
  }
  ASSERT_EQ(Client().Get("/")->status, 200);
  cast::redirect(cast::to_stderr());
  // Each failure, and only failures, reached the operators in full.
  ASSERT_EQ(casts.size(), 3u);
  EXPECT_THAT(casts[0], HasSubstr(R"("type":"alert")"));
  EXPECT_THAT(casts[0], HasSubstr(R"("uri":"/fail")"));
  EXPECT_THAT(casts[0], HasSubstr("INTERNAL: secret detail"));
  EXPECT_THAT(casts[0], HasSubstr(R"("handler-fn":"test.web/handler")"));
  EXPECT_THAT(casts[1], HasSubstr("threw: secret detail"));
  EXPECT_THAT(casts[2], HasSubstr("returned 42, not a response map"));
}

TEST_F(HttpDirectTest, BytesBodyIsSentAsOctetStream) {
  ASSERT_TRUE(registry_
                  .RegisterWebHandler("test.web/bytes",
                                      [](const Value&) -> absl::StatusOr<Value> {
                                        return map({{kw("body"), Value::Bytes("\x01\x02")}});
                                      })
                  .ok());
  Serve(R"({:app-name "t" :http-direct {:handler-fn test.web/bytes}})");
  auto res = Client().Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(res->body, "\x01\x02");
}

TEST_F(HttpDirectTest, BodyOverTheLimitIs413) {
  Serve(R"({:app-name "t" :http-direct {:handler-fn test.web/handler}})");
  auto res = Client().Post("/", std::string(5000, 'x'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST_F(HttpDirectTest, BurstBeyondTheQueueIsThrottledAndServingGoesOn) {
  Serve(R"({:app-name "t"
            :http-direct {:handler-fn test.web/handler :processing-concurrency 1
                          :pending-ops-queue-length 2 :pending-ops-exceeded-message "Busy"
                          :pending-ops-exceeded-code 429}})");
  constexpr int kBurst = 6;
  std::vector<int> statuses(kBurst);
  std::vector<std::string> bodies(kBurst);
  std::vector<std::thread> clients;
  for (int i = 0; i < kBurst; ++i) {
    clients.emplace_back([&, i] {
      auto res = Client().Get("/slow");
      statuses[i] = res ? res->status : -1;
      bodies[i] = res ? res->body : "";
    });
  }
  for (std::thread& t : clients) t.join();
  int ok = 0, throttled = 0;
  for (int i = 0; i < kBurst; ++i) {
    if (statuses[i] == 200) ++ok;
    if (statuses[i] == 429) {
      ++throttled;
      EXPECT_EQ(bodies[i], "Busy");
    }
  }
  // One processing and two waiting: the other three are refused at once (the
  // six arrive well within the first request's 500 ms).
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(throttled, 3);
  auto res = Client().Get("/after");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpDirectTest, StopIsIdempotent) {
  Serve(R"({:app-name "t" :http-direct {:handler-fn test.web/handler}})");
  server_->Stop();
  server_->Stop();
  EXPECT_FALSE(Client().Get("/"));
}

}  // namespace
}  // namespace accrete
