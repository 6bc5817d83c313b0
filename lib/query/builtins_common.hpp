// Error messages shared by the built-in functions and aggregates. Errors
// are InvalidArgument and show the call: "(fn arg ...): what was wrong".
// They are built only on the error path.
#ifndef ACCRETE_LIB_QUERY_BUILTINS_COMMON_HPP_
#define ACCRETE_LIB_QUERY_BUILTINS_COMMON_HPP_

#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "accrete/value.hpp"
#include "edn/str_cat.hpp"

namespace accrete::internal::query {

// A value as shown in an error message: its EDN text, cut short when long.
inline std::string Shown(const Value& v) {
  constexpr size_t kMaxShown = 60;
  std::string text = v.to_string();
  if (text.size() > kMaxShown) text.resize(kMaxShown), text.append("...");
  return text;
}

// A status's message (this absl's string_view is not std::string_view).
inline std::string_view MessageOf(const absl::Status& status) {
  return {status.message().data(), status.message().size()};
}

// "(fn arg ...): what".
inline absl::Status CallError(std::string_view name, std::span<const Value> args,
                              std::string_view what) {
  std::string call = Cat("(", name);
  for (const Value& arg : args) call.append(" ").append(Shown(arg));
  return absl::InvalidArgumentError(Cat(call, "): ", what));
}

// "(fn arg ...): expected <expected>, got <got>".
inline absl::Status Expected(std::string_view name, std::span<const Value> args,
                             std::string_view expected, const Value& got) {
  return CallError(name, args, Cat("expected ", expected, ", got ", Shown(got)));
}

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_BUILTINS_COMMON_HPP_
