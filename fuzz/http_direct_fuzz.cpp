// libFuzzer target: the HTTP Direct request path without sockets. The input
// is split (FuzzedDataProvider) into what an HTTP server hands over -- method,
// path, query string, headers, body, peer -- and, last, EDN for the response
// map a web handler returns. The invariants:
//   - any request becomes a request map with the documented keys, whose
//     header names are lower case, and which prints as EDN that reads back
//     equal when the request's bytes are valid UTF-8;
//   - an echoing handler's response map is accepted;
//   - a response map is accepted only with a status from 100 to 999 and
//     string headers, and a refusal is an error with a message (HTTP Direct
//     answers it with a bare 500).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include "accrete/accrete.hpp"
#include "edn/utf8.hpp"
#include "fail.hpp"
#include "ion/web.hpp"

namespace {

using accrete::kw;
using accrete::Value;
using accrete::fuzz::Fail;

struct Request {
  accrete::internal::WebRequest web;
  bool utf8 = true;  // every string in it is valid UTF-8

  std::string Take(FuzzedDataProvider& in, size_t max) {
    std::string s = in.ConsumeRandomLengthString(max);
    utf8 = utf8 && accrete::internal::IsValidUtf8(s);
    return s;
  }
};

Request MakeRequest(FuzzedDataProvider& in) {
  Request r;
  // cpp-httplib hands over only these methods (and refuses the request
  // otherwise).
  static constexpr const char* kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                             "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI"};
  r.web.method = kMethods[in.ConsumeIntegralInRange<size_t>(0, std::size(kMethods) - 1)];
  r.web.uri = r.Take(in, 256);
  if (in.ConsumeBool()) r.web.query_string = r.Take(in, 256);
  for (int n = in.ConsumeIntegralInRange(0, 8); n > 0; --n) {
    std::string name = r.Take(in, 32);
    r.web.AddHeader(name, r.Take(in, 128));
  }
  if (in.ConsumeBool()) r.web.body = r.Take(in, 1024);
  r.web.server_name = r.Take(in, 64);
  r.web.server_port = in.ConsumeIntegral<uint16_t>();
  r.web.remote_addr = r.Take(in, 64);
  r.web.protocol = in.ConsumeBool() ? "HTTP/1.1" : "HTTP/1.0";
  r.web.scheme = "http";
  return r;
}

void CheckRequestMap(const Request& r, const Value& request) {
  for (const char* key : {"request-method", "uri", "query-string", "headers", "body", "server-name",
                          "server-port", "remote-addr", "protocol", "scheme"}) {
    if (request.get(kw(key)) == nullptr) Fail("the request map has no key", "", key);
  }
  for (const auto& [name, value] : request.get(kw("headers"))->entries()) {
    if (accrete::internal::LowerAscii(name.as_string()) != name.as_string()) {
      Fail("a header name is not lower case", "", name.to_string());
    }
  }
  if (!r.utf8) return;
  const std::string printed = accrete::edn::Print(request);
  absl::StatusOr<Value> again = accrete::edn::Read(printed);
  if (!again.ok() || !(*again == request)) {
    Fail("the request map does not read back", "", printed);
  }
}

void CheckResponse(const Value& response) {
  absl::StatusOr<accrete::internal::WebResponse> read =
      accrete::internal::ReadResponseMap(response);
  if (!read.ok()) {
    if (read.status().message().empty()) Fail("a refusal without a message", "", "");
    return;
  }
  if (read->status < 100 || read->status > 999) {
    Fail("an accepted response has an impossible status", "", std::to_string(read->status));
  }
  const Value* status = response.get(kw("status"));
  if (status != nullptr && (!status->is_integer() || status->as_int() != read->status)) {
    Fail("the status read is not the status given", "", response.to_string());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const Request r = MakeRequest(in);
  const Value request = accrete::internal::RequestMap(r.web);
  CheckRequestMap(r, request);

  const Value echo = accrete::map(
      {{kw("status"), Value(200)},
       {kw("headers"), accrete::map({{Value("Content-Type"), Value("application/edn")}})},
       {kw("body"), Value(accrete::edn::Print(request))}});
  if (!accrete::internal::ReadResponseMap(echo).ok()) Fail("an echo response is refused", "", "");

  accrete::edn::ReadOptions options;
  options.max_depth = 32;
  absl::StatusOr<Value> response = accrete::edn::Read(in.ConsumeRemainingBytesAsString(), options);
  if (response.ok()) CheckResponse(*response);
  return 0;
}
