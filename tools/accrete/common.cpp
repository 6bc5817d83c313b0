#include "common.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <utility>

#include "accrete/edn.hpp"
#include "fmt/core.h"

namespace accrete::tools {

absl::StatusOr<std::unique_ptr<Connection>> OpenForRead(const std::string& dir,
                                                        const Registry* registry) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(fmt::format("No database at {} (no such directory)", dir));
  }
  Options options;
  options.read_only = true;
  options.create_if_missing = false;
  options.registry = registry;
  return Connection::Open(dir, options);
}

absl::StatusOr<std::unique_ptr<Connection>> OpenForWrite(const std::string& dir,
                                                         const Registry* registry, bool create,
                                                         Durability durability,
                                                         std::function<int64_t()> clock) {
  std::error_code ec;
  if (!create && !std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(fmt::format("No database at {} (no such directory)", dir));
  }
  Options options;
  options.create_if_missing = create;
  options.durability = durability;
  options.registry = registry;
  options.clock = std::move(clock);
  return Connection::Open(dir, options);
}

absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path) {
  if (path.empty() || path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    if (std::cin.bad()) return absl::InternalError("Cannot read stdin");
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(fmt::format("Cannot open {}: {}", path, std::strerror(errno)));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::InternalError(fmt::format("Cannot read {}", path));
  return text;
}

absl::StatusOr<std::string> ReadTextArg(const std::string& arg) {
  if (!arg.empty() && arg[0] == '@') return ReadFileOrStdin(arg.substr(1));
  return arg;
}

absl::StatusOr<Value> ReadEdnArg(const std::string& arg, std::string_view what) {
  absl::StatusOr<std::string> text = ReadTextArg(arg);
  if (!text.ok()) return text.status();
  absl::StatusOr<Value> value = edn::Read(*text);
  if (!value.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("The {} is not EDN: {}", what, MessageOf(value.status())));
  }
  return value;
}

Db ApplyTimeFilter(Db db, const TimeFilter& filter) {
  if (filter.as_of) db = db.as_of(*filter.as_of);
  if (filter.since) db = db.since(*filter.since);
  if (filter.history) db = db.history();
  return db;
}

Value DatomPrinter::AttributeName(EntityId a) {
  auto it = names_.find(a);
  if (it != names_.end()) return it->second;
  absl::StatusOr<Value> ident = db_.ident(a);
  Value name = ident.ok() ? *ident : Value(static_cast<long long>(a));
  names_.emplace(a, name);
  return name;
}

Value DatomPrinter::ToValue(const Datom& d) {
  return Value::Vector({Value(static_cast<long long>(d.e)), AttributeName(d.a), d.v,
                        Value(static_cast<long long>(d.tx)), Value(d.added)});
}

absl::Status PrintResult(const absl::StatusOr<Value>& v, bool pretty) {
  if (!v.ok()) return v.status();
  PrintLine(pretty ? edn::PrettyPrint(*v) : edn::Print(*v));
  return FlushStdout();
}

void PrintLine(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

absl::Status FlushStdout() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    return absl::InternalError(fmt::format("Cannot write to stdout: {}", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace accrete::tools
