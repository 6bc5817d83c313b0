// Ionize: serves a web ion as a lambda ion behind Amazon API Gateway's Lambda
// proxy integration (`:integration :api-gateway/proxy` in ion-config.edn).
//
//   registry.RegisterLambda("inventory.core/items-by-type-gw",
//                           accrete::Ionize(items_by_type_web));
//
// The lambda takes a proxy event (JSON) and answers the proxy response JSON.
// Both payload formats are read: REST APIs' (format 1.0: httpMethod, path,
// headers and multiValueHeaders, queryStringParameters and
// multiValueQueryStringParameters, requestContext.identity.sourceIp) and HTTP
// APIs' (format 2.0: version "2.0", requestContext.http.method, rawPath,
// rawQueryString, headers, cookies); in both, body with isBase64Encoded. See
// docs/ions.md.
//
// Thread safety: the returned function is as safe to call from several
// threads as `handler` is.
#ifndef ACCRETE_IONIZE_HPP_
#define ACCRETE_IONIZE_HPP_

#include "accrete/ion.hpp"

namespace accrete {

// Returns a lambda ion that turns each event into the web ion's request map
// (the same map HTTP Direct gives: :request-method, :uri, :query-string,
// :headers with lower-cased names and repeated values joined with ",", :body
// decoded from base64 when isBase64Encoded, :server-name, :server-port,
// :remote-addr, :protocol, :scheme), calls `handler`, and answers
// {"statusCode": ..., "headers": {...}, "body": "...", "isBase64Encoded": ...}
// (the body in base64 when it is #bytes or not UTF-8).
//
// The lambda fails with InvalidArgument naming the problem when the input is
// not a proxy event (not JSON, no method or path, a field of the wrong type,
// bad base64); with the handler's own error when it returns one (API Gateway
// answers 502 to a failed lambda); with Internal naming the problem when the
// handler's response map is malformed.
LambdaFunction Ionize(WebHandler handler);

}  // namespace accrete

#endif  // ACCRETE_IONIZE_HPP_
