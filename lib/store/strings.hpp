// This platform's Abseil has its own absl::string_view (not an alias of
// std::string_view), so views cross into absl::StrCat and friends here.
#ifndef ACCRETE_LIB_STORE_STRINGS_HPP_
#define ACCRETE_LIB_STORE_STRINGS_HPP_

#include <string_view>

#include "absl/strings/string_view.h"

namespace accrete::internal {

inline absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_STORE_STRINGS_HPP_
