// HTTP Direct against hostile clients, over real sockets: it listens on
// loopback only by default, refuses oversized request lines, headers and
// bodies without calling the handler, closes a connection that sends nothing,
// never puts an internal error's text in an answer, refuses connections
// beyond its limit, and cuts off a client that trickles its request.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "accrete/edn.hpp"
#include "accrete/http_direct.hpp"
#include "accrete/ion_config.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace accrete {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A raw TCP client: what a hostile peer sends is exactly what reaches the
// server, with no client library in between to tidy it.
class RawClient {
 public:
  explicit RawClient(int port, const char* address = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    // Only a safety net so that a server that never answers fails the test
    // instead of hanging it; no assertion depends on time.
    timeval limit{60, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, address, &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // Whether the server has sent something, or closed, within `ms`.
  bool Readable(int ms) {
    pollfd fd{fd_, POLLIN, 0};
    return poll(&fd, 1, ms) > 0;
  }

  // Sends everything; false when the server closed the connection first.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Everything the server sends until it closes the connection; nullopt when
  // the safety net ran out first.
  std::optional<std::string> ReadUntilClosed() {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return out;
      if (n < 0) return errno == ECONNRESET ? std::optional<std::string>(out) : std::nullopt;
      out.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class HttpLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto web = [this](const Value& request) -> absl::StatusOr<Value> {
      ++calls_;
      const std::string_view uri = request.get(kw("uri"))->as_string();
      if (uri == "/fail") return absl::InternalError("secret-detail /etc/passwd");
      if (uri == "/throw") throw std::runtime_error("secret-detail");
      if (uri == "/bad") return map({{kw("status"), "secret-detail"}});
      return map({{kw("status"), 200}, {kw("body"), "ok"}});
    };
    ASSERT_TRUE(registry_.RegisterWebHandler("sec.web/handler", web).ok());
    auto config = IonConfig::Parse(R"({:http-direct {:handler-fn sec.web/handler}})");
    ASSERT_TRUE(config.ok()) << config.status();
    ASSERT_TRUE(registry_.Activate(*config).ok());
    auto server = HttpDirect::Start(registry_, Options());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // Each request on its own connection, all sent before any answer is read
  // (so that waits for the server's read timeout overlap); the answers.
  std::vector<std::string> Exchange(const std::vector<std::string>& requests) {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (const std::string& request : requests) {
      clients.push_back(std::make_unique<RawClient>(server_->port()));
      EXPECT_TRUE(clients.back()->connected());
      clients.back()->Send(request);
    }
    std::vector<std::string> answers;
    for (auto& client : clients) {
      std::optional<std::string> answer = client->ReadUntilClosed();
      EXPECT_TRUE(answer.has_value()) << "no answer and no close";
      answers.push_back(answer.value_or(""));
    }
    return answers;
  }
  std::string Exchange(const std::string& request) {
    return Exchange(std::vector<std::string>{request})[0];
  }

  std::string Get(const std::string& path) {
    return Exchange("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }

  virtual HttpDirectOptions Options() const {
    HttpDirectOptions options;
    options.max_body_bytes = 1000;
    // Short, so that the tests that wait for the server to give up on a
    // client are quick.
    options.idle_timeout = std::chrono::milliseconds(1000);
    options.request_timeout = std::chrono::milliseconds(2000);
    return options;
  }

  Registry registry_;
  std::unique_ptr<HttpDirect> server_;
  std::atomic<int> calls_{0};
};

TEST_F(HttpLimitsTest, ListensOnLoopbackOnlyByDefault) {
  EXPECT_EQ(HttpDirectOptions().host, "127.0.0.1");
  EXPECT_THAT(Get("/"), StartsWith("HTTP/1.1 200"));
  // Every other IPv4 address of this machine refuses the connection.
  ifaddrs* addresses = nullptr;
  ASSERT_EQ(getifaddrs(&addresses), 0);
  int tried = 0;
  for (ifaddrs* a = addresses; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
    if (std::string_view(text).starts_with("127.")) continue;
    RawClient client(server_->port(), text);
    EXPECT_FALSE(client.connected()) << "reachable on " << text;
    ++tried;
  }
  freeifaddrs(addresses);
  if (tried == 0) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
}

TEST_F(HttpLimitsTest, OversizedRequestsAreRefusedWithoutCallingTheHandler) {
  const std::vector<std::string> answers = Exchange(
      {"GET /" + std::string(20000, 'u') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
       "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') +
           "\r\nConnection: close\r\n\r\n",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n" +
           std::string(5000, 'b'),
       // A Content-Length far beyond the limit is refused before any body is read.
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999\r\n"
       "Connection: close\r\n\r\n"});
  EXPECT_THAT(answers[0], StartsWith("HTTP/1.1 4"));
  EXPECT_THAT(answers[1], StartsWith("HTTP/1.1 4"));
  EXPECT_THAT(answers[2], StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(answers[3], StartsWith("HTTP/1.1 413"));
  EXPECT_EQ(calls_, 0);
  // And it still serves.
  EXPECT_THAT(Get("/"), StartsWith("HTTP/1.1 200"));
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpLimitsTest, ManyHeadersAndLongChunkedBodiesAreRefusedToo) {
  // cpp-httplib bounds each header line but not their number, nor a chunked
  // body; HTTP Direct bounds the head at 64 KiB and the body at
  // max_body_bytes (plus the same allowance for chunk framing).
  std::string many_headers = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10000; ++i) many_headers += "X-H" + std::to_string(i) + ": v\r\n";
  many_headers += "Connection: close\r\n\r\n";
  std::string chunked =
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < 100; ++i) chunked += "3e8\r\n" + std::string(1000, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  const std::vector<std::string> answers = Exchange({many_headers, chunked});
  EXPECT_THAT(answers[0], StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(answers[1], StartsWith("HTTP/1.1 413"));
  EXPECT_EQ(calls_, 0);
  // A chunked body within the limit is served.
  EXPECT_THAT(Exchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Connection: close\r\n\r\n3e8\r\n" +
                       std::string(1000, 'c') + "\r\n0\r\n\r\n"),
              StartsWith("HTTP/1.1 200"));
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpLimitsTest, MalformedRequestsGetAnErrorNotTheHandler) {
  const std::vector<std::string> malformed = {
      "\r\n\r\n",
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "BREW / HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "ZZZ\r\n"};
  for (const std::string& answer : Exchange(malformed)) {
    EXPECT_THAT(answer, Not(StartsWith("HTTP/1.1 200"))) << answer;
  }
  EXPECT_EQ(calls_, 0);
  // cpp-httplib skips a header line that is not `name: value` (docs/security.md):
  // the request is served without it.
  const std::vector<std::string> tolerated =
      Exchange({"GET / HTTP/1.1\r\nNo colon here\r\nConnection: close\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\n" + std::string(1000, '\0') +
                    "\r\nConnection: close\r\n\r\n"});
  for (const std::string& answer : tolerated) EXPECT_THAT(answer, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(Get("/"), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpLimitsTest, AnIdleConnectionIsClosedByTheServer) {
  // A client that connects and sends nothing, or half a request, does not
  // hold a thread forever: the server's read timeout closes it.
  RawClient silent(server_->port());
  RawClient half(server_->port());
  ASSERT_TRUE(silent.connected());
  ASSERT_TRUE(half.connected());
  half.Send("GET / HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(silent.ReadUntilClosed().has_value());
  EXPECT_TRUE(half.ReadUntilClosed().has_value());
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpLimitsTest, ErrorsNeverShowInternalText) {
  for (const char* path : {"/fail", "/throw", "/bad"}) {
    const std::string answer = Get(path);
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 500")) << path;
    EXPECT_THAT(answer, HasSubstr("Internal Server Error")) << path;
    EXPECT_THAT(answer, Not(HasSubstr("secret"))) << path;
    EXPECT_THAT(answer, Not(HasSubstr("passwd"))) << path;
  }
}

// A server that takes three connections at once, waits a second for a request
// to begin and gives a client 600 ms to send one.
class HttpConnectionLimitsTest : public HttpLimitsTest {
 protected:
  static constexpr auto kRequestTimeout = std::chrono::milliseconds(600);

  HttpDirectOptions Options() const override {
    HttpDirectOptions options = HttpLimitsTest::Options();
    options.max_connections = 3;
    options.idle_timeout = std::chrono::milliseconds(1000);
    options.request_timeout = kRequestTimeout;
    options.max_requests_per_connection = 2;
    return options;
  }

  // A well-behaved GET, retried while the server refuses it for want of a
  // free connection: whether it is served within five seconds.
  bool ServedWithin5s() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < give_up) {
      if (Get("/").starts_with("HTTP/1.1 200")) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

TEST_F(HttpConnectionLimitsTest, ConnectionsBeyondTheLimitAreRefusedAndServingResumes) {
  // Three clients that connect and send nothing take every connection.
  std::vector<std::unique_ptr<RawClient>> silent;
  for (int i = 0; i < 3; ++i) {
    silent.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(silent.back()->connected());
  }
  // The server accepts in order, so the next one is over the limit: it is
  // answered 503 and closed at once, without waiting for a request.
  RawClient refused(server_->port());
  ASSERT_TRUE(refused.connected());
  std::optional<std::string> answer = refused.ReadUntilClosed();
  ASSERT_TRUE(answer.has_value());
  EXPECT_THAT(*answer, StartsWith("HTTP/1.1 503"));
  // One that sends a request is not served either (it may see the 503 or,
  // when its request crosses the close, a reset).
  RawClient also_refused(server_->port());
  also_refused.Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  answer = also_refused.ReadUntilClosed();
  ASSERT_TRUE(answer.has_value());
  EXPECT_THAT(*answer, Not(StartsWith("HTTP/1.1 200")));
  EXPECT_EQ(calls_, 0);
  // The silent ones are closed when the idle timeout runs out, and a
  // well-behaved client is served again.
  for (auto& client : silent) EXPECT_TRUE(client->ReadUntilClosed().has_value());
  EXPECT_TRUE(ServedWithin5s());
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpConnectionLimitsTest, ASlowlorisIsCutOffAtTheRequestDeadline) {
  // A header byte every 50 ms: never silent for long, never done.
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.connected());
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  bool cut_off = false;
  while (std::chrono::steady_clock::now() - started < std::chrono::seconds(5)) {
    if (slow.Readable(50)) {
      cut_off = true;
      break;
    }
    if (!slow.Send("a")) {
      cut_off = true;
      break;
    }
  }
  const auto lasted = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(cut_off) << "still connected after 5 s";
  // Not before its deadline (which started with its first byte), and told why.
  EXPECT_GE(lasted, kRequestTimeout);
  std::optional<std::string> answer = slow.ReadUntilClosed();
  ASSERT_TRUE(answer.has_value());
  EXPECT_THAT(*answer, StartsWith("HTTP/1.1 408"));
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpConnectionLimitsTest, SlowClientsDoNotStopOthersBeingServed) {
  // Two slowlorises hold two of the three connections; the third serves
  // well-behaved clients all along.
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(slow.back()->Send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(ServedWithin5s());
    for (auto& client : slow) client->Send("a");
  }
  EXPECT_EQ(calls_, 5);
}

TEST_F(HttpConnectionLimitsTest, ARequestSentInPiecesWithinTheDeadlineIsServed) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(client.Send("Host: x\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(client.Send("Connection: close\r\n\r\n"));
  std::optional<std::string> answer = client.ReadUntilClosed();
  ASSERT_TRUE(answer.has_value());
  EXPECT_THAT(*answer, StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpConnectionLimitsTest, AConnectionServesAtMostMaxRequests) {
  // Three pipelined requests on one connection: two answers, the second
  // closing the connection.
  RawClient client(server_->port());
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(client.Send(request + request + request));
  std::optional<std::string> answer = client.ReadUntilClosed();
  ASSERT_TRUE(answer.has_value());
  const size_t second = answer->find("HTTP/1.1 200", 1);
  ASSERT_THAT(*answer, StartsWith("HTTP/1.1 200"));
  ASSERT_NE(second, std::string::npos) << *answer;
  EXPECT_THAT(answer->substr(0, second), HasSubstr("Keep-Alive: timeout=1, max=2"));
  EXPECT_THAT(answer->substr(second), HasSubstr("Connection: close"));
  EXPECT_EQ(answer->find("HTTP/1.1", second + 1), std::string::npos) << *answer;
  EXPECT_EQ(calls_, 2);
}

TEST(HttpDirectOptionsTest, LimitsMustBePositive) {
  Registry registry;
  ASSERT_TRUE(registry
                  .RegisterWebHandler("sec.web/handler",
                                      [](const Value&) -> absl::StatusOr<Value> {
                                        return map({{kw("status"), 200}});
                                      })
                  .ok());
  auto config = IonConfig::Parse(R"({:http-direct {:handler-fn sec.web/handler}})");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(registry.Activate(*config).ok());
  for (int which = 0; which < 4; ++which) {
    HttpDirectOptions options;
    if (which == 0) options.max_connections = 0;
    if (which == 1) options.max_requests_per_connection = 0;
    if (which == 2) options.idle_timeout = std::chrono::milliseconds(0);
    if (which == 3) options.request_timeout = std::chrono::milliseconds(-1);
    EXPECT_EQ(HttpDirect::Start(registry, options).status().code(),
              absl::StatusCode::kInvalidArgument)
        << which;
  }
  EXPECT_TRUE(HttpDirect::Start(registry, {}).ok());
}

}  // namespace
}  // namespace accrete
