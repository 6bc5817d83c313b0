#include "shell.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "accrete/connection.hpp"
#include "accrete/edn.hpp"
#include "accrete/pull.hpp"
#include "common.hpp"
#include "fmt/core.h"
#include "ops.hpp"

#ifdef ACCRETE_HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

namespace accrete::tools {
namespace {

constexpr std::string_view kHelp =
    R"(Commands (arguments are EDN; an entry may span lines until its brackets close):
  q QUERY INPUT...       run a query (a bare [:find ...] or {:find ...} also works)
  transact TX-DATA       transact a vector of tx forms
  pull PATTERN EID       pull from an entity (id, ident or lookup ref)
  entity EID             every attribute of an entity
  datoms INDEX COMP...   datoms of :eavt :aevt :avet :vaet
  schema                 the installed attributes
  as-of T | since T      read the database as of / since T
  history                read the history database (every assertion and retraction)
  latest                 back to the latest database, no filter
  timing on|off          print each command's time (default on)
  help                   this text
  quit                   leave (also exit, or end of input)
)";

// A line from the terminal or stdin; nullopt at the end of input.
class LineReader {
 public:
  explicit LineReader(bool interactive) : interactive_(interactive) {
#ifdef ACCRETE_HAVE_READLINE
    if (interactive_) {
      using_history();
      if (const char* home = std::getenv("HOME")) {
        history_file_ = (std::filesystem::path(home) / ".accrete_history").string();
        read_history(history_file_.c_str());
      }
    }
#endif
  }
  ~LineReader() {
#ifdef ACCRETE_HAVE_READLINE
    if (interactive_ && !history_file_.empty()) write_history(history_file_.c_str());
#endif
  }

  std::optional<std::string> Read(const char* prompt) {
#ifdef ACCRETE_HAVE_READLINE
    if (interactive_) {
      std::unique_ptr<char, decltype(&std::free)> line(readline(prompt), &std::free);
      if (line == nullptr) return std::nullopt;
      return std::string(line.get());
    }
#else
    if (interactive_) {
      std::fputs(prompt, stdout);
      std::fflush(stdout);
    }
#endif
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    return line;
  }

  void Remember(const std::string& entry) {
#ifdef ACCRETE_HAVE_READLINE
    if (interactive_) add_history(entry.c_str());
#else
    (void)entry;
#endif
  }

 private:
  bool interactive_;
  std::string history_file_;
};

class Shell {
 public:
  Shell(std::unique_ptr<Connection> conn, bool interactive)
      : conn_(std::move(conn)), interactive_(interactive) {}

  // Runs one entry; false when the shell should end.
  bool Execute(std::string_view entry);
  int failures() const { return failures_; }

 private:
  absl::StatusOr<std::optional<Value>> Dispatch(std::string_view command,
                                                std::span<const Value> args);
  Db CurrentDb() const { return ApplyTimeFilter(conn_->db(), filter_); }

