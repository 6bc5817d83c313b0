// HTTP Direct on cpp-httplib: request and response maps, and the admission
// gate that bounds processing and waiting requests.
#include "accrete/http_direct.hpp"

#include <httplib.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
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
  res.set_content(response.body, content_type.c_str());
}

}  // namespace

struct HttpDirect::Impl {
  HttpDirectConfig config;
  std::shared_ptr<const WebHandler> handler;
  std::string host;
  int port = 0;
  AdmissionGate gate;
  httplib::Server server;
  std::thread listener;
  std::once_flag stopped;

  Impl(HttpDirectConfig c, std::shared_ptr<const WebHandler> h, std::string bound_host)
      : config(std::move(c)),
        handler(std::move(h)),
        host(std::move(bound_host)),
        gate(config.processing_concurrency, config.pending_ops_queue_length) {}

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
  auto impl = std::make_unique<Impl>(*config->http_direct, std::move(handler), options.host);
  Impl* self = impl.get();
  // One thread per connection, enough for every admitted request plus a few
  // to answer the ones over the queue at once.
  const size_t threads = static_cast<size_t>(self->config.processing_concurrency) +
                         static_cast<size_t>(self->config.pending_ops_queue_length) + 4;
  self->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  self->server.set_payload_max_length(options.max_body_bytes);
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
