// IonConfig: the contents of an ion-config.edn, which says which registered
// ions a program exposes and how (the same keys as Datomic's):
//
//   {:app-name "inventory"
//    :allow [inventory.core/create-item inventory.core/feature-item?]
//    :xforms [inventory.core/upper]
//    :lambdas {:get-schema {:fn inventory.core/get-schema
//                           :description "returns the schema"
//                           :timeout-secs 10 :concurrency-limit 4}}
//    :http-direct {:handler-fn inventory.core/items-by-type-web}}
//
// A config is plain data: Parse/Load check its shape only. Activating it on a
// Registry (Registry::Activate, accrete/ion.hpp) checks every name against the
// registrations and turns on the :allow policy. See docs/ions.md.
//
// Thread safety: an IonConfig is a value; const access from many threads is safe.
#ifndef ACCRETE_ION_CONFIG_HPP_
#define ACCRETE_ION_CONFIG_HPP_

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accrete/status.hpp"

namespace accrete {

// One entry of :lambdas.
struct LambdaConfig {
  // The registered lambda ion it runs (:fn, a fully-qualified symbol).
  std::string fn;
  // :description. Default: empty.
  std::string description;
  // :timeout-secs: an invocation that has not returned by then fails with
  // DeadlineExceeded. A positive number (fractions allowed). Default: 60 s.
  std::chrono::milliseconds timeout{60000};
  // :concurrency-limit: how many invocations may run at once; more fail with
  // ResourceExhausted. nullopt for :none (unlimited). Default: 20.
  std::optional<int> concurrency_limit = 20;
  // :integration: "api-gateway/proxy" when the lambda takes API Gateway
  // proxy events (see Ionize); empty otherwise. Default: empty.
  std::string integration;
};

// :http-direct: the web ion served by HTTP Direct (accrete/http_direct.hpp).
struct HttpDirectConfig {
  // The registered web handler (:handler-fn, a fully-qualified symbol).
  std::string handler_fn;
  // Requests admitted but not yet being processed, beyond which new ones get
  // pending_ops_exceeded_code at once. Default: 100.
  int pending_ops_queue_length = 100;
  // Requests processed at once. Default: 16.
  int processing_concurrency = 16;
  // The answer to a request over the queue. Default: 429 "Throttled".
  std::string pending_ops_exceeded_message = "Throttled";
  int pending_ops_exceeded_code = 429;
};

struct IonConfig {
  // :app-name. Default: empty.
  std::string app_name;
  // :allow: functions that queries and transactions may call by name.
  std::vector<std::string> allow;
  // :xforms: functions that pull patterns may name in :xform.
  std::vector<std::string> xforms;
  // :lambdas, by lambda name (the keyword's name, without ':').
  std::map<std::string, LambdaConfig> lambdas;
  // :http-direct, when present.
  std::optional<HttpDirectConfig> http_direct;

  // Parses ion-config EDN text. InvalidArgument naming every problem (an
  // unknown key, a name that is not a fully-qualified symbol, a value of the
  // wrong type or range) when it is malformed.
  [[nodiscard]] static absl::StatusOr<IonConfig> Parse(std::string_view edn_text);
  // Reads and parses the file at `path`. NotFound when it cannot be read.
  [[nodiscard]] static absl::StatusOr<IonConfig> Load(const std::string& path);
};

}  // namespace accrete

#endif  // ACCRETE_ION_CONFIG_HPP_
