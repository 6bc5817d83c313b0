// Ionize: API Gateway proxy events (payload formats 1.0 and 2.0) to web ion
// request maps, and response maps to proxy responses.
#include "accrete/ionize.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "edn/literals.hpp"
#include "edn/str_cat.hpp"
#include "edn/utf8.hpp"
#include "ion/web.hpp"

namespace accrete {
namespace {

using internal::Cat;
using internal::WebRequest;
// Ordered, so that query parameters keep the order the event gives them.
using Json = nlohmann::ordered_json;

absl::Status Malformed(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(Cat("API Gateway proxy event: ", field, " ", problem));
}

// The member `key` of `object` when it is present and not null, else nullptr.
const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Whether `key` is worth reading: present, not null and not an empty object
// (which some clients send beside a filled single-value twin).
bool HasMembers(const Json& event, std::string_view key) {
  const Json* value = Member(event, key);
  return value != nullptr && !(value->is_object() && value->empty());
}

// `where` names the field in messages ("requestContext.http.method").
absl::StatusOr<std::optional<std::string>> OptionalString(const Json& object, std::string_view key,
                                                          std::string_view where) {
  const Json* value = Member(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string())
    return Malformed(where, Cat("is ", value->type_name(), ", not a string"));
  return value->get<std::string>();
}

absl::StatusOr<std::string> RequiredString(const Json& object, std::string_view key,
                                           std::string_view where) {
  absl::StatusOr<std::optional<std::string>> value = OptionalString(object, key, where);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Malformed(where, "is missing");
  return **value;
}

// The method at `key`: a letter, then letters, digits or '-' (every HTTP
// method is), since it becomes the request map's :request-method keyword.
absl::StatusOr<std::string> RequiredMethod(const Json& object, std::string_view key,
                                           std::string_view where) {
  absl::StatusOr<std::string> method = RequiredString(object, key, where);
  if (!method.ok()) return method.status();
  const auto is_method_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  };
  if (method->empty() || !std::isalpha(static_cast<unsigned char>((*method)[0])) ||
      !std::all_of(method->begin(), method->end(), is_method_char)) {
    return Malformed(where, "is not an HTTP method");
  }
  return method;
}

// Calls add(name, value) for each member of the object `key` (absent or null:
// none), whose values must be strings, or arrays of strings when `multi`.
using AddString = std::function<void(const std::string& name, const std::string& value)>;

absl::Status EachString(const Json& event, std::string_view key, bool multi, const AddString& add) {
  const Json* object = Member(event, key);
  if (object == nullptr) return absl::OkStatus();
  if (!object->is_object())
    return Malformed(key, Cat("is ", object->type_name(), ", not an object"));
  for (const auto& [name, value] : object->items()) {
    if (multi && value.is_array()) {
      for (const Json& item : value) {
        if (!item.is_string()) {
          return Malformed(Cat(key, ".", name), "holds a value that is not a string");
        }
        add(name, item.get_ref<const std::string&>());
      }
    } else if (value.is_string()) {
      add(name, value.get_ref<const std::string&>());
    } else if (!value.is_null()) {
      return Malformed(
          Cat(key, ".", name),
          Cat("is ", value.type_name(), multi ? ", not an array of strings" : ", not a string"));
    }
  }
  return absl::OkStatus();
}

// Query parameters arrive decoded; the request map's :query-string is the
// encoded form a web ion would get over HTTP.
void AppendQueryPart(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
}

absl::Status ReadBody(const Json& event, WebRequest& request) {
  absl::StatusOr<std::optional<std::string>> body = OptionalString(event, "body", "body");
  if (!body.ok()) return body.status();
  bool base64 = false;
  if (const Json* flag = Member(event, "isBase64Encoded"); flag != nullptr) {
    if (!flag->is_boolean()) {
      return Malformed("isBase64Encoded", Cat("is ", flag->type_name(), ", not a boolean"));
    }
    base64 = flag->get<bool>();
  }
  if (!body->has_value()) return absl::OkStatus();
  if (!base64) {
    request.body = std::move(**body);
    return absl::OkStatus();
  }
  std::string decoded;
  if (!internal::DecodeBase64(**body, &decoded)) {
    return Malformed("body", "is not valid base64 although isBase64Encoded is true");
  }
  request.body = std::move(decoded);
  return absl::OkStatus();
}

// What the event's headers say of the client's view, with API Gateway's
// defaults (it serves HTTPS on 443).
void ServerFromHeaders(const Json& request_context, WebRequest& request) {
  auto header = [&request](const char* name) -> const std::string* {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? nullptr : &it->second;
  };
  if (const std::string* host = header("host")) {
    request.server_name = host->substr(0, host->rfind(':'));
  } else if (const Json* domain = Member(request_context, "domainName");
             domain != nullptr && domain->is_string()) {
    request.server_name = domain->get<std::string>();
  }
  request.server_port = 443;
  if (const std::string* port = header("x-forwarded-port")) {
    try {
      request.server_port = std::stoi(*port);
    } catch (const std::exception&) {
      // A forwarded port that is not a number: keep the default.
    }
  }
  const std::string* proto = header("x-forwarded-proto");
  // The header is the client's to set: only "http" downgrades the scheme, so
  // :scheme is always :http or :https.
  request.scheme = proto != nullptr && internal::LowerAscii(*proto) == "http" ? "http" : "https";
}

std::string SourceIp(const Json& holder) {
  const Json* ip = Member(holder, "sourceIp");
  return ip != nullptr && ip->is_string() ? ip->get<std::string>() : std::string();
}

// Payload format 1.0 (REST APIs, and HTTP APIs configured for 1.0).
absl::StatusOr<WebRequest> ReadV1(const Json& event) {
  WebRequest request;
  absl::StatusOr<std::string> method = RequiredMethod(event, "httpMethod", "httpMethod");
  if (!method.ok()) return method.status();
  absl::StatusOr<std::string> path = RequiredString(event, "path", "path");
  if (!path.ok()) return path.status();
  request.method = *std::move(method);
  request.uri = *std::move(path);
  auto add_header = [&request](const std::string& n, const std::string& v) {
    request.AddHeader(n, v);
  };
  // multiValueHeaders holds every value; headers only the last of each.
  const bool multi_headers = HasMembers(event, "multiValueHeaders");
  if (absl::Status s = EachString(event, multi_headers ? "multiValueHeaders" : "headers",
                                  multi_headers, add_header);
      !s.ok()) {
    return s;
  }
  std::string query;
  auto add_param = [&query](const std::string& n, const std::string& v) {
    if (!query.empty()) query.push_back('&');
    AppendQueryPart(query, n);
    query.push_back('=');
    AppendQueryPart(query, v);
  };
  const bool multi_query = HasMembers(event, "multiValueQueryStringParameters");
  if (absl::Status s = EachString(
          event, multi_query ? "multiValueQueryStringParameters" : "queryStringParameters",
          multi_query, add_param);
      !s.ok()) {
    return s;
  }
  if (!query.empty()) request.query_string = std::move(query);
  if (absl::Status s = ReadBody(event, request); !s.ok()) return s;
  const Json* context = Member(event, "requestContext");
  const Json empty = Json::object();
  if (context == nullptr) context = &empty;
  const Json* identity = Member(*context, "identity");
  request.remote_addr = SourceIp(identity != nullptr ? *identity : empty);
  const Json* protocol = Member(*context, "protocol");
  request.protocol =
      protocol != nullptr && protocol->is_string() ? protocol->get<std::string>() : "HTTP/1.1";
  ServerFromHeaders(*context, request);
  return request;
}

// Payload format 2.0 (HTTP APIs).
absl::StatusOr<WebRequest> ReadV2(const Json& event) {
  WebRequest request;
  const Json* context = Member(event, "requestContext");
  const Json* http = context != nullptr ? Member(*context, "http") : nullptr;
  if (http == nullptr || !http->is_object()) {
    return Malformed("requestContext.http",
                     "is missing (version \"2.0\" events carry the method there)");
  }
  absl::StatusOr<std::string> method =
      RequiredMethod(*http, "method", "requestContext.http.method");
  if (!method.ok()) return method.status();
  absl::StatusOr<std::optional<std::string>> path = OptionalString(event, "rawPath", "rawPath");
  if (!path.ok()) return path.status();
  if (!path->has_value()) {
    absl::StatusOr<std::string> http_path = RequiredString(*http, "path", "rawPath");
    if (!http_path.ok()) return http_path.status();
    *path = *std::move(http_path);
  }
  request.method = *std::move(method);
  request.uri = **std::move(path);
  absl::StatusOr<std::optional<std::string>> query =
      OptionalString(event, "rawQueryString", "rawQueryString");
  if (!query.ok()) return query.status();
  if (query->has_value() && !(*query)->empty()) request.query_string = **std::move(query);
  // Format 2.0 joins repeated headers with "," itself and moves cookies out of
  // the headers into their own array.
  if (absl::Status s = EachString(
          event, "headers", false,
          [&request](const std::string& n, const std::string& v) { request.AddHeader(n, v); });
      !s.ok()) {
    return s;
  }
  if (const Json* cookies = Member(event, "cookies"); cookies != nullptr) {
    if (!cookies->is_array()) return Malformed("cookies", "is not an array of strings");
    std::string joined;
    for (const Json& cookie : *cookies) {
      if (!cookie.is_string()) return Malformed("cookies", "is not an array of strings");
      joined += Cat(joined.empty() ? "" : "; ", cookie.get_ref<const std::string&>());
    }
    if (!joined.empty()) request.headers["cookie"] = std::move(joined);
  }
  if (absl::Status s = ReadBody(event, request); !s.ok()) return s;
  request.remote_addr = SourceIp(*http);
  const Json* protocol = Member(*http, "protocol");
  request.protocol =
      protocol != nullptr && protocol->is_string() ? protocol->get<std::string>() : "HTTP/1.1";
  ServerFromHeaders(*context, request);
  return request;
}

absl::StatusOr<WebRequest> ReadEvent(std::string_view input) {
  Json event = Json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) return Malformed("text", "is not JSON");
  if (!event.is_object())
    return Malformed("text", Cat("is a JSON ", event.type_name(), ", not an object"));
  const Json* version = Member(event, "version");
  if (version != nullptr && version->is_string() && version->get<std::string>() == "2.0") {
    return ReadV2(event);
  }
  if (Member(event, "httpMethod") == nullptr) {
    return Malformed("text",
                     "has neither httpMethod (payload format 1.0) nor version \"2.0\" "
                     "(payload format 2.0)");
  }
  return ReadV1(event);
}

std::string ProxyResponse(const internal::WebResponse& response) {
  Json out = Json::object();
  out["statusCode"] = response.status;
  Json headers = Json::object();
  for (const auto& [name, value] : response.headers) headers[name] = value;
  out["headers"] = std::move(headers);
  const bool base64 = response.binary || !internal::IsValidUtf8(response.body);
  out["body"] = base64 ? internal::EncodeBase64(response.body) : response.body;
  out["isBase64Encoded"] = base64;
  // Header values that are not UTF-8 are replaced rather than thrown over.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

LambdaFunction Ionize(WebHandler handler) {
  return [handler = std::move(handler)](std::string_view input,
                                        const Value&) -> absl::StatusOr<std::string> {
    absl::StatusOr<WebRequest> request = ReadEvent(input);
    if (!request.ok()) return request.status();
    absl::StatusOr<Value> response = handler(internal::RequestMap(*request));
    if (!response.ok()) return response.status();
    absl::StatusOr<internal::WebResponse> read = internal::ReadResponseMap(*response);
    if (!read.ok()) return read.status();
    return ProxyResponse(*read);
  };
}

}  // namespace accrete
