// The regular-expression built-ins (re-find, re-matches, re-seq,
// re-pattern), in their own file because libstdc++'s <regex> needs a
// warning suppressed (see builtins_regex.cpp).
//
// A pattern is a string or what re-pattern returns: the tagged value
// `#regex "source"`, which prints and reads back as EDN. Pattern syntax is
// std::regex ECMAScript (close to java.util.regex for common use; no
// possessive quantifiers, lookbehind or inline flags). Matching works on
// UTF-8 bytes.
#ifndef ACCRETE_LIB_QUERY_BUILTINS_REGEX_HPP_
#define ACCRETE_LIB_QUERY_BUILTINS_REGEX_HPP_

#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "accrete/value.hpp"

namespace accrete::internal::query {

// (re-find re s): the first match or nil; a match is the matched string, or
// with groups a vector of it and each group (nil for a group that did not
// take part), as Clojure's re-groups.
absl::StatusOr<Value> ReFind(std::string_view name, std::span<const Value> args);
// (re-matches re s): the match of the whole string or nil.
absl::StatusOr<Value> ReMatches(std::string_view name, std::span<const Value> args);
// (re-seq re s): a list of every match, or nil when there is none.
absl::StatusOr<Value> ReSeq(std::string_view name, std::span<const Value> args);
// (re-pattern s): #regex "s", after checking that `s` compiles.
absl::StatusOr<Value> RePattern(std::string_view name, std::span<const Value> args);

}  // namespace accrete::internal::query

#endif  // ACCRETE_LIB_QUERY_BUILTINS_REGEX_HPP_
