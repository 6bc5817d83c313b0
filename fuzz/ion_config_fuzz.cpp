// libFuzzer target: ion-config loading. The input is ion-config EDN text. It
// is parsed (IonConfig::Parse) and, when it parses, activated on a registry
// holding one ion of each kind. The invariants:
//   - a refused config leaves the active one as it was;
//   - an activated config allows exactly the names in :allow and :xforms,
//     and each of its lambdas can be invoked.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "accrete/accrete.hpp"
#include "accrete/ion_config.hpp"
#include "fail.hpp"
#include "registry.hpp"

namespace {

using accrete::Value;
using accrete::fuzz::Fail;

// One function of each kind the config can name.
std::vector<absl::Status> AddOneOfEachKind(accrete::Registry& registry) {
  return {
      registry.RegisterTxFunction("app.core/tx",
                                  [](const accrete::Db&, std::span<const Value>)
                                      -> absl::StatusOr<Value> { return accrete::vec({}); }),
      registry.RegisterQueryFunction(
          "app.core/q",
          [](std::span<const Value>) -> absl::StatusOr<Value> { return Value(true); }),
      registry.RegisterAggregate(
          "app.core/agg",
          [](std::span<const Value>, std::span<const Value> values) -> absl::StatusOr<Value> {
            return Value(static_cast<int64_t>(values.size()));
          }),
      registry.RegisterAttrPredicate("app.core/attr?", [](const Value&) { return true; }),
      registry.RegisterEntityPredicate("app.core/entity?",
                                       [](const accrete::Db&, accrete::EntityId) { return true; }),
      registry.RegisterXform("app.core/xf",
                             [](const Value& v) -> absl::StatusOr<Value> { return v; }),
      registry.RegisterLambda("app.core/lambda",
                              [](std::string_view input, const Value&)
                                  -> absl::StatusOr<std::string> { return std::string(input); }),
      registry.RegisterWebHandler("app.core/web",
                                  [](const Value&) -> absl::StatusOr<Value> {
                                    return accrete::map({{accrete::kw("status"), Value(200)}});
                                  }),
  };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static accrete::Registry* registry = accrete::fuzz::MakeRegistry(AddOneOfEachKind);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<accrete::IonConfig> config = accrete::IonConfig::Parse(text);
  if (!config.ok()) {
    if (config.status().code() != absl::StatusCode::kInvalidArgument ||
        config.status().message().empty()) {
      Fail("a malformed config is not InvalidArgument with a message", text,
           config.status().ToString());
    }
    return 0;
  }
  const std::shared_ptr<const accrete::IonConfig> before = registry->active_config();
  const absl::Status activated = registry->Activate(*config);
  if (!activated.ok()) {
    if (registry->active_config() != before) {
      Fail("a refused config changed the active one", text, activated.ToString());
    }
    return 0;
  }
  for (const std::string& name : config->allow) {
    if (!registry->CheckAllowed(name).ok()) Fail("an :allow name is refused", text, name);
  }
  for (const std::string& name : config->xforms) {
    if (!registry->CheckXformAllowed(name).ok()) Fail("an :xforms name is refused", text, name);
  }
  if (registry->CheckAllowed("not.allowed/fn").code() != absl::StatusCode::kPermissionDenied) {
    Fail("a name outside :allow is not refused", text, "");
  }
  for (const auto& [name, lambda] : config->lambdas) {
    // A lambda given less than a second might time out on a loaded machine.
    if (lambda.timeout < std::chrono::seconds(1)) continue;
    absl::StatusOr<std::string> out = registry->InvokeLambda(name, "\"in\"");
    if (!out.ok() || *out != "\"in\"") {
      Fail("a configured lambda cannot be invoked", text,
           out.ok() ? *out : out.status().ToString());
    }
  }
  return 0;
}
