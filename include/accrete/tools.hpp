// The `accrete` command-line tool as a library entry point, so that an
// application can ship its own `accrete`-style binary with its ions (tx
// functions, query functions, predicates) linked in and registered:
//
//   int main(int argc, char** argv) {
//     RegisterMyIons(accrete::Registry::Global());
//     return accrete::tools::main(argc, argv, &accrete::Registry::Global());
//   }
//
// Subcommands, output format and exit codes are described in docs/cli.md.
//
// Ownership and thread safety: main() owns everything it opens (connections,
// files) and closes it before returning; it reads `registry` but neither
// takes ownership of it nor registers anything. It writes to the process's
// stdin/stdout/stderr, so run one main() at a time per process.
#ifndef ACCRETE_TOOLS_HPP_
#define ACCRETE_TOOLS_HPP_

#include "accrete/ion.hpp"

namespace accrete::tools {

// Exit codes of main().
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // the command failed: one line on stderr
inline constexpr int kExitUsage = 2;  // bad command line: one line on stderr

// Runs the command line `argv[0..argc)` (argv[0] is the program name) and
// returns the process exit code. Results go to stdout as EDN; errors to
// stderr as one line. `registry` is where transactions and queries look up
// functions; nullptr means Registry::Global(). Never throws.
int main(int argc, char** argv, const Registry* registry);

}  // namespace accrete::tools

#endif  // ACCRETE_TOOLS_HPP_
