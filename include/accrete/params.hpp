// Parameters: what a deployed program learns about where it runs, after
// Datomic's ion get-env, get-app-info and get-params.
//
//   get_env()      the environment map (which stage, which settings), given
//                  by the embedding program or by ACCRETE_ENV_MAP;
//   get_app_info() the application's name (the active ion-config's
//                  :app-name) and the revision of the build;
//   get_params()   every parameter under a hierarchical path
//                  ("/inventory/prod/"), from a pluggable provider: by
//                  default an EDN file of path -> value.
//
// State here (the environment map, the provider, the revision) is
// process-wide. Thread safety: every function may be called from any thread.
// See docs/ions.md.
#ifndef ACCRETE_PARAMS_HPP_
#define ACCRETE_PARAMS_HPP_

#include <functional>
#include <string>
#include <string_view>

#include "accrete/ion.hpp"
#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete {

// Sets the environment map get_env() returns (nil: unset it).
// InvalidArgument unless `env` is a map or nil.
[[nodiscard]] absl::Status set_env(const Value& env);

// The map given to set_env(); else the ACCRETE_ENV_MAP environment variable
// read as EDN (InvalidArgument naming it when that is not an EDN map); else
// nil.
[[nodiscard]] absl::StatusOr<Value> get_env();

// Records the application's revision: the git commit it was built from, or
// an explicit name when it was built from a tree that git cannot reproduce.
// The CMake function accrete_app_revision(<target>) calls this before main();
// see docs/ions.md.
void set_app_revision(std::string_view revision, bool reproducible);

// {:app-name "inventory" :revision "3f2c..." :revision-reproducible true}:
// :app-name from `registry`'s active ion-config, :revision as recorded by
// set_app_revision (both nil when unknown).
Value get_app_info(const Registry& registry = Registry::Global());

// A parameter provider: given a path that starts and ends with '/', returns
// a map of every parameter whose full name starts with it, full name
// (a string) -> value. Must be safe to call from several threads.
using ParamsProvider = std::function<absl::StatusOr<Value>(std::string_view path)>;

// A provider reading the EDN file at `path` now, a map of full parameter
// name -> value: {"/inventory/prod/db-name" "inv" ...}. NotFound when it
// cannot be read; InvalidArgument when it is not such a map (every key a
// string starting with '/').
[[nodiscard]] absl::StatusOr<ParamsProvider> file_params(const std::string& path);

// Makes `provider` the one get_params() asks (nullptr: back to the default,
// file_params of the file named by ACCRETE_PARAMS_FILE).
void set_params_provider(ParamsProvider provider);

// get_params({:path "/inventory/prod/"}): every parameter under the path, as
// a map of its name relative to the path (a string: "db-name", or
// "sub/key" for deeper ones) -> value; an empty map when there are none.
// A path without its final '/' gets one. InvalidArgument unless the
// argument is a map whose :path is a string starting with '/';
// FailedPrecondition when no provider is set and ACCRETE_PARAMS_FILE is not
// either; the provider's error otherwise.
[[nodiscard]] absl::StatusOr<Value> get_params(const Value& request);

}  // namespace accrete

#endif  // ACCRETE_PARAMS_HPP_
