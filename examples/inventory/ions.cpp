// The inventory example's ions: a C++ take on Datomic's ion-starter.
#include "ions.hpp"

#include <span>
#include <string>
#include <utility>

namespace inventory {
namespace {

using accrete::kw;
using accrete::Value;
using namespace std::string_view_literals;

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

absl::StatusOr<accrete::Connection*> Open(const ConnectionSource& conn) {
  accrete::Connection* c = conn ? conn() : nullptr;
  if (c == nullptr) return absl::FailedPreconditionError("The inventory database is not open");
  return c;
}

}  // namespace

absl::Status RegisterIons(accrete::Registry& registry, ConnectionSource conn) {
  // Registration fails only for a name already taken; the first such error
  // is the one reported.
  absl::Status status;
  status.Update(registry.RegisterAttrPredicate("inventory.core/valid-sku?", ValidSku));

  // [inventory.core/create-item sku color size type] -> one new item, count 0.
  status.Update(registry.RegisterTxFunction(
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
  status.Update(registry.RegisterTxFunction(
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
  status.Update(registry.RegisterQueryFunction(
      "inventory.core/feature-item?", [](std::span<const Value> args) -> absl::StatusOr<Value> {
        return Value(args.size() == 3 && args[0] == kw("green") && args[1] == kw("xlarge") &&
                     args[2] == kw("hat"));
      }));

  // Registered, but not in the config's :allow: queries may not call it.
  status.Update(registry.RegisterQueryFunction(
      "inventory.core/secret-discount",
      [](std::span<const Value> args) -> absl::StatusOr<Value> { return args[0]; }));

  status.Update(registry.RegisterLambda(
      "inventory.core/get-schema",
      [conn](std::string_view, const Value&) -> absl::StatusOr<std::string> {
        absl::StatusOr<accrete::Connection*> c = Open(conn);
        if (!c.ok()) return c.status();
        absl::StatusOr<accrete::QueryResult> schema = accrete::q(
            R"([:find [(pull ?a [:db/ident :db/valueType :db/cardinality]) ...]
                    :where [?a :db/valueType _] [?a :db/ident ?ident] [(namespace ?ident) ?ns]
                           [(contains? #{"inv" "order" "item"} ?ns)]])",
            (*c)->db());
        if (!schema.ok()) return schema.status();
        return accrete::edn::Print(schema->value());
      }));

  // The input is JSON; a JSON string or an array of strings and numbers is
  // also EDN (commas are whitespace there), so the EDN reader parses it.
  status.Update(registry.RegisterLambda(
      "inventory.core/get-items-by-type",
      [conn](std::string_view input, const Value&) -> absl::StatusOr<std::string> {
        absl::StatusOr<accrete::Connection*> c = Open(conn);
        if (!c.ok()) return c.status();
        absl::StatusOr<Value> type = accrete::edn::Read(input);
        if (!type.ok() || !type->is_string()) {
          return absl::InvalidArgumentError("Expected a JSON string naming a type");
        }
        absl::StatusOr<accrete::QueryResult> items =
            accrete::q(kItemsByType, (*c)->db(), kw(type->as_string()));
        if (!items.ok()) return items.status();
        return accrete::edn::Print(items->value());
      }));

  status.Update(registry.RegisterLambda(
      "inventory.core/add-item",
      [conn](std::string_view input, const Value&) -> absl::StatusOr<std::string> {
        absl::StatusOr<accrete::Connection*> c = Open(conn);
        if (!c.ok()) return c.status();
        absl::StatusOr<Value> args = accrete::edn::Read(input);
        if (!args.ok() || !args->is_vector() || args->size() != 4) {
          return absl::InvalidArgumentError("Expected a JSON array [sku color size type]");
        }
        std::span<const Value> a = args->items();
        for (const Value& v : a) {
          if (!v.is_string()) return absl::InvalidArgumentError("Expected strings");
        }
        absl::StatusOr<accrete::TxReport> report = (*c)->transact(accrete::vec(
            {accrete::vec({accrete::sym("inventory.core/create-item"), a[0], kw(a[1].as_string()),
                           kw(a[2].as_string()), kw(a[3].as_string())})}));
        if (!report.ok()) return report.status();
        return accrete::edn::Print(accrete::map({{kw("t"), Value::Integer(report->t())}}));
      }));

  status.Update(registry.RegisterLambda(
      "inventory.core/ensure-sample-dataset",
      [conn](std::string_view, const Value&) -> absl::StatusOr<std::string> {
        absl::StatusOr<accrete::Connection*> c = Open(conn);
        if (!c.ok()) return c.status();
        absl::StatusOr<Value> outcome = EnsureSampleDataset(**c);
        if (!outcome.ok()) return outcome.status();
        return accrete::edn::Print(*outcome);
      }));

  // The web ion: the body is an EDN keyword naming a type (:hat); answers the
  // items as EDN.
  accrete::WebHandler items_by_type_web = [conn](const Value& request) -> absl::StatusOr<Value> {
    absl::StatusOr<accrete::Connection*> c = Open(conn);
    if (!c.ok()) return c.status();
    const Value* body = request.get(kw("body"));
    absl::StatusOr<Value> type = body != nullptr && body->is_string()
                                     ? accrete::edn::Read(body->as_string())
                                     : absl::InvalidArgumentError("no body");
    if (!type.ok() || !type->is_keyword()) {
      return accrete::map(
          {{kw("status"), 400}, {kw("body"), "Expected a request body keyword naming a type"}});
    }
    absl::StatusOr<accrete::QueryResult> items = accrete::q(kItemsByType, (*c)->db(), *type);
    if (!items.ok()) return items.status();
    return accrete::map({{kw("status"), 200},
                         {kw("headers"), accrete::map({{"Content-Type", "application/edn"}})},
                         {kw("body"), accrete::edn::Print(items->value())}});
  };
  status.Update(registry.RegisterWebHandler("inventory.core/items-by-type-web", items_by_type_web));
  // The same web ion behind API Gateway: a lambda taking proxy events.
  status.Update(registry.RegisterLambda("inventory.core/items-by-type-gw",
                                        accrete::Ionize(items_by_type_web)));
  return status;
}

absl::StatusOr<Value> EnsureSampleDataset(accrete::Connection& conn) {
  // Transacting the schema again would add an empty transaction each time.
  if (!conn.db().attribute(kw("inv/sku")).ok()) {
    if (absl::Status s = conn.transact(kSchema).status(); !s.ok()) return s;
  }
  absl::StatusOr<accrete::QueryResult> loaded =
      accrete::q("[:find ?e . :where [?e :inv/sku \"SKU-0\"]]", conn.db());
  if (!loaded.ok()) return loaded.status();
  if (loaded->value() != Value()) return kw("already-loaded");
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
  items += "]";
  for (std::string_view tx : {std::string_view(items),
                              R"([{:order/items [{:item/id [:inv/sku "SKU-25"] :item/count 10}
                           {:item/id [:inv/sku "SKU-26"] :item/count 20}]}])"sv,
                              R"([[:db/add [:inv/sku "SKU-21"] :inv/count 7]
            [:db/add [:inv/sku "SKU-22"] :inv/count 7]
            [:db/add [:inv/sku "SKU-42"] :inv/count 100]])"sv,
                              R"([[:db/retract [:inv/sku "SKU-22"] :inv/count 7]
            [:db/add "datomic.tx" :db/doc "remove incorrect assertion"]])"sv,
                              R"([[:db/add [:inv/sku "SKU-42"] :inv/count 1000]
            [:db/add "datomic.tx" :db/doc "correct data entry error"]])"sv}) {
    if (absl::Status s = conn.transact(tx).status(); !s.ok()) return s;
  }
  return kw("loaded");
}

}  // namespace inventory
