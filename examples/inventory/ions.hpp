// The inventory example's application code ("ions"), shared by its two
// programs: `inventory` (main.cpp, a scripted tour) and `inventory-accrete`
// (accrete_main.cpp, the `accrete` tool with these ions linked in, which
// serves them and invokes its lambdas from the shell).
#ifndef ACCRETE_EXAMPLES_INVENTORY_IONS_HPP_
#define ACCRETE_EXAMPLES_INVENTORY_IONS_HPP_

#include <functional>
#include <string_view>

#include "accrete/accrete.hpp"

namespace inventory {

// The items of a type, each pulled as a map: what get-items-by-type answers.
inline constexpr std::string_view kItemsByType =
    R"([:find [(pull ?e [:inv/sku :inv/color :inv/size]) ...]
        :in $ ?type :where [?e :inv/type ?type]])";

// Where the lambdas and the web ion find the database: called on every
// invocation, so that a program may register the ions before it opens the
// database (nullptr until then: the ion fails with FailedPrecondition).
using ConnectionSource = std::function<accrete::Connection*()>;

// Registers the application's functions under inventory.core/...:
// valid-sku? (attribute predicate), create-item and inc-count (transaction
// functions), feature-item? and secret-discount (query functions),
// get-schema, get-items-by-type, add-item and ensure-sample-dataset
// (lambdas), items-by-type-web (web ion) and items-by-type-gw (the web ion
// ionized: a lambda taking API Gateway proxy events).
absl::Status RegisterIons(accrete::Registry& registry, ConnectionSource conn);

// Installs the schema and loads the sample dataset unless it is already
// there: :loaded or :already-loaded.
absl::StatusOr<accrete::Value> EnsureSampleDataset(accrete::Connection& conn);

}  // namespace inventory

#endif  // ACCRETE_EXAMPLES_INVENTORY_IONS_HPP_
