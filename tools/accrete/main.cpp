// The `accrete` command-line tool (docs/cli.md), with no ions of its own:
// transactions and queries use the functions in the global registry; serve
// and ion need a program that links its ions (accrete/tools.hpp).
#include "accrete/tools.hpp"

int main(int argc, char** argv) {
  return accrete::tools::main(argc, argv, accrete::tools::Application{});
}
