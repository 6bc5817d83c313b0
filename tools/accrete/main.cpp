// The `accrete` command-line tool (docs/cli.md), with the functions
// registered in the global registry.
#include "accrete/ion.hpp"
#include "accrete/tools.hpp"

int main(int argc, char** argv) {
  return accrete::tools::main(argc, argv, &accrete::Registry::Global());
}
