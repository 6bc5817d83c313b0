// Ion names: every ion is registered and called by a fully-qualified symbol.
#ifndef ACCRETE_LIB_ION_NAMES_HPP_
#define ACCRETE_LIB_ION_NAMES_HPP_

#include <string_view>

#include "accrete/status.hpp"

namespace accrete::internal {

// OK when `name` is "ns/name" with ns one or more dot-separated symbol parts
// (inventory.core/add-item); InvalidArgument naming it otherwise.
absl::Status ValidateIonName(std::string_view name);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_ION_NAMES_HPP_
