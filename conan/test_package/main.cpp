// Links accrete from the Conan package and uses it: reads EDN, opens a
// database in a temporary directory, transacts one attribute.
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "accrete/accrete.hpp"

int main() {
  auto schema = accrete::edn::Read(
      "[{:db/ident :test/name :db/valueType :db.type/string"
      "  :db/cardinality :db.cardinality/one}]");
  if (!schema.ok()) return 1;

  const auto dir = std::filesystem::temp_directory_path() / "accrete-conan-test-package";
  std::filesystem::remove_all(dir);
  auto conn = accrete::Connection::Open(dir.string());
  if (!conn.ok()) return 1;
  auto report = (*conn)->transact(*schema);
  std::filesystem::remove_all(dir);
  if (!report.ok()) return 1;
  std::printf("accrete: transacted t=%lld\n", static_cast<long long>(report->t()));
  return 0;
}
