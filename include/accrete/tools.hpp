// The `accrete` command-line tool as a library entry point, so that an
// application can ship its own `accrete`-style binary with its ions (tx
// functions, query functions, predicates, lambdas, its web ion) linked in
// and registered, and with `serve` and `ion` available:
//
//   int main(int argc, char** argv) {
//     accrete::tools::Application app;
//     app.registry = &accrete::Registry::Global();
//     RegisterMyIons(*app.registry);
//     app.on_open = [](accrete::Connection& conn) {
//       UseForMyIons(&conn);  // the ions reach the database through this
//       return absl::OkStatus();
//     };
//     return accrete::tools::main(argc, argv, app);
//   }
//
// Subcommands, output format and exit codes are described in docs/cli.md.
//
// Ownership and thread safety: main() owns everything it opens (connections,
// files, the HTTP server) and closes it before returning; it uses the
// application's registry (activating the ion config `serve` and `ion` are
// given) but neither takes ownership of it nor registers anything. It writes
// to the process's stdin/stdout/stderr, and `serve` waits for SIGINT/SIGTERM,
// so run one main() at a time per process. `serve` blocks those two signals
// in the calling thread (the threads it starts inherit that) and takes them
// with sigwait; a thread the program started before main() must block them
// too, or the signal may be delivered there and end the process at once.
#ifndef ACCRETE_TOOLS_HPP_
#define ACCRETE_TOOLS_HPP_

#include <functional>

#include "accrete/connection.hpp"
#include "accrete/ion.hpp"
#include "accrete/status.hpp"

namespace accrete::tools {

// Exit codes of main().
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // the command failed: one line on stderr
inline constexpr int kExitUsage = 2;  // bad command line: one line on stderr

// What a program with ions of its own gives the tool.
struct Application {
  // Where transactions, queries, pull, lambdas and the web ion look up
  // functions; `serve` and `ion` activate their --config on it. nullptr is
  // the plain `accrete` tool: Registry::Global() for transactions and
  // queries, and `serve` and `ion` refuse to run (there are no ions to
  // serve). Default: nullptr.
  Registry* registry = nullptr;
  // Called by `serve` and `ion invoke` with the connection they opened on
  // DIR, before activating the config: ions that read or write the database
  // take it from here. The connection stays open until main() returns (after
  // the server stopped or the invocation returned). An error ends the
  // command with that error. Default: none.
  std::function<absl::Status(Connection& conn)> on_open;
};

// Runs the command line `argv[0..argc)` (argv[0] is the program name) and
// returns the process exit code. Results go to stdout as EDN; errors to
// stderr as one line. Never throws.
int main(int argc, char** argv, const Application& app);

// main() for an application whose ions need no database connection of their
// own: the same as main(argc, argv, Application{registry}). nullptr is the
// plain `accrete` tool.
int main(int argc, char** argv, Registry* registry);

}  // namespace accrete::tools

#endif  // ACCRETE_TOOLS_HPP_
