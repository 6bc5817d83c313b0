// HTTP Direct: an in-process HTTP/1.1 server that hands each request to the
// web ion named by the active ion config's :http-direct :handler-fn, as a
// request map, and turns the handler's response map back into HTTP. It
// bounds the work it takes on: at most :processing-concurrency requests run
// the handler at once, at most :pending-ops-queue-length more wait for a
// turn, and any request beyond those is answered at once with
// :pending-ops-exceeded-code and -message (429 "Throttled" by default).
// It bounds the clients too (HttpDirectOptions): how many connections are
// open at once, how long one may sit idle, how long it may take to send a
// request or to take an answer, and how many requests it may make.
//
// Link `accrete::http` (it needs cpp-httplib; accrete::accrete does not).
//
// Ownership and thread safety: an HttpDirect owns its listening socket and
// its threads; the destructor stops it (waiting for requests in flight).
// Stop() and port() may be called from any thread. The Registry must outlive
// the server.
#ifndef ACCRETE_HTTP_DIRECT_HPP_
#define ACCRETE_HTTP_DIRECT_HPP_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "accrete/ion.hpp"
#include "accrete/status.hpp"

namespace accrete {

struct HttpDirectOptions {
  // The address to listen on. Default: loopback only.
  std::string host = "127.0.0.1";
  // The port; 0 picks a free one (see HttpDirect::port()). Default: 0.
  int port = 0;
  // Larger request bodies are answered 413 without calling the handler.
  // Default: 1 MiB.
  size_t max_body_bytes = 1 << 20;
  // Connections open at once. Each is served by a thread of its own, for as
  // long as it stays open; one more is answered 503 and closed at once by the
  // accepting thread, before anything of it is read. Keep it above
  // :processing-concurrency + :pending-ops-queue-length, or requests that the
  // queue would hold get 503 instead. Default: 128.
  size_t max_connections = 128;
  // How long a connection may wait before a request begins (its first, and
  // each one after it); then it is closed. Default: 5 s.
  std::chrono::milliseconds idle_timeout{5000};
  // How long a client may take to send one whole request (from its first
  // byte: request line, headers and body), and to take in one whole answer,
  // however it trickles the bytes. Past it the connection is answered 408
  // (while reading) and closed. The handler's own time is not counted.
  // Default: 10 s.
  std::chrono::milliseconds request_timeout{10000};
  // Requests one connection may make; the last answer says
  // "Connection: close". Default: 5.
  size_t max_requests_per_connection = 5;
};

class HttpDirect {
 public:
  // Starts serving the web handler named by `registry`'s active config's
  // :http-direct, with its queue and concurrency limits. FailedPrecondition
  // when no config is active or it has no :http-direct; InvalidArgument when
  // a count or timeout in `options` is zero or negative; Unavailable when the
  // address cannot be bound.
  //
  // Each request becomes the map {:request-method :get (lower-cased
  // keyword), :uri "/path", :query-string "a=1" (or nil), :headers {"name"
  // "value"} (names lower-cased; repeated headers joined with ","), :body
  // "..." (or nil), :server-name, :server-port, :remote-addr, :protocol
  // "HTTP/1.1", :scheme :http}. The handler returns {:status 200 :headers
  // {"Content-Type" "..."} :body "..."} (:status defaults to 200, :body may
  // be nil). A handler error, exception or malformed response gives 500
  // "Internal Server Error" with nothing of the error in the answer.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HttpDirect>> Start(
      const Registry& registry, const HttpDirectOptions& options = {});

  ~HttpDirect();
  HttpDirect(const HttpDirect&) = delete;
  HttpDirect& operator=(const HttpDirect&) = delete;

  // The port it listens on.
  int port() const;
  // Stops accepting, finishes the requests in flight, and returns. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpDirect(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace accrete

#endif  // ACCRETE_HTTP_DIRECT_HPP_
