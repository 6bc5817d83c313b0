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

constexpr std::string_view kSchema = R"([
  {:db/ident :inv/sku :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity :db.attr/preds inventory.core/valid-sku?}
  {:db/ident :inv/color :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
  {:db/ident :inv/size :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
  {:db/ident :inv/type :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
  {:db/ident :inv/count :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :order/items :db/valueType :db.type/ref :db/cardinality :db.cardinality/many
   :db/isComponent true}
  {:db/ident :item/id :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :item/count :db/valueType :db.type/long :db/cardinality :db.cardinality/one}])";

constexpr const char* kColors[] = {"red", "green", "blue", "yellow"};
constexpr const char* kSizes[] = {"small", "medium", "large", "xlarge"};
constexpr const char* kTypes[] = {"shirt", "pants", "dress", "hat"};

// The items of a type, each pulled as a map: what get-items-by-type answers.
constexpr std::string_view kItemsByType = R"([:find [(pull ?e [:inv/sku :inv/color :inv/size]) ...]
                                              :in $ ?type :where [?e :inv/type ?type]])";

// SKU-<digits>: the attribute predicate of :inv/sku.
bool ValidSku(const Value& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.as_string();
  if (!s.starts_with("SKU-") || s.size() == 4) return false;
  for (char c : s.substr(4)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The application's functions, registered under inventory.core/...; `conn`
// is the connection the lambdas read and write.
void RegisterIons(accrete::Registry& registry, accrete::Connection* conn) {
  OrDie(registry.RegisterAttrPredicate("inventory.core/valid-sku?", ValidSku));

  // [inventory.core/create-item sku color size type] -> one new item, count 0.
  OrDie(registry.RegisterTxFunction(
      "inventory.core/create-item",
      [](const accrete::Db&, std::span<const Value> args) -> absl::StatusOr<Value> {
        if (args.size() != 4) {
          return absl::InvalidArgumentError("create-item takes sku, color, size and type");
        }
        return accrete::vec({accrete::map({{kw("inv/sku"), args[0]},
                                           {kw("inv/color"), args[1]},
                                           {kw("inv/size"), args[2]},
                                           {kw("inv/type"), args[3]},
                                           {kw("inv/count"), 0}})});
      }));

  // [inventory.core/inc-count sku n]: adds n to the item's count as of the
  // start of the transaction.
  OrDie(registry.RegisterTxFunction(
      "inventory.core/inc-count",
      [](const accrete::Db& db, std::span<const Value> args) -> absl::StatusOr<Value> {
        if (args.size() != 2 || !args[1].is_integer()) {
          return absl::InvalidArgumentError("inc-count takes a sku and a number");
        }
        const Value ref = accrete::vec({kw("inv/sku"), args[0]});
        absl::StatusOr<accrete::Entity> item = db.entity(ref);
        if (!item.ok()) return item.status();
        absl::StatusOr<Value> count = item->Get(kw("inv/count"));
        const int64_t now = count.ok() && count->is_integer() ? count->as_int() : 0;
        return accrete::vec({accrete::vec(
            {kw("db/add"), ref, kw("inv/count"), Value::Integer(now + args[1].as_int())})});
      }));

  // (inventory.core/feature-item? color size type): only the green xlarge hat.
  OrDie(registry.RegisterQueryFunction(
      "inventory.core/feature-item?", [](std::span<const Value> args) -> absl::StatusOr<Value> {
        return Value(args.size() == 3 && args[0] == kw("green") && args[1] == kw("xlarge") &&
                     args[2] == kw("hat"));
      }));

  // Registered, but not in the config's :allow: queries may not call it.
  OrDie(registry.RegisterQueryFunction(
      "inventory.core/secret-discount",
      [](std::span<const Value> args) -> absl::StatusOr<Value> { return args[0]; }));

  OrDie(registry.RegisterLambda(
      "inventory.core/get-schema",
      [conn](std::string_view, const Value&) -> absl::StatusOr<std::string> {
        absl::StatusOr<accrete::QueryResult> schema = accrete::q(
            R"([:find [(pull ?a [:db/ident :db/valueType :db/cardinality]) ...]
                :where [?a :db/valueType _] [?a :db/ident ?ident] [(namespace ?ident) ?ns]
                       [(contains? #{"inv" "order" "item"} ?ns)]])",
            conn->db());
        if (!schema.ok()) return schema.status();
        return accrete::edn::Print(schema->value());
      }));

  // The input is JSON; a JSON string or an array of strings and numbers is
  // also EDN (commas are whitespace there), so the EDN reader parses it.
  OrDie(registry.RegisterLambda(
      "inventory.core/get-items-by-type",
      [conn](std::string_view input, const Value&) -> absl::StatusOr<std::string> {
        absl::StatusOr<Value> type = accrete::edn::Read(input);
        if (!type.ok() || !type->is_string()) {
          return absl::InvalidArgumentError("Expected a JSON string naming a type");
        }
        absl::StatusOr<accrete::QueryResult> items =
            accrete::q(kItemsByType, conn->db(), kw(type->as_string()));
        if (!items.ok()) return items.status();
        return accrete::edn::Print(items->value());
      }));

  OrDie(registry.RegisterLambda(
      "inventory.core/add-item",
      [conn](std::string_view input, const Value&) -> absl::StatusOr<std::string> {
        absl::StatusOr<Value> args = accrete::edn::Read(input);
        if (!args.ok() || !args->is_vector() || args->size() != 4) {
          return absl::InvalidArgumentError("Expected a JSON array [sku color size type]");
        }
        std::span<const Value> a = args->items();
        for (const Value& v : a) {
          if (!v.is_string()) return absl::InvalidArgumentError("Expected strings");
        }
        absl::StatusOr<accrete::TxReport> report = conn->transact(accrete::vec(
            {accrete::vec({accrete::sym("inventory.core/create-item"), a[0], kw(a[1].as_string()),
                           kw(a[2].as_string()), kw(a[3].as_string())})}));
        if (!report.ok()) return report.status();
        return accrete::edn::Print(accrete::map({{kw("t"), Value::Integer(report->t())}}));
      }));
  // The web ion: the body is an EDN keyword naming a type (:hat); answers the
  // items as EDN.
  accrete::WebHandler items_by_type_web = [conn](const Value& request) -> absl::StatusOr<Value> {
    const Value* body = request.get(kw("body"));
    absl::StatusOr<Value> type = body != nullptr && body->is_string()
                                     ? accrete::edn::Read(body->as_string())
                                     : absl::InvalidArgumentError("no body");
    if (!type.ok() || !type->is_keyword()) {
      return accrete::map(
          {{kw("status"), 400}, {kw("body"), "Expected a request body keyword naming a type"}});
    }
    absl::StatusOr<accrete::QueryResult> items = accrete::q(kItemsByType, conn->db(), *type);
    if (!items.ok()) return items.status();
    return accrete::map({{kw("status"), 200},
                         {kw("headers"), accrete::map({{"Content-Type", "application/edn"}})},
                         {kw("body"), accrete::edn::Print(items->value())}});
  };
  OrDie(registry.RegisterWebHandler("inventory.core/items-by-type-web", items_by_type_web));
  // The same web ion behind API Gateway: a lambda taking proxy events.
  OrDie(registry.RegisterLambda("inventory.core/items-by-type-gw",
                                accrete::Ionize(items_by_type_web)));
}

// Loads the sample dataset unless it is already there: :loaded or
// :already-loaded.
Value EnsureSampleDataset(accrete::Connection& conn) {
  if (OrDie(accrete::q("[:find ?e . :where [?e :inv/sku \"SKU-0\"]]", conn.db())).value() !=
      Value()) {
    return kw("already-loaded");
  }
  std::string items = "[";
  for (int c = 0; c < 4; ++c) {
    for (int s = 0; s < 4; ++s) {
      for (int t = 0; t < 4; ++t) {
        items += "{:inv/sku \"SKU-" + std::to_string(c * 16 + s * 4 + t) +
                 "\" :inv/color :" + kColors[c] + " :inv/size :" + kSizes[s] +
                 " :inv/type :" + kTypes[t] + "}\n";
      }
    }
  }
  OrDie(conn.transact(items + "]"));
  OrDie(conn.transact(R"([{:order/items [{:item/id [:inv/sku "SKU-25"] :item/count 10}
                                         {:item/id [:inv/sku "SKU-26"] :item/count 20}]}])"sv));
  OrDie(conn.transact(R"([[:db/add [:inv/sku "SKU-21"] :inv/count 7]
                          [:db/add [:inv/sku "SKU-22"] :inv/count 7]
                          [:db/add [:inv/sku "SKU-42"] :inv/count 100]])"sv));
  OrDie(conn.transact(R"([[:db/retract [:inv/sku "SKU-22"] :inv/count 7]
                          [:db/add "datomic.tx" :db/doc "remove incorrect assertion"]])"sv));
  OrDie(conn.transact(R"([[:db/add [:inv/sku "SKU-42"] :inv/count 1000]
                          [:db/add "datomic.tx" :db/doc "correct data entry error"]])"sv));
  return kw("loaded");
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
  RegisterIons(registry, conn.get());

  // Every name the config mentions must be registered with the right kind.
  OrDie(registry.Activate(OrDie(accrete::IonConfig::Load(config_path))));

  // Which application and which build this is: the config's :app-name and
  // the revision the build recorded (a commit, or an explicit name).
  std::printf("app info: %s\n", accrete::get_app_info(registry).to_string().c_str());
  // Operators hear of events as JSON lines (stderr unless redirected).
  accrete::cast::redirect(accrete::cast::to_stdout());

  OrDie(conn->transact(kSchema));
  const Value first = EnsureSampleDataset(*conn);
  const Value second = EnsureSampleDataset(*conn);
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
