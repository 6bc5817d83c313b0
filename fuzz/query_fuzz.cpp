// libFuzzer target: the query parser, planner and engine against a small
// database. The input is EDN: a query, or a list (query input...) whose
// inputs follow the database bound to `$`. Every input must give a result or
// an error -- never a crash, a hang (each run has a deadline) or unbounded
// memory (each run has a small budget).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "accrete/accrete.hpp"

namespace {

constexpr const char* kSchema = R"([
  {:db/ident :p/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :p/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :p/score :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
  {:db/ident :p/tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :p/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}])";

constexpr const char* kData = R"([
  {:db/id "a" :p/name "a" :p/age 1 :p/score 1.5 :p/tag [:x :y] :p/friend ["b" "c"]}
  {:db/id "b" :p/name "b" :p/age 2 :p/score 2.5 :p/tag [:y] :p/friend ["c"]}
  {:db/id "c" :p/name "c" :p/age 3 :p/tag [:z] :p/friend ["a"]}
  {:db/id "d" :p/name "d" :p/age 2}])";

accrete::Connection* OpenDb() {
  char dir[] = "/tmp/accrete-query-fuzz-XXXXXX";
  if (mkdtemp(dir) == nullptr) std::abort();
  accrete::Options options;
  options.durability = accrete::Durability::kRelaxed;
  auto conn = accrete::Connection::Open(dir, options);
  if (!conn.ok() || !(*conn)->transact(kSchema).ok() || !(*conn)->transact(kData).ok()) {
    std::abort();
  }
  return conn->release();  // lives for the whole fuzzing run
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static accrete::Connection* conn = OpenDb();
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
