// The inventory example: application code ("ions") registered by name and
// exposed through an ion-config.edn. A C++ take on the behaviour of Datomic's
// ion-starter: a schema with an attribute predicate, an idempotent sample
// dataset, transaction functions, a query predicate, lambdas invoked with a
// JSON payload, a web ion served by HTTP Direct and called over real HTTP,
// the :allow policy refusing a function it does not list, and time travel
// over a corrected count.
//   inventory [path/to/ion-config.edn]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include <httplib.h>  // only for the HTTP client that calls the server below

#include "accrete/accrete.hpp"
#include "accrete/http_direct.hpp"
#include "ions.hpp"

using accrete::kw;
using accrete::Value;
using namespace std::string_view_literals;

#ifndef INVENTORY_ION_CONFIG
#define INVENTORY_ION_CONFIG "ion-config.edn"
#endif

namespace {

template <typename T>
T OrDie(absl::StatusOr<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "error: %s\n", result.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(result);
}

void OrDie(const absl::Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.ToString().c_str());
    std::exit(1);
  }
}

int64_t CountOf(const accrete::Db& db, std::string_view sku) {
  Value count = OrDie(OrDie(db.entity(accrete::vec({kw("inv/sku"), sku}))).Get(kw("inv/count")));
  return count.is_integer() ? count.as_int() : -1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string config_path = argc > 1 ? argv[1] : INVENTORY_ION_CONFIG;
  const auto dir = std::filesystem::temp_directory_path() / "accrete-inventory";
  std::filesystem::remove_all(dir);

  // The program's own registry (Registry::Global() would do as well).
  accrete::Registry registry;
  accrete::Options options;
  options.registry = &registry;
  auto conn = OrDie(accrete::Connection::Open(dir.string(), options));
  OrDie(inventory::RegisterIons(registry, [c = conn.get()] { return c; }));

  // Every name the config mentions must be registered with the right kind.
  OrDie(registry.Activate(OrDie(accrete::IonConfig::Load(config_path))));

  // Which application and which build this is: the config's :app-name and
  // the revision the build recorded (a commit, or an explicit name).
  std::printf("app info: %s\n", accrete::get_app_info(registry).to_string().c_str());
  // Operators hear of events as JSON lines (stderr unless redirected).
  accrete::cast::redirect(accrete::cast::to_stdout());

  const Value first = OrDie(inventory::EnsureSampleDataset(*conn));
  const Value second = OrDie(inventory::EnsureSampleDataset(*conn));
  std::printf("ensure-sample-dataset: %s then %s\n", first.to_string().c_str(),
              second.to_string().c_str());
  OrDie(accrete::cast::event(
      accrete::map({{kw("msg"), "sample dataset ensured"}, {kw("result"), first}})));

  // The attribute predicate refuses a malformed SKU.
  absl::Status bad_sku = conn->transact(R"([{:inv/sku "not-a-sku"}])"sv).status();
  std::printf("bad sku: %s\n", bad_sku.ToString().c_str());

  // Transaction functions, called by name inside tx data.
  OrDie(conn->transact(R"([[inventory.core/inc-count "SKU-21" 5]])"sv));
  std::printf("SKU-21 count after inc-count 5: %lld\n",
              static_cast<long long>(CountOf(conn->db(), "SKU-21")));

  // A query predicate from the application.
  Value featured = OrDie(accrete::q(R"([:find ?sku . :where
      [?e :inv/sku ?sku] [?e :inv/color ?c] [?e :inv/size ?s] [?e :inv/type ?t]
      [(inventory.core/feature-item? ?c ?s ?t)]])",
                                    conn->db()))
                       .value();
  std::printf("featured item: %s\n", featured.to_string().c_str());

  // Lambdas: a JSON payload in, a string out.
  std::string hats = OrDie(registry.InvokeLambda("get-items-by-type", R"("hat")"));
  std::printf("get-items-by-type \"hat\": %zu bytes, starts %.60s...\n", hats.size(), hats.c_str());
  std::string added =
      OrDie(registry.InvokeLambda("add-item", R"(["SKU-1000", "blue", "small", "hat"])"));
  std::printf("add-item: %s\n", added.c_str());
  std::string schema = OrDie(registry.InvokeLambda("get-schema", ""));
  std::printf("get-schema: %zu bytes\n", schema.size());

  // HTTP Direct: the web ion on 127.0.0.1 (a free port here), called over HTTP.
  auto server = OrDie(accrete::HttpDirect::Start(registry));
  // (The server stops below; a service would keep it up and take requests
  // such as `curl -d :hat http://127.0.0.1:<port>/items`.)
  std::printf("HTTP Direct on http://127.0.0.1:%d\n", server->port());
  httplib::Client client("127.0.0.1", server->port());
  auto web_hats = client.Post("/items", ":hat", "application/edn");
  auto web_bad = client.Post("/items", "\"hat\"", "application/edn");
  const bool web_ok = web_hats && web_hats->status == 200 &&
                      web_hats->get_header_value("Content-Type") == "application/edn" &&
                      web_hats->body.find("SKU-1000") != std::string::npos && web_bad &&
                      web_bad->status == 400;
  std::printf("POST :hat -> %d, %zu bytes; POST \"hat\" -> %d %s\n",
              web_hats ? web_hats->status : -1, web_hats ? web_hats->body.size() : 0,
              web_bad ? web_bad->status : -1, web_bad ? web_bad->body.c_str() : "");
  server->Stop();

  // The ionized web ion, as API Gateway (HTTP API) would invoke it: the body
  // :hat arrives in base64.
  std::string proxied = OrDie(registry.InvokeLambda("items-by-type-gw", R"({
    "version": "2.0", "rawPath": "/items", "rawQueryString": "",
    "headers": {"content-type": "application/edn"},
    "requestContext": {"http": {"method": "POST", "path": "/items", "sourceIp": "203.0.113.9"}},
    "body": "OmhhdA==", "isBase64Encoded": true})"));
  const bool proxied_ok =
      proxied.starts_with(R"({"statusCode":200,)") && proxied.find("SKU-1000") != std::string::npos;
  std::printf("items-by-type-gw (API Gateway event, body :hat in base64): %.80s...\n",
              proxied.c_str());

  // A registered function that :allow does not list is refused.
  absl::Status refused =
      accrete::q("[:find ?d :where [_ :inv/count ?c] [(inventory.core/secret-discount ?c) ?d]]",
                 conn->db())
          .status();
  std::printf("secret-discount: %s\n", refused.ToString().c_str());

  // Time travel: SKU-42's count before and after the correction.
  const int64_t fix_tx = OrDie(accrete::q(R"([:find ?tx . :where
      [?tx :db/doc "correct data entry error"]])",
                                          conn->db()))
                             .value()
                             .as_int();
  // A transaction's entity id is its t in the tx partition, so fix_tx - 1 is
  // the transaction before the correction.
  const int64_t before = CountOf(conn->db().as_of(fix_tx - 1), "SKU-42");
  const int64_t after = CountOf(conn->db().as_of(fix_tx), "SKU-42");
  std::printf("SKU-42 count: %lld before the correction, %lld after\n",
              static_cast<long long>(before), static_cast<long long>(after));

  const bool ok =
      web_ok && proxied_ok && !accrete::get_app_info(registry).get(kw("revision"))->is_nil() &&
      first == kw("loaded") && second == kw("already-loaded") &&
      bad_sku.code() == absl::StatusCode::kInvalidArgument && CountOf(conn->db(), "SKU-21") == 12 &&
      featured == "SKU-31" && hats.find("SKU-1000") == std::string::npos &&
      hats.find("SKU-3") != std::string::npos && added.starts_with("{:t ") &&
      CountOf(conn->db(), "SKU-1000") == 0 &&
      refused.code() == absl::StatusCode::kPermissionDenied && before == 100 && after == 1000;
  std::printf("%s\n", ok ? "ok" : "UNEXPECTED");
  return ok ? 0 : 1;
}
