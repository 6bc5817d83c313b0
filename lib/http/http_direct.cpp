// HTTP Direct on cpp-httplib: request and response maps, the admission
// gate that bounds processing and waiting requests, and the connection
// limits that bound clients.
//
// cpp-httplib 0.11 bounds a connection only per read (a client that sends a
// byte every few seconds keeps its thread for ever) and queues accepted
// connections without limit. So HTTP Direct serves each connection itself:
// ConnectionSlots refuses a connection beyond the limit on the accepting
// thread, and BoundedServer reads and writes through a ConnectionStream that
// holds each request and each answer to a deadline, calling httplib only to
// parse and route one request at a time.
#include "accrete/http_direct.hpp"

#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "accrete/cast.hpp"
#include "accrete/ion_config.hpp"
#include "edn/str_cat.hpp"
#include "ion/web.hpp"

namespace accrete {
namespace {

using internal::Cat;

// At most `concurrency` holders at once and at most `queue_length` waiting
// for a turn; Enter() refuses at once beyond that.
class AdmissionGate {
 public:
  AdmissionGate(int concurrency, int queue_length)
      : concurrency_(concurrency), queue_length_(queue_length) {}

  bool Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    if (processing_ < concurrency_ && waiting_ == 0) {
      ++processing_;
      return true;
    }
    if (waiting_ >= queue_length_) return false;
    ++waiting_;
    turn_.wait(lock, [this] { return processing_ < concurrency_; });
    --waiting_;
    ++processing_;
    return true;
  }

  void Leave() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --processing_;
    }
    turn_.notify_one();
  }

 private:
  const int concurrency_;
  const int queue_length_;
  std::mutex mu_;
  std::condition_variable turn_;
  int processing_ = 0;
  int waiting_ = 0;
};

using Clock = std::chrono::steady_clock;

struct ConnectionLimits {
  std::chrono::milliseconds idle_timeout;
  std::chrono::milliseconds request_timeout;
  size_t max_requests;
  size_t max_body_bytes;
};

// The request line and headers of one request together; httplib bounds each
// line (8 KiB) but not how many there are. A chunked body's framing and
// trailers get the same allowance on top of max_body_bytes.
constexpr size_t kMaxHeadBytes = 64 << 10;

// What a stream answers by itself when it cuts a request off.
constexpr std::string_view k408 =
    "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr std::string_view k413 =
    "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

// Whether the request says its body is longer than allowed, so that it can
// be refused before any of the body is read.
bool DeclaresBodyOver(const httplib::Request& req, size_t max_body_bytes) {
  return req.has_header("Content-Length") &&
         req.get_header_value<uint64_t>("Content-Length") > max_body_bytes;
}

