// libFuzzer target: Ionize, the API Gateway proxy adaptor, whose input (a
// proxy event as JSON) comes from the network. The input is the event text.
// The invariants: a lambda made by Ionize answers any text with either a
// proxy response -- JSON with an integer statusCode, string headers and a
// string body -- or InvalidArgument naming the problem; the web handler sees
// only request maps with the documented keys, which print as EDN that reads
// back equal (unless a base64 body decodes to bytes that are not UTF-8).
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "accrete/accrete.hpp"
#include "accrete/ionize.hpp"
#include "edn/utf8.hpp"
#include "fail.hpp"

namespace {

using accrete::kw;
using accrete::Value;
using accrete::fuzz::Fail;

// Echoes the request; a request whose :uri is "/bytes" gets a #bytes body, so
// that both kinds of body are encoded.
absl::StatusOr<Value> Echo(const Value& request) {
  for (const char* key : {"request-method", "uri", "query-string", "headers", "body", "server-name",
                          "server-port", "remote-addr", "protocol", "scheme"}) {
    if (request.get(kw(key)) == nullptr) Fail("the request map has no key", key, "");
  }
  const std::string printed = accrete::edn::Print(request);
  // JSON text is UTF-8, but a base64 body decodes to any bytes, which the
  // request map carries as a string as HTTP Direct does.
  const Value* body = request.get(kw("body"));
  if (!body->is_string() || accrete::internal::IsValidUtf8(body->as_string())) {
    absl::StatusOr<Value> again = accrete::edn::Read(printed);
    if (!again.ok() || !(*again == request)) {
      Fail("the request map does not read back", printed, "");
    }
  }
  const Value* uri = request.get(kw("uri"));
  const bool bytes = uri->is_string() && uri->as_string() == "/bytes";
  return accrete::map({{kw("status"), Value(200)},
                       {kw("headers"), accrete::map({{Value("X-Echo"), Value("yes")}})},
                       {kw("body"), bytes ? Value::Bytes(printed) : Value(printed)}});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const accrete::LambdaFunction lambda = accrete::Ionize(Echo);
  const std::string_view event(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::string> answer = lambda(event, Value());
  if (!answer.ok()) {
    if (answer.status().code() != absl::StatusCode::kInvalidArgument ||
        answer.status().message().empty()) {
      Fail("a bad event is not InvalidArgument with a message", event, answer.status().ToString());
    }
    return 0;
  }
  const nlohmann::json response = nlohmann::json::parse(*answer, nullptr, false);
  if (response.is_discarded() || !response.is_object())
    Fail("the answer is not JSON", event, *answer);
  if (!response.contains("statusCode") || !response["statusCode"].is_number_integer()) {
    Fail("the answer has no integer statusCode", event, *answer);
  }
  if (!response.contains("body") || !response["body"].is_string()) {
    Fail("the answer has no string body", event, *answer);
  }
  if (response.contains("headers")) {
    for (const auto& [name, value] : response["headers"].items()) {
      if (!value.is_string()) Fail("a header is not a string", event, *answer);
    }
  }
  return 0;
}
