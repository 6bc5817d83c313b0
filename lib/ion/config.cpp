// ion-config.edn: parsing and shape checks. Names are checked against a
// registry only when the config is activated (registry.cpp).
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accrete/edn.hpp"
#include "accrete/ion_config.hpp"
#include "accrete/value.hpp"
#include "edn/str_cat.hpp"
#include "ion/names.hpp"

namespace accrete {
namespace {

using internal::Cat;

// Collects every problem so that one error lists them all.
class ConfigReader {
 public:
  void Problem(std::string text) { problems_.push_back(std::move(text)); }

  // A fully-qualified symbol naming an ion, or "" after noting a problem.
  std::string Name(const Value& v, std::string_view where) {
    if (!v.is_symbol()) {
      Problem(Cat(where, " must be a fully-qualified symbol, got ", v.to_string()));
      return "";
    }
    if (!internal::ValidateIonName(v.qualified_name()).ok()) {
      Problem(Cat(where, " must be a fully-qualified symbol (ns/name), got ", v.to_string()));
      return "";
    }
    return std::string(v.qualified_name());
  }

  std::vector<std::string> Names(const Value& v, std::string_view key) {
    std::vector<std::string> names;
    if (!v.is_collection()) {
      Problem(Cat(key, " must be a vector of fully-qualified symbols, got ", v.to_string()));
      return names;
    }
    for (const Value& item : v.items()) {
      std::string name = Name(item, Cat("Each name in ", key));
      if (!name.empty()) names.push_back(std::move(name));
    }
    return names;
  }

  std::string String(const Value& v, std::string_view where) {
    if (!v.is_string()) {
      Problem(Cat(where, " must be a string, got ", v.to_string()));
      return "";
    }
    return std::string(v.as_string());
  }

  // A positive integer no larger than `max`, else `fallback` after a problem.
  int Count(const Value& v, std::string_view where, int fallback, int max = 1 << 20) {
    if (!v.is_integer() || v.as_int() < 1 || v.as_int() > max) {
      Problem(Cat(where, " must be an integer from 1 to ", max, ", got ", v.to_string()));
      return fallback;
    }
    return static_cast<int>(v.as_int());
  }

  LambdaConfig Lambda(std::string_view name, const Value& v) {
    LambdaConfig lambda;
    const std::string where = Cat(":lambdas :", name);
    if (!v.is_map()) {
      Problem(Cat(where, " must be a map, got ", v.to_string()));
      return lambda;
    }
    bool has_fn = false;
    for (const auto& [key, value] : v.entries()) {
      const std::string_view k = key.is_keyword() ? key.qualified_name() : "";
      if (k == "fn") {
        has_fn = true;
        lambda.fn = Name(value, Cat(where, " :fn"));
      } else if (k == "description") {
        lambda.description = String(value, Cat(where, " :description"));
      } else if (k == "timeout-secs") {
        const double secs = value.is_integer() ? static_cast<double>(value.as_int())
                            : value.is_float() ? value.as_double()
                                               : -1;
        if (!(secs > 0 && secs <= 24 * 3600)) {
          Problem(Cat(where, " :timeout-secs must be a positive number of seconds (at most a day)",
                      ", got ", value.to_string()));
        } else {
          lambda.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::ceil(secs * 1000)));
        }
      } else if (k == "concurrency-limit") {
        if (value.is_keyword() && value.qualified_name() == "none") {
          lambda.concurrency_limit.reset();
        } else {
          lambda.concurrency_limit = Count(value, Cat(where, " :concurrency-limit"), 20);
        }
      } else if (k == "integration") {
        if (value.is_keyword() && value.qualified_name() == "api-gateway/proxy") {
          lambda.integration = "api-gateway/proxy";
        } else {
          Problem(Cat(where, " :integration must be :api-gateway/proxy, got ", value.to_string()));
        }
      } else {
        Problem(Cat("Unknown key ", key.to_string(), " in ", where,
                    " (expected :fn :description :timeout-secs :concurrency-limit :integration)"));
      }
    }
    if (!has_fn) Problem(Cat(where, " has no :fn"));
    return lambda;
  }

