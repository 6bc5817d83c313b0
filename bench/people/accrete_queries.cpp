// The accrete side's workloads: prepared queries (Query::Parse once, Run per
// run) and pull / pull_many, all through the public API. Built only with the
// query engine (ACCRETE_PEOPLE_QUERY).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "accrete/edn.hpp"
#include "accrete/pull.hpp"
#include "accrete/query.hpp"
#include "accrete_side.hpp"
#include "bench_util.hpp"

namespace accrete::bench::people {
namespace {

// The entity maps in a pull-tree result: the root and, below :follows, theirs.
size_t CountPulled(const Value& m) {
  static const Value kFollows = Value::Keyword("follows");
  size_t n = 1;
  if (const Value* f = m.get(kFollows); f != nullptr) {
    for (const Value& child : f->items()) n += CountPulled(child);
  }
  return n;
}

void Skip(std::string_view workload, const absl::Status& status) {
  std::fprintf(stderr, "people_compare: accrete cannot run %.*s: %s\n",
               static_cast<int>(workload.size()), workload.data(), status.ToString().c_str());
}

// The first run of a workload, which decides whether it is timed: an error
// status, or an exception escaping the engine (bad_alloc), skips it with a
// message instead of ending the whole comparison.
template <typename Run>
bool Trial(std::string_view workload, Run run) {
  try {
    const absl::Status status = run();
    if (status.ok()) return true;
    Skip(workload, status);
  } catch (const std::exception& e) {
    Skip(workload, absl::InternalError(std::string("exception: ") + e.what()));
  }
  return false;
}

}  // namespace

RunFn AccretePeople::Workload(std::string_view name) {
  const people::Workload* workload = nullptr;  // the struct, not this function
  for (const auto& w : kWorkloads) {
    if (w.name == name) workload = &w;
  }
  if (workload == nullptr) return nullptr;
  const Db db = *db_;

  if (name == "pull-tree" || name == "pull-many") {
    absl::StatusOr<Value> pattern = edn::Read(workload->datalog);
    Check(pattern.status(), "pull pattern");
    if (name == "pull-tree") {
      const Value root = Value::Integer(Person(1));
      if (!Trial(name, [&] { return pull(db, *pattern, root).status(); })) return nullptr;
      return [db, pattern = *pattern, root] {
        return CountPulled(Check(pull(db, pattern, root), "pull"));
      };
    }
    std::vector<Value> eids;
    for (int64_t n : WideTree(data_)) eids.push_back(Value::Integer(Person(n)));
    if (!Trial(name, [&] { return pull_many(db, *pattern, eids).status(); })) return nullptr;
    return [db, pattern = *pattern, eids = std::move(eids)] {
      return Check(pull_many(db, pattern, eids), "pull_many").size();
    };
  }

  absl::StatusOr<Query> query = Query::Parse(workload->datalog);
  if (!query.ok()) {
    Skip(name, query.status());
    return nullptr;
  }
  std::vector<QueryInput> inputs = Inputs(name);
  if (!Trial(name, [&] { return query->Run(inputs).status(); })) return nullptr;
  if (explain_) {
    absl::StatusOr<Value> plan = query->Explain(inputs);
    std::printf("  accrete plan of %.*s: %s\n", static_cast<int>(name.size()), name.data(),
                plan.ok() ? edn::Print(*plan).c_str() : plan.status().ToString().c_str());
  }
  return [query = *std::move(query), inputs = std::move(inputs)] {
    return Check(query.Run(inputs), "query").size();
  };
}

ResultSet AccretePeople::Answer(std::string_view name) {
  ResultSet answer;
  const people::Workload* workload = nullptr;
  for (const auto& w : kWorkloads) {
    if (w.name == name) workload = &w;
  }
  if (workload == nullptr || EntityColumns(name) == 0) return answer;
  absl::StatusOr<Query> query = Query::Parse(workload->datalog);
  if (!query.ok()) return answer;
  absl::StatusOr<QueryResult> result = query->Run(Inputs(name));
  if (!result.ok()) return answer;
  std::map<EntityId, int64_t> numbers;
  for (const auto& [tempid, e] : tempids_) numbers[e] = std::stoll(tempid.substr(1));
  for (std::span<const Value> row : *result) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line.push_back('|');
      const Value& v = row[c];
      if (static_cast<int>(c) < EntityColumns(name)) {
        auto it = numbers.find(v.as_int());
        line.append(it != numbers.end() ? std::to_string(it->second) : "?" + v.to_string());
      } else if (v.is_string()) {
        line.append(v.as_string());
      } else {
        line.append(v.to_string());
      }
    }
    answer.push_back(std::move(line));
  }
  std::sort(answer.begin(), answer.end());
  return answer;
}

std::vector<QueryInput> AccretePeople::Inputs(std::string_view name) const {
  std::vector<QueryInput> inputs = {QueryInput(*db_)};
  if (name == "qpred2") inputs.emplace_back(Value::Integer(kMinSalary));
  if (name == "rules-wide-4x5" || name == "rules-long-30x5") {
    absl::StatusOr<Value> rules = edn::Read(name == "rules-wide-4x5" ? kWideRules : kLongRules);
    Check(rules.status(), "rules");
    inputs.emplace_back(*rules);
  }
  return inputs;
}

}  // namespace accrete::bench::people
