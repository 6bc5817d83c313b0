// Open a database, install a schema, transact facts as EDN text and as C++
// values, read them back, read the past, query with Datalog and pull.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <utility>

#include "accrete/accrete.hpp"

using accrete::kw;
using accrete::vec;
using namespace std::string_view_literals;  // EDN text as "..."sv

// Returns the value, or prints the error and exits.
template <typename T>
T OrDie(absl::StatusOr<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "error: %s\n", result.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(result);
}

int main() {
  const auto dir = std::filesystem::temp_directory_path() / "accrete-quickstart";
  std::filesystem::remove_all(dir);
  auto conn = OrDie(accrete::Connection::Open(dir.string()));

  // Schema is data: an attribute is an entity, installed by a transaction.
  OrDie(conn->transact(R"([
    {:db/ident :person/name :db/valueType :db.type/string
     :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
    {:db/ident :person/email :db/valueType :db.type/string
     :db/cardinality :db.cardinality/one}])"sv));

  // Facts as EDN text...
  auto first = OrDie(conn->transact(R"([{:person/name "Ada" :person/email "ada@example.com"}])"sv));
  // ...or as values built in C++ (no parsing). [:person/name "Ada"] is a
  // lookup ref: the entity whose unique :person/name is "Ada".
  const accrete::Value ada = vec({kw("person/name"), "Ada"});
  OrDie(conn->transact(vec({vec({kw("db/add"), ada, kw("person/email"), "ada@lovelace.org"})})));

  // A Db is an immutable value: the latest one, and the one as of `first`.
  accrete::Db now = conn->db();
  accrete::Db then = now.as_of(first.t());
  auto email_now = OrDie(OrDie(now.entity(ada)).Get(kw("person/email")));
  auto email_then = OrDie(OrDie(then.entity(ada)).Get(kw("person/email")));
  std::printf("now:  %s\nthen: %s\n", email_now.to_string().c_str(),
              email_then.to_string().c_str());

  // Every datom of :person/email in the AEVT index, as of now.
  auto emails = OrDie(now.datoms(accrete::Index::kAevt, {kw("person/email")}));
  for (const accrete::Datom& d : emails) std::printf("%s\n", d.to_string().c_str());

  // Datalog: the query is EDN (text here; C++ values work too) and its
  // inputs bind to :in in order.
  auto found = OrDie(accrete::q(R"([:find ?name ?email :in $ ?domain
                                    :where [?e :person/email ?email]
                                           [(clojure.string/ends-with? ?email ?domain)]
                                           [?e :person/name ?name]])",
                                now, "lovelace.org"));
  std::printf("%s\n", found.value().to_string().c_str());

  // Pull: a map of the entity's attributes, as of any Db.
  auto pulled = OrDie(accrete::pull(then, "[:person/name :person/email]"sv, ada));
  std::printf("%s\n", pulled.to_string().c_str());

  const bool ok = email_now == "ada@lovelace.org" && email_then == "ada@example.com" &&
                  found.size() == 1 && *pulled.get(kw("person/email")) == "ada@example.com";
  return ok ? 0 : 1;
}
