// accrete::tools::main: the command line, parsed with CLI11, dispatched to
// one function per subcommand. Every command prints only its result on
// stdout; failures become one line on stderr and exit code 1, usage errors
// exit code 2 (docs/cli.md).
#include "accrete/tools.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "accrete/connection.hpp"
#include "accrete/edn.hpp"
#include "accrete/pull.hpp"
#include "cli.hpp"
#include "common.hpp"
#include "fmt/core.h"
#include "ops.hpp"
#include "shell.hpp"
#include "transfer.hpp"

namespace accrete::tools {
namespace {

// An export holds the whole database, so it is the owner's only, as the
// database is (fopen would make it 0666 less the umask).
std::FILE* CreateOwnerOnly(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) ::close(fd);
  return file;
}

// A failure as one line on stderr: "accrete <command>: <message>".
void PrintError(std::string_view command, std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  fmt::print(stderr, "accrete{}{}: {}\n", command.empty() ? "" : " ", command, line);
}

// Trailing EDN arguments (query inputs, index components) are taken from
// CLI11's extras: its own vector options would split "[a,b]" at commas.
void TrailingValues(CLI::App* cmd, const char* name, const char* help) {
  cmd->allow_extras();
  cmd->footer(fmt::format("\n{}...: {}\n", name, help));
}

// The trailing values of `cmd`; a usage error for an unknown option among them.
std::vector<std::string> Trailing(const CLI::App* cmd) {
  std::vector<std::string> values = cmd->remaining();
  for (const std::string& v : values) {
    if (v.starts_with("--")) throw CLI::ExtrasError(cmd->get_name(), {v});
  }
  return values;
}

// The subcommand the command line chose, as deep as it was parsed
// ("ion invoke"); nullptr when none was.
const CLI::App* ChosenCommand(const CLI::App& app) {
  const CLI::App* chosen = nullptr;
  for (std::vector<CLI::App*> level = app.get_subcommands(); !level.empty();
       level = level.front()->get_subcommands()) {
    chosen = level.front();
  }
  return chosen;
}

}  // namespace

Cli::Cli(const Application& app_in)
    : application(app_in),
      registry(app_in.registry != nullptr ? app_in.registry : &Registry::Global()) {}

CLI::App* Cli::ReadCommand(const char* name, const char* help, ReadArgs* args, bool time) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("DIR", args->dir, "The database directory")->required();
  if (time) {
    CLI::Option* as_of = cmd->add_option("--as-of", args->as_of,
                                         "Read the database as of transaction T (t or tx id)")
                             ->type_name("T");
    CLI::Option* since =
        cmd->add_option("--since", args->since, "Only what was asserted after transaction T")
            ->type_name("T");
    cmd->add_flag("--history", args->time.history, "Read every assertion and retraction");
    resolve.push_back([=] {
      if (as_of->count() > 0) args->time.as_of = args->as_of;
      if (since->count() > 0) args->time.since = args->since;
    });
  }
  return cmd;
}

absl::StatusOr<Db> Cli::OpenDb(const ReadArgs& args, std::unique_ptr<Connection>* conn) {
  absl::StatusOr<std::unique_ptr<Connection>> opened = OpenForRead(args.dir, registry);
  if (!opened.ok()) return opened.status();
  *conn = *std::move(opened);
  return ApplyTimeFilter((*conn)->db(), args.time);
}

std::string CommandName(const CLI::App* cmd) {
  std::string name = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p != nullptr && p->get_parent() != nullptr;
       p = p->get_parent()) {
    name = p->get_name() + " " + name;
  }
  return name;
}

namespace {

int Run(int argc, char** argv, const Application& application) {
  Cli cli(application);
  const Registry* registry = cli.registry;
  CLI::App& app = cli.app;
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");

  // transact
  std::string tx_dir, tx_file;
  bool tx_nosync = false;
  CLI::App* transact = app.add_subcommand(
      "transact", "Transact EDN tx data (one vector) from FILE or stdin; prints the report");
  transact->add_option("DIR", tx_dir, "The database directory (created when absent)")->required();
  transact->add_option("FILE", tx_file, "The tx data; '-' or nothing reads stdin");
  transact->add_flag("--nosync", tx_nosync, "Relaxed durability: no fsync on commit");
  cli.commands.emplace_back(transact, [&]() -> absl::Status {
    absl::StatusOr<std::string> text = ReadFileOrStdin(tx_file);
    if (!text.ok()) return text.status();
    absl::StatusOr<Value> tx_data = edn::Read(*text);
    if (!tx_data.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("Malformed tx data: {}", std::string(tx_data.status().message())));
    }
    std::error_code ec;
    const bool existed = std::filesystem::exists(tx_dir, ec);
    absl::StatusOr<std::unique_ptr<Connection>> conn = OpenForWrite(
        tx_dir, registry, true, tx_nosync ? Durability::kRelaxed : Durability::kDurable);
    if (!conn.ok()) return conn.status();
    absl::StatusOr<TxReport> report = (*conn)->transact(*tx_data);
    if (!report.ok()) {
      // A refused transaction leaves no database behind that it created.
      conn->reset();
      if (!existed) std::filesystem::remove_all(tx_dir, ec);
      return report.status();
    }
    return PrintResult(ReportValue(*report), false);
  });

