// libFuzzer target: the query parser, planner and engine against a small
// database. The input is EDN: a query, or a list (query input...) whose
// inputs follow the database bound to `$`. Every input must give a result or
// an error -- never a crash, a hang (each run has a deadline) or unbounded
// memory (each run has a small budget).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "accrete/accrete.hpp"
#include "small_db.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<accrete::Connection> conn =
      accrete::fuzz::OpenSmallDb("accrete-query-fuzz");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<accrete::Value> form = accrete::edn::Read(text);
  if (!form.ok()) return 0;
  std::vector<accrete::QueryInput> inputs{conn->db()};
  accrete::Value query = *form;
  if (form->is_list() && form->size() > 0) {
    query = form->items()[0];
    for (const accrete::Value& v : form->items().subspan(1)) inputs.emplace_back(v);
  }
  accrete::QueryOptions options;
  options.timeout = absl::Milliseconds(200);
  options.memory_budget = size_t{32} << 20;
  absl::StatusOr<accrete::Query> parsed = accrete::Query::FromValue(query);
  if (!parsed.ok()) return 0;
  absl::StatusOr<accrete::QueryResult> result = parsed->Run(inputs, options);
  if (result.ok()) (void)result->value();
  (void)parsed->Explain(inputs);
  return 0;
}
