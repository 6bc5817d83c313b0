// Parameters: the environment map, app info with the build's revision, and
// hierarchical parameters from a provider.
#include "accrete/params.hpp"

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include "accrete/edn.hpp"
#include "accrete/ion_config.hpp"
#include "edn/str_cat.hpp"

namespace accrete {
namespace {

using internal::Cat;

struct ParamsState {
  std::mutex mu;
  Value env;  // from set_env; nil when unset
  std::string revision;
  bool reproducible = false;
  ParamsProvider provider;
};

ParamsState& State() {
  // Never destroyed: set_app_revision runs before main() and ions may read
  // parameters from threads still running at exit.
  static ParamsState* state = new ParamsState();
  return *state;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(Cat("Cannot read parameters file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::Status set_env(const Value& env) {
  if (!env.is_nil() && !env.is_map()) {
    return absl::InvalidArgumentError(Cat("set_env takes a map (or nil), not ", env.to_string()));
  }
  ParamsState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.env = env;
  return absl::OkStatus();
}

absl::StatusOr<Value> get_env() {
  {
    ParamsState& state = State();
    std::lock_guard<std::mutex> lock(state.mu);
    if (!state.env.is_nil()) return state.env;
  }
  const char* text = std::getenv("ACCRETE_ENV_MAP");
  if (text == nullptr) return Value();
  absl::StatusOr<Value> env = edn::Read(text);
  if (!env.ok()) {
    return absl::InvalidArgumentError(Cat("ACCRETE_ENV_MAP is not EDN: ", env.status().message()));
  }
  if (!env->is_map()) {
    return absl::InvalidArgumentError(
        Cat("ACCRETE_ENV_MAP must be an EDN map, not ", env->to_string()));
  }
  return env;
}

void set_app_revision(std::string_view revision, bool reproducible) {
  ParamsState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.revision = std::string(revision);
  state.reproducible = reproducible;
}

Value get_app_info(const Registry& registry) {
  std::shared_ptr<const IonConfig> config = registry.active_config();
  ParamsState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  const bool known = !state.revision.empty();
  return map({{kw("app-name"),
               config == nullptr || config->app_name.empty() ? Value() : Value(config->app_name)},
              {kw("revision"), known ? Value(state.revision) : Value()},
              {kw("revision-reproducible"), known ? Value(state.reproducible) : Value()}});
}

absl::StatusOr<ParamsProvider> file_params(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Value> params = edn::Read(*text);
  if (!params.ok()) {
    return absl::InvalidArgumentError(
        Cat("Parameters file ", path, ": ", params.status().message()));
  }
  if (!params->is_map()) {
    return absl::InvalidArgumentError(
        Cat("Parameters file ", path, " must hold a map of \"/path/name\" -> value"));
  }
  for (const auto& [name, value] : params->entries()) {
    if (!name.is_string() || !name.as_string().starts_with("/")) {
      return absl::InvalidArgumentError(Cat("Parameters file ", path, ": the name ",
                                            name.to_string(),
                                            " is not a string starting with '/'"));
    }
  }
  return ParamsProvider(
      [params = *std::move(params)](std::string_view under) -> absl::StatusOr<Value> {
        std::vector<MapEntry> found;
        for (const auto& [name, value] : params.entries()) {
          if (name.as_string().starts_with(under)) found.emplace_back(name, value);
        }
        return Value::Map(std::move(found));
      });
}

void set_params_provider(ParamsProvider provider) {
  ParamsState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.provider = std::move(provider);
}

absl::StatusOr<Value> get_params(const Value& request) {
  const Value* path = request.is_map() ? request.get(kw("path")) : nullptr;
  if (path == nullptr || !path->is_string() || !path->as_string().starts_with("/")) {
    return absl::InvalidArgumentError(
        Cat("get_params takes {:path \"/...\"}, not ", request.to_string()));
  }
  std::string under(path->as_string());
  if (!under.ends_with("/")) under += '/';
  ParamsProvider provider;
  {
    ParamsState& state = State();
    std::lock_guard<std::mutex> lock(state.mu);
    provider = state.provider;
  }
  if (!provider) {
    const char* file = std::getenv("ACCRETE_PARAMS_FILE");
    if (file == nullptr) {
      return absl::FailedPreconditionError(
          "get_params: no parameter provider is set and ACCRETE_PARAMS_FILE names no file");
    }
    absl::StatusOr<ParamsProvider> from_file = file_params(file);
    if (!from_file.ok()) return from_file.status();
    provider = *std::move(from_file);
  }
  absl::StatusOr<Value> found = provider(under);
  if (!found.ok()) return found.status();
  if (!found->is_map()) {
    return absl::InternalError(
        Cat("get_params: the provider answered ", found->to_string(), ", not a map"));
  }
  std::vector<MapEntry> relative;
  for (const auto& [name, value] : found->entries()) {
    if (name.is_string() && name.as_string().starts_with(under)) {
      relative.emplace_back(Value(name.as_string().substr(under.size())), value);
    }
  }
  return Value::Map(std::move(relative));
}

}  // namespace accrete