  // q
  ReadArgs q_args;
  std::string q_query;
  int64_t q_timeout_ms = 0;
  bool q_explain = false;
  CLI::App* q =
      cli.ReadCommand("q", "Run a Datalog query; prints the result as one EDN value", &q_args);
  q->add_option("QUERY", q_query, "The query as EDN text, or @path to read it from a file")
      ->required();
  std::vector<std::string> q_inputs;
  cli.resolve.push_back([&] { q_inputs = Trailing(q); });
  TrailingValues(q, "INPUT",
                 "EDN values bound in order to the :in variables after the data sources "
                 "(@path reads a file)");
  q->add_option("--timeout-ms", q_timeout_ms, "Stop the query after N milliseconds")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  q->add_flag("--explain", q_explain, "Print the query plan instead of running the query");
  q->add_flag("--pretty", q_args.pretty, "Pretty-print the result");
  cli.commands.emplace_back(q, [&]() -> absl::Status {
    absl::StatusOr<Value> form = ReadEdnArg(q_query, "query");
    if (!form.ok()) return form.status();
    std::vector<Value> inputs;
    for (size_t i = 0; i < q_inputs.size(); ++i) {
      absl::StatusOr<Value> input = ReadEdnArg(q_inputs[i], fmt::format("input {}", i + 1));
      if (!input.ok()) return input.status();
      inputs.push_back(*std::move(input));
    }
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(q_args, &conn);
    if (!db.ok()) return db.status();
    QueryRun run;
    if (q_timeout_ms > 0) run.timeout = absl::Milliseconds(q_timeout_ms);
    run.explain = q_explain;
    return PrintResult(RunQuery(*db, *form, inputs, run), q_args.pretty);
  });

  // pull
  ReadArgs pull_args;
  std::string pull_pattern, pull_eid;
  CLI::App* pull_cmd = cli.ReadCommand("pull", "Pull PATTERN from the entity EID", &pull_args);
  pull_cmd->add_option("PATTERN", pull_pattern, "A pull pattern (EDN vector), or @path")
      ->required();
  pull_cmd->add_option("EID", pull_eid, "An entity id, an ident or a lookup ref")->required();
  pull_cmd->add_flag("--pretty", pull_args.pretty, "Pretty-print the result");
  cli.commands.emplace_back(pull_cmd, [&]() -> absl::Status {
    absl::StatusOr<Value> pattern = ReadEdnArg(pull_pattern, "pattern");
    if (!pattern.ok()) return pattern.status();
    absl::StatusOr<Value> eid = ReadEdnArg(pull_eid, "EID");
    if (!eid.ok()) return eid.status();
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(pull_args, &conn);
    if (!db.ok()) return db.status();
    return PrintResult(pull(*db, *pattern, *eid), pull_args.pretty);
  });

  // entity
  ReadArgs entity_args;
  std::string entity_eid;
  CLI::App* entity = cli.ReadCommand("entity", "Every attribute of the entity EID", &entity_args);
  entity->add_option("EID", entity_eid, "An entity id, an ident or a lookup ref")->required();
  entity->add_flag("--pretty", entity_args.pretty, "Pretty-print the result");
  cli.commands.emplace_back(entity, [&]() -> absl::Status {
    absl::StatusOr<Value> eid = ReadEdnArg(entity_eid, "EID");
    if (!eid.ok()) return eid.status();
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(entity_args, &conn);
    if (!db.ok()) return db.status();
    return PrintResult(EntityValue(*db, *eid), entity_args.pretty);
  });

