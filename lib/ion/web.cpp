// The web ion's request and response maps.
#include "ion/web.hpp"

#include <cctype>

#include "edn/str_cat.hpp"

namespace accrete::internal {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void WebRequest::AddHeader(std::string_view name, std::string_view value) {
  std::string& joined = headers[LowerAscii(name)];
  joined = joined.empty() ? std::string(value) : Cat(joined, ",", value);
}

Value RequestMap(const WebRequest& request) {
  std::vector<MapEntry> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) headers.push_back({Value(name), Value(value)});
  auto optional_string = [](const std::optional<std::string>& s) {
    return s.has_value() ? Value(*s) : Value();
  };
  return map({{kw("request-method"), kw(LowerAscii(request.method))},
              {kw("uri"), Value(request.uri)},
              {kw("query-string"), optional_string(request.query_string)},
              {kw("headers"), Value::Map(std::move(headers))},
              {kw("body"), optional_string(request.body)},
              {kw("server-name"), Value(request.server_name)},
              {kw("server-port"), Value::Integer(request.server_port)},
              {kw("remote-addr"), Value(request.remote_addr)},
              {kw("protocol"), Value(request.protocol)},
              {kw("scheme"), kw(request.scheme)}});
}

absl::StatusOr<WebResponse> ReadResponseMap(const Value& response) {
  if (!response.is_map()) {
    return absl::InternalError(
        Cat("The web handler returned ", response.to_string(), ", not a response map"));
  }
  WebResponse out;
  if (const Value* status = response.get(kw("status")); status != nullptr) {
    if (!status->is_integer() || status->as_int() < 100 || status->as_int() > 999) {
      return absl::InternalError(
          Cat("The web handler's :status is ", status->to_string(), ", not an HTTP status code"));
    }
    out.status = static_cast<int>(status->as_int());
  }
  if (const Value* headers = response.get(kw("headers"));
      headers != nullptr && !headers->is_nil()) {
    if (!headers->is_map()) {
      return absl::InternalError(
          Cat("The web handler's :headers is ", headers->to_string(), ", not a map"));
    }
    for (const auto& [name, value] : headers->entries()) {
      if (!name.is_string() || !value.is_string()) {
        return absl::InternalError(Cat("The web handler's header ", name.to_string(), " ",
                                       value.to_string(), " is not a pair of strings"));
      }
      out.headers.emplace_back(name.as_string(), value.as_string());
    }
  }
  if (const Value* body = response.get(kw("body")); body != nullptr && !body->is_nil()) {
    if (body->is_string()) {
      out.body = body->as_string();
    } else if (body->kind() == Kind::kBytes) {
      out.body = body->as_string();
      out.binary = true;
    } else {
      return absl::InternalError(
          Cat("The web handler's :body is ", body->to_string(), ", not a string, #bytes or nil"));
    }
  }
  return out;
}

}  // namespace accrete::internal
