// inventory-accrete: the `accrete` command-line tool (docs/cli.md) with the
// inventory ions linked in. Besides every command of `accrete`, it serves
// the web ion and invokes the lambdas of examples/inventory/ion-config.edn:
//
//   inventory-accrete ion invoke /tmp/inv ensure-sample-dataset '' --config ion-config.edn
//   inventory-accrete ion invoke /tmp/inv get-items-by-type '"shirt"' --config ion-config.edn
//   inventory-accrete serve /tmp/inv --config ion-config.edn --port 8080
//   curl -d :hat http://127.0.0.1:8080/items
#include <atomic>
#include <cstdio>

#include "accrete/tools.hpp"
#include "ions.hpp"

int main(int argc, char** argv) {
  // The ions are registered before the database is open (so that `ion list`
  // can check the config against them); the tool gives the connection it
  // opens on DIR to on_open.
  static std::atomic<accrete::Connection*> db{nullptr};
  accrete::tools::Application app;
  app.registry = &accrete::Registry::Global();
  if (absl::Status s = inventory::RegisterIons(*app.registry, [] { return db.load(); }); !s.ok()) {
    std::fprintf(stderr, "inventory-accrete: %s\n", s.ToString().c_str());
    return accrete::tools::kExitError;
  }
  app.on_open = [](accrete::Connection& conn) {
    db = &conn;
    return absl::OkStatus();
  };
  return accrete::tools::main(argc, argv, app);
}