  // datoms
  ReadArgs datoms_args;
  std::string datoms_index;
  CLI::App* datoms = cli.ReadCommand(
      "datoms", "Datoms of an index, one [e :attr v tx added] per line", &datoms_args);
  datoms->add_option("INDEX", datoms_index, ":eavt, :aevt, :avet or :vaet")
      ->required()
      ->check(CLI::IsMember({"eavt", "aevt", "avet", "vaet", ":eavt", ":aevt", ":avet", ":vaet"}));
  std::vector<std::string> datoms_components;
  cli.resolve.push_back([&] { datoms_components = Trailing(datoms); });
  TrailingValues(datoms, "COMPONENT",
                 "Leading components in index order (EDN: ids, idents, lookup refs, values)");
  cli.commands.emplace_back(datoms, [&]() -> absl::Status {
    absl::StatusOr<Index> index = ParseIndex(datoms_index);
    if (!index.ok()) return index.status();
    std::vector<Value> components;
    for (size_t i = 0; i < datoms_components.size(); ++i) {
      absl::StatusOr<Value> c =
          ReadEdnArg(datoms_components[i], fmt::format("component {}", i + 1));
      if (!c.ok()) return c.status();
      components.push_back(*std::move(c));
    }
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(datoms_args, &conn);
    if (!db.ok()) return db.status();
    absl::StatusOr<Datoms> stream = db->datoms(*index, std::move(components));
    if (!stream.ok()) return stream.status();
    DatomPrinter printer(*db);
    for (const Datom& d : *stream) PrintLine(edn::Print(printer.ToValue(d)));
    if (!stream->status().ok()) return stream->status();
    return FlushStdout();
  });

