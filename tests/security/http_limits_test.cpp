// HTTP Direct against hostile clients, over real sockets: it listens on
// loopback only by default, refuses oversized request lines, headers and
// bodies without calling the handler, closes a connection that sends nothing,
// and never puts an internal error's text in an answer.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
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
    HttpDirectOptions options;
    options.max_body_bytes = 1000;
    auto server = HttpDirect::Start(registry_, options);
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

}  // namespace
}  // namespace accrete
