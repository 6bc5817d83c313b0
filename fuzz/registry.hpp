// The function registry of a fuzz target. It is made once and never
// destroyed: libFuzzer leaves by exit() with connections that still point at
// it. A registration that fails stops the run before the first input, since
// the target would otherwise fuzz less than its comment says.
#ifndef ACCRETE_FUZZ_REGISTRY_HPP_
#define ACCRETE_FUZZ_REGISTRY_HPP_

#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "accrete/accrete.hpp"

namespace accrete::fuzz {

// `add` registers the target's functions and returns each registration's
// status; the registry, or abort.
template <typename AddFunctions>
Registry* MakeRegistry(AddFunctions add) {
  auto* registry = new Registry;
  for (const absl::Status& registered : add(*registry)) {
    if (!registered.ok()) {
      std::fprintf(stderr, "fuzz registry: %s\n", registered.ToString().c_str());
      std::abort();
    }
  }
  return registry;
}

}  // namespace accrete::fuzz

#endif  // ACCRETE_FUZZ_REGISTRY_HPP_