  // log
  ReadArgs log_args;
  int64_t log_start = 0, log_end = 0;
  CLI::App* log = cli.ReadCommand("log", "Transactions with START <= t < END, one datom per line",
                                  &log_args, false);
  CLI::Option* log_start_opt =
      log->add_option("START", log_start, "The first t (default: the first)");
  CLI::Option* log_end_opt =
      log->add_option("END", log_end, "The t to stop before (default: none)");
  cli.commands.emplace_back(log, [&]() -> absl::Status {
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(log_args, &conn);
    if (!db.ok()) return db.status();
    std::optional<int64_t> start, end;
    if (log_start_opt->count() > 0) start = log_start;
    if (log_end_opt->count() > 0) end = log_end;
    DatomPrinter printer(*db);
    absl::Status s = db->for_each_tx(start, end, [&](const TxLogEntry& tx) {
      for (const Datom& d : tx.data) PrintLine(edn::Print(printer.ToValue(d)));
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return FlushStdout();
  });

  // schema
  ReadArgs schema_args;
  bool schema_all = false;
  CLI::App* schema = cli.ReadCommand("schema", "The installed attributes as EDN", &schema_args);
  schema->add_flag("--all", schema_all, "Include the system attributes (:db/...)");
  cli.commands.emplace_back(schema, [&]() -> absl::Status {
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(schema_args, &conn);
    if (!db.ok()) return db.status();
    return PrintResult(SchemaValue(*db, schema_all), true);
  });

  // stat
  ReadArgs stat_args;
  CLI::App* stat =
      cli.ReadCommand("stat", "Basis t, datoms per index and attribute, LMDB map and file sizes",
                      &stat_args, false);
  cli.commands.emplace_back(stat, [&]() -> absl::Status {
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(stat_args, &conn);
    if (!db.ok()) return db.status();
    return PrintResult(StatValue(*conn), true);
  });

  // verify
  ReadArgs verify_args;
  CLI::App* verify =
      cli.ReadCommand("verify", "Check that the indexes, history and counts agree with the log",
                      &verify_args, false);
  cli.commands.emplace_back(verify, [&]() -> absl::Status {
    std::unique_ptr<Connection> conn;
    absl::StatusOr<Db> db = cli.OpenDb(verify_args, &conn);
    if (!db.ok()) return db.status();
    absl::StatusOr<VerifyReport> report = Verify(*conn);
    if (!report.ok()) return report.status();
    absl::Status printed = PrintResult(VerifyReportValue(*report), true);
    if (!printed.ok()) return printed;
    return report->ToStatus();
  });

  // export
  std::string export_dir, export_file;
  bool export_quiet = false;
  CLI::App* export_cmd = app.add_subcommand(
      "export", "Write the whole history as streaming EDN (docs/cli.md) to FILE or stdout");
  export_cmd->add_option("DIR", export_dir, "The database directory")->required();
  export_cmd->add_option("FILE", export_file, "Where to write; '-' or nothing is stdout");
  export_cmd->add_flag("--quiet", export_quiet, "No progress bar on stderr");
  cli.commands.emplace_back(export_cmd, [&]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<Connection>> conn = OpenForRead(export_dir, registry);
    if (!conn.ok()) return conn.status();
    const bool to_stdout = export_file.empty() || export_file == "-";
    std::FILE* out = to_stdout ? stdout : CreateOwnerOnly(export_file);
    if (out == nullptr) {
      return absl::InvalidArgumentError(
          fmt::format("Cannot create {}: {}", export_file, std::strerror(errno)));
    }
    absl::Status s = Export((*conn)->db(), out, !export_quiet);
    if (to_stdout) {
      absl::Status flushed = FlushStdout();
      return s.ok() ? flushed : s;
    }
    if (std::fclose(out) != 0 && s.ok()) {
      s = absl::InternalError(
          fmt::format("Cannot write {}: {}", export_file, std::strerror(errno)));
    }
    return s;
  });

  // import
  std::string import_dir, import_file;
  bool import_quiet = false, import_nosync = false;
  ImportOptions import_options;
  CLI::App* import_cmd = app.add_subcommand(
      "import", "Replay an export (FILE or stdin) into DIR, which must be absent or empty");
  import_cmd->add_option("DIR", import_dir, "The new database directory")->required();
  import_cmd->add_option("FILE", import_file, "The export; '-' or nothing reads stdin");
  import_cmd->add_flag("--quiet", import_quiet, "No progress bar on stderr");
  import_cmd->add_flag("--nosync", import_nosync, "Relaxed durability while importing");
  import_cmd
      ->add_option("--max-line-bytes", import_options.max_line_bytes,
                   "Refuse a longer line (one transaction)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.commands.emplace_back(import_cmd, [&]() -> absl::Status {
    import_options.durability = import_nosync ? Durability::kRelaxed : Durability::kDurable;
    import_options.progress = !import_quiet;
    if (import_file.empty() || import_file == "-") {
      return Import(import_dir, std::cin, registry, import_options);
    }
    std::ifstream in(import_file, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          fmt::format("Cannot open {}: {}", import_file, std::strerror(errno)));
    }
    return Import(import_dir, in, registry, import_options);
  });

  // backup
  std::string backup_dir, backup_dest;
  CLI::App* backup = app.add_subcommand(
      "backup", "A consistent, compacted copy of DIR into DEST while writers go on");
  backup->add_option("DIR", backup_dir, "The database directory")->required();
  backup->add_option("DEST", backup_dest, "The backup directory (absent or empty)")->required();
  cli.commands.emplace_back(backup, [&]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<Connection>> conn = OpenForRead(backup_dir, registry);
    if (!conn.ok()) return conn.status();
    absl::Status s = (*conn)->Backup(backup_dest);
    if (!s.ok()) return s;
    // Writers may have gone on during the copy: report what the copy holds.
    absl::StatusOr<std::unique_ptr<Connection>> copy = OpenForRead(backup_dest, registry);
    if (!copy.ok()) return copy.status();
    const int64_t copied = (*copy)->db().basis_t();
    return PrintResult(Value::Map({{kw("backup"), Value(backup_dest)},
                                   {kw("basis-t"), Value(static_cast<long long>(copied))}}),
                       false);
  });

  // shell
  std::string shell_dir;
  bool shell_read_only = false;
  CLI::App* shell = app.add_subcommand(
      "shell", "An interactive prompt: q, transact, pull, entity, as-of; type help");
  shell->add_option("DIR", shell_dir, "The database directory (must exist)")->required();
  shell->add_flag("--read-only", shell_read_only, "Open read-only (no transact)");
  cli.commands.emplace_back(
      shell, [&]() -> absl::Status { return RunShell(shell_dir, registry, shell_read_only); });

  AddIonCommands(cli);

  try {
    app.parse(argc, argv);
    for (auto& fn : cli.resolve) fn();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e);  // --help: the help text on stdout
      return kExitOk;
    }
    const CLI::App* chosen = ChosenCommand(app);
    const std::string command = chosen != nullptr ? CommandName(chosen) : "";
    PrintError(command, fmt::format("{} (see accrete {}{}--help)", e.what(), command,
                                    command.empty() ? "" : " "));
    return kExitUsage;
  }
  for (const auto& [cmd, run] : cli.commands) {
    if (!cmd->parsed()) continue;
    absl::Status s = run();
    if (!s.ok()) {
      PrintError(CommandName(cmd), MessageOf(s));
      return kExitError;
    }
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv, Registry* registry) {
  Application app;
  app.registry = registry;
  return main(argc, argv, app);
}

int main(int argc, char** argv, const Application& app) {
  try {
    return Run(argc, argv, app);
  } catch (const std::exception& e) {
    PrintError("", e.what());
    return kExitError;
  }
}

}  // namespace accrete::tools
