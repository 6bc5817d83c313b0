// The web ion's request and response maps, built and read in one place for
// every way a web ion is reached: HTTP Direct (lib/http) and API Gateway
// proxy events (ionize).
#ifndef ACCRETE_LIB_ION_WEB_HPP_
#define ACCRETE_LIB_ION_WEB_HPP_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete::internal {

std::string LowerAscii(std::string_view s);

// A request as the transport saw it, before it becomes a request map.
struct WebRequest {
  std::string method;  // any case; the map gets a lower-cased keyword
  std::string uri;     // the path, without the query string
  std::optional<std::string> query_string;
  // Lower-cased names; a repeated header's values joined with ",".
  std::map<std::string, std::string> headers;
  std::optional<std::string> body;
  std::string server_name;
  int server_port = 0;
  std::string remote_addr;
  std::string protocol;  // "HTTP/1.1"
  std::string scheme;    // "http" or "https"

  // Adds a header, lower-casing its name and joining repeats with ",".
  void AddHeader(std::string_view name, std::string_view value);
};

// {:request-method :get :uri ... :query-string ... :headers {...} :body ...
//  :server-name ... :server-port ... :remote-addr ... :protocol ... :scheme ...}
Value RequestMap(const WebRequest& request);

// A response map read back: {:status 200 :headers {"name" "value"} :body ...}.
struct WebResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The body was a #bytes value rather than a string.
  bool binary = false;
};

// Internal naming what is wrong when `response` is not a map with an integer
// :status (default 200), string :headers and a string, bytes or nil :body.
absl::StatusOr<WebResponse> ReadResponseMap(const Value& response);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_ION_WEB_HPP_
