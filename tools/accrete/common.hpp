// Helpers shared by the `accrete` subcommands: opening a database the way a
// command needs, reading EDN from arguments, files and stdin, and writing
// results. Internal to tools/accrete.
#ifndef ACCRETE_TOOLS_ACCRETE_COMMON_HPP_
#define ACCRETE_TOOLS_ACCRETE_COMMON_HPP_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "accrete/connection.hpp"
#include "accrete/db.hpp"
#include "accrete/ion.hpp"
#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete::tools {

// Opens an existing database read-only. NotFound (never creates anything)
// when `dir` is not a directory.
absl::StatusOr<std::unique_ptr<Connection>> OpenForRead(const std::string& dir,
                                                        const Registry* registry);

// Opens a database for writing; with `create`, an absent directory becomes
// an empty database, otherwise it is NotFound.
absl::StatusOr<std::unique_ptr<Connection>> OpenForWrite(const std::string& dir,
                                                         const Registry* registry, bool create,
                                                         Durability durability,
                                                         std::function<int64_t()> clock = {});

// The whole contents of `path`; "-" or "" is stdin.
absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path);

// Text given on the command line, or the contents of a file for "@path".
absl::StatusOr<std::string> ReadTextArg(const std::string& arg);

// One EDN value from a command-line argument (`@path` reads a file). Errors
// name `what` ("query", "pattern", "input 2").
absl::StatusOr<Value> ReadEdnArg(const std::string& arg, std::string_view what);

// The point-in-time filters of read commands.
struct TimeFilter {
  std::optional<int64_t> as_of;
  std::optional<int64_t> since;
  bool history = false;
};
Db ApplyTimeFilter(Db db, const TimeFilter& filter);

// Prints datoms as `[e :attr v tx added]`, naming attributes by ident
// (looked up once per attribute).
class DatomPrinter {
 public:
  explicit DatomPrinter(Db db) : db_(std::move(db)) {}
  Value ToValue(const Datom& datom);

 private:
  Value AttributeName(EntityId a);
  Db db_;
  absl::flat_hash_map<EntityId, Value> names_;
};

// A status's message as a std::string (Debian's absl has its own string_view,
// which fmt cannot format).
inline std::string MessageOf(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

// Prints `v` (pretty-printed or on one line) to stdout, or returns its error.
absl::Status PrintResult(const absl::StatusOr<Value>& v, bool pretty);

// Writes `text` and a newline to stdout.
void PrintLine(std::string_view text);
// Flushes stdout; Internal when writing failed (a full disk, a closed pipe).
absl::Status FlushStdout();

}  // namespace accrete::tools

#endif  // ACCRETE_TOOLS_ACCRETE_COMMON_HPP_
