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

#include "accrete/ion_config.hpp"
#include "edn/str_cat.hpp"

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

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Value RequestMap(const httplib::Request& req, const std::string& host, int port) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : req.headers) {
    std::string& joined = headers[Lower(name)];
    joined = joined.empty() ? value : Cat(joined, ",", value);
  }
  std::vector<MapEntry> header_entries;
  header_entries.reserve(headers.size());
  for (const auto& [name, value] : headers) header_entries.push_back({Value(name), Value(value)});
  std::string server_name = host;
  if (auto it = headers.find("host"); it != headers.end()) {
    server_name = it->second.substr(0, it->second.rfind(':'));
  }
  const size_t question = req.target.find('?');
  const Value query_string =
      question == std::string::npos ? Value() : Value(req.target.substr(question + 1));
  return map({{kw("request-method"), kw(Lower(req.method))},
              {kw("uri"), Value(req.path)},
              {kw("query-string"), query_string},
              {kw("headers"), Value::Map(std::move(header_entries))},
              {kw("body"), req.body.empty() ? Value() : Value(req.body)},
              {kw("server-name"), Value(server_name)},
              {kw("server-port"), Value::Integer(port)},
              {kw("remote-addr"), Value(req.remote_addr)},
              {kw("protocol"), Value(req.version)},
              {kw("scheme"), kw("http")}});
}

// Fills `res` from a response map; false when the map is malformed.
bool ApplyResponse(const Value& response, httplib::Response& res) {
  if (!response.is_map()) return false;
  const Value* status = response.get(kw("status"));
  if (status != nullptr && !status->is_integer()) return false;
  res.status = status == nullptr ? 200 : static_cast<int>(status->as_int());
  std::string content_type = "text/plain";
  if (const Value* headers = response.get(kw("headers"));
      headers != nullptr && !headers->is_nil()) {
    if (!headers->is_map()) return false;
    for (const auto& [name, value] : headers->entries()) {
      if (!name.is_string() || !value.is_string()) return false;
      if (Lower(name.as_string()) == "content-type") {
        content_type = std::string(value.as_string());
      } else {
        res.set_header(std::string(name.as_string()), std::string(value.as_string()));
      }
    }
  }
  const Value* body = response.get(kw("body"));
  if (body != nullptr && !body->is_nil() && !body->is_string()) return false;
  res.set_content(
      body == nullptr || body->is_nil() ? std::string() : std::string(body->as_string()),
      content_type.c_str());
  return true;
}

void InternalError(httplib::Response& res) {
  res.status = 500;
  res.set_content("Internal Server Error", "text/plain");
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
    try {
      absl::StatusOr<Value> response = (*handler)(RequestMap(req, host, port));
      if (!response.ok() || !ApplyResponse(*response, res)) InternalError(res);
    } catch (...) {
      InternalError(res);
    }
    gate.Leave();
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