  HttpDirectConfig HttpDirect(const Value& v) {
    HttpDirectConfig http;
    if (!v.is_map()) {
      Problem(Cat(":http-direct must be a map, got ", v.to_string()));
      return http;
    }
    bool has_handler = false;
    for (const auto& [key, value] : v.entries()) {
      const std::string_view k = key.is_keyword() ? key.qualified_name() : "";
      if (k == "handler-fn") {
        has_handler = true;
        http.handler_fn = Name(value, ":http-direct :handler-fn");
      } else if (k == "pending-ops-queue-length") {
        http.pending_ops_queue_length =
            Count(value, ":http-direct :pending-ops-queue-length", http.pending_ops_queue_length);
      } else if (k == "processing-concurrency") {
        http.processing_concurrency =
            Count(value, ":http-direct :processing-concurrency", http.processing_concurrency, 4096);
      } else if (k == "pending-ops-exceeded-message") {
        http.pending_ops_exceeded_message =
            String(value, ":http-direct :pending-ops-exceeded-message");
      } else if (k == "pending-ops-exceeded-code") {
        if (!value.is_integer() || value.as_int() < 400 || value.as_int() > 599) {
          Problem(Cat(":http-direct :pending-ops-exceeded-code must be an HTTP error status ",
                      "(400-599), got ", value.to_string()));
        } else {
          http.pending_ops_exceeded_code = static_cast<int>(value.as_int());
        }
      } else {
        Problem(Cat("Unknown key ", key.to_string(),
                    " in :http-direct (expected :handler-fn :pending-ops-queue-length "
                    ":processing-concurrency :pending-ops-exceeded-message "
                    ":pending-ops-exceeded-code)"));
      }
    }
    if (!has_handler) Problem(":http-direct has no :handler-fn");
    return http;
  }

  absl::StatusOr<IonConfig> Config(const Value& v) {
    IonConfig config;
    if (!v.is_map()) {
      return absl::InvalidArgumentError(Cat("ion-config must be a map, got ", v.to_string()));
    }
    for (const auto& [key, value] : v.entries()) {
      const std::string_view k = key.is_keyword() ? key.qualified_name() : "";
      if (k == "app-name") {
        config.app_name = String(value, ":app-name");
      } else if (k == "allow") {
        config.allow = Names(value, ":allow");
      } else if (k == "xforms") {
        config.xforms = Names(value, ":xforms");
      } else if (k == "lambdas") {
        if (!value.is_map()) {
          Problem(
              Cat(":lambdas must be a map of lambda name to settings, got ", value.to_string()));
          continue;
        }
        for (const auto& [lambda_key, settings] : value.entries()) {
          if (!lambda_key.is_keyword() || !lambda_key.ns().empty()) {
            Problem(Cat("A lambda name must be a simple keyword such as :get-schema, got ",
                        lambda_key.to_string()));
            continue;
          }
          config.lambdas[std::string(lambda_key.name())] = Lambda(lambda_key.name(), settings);
        }
      } else if (k == "http-direct") {
        config.http_direct = HttpDirect(value);
      } else {
        Problem(Cat("Unknown key ", key.to_string(),
                    " (expected :app-name :allow :xforms :lambdas :http-direct)"));
      }
    }
    if (!problems_.empty()) {
      std::string message = "Invalid ion-config:";
      for (const std::string& p : problems_) message += Cat("\n  ", p);
      return absl::InvalidArgumentError(message);
    }
    return config;
  }

 private:
  std::vector<std::string> problems_;
};

}  // namespace

absl::StatusOr<IonConfig> IonConfig::Parse(std::string_view edn_text) {
  absl::StatusOr<Value> value = edn::Read(edn_text);
  if (!value.ok()) {
    return absl::InvalidArgumentError(Cat("ion-config is not EDN: ", value.status().message()));
  }
  return ConfigReader().Config(*value);
}

absl::StatusOr<IonConfig> IonConfig::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(Cat("Cannot read ion-config file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<IonConfig> config = Parse(text.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(), Cat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace accrete
