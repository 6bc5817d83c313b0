// libFuzzer target: pull patterns against a small database. The input is EDN:
// a pattern, pulled from a few fixed entities, or a list (pattern eid...).
// Every input must give a result or an error -- never a crash -- and a
// pattern that pulls from one entity must pull the same through pull_many.
// A history db must refuse every pattern, as documented.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "accrete/accrete.hpp"
#include "fail.hpp"
#include "registry.hpp"
#include "small_db.hpp"

namespace {

using accrete::Value;
using accrete::fuzz::Fail;

std::vector<absl::Status> AddXforms(accrete::Registry& registry) {
  return {
      registry.RegisterXform(
          "fz/wrap", [](const Value& v) -> absl::StatusOr<Value> { return accrete::vec({v}); }),
      registry.RegisterXform("fz/fail",
                             [](const Value&) -> absl::StatusOr<Value> {
                               return absl::InvalidArgumentError("fz/fail");
                             }),
  };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static accrete::Registry* registry = accrete::fuzz::MakeRegistry(AddXforms);
  static std::unique_ptr<accrete::Connection> conn =
      accrete::fuzz::OpenSmallDb("accrete-pull-fuzz", registry);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  accrete::edn::ReadOptions read_options;
  read_options.max_depth = 64;
  absl::StatusOr<Value> form = accrete::edn::Read(text, read_options);
  if (!form.ok()) return 0;

  const accrete::Db db = conn->db();
  Value pattern = *form;
  std::vector<Value> eids = {accrete::vec({accrete::kw("p/name"), Value("a")}),
                             Value(accrete::MakeEntityId(accrete::kPartUser, 1)),
                             accrete::kw("color/red"), accrete::kw("p/name")};
  if (form->is_list() && form->size() > 0) {
    pattern = form->items()[0];
    eids.assign(form->items().begin() + 1, form->items().end());
  }
  std::vector<Value> one_by_one;
  for (const Value& eid : eids) {
    absl::StatusOr<Value> pulled = accrete::pull(db, pattern, eid);
    if (!pulled.ok()) {
      if (pulled.status().message().empty()) Fail("error without a message", text, "");
      one_by_one.clear();
      break;
    }
    (void)accrete::edn::Print(*pulled);
    one_by_one.push_back(*std::move(pulled));
  }
  absl::StatusOr<std::vector<Value>> many = accrete::pull_many(db, pattern, eids);
  if (!eids.empty() && many.ok() != (one_by_one.size() == eids.size())) {
    Fail("pull_many disagrees with pull about success", text,
         many.ok() ? "pull_many succeeded" : many.status().ToString());
  }
  if (!eids.empty() && many.ok() && *many != one_by_one) {
    Fail("pull_many disagrees with pull", text, accrete::edn::Print(Value::Vector(*many)));
  }
  if (!eids.empty()) {
    // (A malformed or unmatched eid may be reported before the history db.)
    absl::StatusOr<Value> from_history = accrete::pull(db.history(), pattern, eids[0]);
    if (from_history.ok()) {
      Fail("a history db did not refuse pull", text, accrete::edn::Print(*from_history));
    }
  }
  (void)accrete::pull(db.as_of(2), pattern, eids.empty() ? Value() : eids[0]);
  return 0;
}
