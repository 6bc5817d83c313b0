// The EDN reader and printer.
//
// The reader accepts the whole EDN specification (https://github.com/edn-format/edn):
// comments, `#_` discard, commas as whitespace, string and character escapes,
// namespaced keywords and symbols, `N` and `M` numbers, `#inst` (RFC 3339),
// `#uuid`, `#uri`, `#bytes` (base64) and any other tag (kept as a kTagged
// value). Maps with duplicate keys and sets with duplicate items are errors, as
// the spec requires. Errors are InvalidArgument with "line:column: what was
// expected" in the message.
//
// The printer writes EDN that the reader reads back to an equal value:
// Read(Print(v)) == v for every Value.
//
// Thread safety: all functions are reentrant and may be called concurrently.
#ifndef ACCRETE_EDN_HPP_
#define ACCRETE_EDN_HPP_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "accrete/value.hpp"

namespace accrete::edn {

struct ReadOptions {
  // Collections nested deeper than this are refused (the reader is recursive;
  // this bounds its stack use on hostile input). Default: 512.
  int max_depth = 512;
};

// Reads exactly one value from `text` (surrounding whitespace and comments are
// allowed; anything else after the value is an error).
[[nodiscard]] absl::StatusOr<Value> Read(std::string_view text, const ReadOptions& options = {});

// Reads every top-level value in `text`.
[[nodiscard]] absl::StatusOr<std::vector<Value>> ReadAll(std::string_view text,
                                                         const ReadOptions& options = {});

// EDN text of `value` on one line.
std::string Print(const Value& value);

// EDN text of `value` with line breaks and indentation for people to read.
std::string PrettyPrint(const Value& value, int width = 80);

}  // namespace accrete::edn

#endif  // ACCRETE_EDN_HPP_