// A connection's bytes, each request and each answer held to its own
// deadline, and each request's head and body to their sizes. A request cut
// off is answered (408 or 413) by the stream itself, and every read and
// write after it fails, so httplib gives up on it. Waits are cut into short
// slices so that a stopping server is noticed.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(socket_t sock, const ConnectionLimits& limits,
                   const std::atomic<socket_t>& listener)
      : sock_(sock), limits_(limits), listener_(listener) {}

  // Whether a request begins (or the client closes) within the idle timeout
  // and before the server stops.
  bool AwaitRequest() {
    return buffered() > 0 ||
           Wait(POLLIN, Clock::now() + limits_.idle_timeout, /*until_stopped=*/true) == kReady;
  }

  // Starts the clocks of one request and its answer, and counts its head.
  void BeginRequest() {
    read_deadline_ = Clock::now() + limits_.request_timeout;
    write_deadline_.reset();
    read_budget_ = kMaxHeadBytes;
  }

  // The head has been read; counts the body.
  void BeginBody() { read_budget_ = limits_.max_body_bytes + kMaxHeadBytes; }

  bool cut_off() const { return cut_off_; }

  bool is_readable() const override {
    return !cut_off_ && (buffered() > 0 || Wait(POLLIN, read_deadline_) == kReady);
  }

  bool is_writable() const override {
    return !cut_off_ &&
           Wait(POLLOUT, write_deadline_.value_or(Clock::now() + limits_.request_timeout)) ==
               kReady;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (cut_off_) return -1;
    if (read_budget_ == 0) {
      CutOff(k413);
      return -1;
    }
    if (buffered() == 0) {
      const WaitResult waited = Wait(POLLIN, read_deadline_);
      if (waited == kTimedOut) {
        CutOff(k408);
        return -1;
      }
      if (waited != kReady) return -1;
      const ssize_t n = ::recv(sock_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    const size_t n = std::min({size, buffered(), read_budget_});
    std::copy_n(buffer_.data() + begin_, n, ptr);
    begin_ += n;
    read_budget_ -= n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (cut_off_) return -1;
    if (!write_deadline_.has_value()) write_deadline_ = Clock::now() + limits_.request_timeout;
    for (;;) {
      const WaitResult waited = Wait(POLLOUT, *write_deadline_);
      if (waited == kTimedOut) CutOff({});  // a client that takes no answer gets none
      if (waited != kReady) return -1;
      // Never blocks past the deadline: sends what fits now, and httplib
      // calls again for the rest.
      const ssize_t n = ::send(sock_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(getsockname, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  enum WaitResult { kReady, kTimedOut, kStopping, kFailed };

  static constexpr std::chrono::milliseconds kSlice{100};

  size_t buffered() const { return end_ - begin_; }

  // Requests and answers under way are finished when the server stops (up
  // to their deadlines); only the wait for a new request gives up.
  WaitResult Wait(short events, Clock::time_point deadline, bool until_stopped = false) const {
    for (;;) {
      if (until_stopped && listener_ == INVALID_SOCKET) return kStopping;
      const Clock::time_point now = Clock::now();
      if (now >= deadline) return kTimedOut;
      const auto slice =
          std::min(kSlice, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
      pollfd fd{sock_, events, 0};
      const int ready = ::poll(&fd, 1, static_cast<int>(slice.count()));
      // A hang-up or error counts as ready: the read or write that follows
      // reports it.
      if (ready > 0) return kReady;
      if (ready < 0 && errno != EINTR) return kFailed;
    }
  }

  void CutOff(std::string_view answer) {
    cut_off_ = true;
    // Best effort, never waiting: the connection is closed next whatever
    // this sends.
    if (!answer.empty())
      (void)::send(sock_, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }

  void Address(int (*name)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (name(sock_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
    std::array<char, NI_MAXHOST> host{};
    std::array<char, NI_MAXSERV> service{};
    if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host.data(), host.size(),
                    service.data(), service.size(), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
      return;
    }
    ip = host.data();
    port = std::atoi(service.data());
  }

  const socket_t sock_;
  const ConnectionLimits limits_;
  const std::atomic<socket_t>& listener_;
  Clock::time_point read_deadline_ = Clock::now();
  std::optional<Clock::time_point> write_deadline_;
  size_t read_budget_ = kMaxHeadBytes;
  bool cut_off_ = false;
  std::array<char, 4096> buffer_{};
  size_t begin_ = 0;
  size_t end_ = 0;
};

// Set on the accepting thread while it refuses a connection itself.
thread_local bool t_refusing_connection = false;

// The pool of connection threads, one per open connection. A connection
// beyond them is refused on the accepting thread instead of waiting in
// httplib's unbounded queue.
class ConnectionSlots final : public httplib::TaskQueue {
 public:
  explicit ConnectionSlots(size_t slots) : slots_(slots), pool_(slots) {}

  void enqueue(std::function<void()> serve) override {
    // Only this thread opens slots, so checking then taking one cannot
    // overshoot.
    if (open_.load() >= slots_) {
      t_refusing_connection = true;
      serve();  // BoundedServer::process_and_close_socket refuses it
      t_refusing_connection = false;
      return;
    }
    ++open_;
    pool_.enqueue([this, serve = std::move(serve)] {
      serve();
      --open_;
    });
  }

  void shutdown() override { pool_.shutdown(); }

 private:
  const size_t slots_;
  std::atomic<size_t> open_{0};
  httplib::ThreadPool pool_;
};

class BoundedServer final : public httplib::Server {
 public:
  explicit BoundedServer(const ConnectionLimits& limits) : limits_(limits) {
    // Before httplib would read (and throw away) the whole body.
    set_pre_routing_handler(
        [max = limits.max_body_bytes](const httplib::Request& req, httplib::Response& res) {
          if (!DeclaresBodyOver(req, max)) return HandlerResponse::Unhandled;
          res.status = 413;
          res.set_header("Connection", "close");
          return HandlerResponse::Handled;
        });
  }

 private:
  // Replaces httplib's keep-alive loop, which bounds reads one at a time.
  bool process_and_close_socket(socket_t sock) override {
    bool ok = false;
    if (t_refusing_connection) {
      Refuse(sock);
    } else {
      ConnectionStream stream(sock, limits_, svr_sock_);
      bool unread_body = false;
      // Called once the head is read, before the body.
      auto head_read = [&](httplib::Request& req) {
        unread_body = DeclaresBodyOver(req, limits_.max_body_bytes);
        stream.BeginBody();
      };
      for (size_t served = 0; served < limits_.max_requests; ++served) {
        if (!stream.AwaitRequest()) break;
        stream.BeginRequest();
        bool closed = false;
        const bool last = served + 1 == limits_.max_requests;
        ok = process_request(stream, last, closed, head_read);
        if (!ok || closed || stream.cut_off() || unread_body) break;
      }
      if (stream.cut_off() || unread_body) DrainBeforeClose(sock);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
  }

  // Closing a socket with unread bytes resets the connection, and the client
  // may then lose the answer just sent; so, having said all it will, the
  // server reads what the client still sends, for a short while.
  void DrainBeforeClose(socket_t sock) const {
    ::shutdown(sock, SHUT_WR);
    const Clock::time_point give_up =
        Clock::now() + std::min(limits_.request_timeout, std::chrono::milliseconds(1000));
    std::array<char, 4096> sink{};
    for (size_t drained = 0; drained < (1 << 20) && Clock::now() < give_up;) {
      pollfd fd{sock, POLLIN, 0};
      if (::poll(&fd, 1, 100) <= 0) break;  // the client has gone quiet
      const ssize_t n = ::recv(sock, sink.data(), sink.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      drained += static_cast<size_t>(n);
    }
  }

  // Answers 503 without waiting for anything, on the accepting thread.
  static void Refuse(socket_t sock) {
    // What the client has sent already is drained first: closing a socket
    // with unread bytes resets the connection, and the client could lose
    // the answer.
    std::array<char, 4096> sink{};
    for (int i = 0; i < 16 && ::recv(sock, sink.data(), sink.size(), MSG_DONTWAIT) > 0; ++i) {
    }
    constexpr std::string_view k503 =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        "Content-Length: 20\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
        "Too many connections";
    // Best effort: the connection is closed next whatever this sends.
    (void)::send(sock, k503.data(), k503.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }

  const ConnectionLimits limits_;
};

internal::WebRequest FromHttplib(const httplib::Request& req, const std::string& host, int port) {
  internal::WebRequest request;
  request.method = req.method;
  request.uri = req.path;
  for (const auto& [name, value] : req.headers) request.AddHeader(name, value);
  request.server_name = host;
  if (auto it = request.headers.find("host"); it != request.headers.end()) {
    request.server_name = it->second.substr(0, it->second.rfind(':'));
  }
  if (const size_t question = req.target.find('?'); question != std::string::npos) {
    request.query_string = req.target.substr(question + 1);
  }
  if (!req.body.empty()) request.body = req.body;
  request.server_port = port;
  request.remote_addr = req.remote_addr;
  request.protocol = req.version;
  request.scheme = "http";
  return request;
}

// Fills `res` from a response map read by ReadResponseMap.
void ApplyResponse(const internal::WebResponse& response, httplib::Response& res) {
  res.status = response.status;
  std::string content_type = response.binary ? "application/octet-stream" : "text/plain";
  for (const auto& [name, value] : response.headers) {
    if (internal::LowerAscii(name) == "content-type") {
      content_type = value;
    } else {
      res.set_header(name, value);
    }
  }
  res.set_content(response.body, content_type);
}

}  // namespace

struct HttpDirect::Impl {
  HttpDirectConfig config;
  std::shared_ptr<const WebHandler> handler;
  std::string host;
  int port = 0;
  AdmissionGate gate;
  BoundedServer server;
  std::thread listener;
  std::once_flag stopped;

  Impl(HttpDirectConfig c, std::shared_ptr<const WebHandler> h, std::string bound_host,
       const ConnectionLimits& limits)
      : config(std::move(c)),
        handler(std::move(h)),
        host(std::move(bound_host)),
        gate(config.processing_concurrency, config.pending_ops_queue_length),
        server(limits) {}

  void Handle(const httplib::Request& req, httplib::Response& res) {
    if (!gate.Enter()) {
      res.status = config.pending_ops_exceeded_code;
      res.set_content(config.pending_ops_exceeded_message, "text/plain");
      return;
    }
    absl::Status failure;
    try {
      absl::StatusOr<Value> response =
          (*handler)(internal::RequestMap(FromHttplib(req, host, port)));
      absl::StatusOr<internal::WebResponse> read =
          response.ok() ? internal::ReadResponseMap(*response) : response.status();
      if (read.ok()) {
        ApplyResponse(*read, res);
      } else {
        failure = read.status();
      }
    } catch (const std::exception& e) {
      failure = absl::InternalError(Cat("The web handler threw: ", e.what()));
    } catch (...) {
      failure = absl::InternalError("The web handler threw an exception");
    }
    gate.Leave();
    if (!failure.ok()) AnswerFailure(req, failure, res);
  }

  // The client learns nothing of the failure; the operators get all of it.
  void AnswerFailure(const httplib::Request& req, const absl::Status& failure,
                     httplib::Response& res) {
    res.status = 500;
    res.set_content("Internal Server Error", "text/plain");
    // A sink that fails has nowhere better to report it.
    cast::alert(map({{kw("msg"), "HTTP Direct: the web handler failed; answered 500"},
                     {kw("ex"), failure.ToString()},
                     {kw("handler-fn"), sym(config.handler_fn)},
                     {kw("request-method"), kw(internal::LowerAscii(req.method))},
                     {kw("uri"), Value(req.path)}}))
        .IgnoreError();
  }
};

HttpDirect::HttpDirect(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpDirect::~HttpDirect() { Stop(); }

int HttpDirect::port() const { return impl_->port; }

void HttpDirect::Stop() {
  std::call_once(impl_->stopped, [this] {
    impl_->server.stop();
    if (impl_->listener.joinable()) impl_->listener.join();
  });
}

absl::StatusOr<std::unique_ptr<HttpDirect>> HttpDirect::Start(const Registry& registry,
                                                              const HttpDirectOptions& options) {
  std::shared_ptr<const IonConfig> config = registry.active_config();
  if (config == nullptr || !config->http_direct.has_value()) {
    return absl::FailedPreconditionError(
        "HTTP Direct needs an active ion-config with :http-direct");
  }
  std::shared_ptr<const WebHandler> handler =
      registry.FindWebHandler(config->http_direct->handler_fn);
  if (handler == nullptr) {
    return absl::FailedPreconditionError(
        Cat("HTTP Direct: ", config->http_direct->handler_fn, " is not a registered web handler"));
  }
  if (options.max_connections == 0 || options.max_requests_per_connection == 0 ||
      options.idle_timeout <= std::chrono::milliseconds::zero() ||
      options.request_timeout <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError(
        "HTTP Direct: max_connections, max_requests_per_connection, idle_timeout and "
        "request_timeout must be positive");
  }
  const ConnectionLimits limits{options.idle_timeout, options.request_timeout,
                                options.max_requests_per_connection, options.max_body_bytes};
  auto impl =
      std::make_unique<Impl>(*config->http_direct, std::move(handler), options.host, limits);
  Impl* self = impl.get();
  const size_t slots = options.max_connections;
  self->server.new_task_queue = [slots] { return new ConnectionSlots(slots); };
  self->server.set_payload_max_length(options.max_body_bytes);
  // What the Keep-Alive header of an answer advertises.
  self->server.set_keep_alive_max_count(options.max_requests_per_connection);
  self->server.set_keep_alive_timeout(
      std::chrono::ceil<std::chrono::seconds>(options.idle_timeout).count());
  // cpp-httplib writes the head and the body of an answer separately; with
  // Nagle's algorithm on, the body then waits for the client's delayed ACK
  // (40 ms on Linux) on every keep-alive request.
  self->server.set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, with which a second server binds a
  // port already in use and the kernel splits the connections between the
  // two; SO_REUSEADDR alone still allows a quick restart.
  self->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  auto handle = [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res);
  };
  const char* kAnyPath = "/.*";
  self->server.Get(kAnyPath, handle)
      .Post(kAnyPath, handle)
      .Put(kAnyPath, handle)
      .Patch(kAnyPath, handle)
      .Delete(kAnyPath, handle)
      .Options(kAnyPath, handle);
  if (options.port == 0) {
    self->port = self->server.bind_to_any_port(options.host);
  } else if (self->server.bind_to_port(options.host, options.port)) {
    self->port = options.port;
  } else {
    self->port = -1;
  }
  if (self->port <= 0) {
    return absl::UnavailableError(
        Cat("HTTP Direct cannot listen on ", options.host, ":", std::to_string(options.port)));
  }
  // Stop() does nothing to a server that is not yet running, so wait until it
  // is (the socket already listens: early connections wait in its backlog).
  auto listening = std::make_shared<std::atomic<bool>>(true);
  self->listener = std::thread([self, listening] {
    self->server.listen_after_bind();
    *listening = false;
  });
  while (*listening && !self->server.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<HttpDirect>(new HttpDirect(std::move(impl)));
}

}  // namespace accrete
