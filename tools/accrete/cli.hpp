// The command line being assembled: the CLI11 app, each subcommand with the
// function that runs it, and the wiring that read commands share. tools.cpp
// adds the database commands; each group of commands in a file of its own
// (ion_commands.cpp: serve and ion) adds itself with an Add...Commands(Cli&).
// Internal to tools/accrete.
#ifndef ACCRETE_TOOLS_ACCRETE_CLI_HPP_
#define ACCRETE_TOOLS_ACCRETE_CLI_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "accrete/connection.hpp"
#include "accrete/db.hpp"
#include "accrete/tools.hpp"
#include "common.hpp"

namespace accrete::tools {

// The options every read command shares.
struct ReadArgs {
  std::string dir;
  TimeFilter time;
  bool pretty = false;
  int64_t as_of = 0;  // read into `time` when given
  int64_t since = 0;
};

struct Cli {
  explicit Cli(const Application& application);

  const Application& application;
  // Where transactions and queries look up functions: the application's
  // registry, or the global one for the plain tool.
  const Registry* registry;
  CLI::App app{"accrete: query, transact, inspect, export and back up an accrete database",
               "accrete"};
  // Each subcommand (a leaf: `ion invoke`, not `ion`) and what runs it.
  std::vector<std::pair<CLI::App*, std::function<absl::Status()>>> commands;
  // Options whose values are read after parsing.
  std::vector<std::function<void()>> resolve;

  // A read command: DIR and, with `time`, --as-of, --since and --history.
  CLI::App* ReadCommand(const char* name, const char* help, ReadArgs* args, bool time = true);
  // Opens args.dir read-only into `conn`; its db with the time filters applied.
  absl::StatusOr<Db> OpenDb(const ReadArgs& args, std::unique_ptr<Connection>* conn);
};

// The command's name as typed, "q" or "ion invoke".
std::string CommandName(const CLI::App* cmd);

// serve, ion list, ion invoke.
void AddIonCommands(Cli& cli);

}  // namespace accrete::tools

#endif  // ACCRETE_TOOLS_ACCRETE_CLI_HPP_
