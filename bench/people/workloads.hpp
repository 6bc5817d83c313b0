// The workloads of the people comparison, by name, and what one system must
// provide to be timed on them.
//
// Every system runs the same workloads on the same data file and returns, for
// each run, the number of rows (or pulled entities) it materialised: the
// comparison checks that all systems agree before it prints a time.
#ifndef ACCRETE_BENCH_PEOPLE_WORKLOADS_HPP_
#define ACCRETE_BENCH_PEOPLE_WORKLOADS_HPP_

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace accrete::bench::people {

// The queries as Datalog (datascript/bench.js holds the same list with
// attribute names as strings, which is how DataScript's JS API names them).
struct Workload {
  const char* name;
  const char* datalog;  // for pulls: the pattern
  bool people_query;    // one of the six queries the issue sets targets for
};

inline constexpr std::array<Workload, 10> kWorkloads = {{
    {"q1", "[:find ?e :where [?e :name \"Ivan\"]]", true},
    {"q2", "[:find ?e ?a :where [?e :name \"Ivan\"] [?e :age ?a]]", true},
    {"q3", "[:find ?e ?a :where [?e :name \"Ivan\"] [?e :age ?a] [?e :sex :male]]", true},
    {"q4",
     "[:find ?e ?l ?a :where [?e :name \"Ivan\"] [?e :last-name ?l] [?e :age ?a] "
     "[?e :sex :male]]",
     true},
    {"qpred1", "[:find ?e ?s :where [?e :salary ?s] [(> ?s 50000)]]", true},
    {"qpred2", "[:find ?e ?s :in $ ?min_s :where [?e :salary ?s] [(> ?s ?min_s)]]", true},
    // DataScript's pull-v1: a recursive pull of the wide tree from its root.
    {"pull-tree", "[:db/id :last-name :alias :sex :age :salary {:follows ...}]", false},
    // pull_many of the 781 nodes of the wide tree, refs as {:db/id e}.
    {"pull-many", "[:db/id :last-name :alias :sex :age :salary :follows]", false},
    // DataScript's bench-rules: the transitive closure of a follows rule.
    {"rules-wide-4x5", "[:find ?e ?e2 :in $ % :where (follows ?e ?e2)]", false},
    {"rules-long-30x5", "[:find ?e ?e2 :in $ % :where (follows ?e ?e2)]", false},
}};

// The rule sets of the two rules workloads.
inline constexpr const char* kWideRules =
    "[[(follows ?x ?y) [?x :follows ?y]]"
    " [(follows ?x ?y) [?x :follows ?t] (follows ?t ?y)]]";
inline constexpr const char* kLongRules =
    "[[(follows ?x ?y) [?x :follows-long ?y]]"
    " [(follows ?x ?y) [?x :follows-long ?t] (follows ?t ?y)]]";

// How many leading columns of a query workload's rows are entities (the rest
// are values): compared across systems as person numbers, not as ids.
inline int EntityColumns(std::string_view workload) {
  return workload.starts_with("rules-") ? 2 : workload.starts_with("pull-") ? 0 : 1;
}

// One query result as each system's ResultSet gives it, for comparing
// answers: each row's cells joined by '|', entities as person numbers, the
// rows sorted.
using ResultSet = std::vector<std::string>;

// qpred2's input.
inline constexpr int64_t kMinSalary = 50'000;

// One run of one workload on one system: returns the rows it materialised.
using RunFn = std::function<size_t()>;

}  // namespace accrete::bench::people

#endif  // ACCRETE_BENCH_PEOPLE_WORKLOADS_HPP_
