// Opens a database in a fresh temporary directory, transacts a schema and a
// fact, and reads the fact back. Exits 0 only if it reads what it wrote.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include "accrete/accrete.hpp"

namespace {

int Fail(std::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  return 1;
}

int Run(const std::filesystem::path& dir) {
  auto conn = accrete::Connection::Open(dir.string());
  if (!conn.ok()) return Fail("open", conn.status());

  auto schema = (*conn)->transact(std::string_view(R"([
    {:db/ident :person/name :db/valueType :db.type/string
     :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}])"));
  if (!schema.ok()) return Fail("schema", schema.status());

  auto fact = (*conn)->transact(std::string_view(R"([{:db/id "p" :person/name "Ada"}])"));
  if (!fact.ok()) return Fail("transact", fact.status());
  const auto p = fact->tempids.find("p");
  if (p == fact->tempids.end()) return Fail("tempids", absl::NotFoundError("no \"p\""));

  auto ada = (*conn)->db().entity(accrete::Value(p->second));
  if (!ada.ok()) return Fail("entity", ada.status());
  auto name = ada->Get(accrete::kw("person/name"));
  if (!name.ok()) return Fail("get", name.status());
  if (*name != accrete::Value("Ada")) {
    std::fprintf(stderr, "read back %s, expected \"Ada\"\n", name->to_string().c_str());
    return 1;
  }
  std::printf("ok: %s\n", name->to_string().c_str());
  return 0;
}

}  // namespace

int main() {
  std::error_code ec;
  const auto dir =
      std::filesystem::temp_directory_path() / ("accrete-consumer-" + std::to_string(::getpid()));
  const int rc = Run(dir);
  std::filesystem::remove_all(dir, ec);
  return rc;
}