  std::unique_ptr<Connection> conn_;
  bool interactive_;
  TimeFilter filter_;
  bool timing_ = true;
  int failures_ = 0;
};

absl::Status Arity(std::string_view command, std::span<const Value> args, size_t min, size_t max) {
  if (args.size() < min || args.size() > max) {
    return absl::InvalidArgumentError(fmt::format(
        "{} takes {} argument(s), {} given (try help)", command,
        min == max ? std::to_string(min) : fmt::format("{} to {}", min, max), args.size()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> TArg(std::string_view command, const Value& v) {
  if (!v.is_integer()) {
    return absl::InvalidArgumentError(
        fmt::format("{} takes a t or tx id, got {}", command, v.to_string()));
  }
  return v.as_int();
}

absl::StatusOr<std::optional<Value>> Shell::Dispatch(std::string_view command,
                                                     std::span<const Value> args) {
  using Result = std::optional<Value>;
  if (command == "q") {
    if (absl::Status s = Arity(command, args, 1, 64); !s.ok()) return s;
    absl::StatusOr<Value> r = RunQuery(CurrentDb(), args[0], args.subspan(1), {});
    if (!r.ok()) return r.status();
    return Result(*std::move(r));
  }
  if (command == "transact") {
    if (absl::Status s = Arity(command, args, 1, 1); !s.ok()) return s;
    absl::StatusOr<TxReport> report = conn_->transact(args[0]);
    if (!report.ok()) return report.status();
    return Result(ReportValue(*report));
  }
  if (command == "pull") {
    if (absl::Status s = Arity(command, args, 2, 2); !s.ok()) return s;
    absl::StatusOr<Value> r = pull(CurrentDb(), args[0], args[1]);
    if (!r.ok()) return r.status();
    return Result(*std::move(r));
  }
  if (command == "entity") {
    if (absl::Status s = Arity(command, args, 1, 1); !s.ok()) return s;
    absl::StatusOr<Value> r = EntityValue(CurrentDb(), args[0]);
    if (!r.ok()) return r.status();
    return Result(*std::move(r));
  }
  if (command == "datoms") {
    if (absl::Status s = Arity(command, args, 1, 5); !s.ok()) return s;
    if (!args[0].is_keyword())
      return absl::InvalidArgumentError("datoms takes an index keyword first");
    absl::StatusOr<Index> index = ParseIndex(args[0].qualified_name());
    if (!index.ok()) return index.status();
    const Db db = CurrentDb();
    absl::StatusOr<Datoms> stream =
        db.datoms(*index, std::vector<Value>(args.begin() + 1, args.end()));
    if (!stream.ok()) return stream.status();
    DatomPrinter printer(db);
    std::vector<Value> out;
    for (const Datom& d : *stream) out.push_back(printer.ToValue(d));
    if (!stream->status().ok()) return stream->status();
    return Result(Value::Vector(std::move(out)));
  }
  if (command == "schema") {
    if (absl::Status s = Arity(command, args, 0, 0); !s.ok()) return s;
    absl::StatusOr<Value> r = SchemaValue(CurrentDb(), false);
    if (!r.ok()) return r.status();
    return Result(*std::move(r));
  }
  if (command == "as-of" || command == "since") {
    if (absl::Status s = Arity(command, args, 1, 1); !s.ok()) return s;
    absl::StatusOr<int64_t> t = TArg(command, args[0]);
    if (!t.ok()) return t.status();
    (command == "as-of" ? filter_.as_of : filter_.since) = *t;
    return Result();
  }
  if (command == "history") {
    if (absl::Status s = Arity(command, args, 0, 0); !s.ok()) return s;
    filter_.history = true;
    return Result();
  }
  if (command == "latest") {
    filter_ = {};
    return Result();
  }
  if (command == "timing") {
    if (args.size() != 1 || !args[0].is_symbol() ||
        (args[0].name() != "on" && args[0].name() != "off")) {
      return absl::InvalidArgumentError("timing takes on or off");
    }
    timing_ = args[0].name() == "on";
    return Result();
  }
  if (command == "help") {
    std::fputs(kHelp.data(), stdout);
    return Result();
  }
  return absl::InvalidArgumentError(fmt::format("Unknown command {} (try help)", command));
}

bool Shell::Execute(std::string_view entry) {
  const size_t start = entry.find_first_not_of(" \t\r\n,");
  if (start == std::string_view::npos) return true;
  entry.remove_prefix(start);
  std::string command = "q";
  if (entry[0] != '[' && entry[0] != '{' && entry[0] != '(') {
    const size_t end = entry.find_first_of(" \t\r\n,[{(\"");
    command = std::string(entry.substr(0, end));
    entry = end == std::string_view::npos ? std::string_view() : entry.substr(end);
  }
  if (command.empty()) command = std::string(entry.substr(0, entry.find('\n')));
  if (command == "quit" || command == "exit") return false;
  const auto begin = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<Value>> args = edn::ReadAll(entry);
  absl::StatusOr<std::optional<Value>> result =
      args.ok() ? Dispatch(command, *args) : absl::StatusOr<std::optional<Value>>(args.status());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  if (!result.ok()) {
    ++failures_;
    std::string line(MessageOf(result.status()));
    for (char& c : line) {
      if (c == '\n') c = ' ';
    }
    fmt::print(stderr, "error: {}\n", line);
  } else if (result->has_value()) {
    PrintLine(edn::PrettyPrint(**result));
  }
  std::fflush(stdout);
  if (timing_ && result.ok()) fmt::print(stderr, ";; {:.3f} ms\n", ms);
  return true;
}

}  // namespace

bool EdnComplete(std::string_view text) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i >= text.size()) return false;  // the string is still open
    } else if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '\\') {
      ++i;  // a character literal: \( is not a bracket
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    }
  }
  return depth <= 0;
}

absl::Status RunShell(const std::string& dir, const Registry* registry, bool read_only) {
  absl::StatusOr<std::unique_ptr<Connection>> conn =
      read_only ? OpenForRead(dir, registry)
                : OpenForWrite(dir, registry, /*create=*/false, Durability::kDurable);
  if (!conn.ok()) return conn.status();
  const bool interactive = isatty(STDIN_FILENO) == 1;
  if (interactive) {
    fmt::print(stderr, "accrete shell on {} (basis t {}); help for commands, quit to leave\n", dir,
               (*conn)->db().basis_t());
  }
  Shell shell(*std::move(conn), interactive);
  LineReader reader(interactive);
  std::string entry;
  while (true) {
    std::optional<std::string> line = reader.Read(entry.empty() ? "accrete> " : "   ...> ");
    if (!line) break;
    if (!entry.empty()) entry += '\n';
    entry += *line;
    if (!EdnComplete(entry)) continue;
    reader.Remember(entry);
    const std::string current = std::exchange(entry, std::string());
    if (!shell.Execute(current)) break;
  }
  if (!entry.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("The input ended inside an unfinished form: {}", entry.substr(0, 60)));
  }
  if (!interactive && shell.failures() > 0) {
    return absl::InvalidArgumentError(fmt::format("{} command(s) failed", shell.failures()));
  }
  return absl::OkStatus();
}

}  // namespace accrete::tools
