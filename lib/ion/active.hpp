// The state of an activated ion config: the :allow and :xforms sets for
// constant-time checks, and each configured lambda with its callable and the
// count of its running invocations.
#ifndef ACCRETE_LIB_ION_ACTIVE_HPP_
#define ACCRETE_LIB_ION_ACTIVE_HPP_

#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "accrete/ion.hpp"
#include "accrete/ion_config.hpp"

namespace accrete::internal {

struct ActiveLambda {
  std::string name;  // the :lambdas key, without ':'
  LambdaConfig config;
  std::shared_ptr<const LambdaFunction> fn;
  // Invocations started and not yet returned (including those whose caller
  // gave up at the timeout): what :concurrency-limit bounds.
  std::atomic<int> running{0};
};

struct ActiveIons {
  std::shared_ptr<const IonConfig> config;
  absl::flat_hash_set<std::string> allow;
  absl::flat_hash_set<std::string> xforms;
  // Shared with invocations still running after a re-activation.
  absl::flat_hash_map<std::string, std::shared_ptr<ActiveLambda>> lambdas;
};

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_ION_ACTIVE_HPP_
