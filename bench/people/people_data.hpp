// The people data set of the side-by-side comparison (bench/people): the
// DataScript benchmark's 20,000 people plus two :follows graphs for the pull
// and rule workloads, generated from a fixed seed, written as one EDN file of
// tx data, and read back from that file by every system's loader.
//
// The file (docs/benchmarks.md, "The people comparison") is an EDN vector of
// two transactions:
//   [[{:db/ident :name :db/valueType :db.type/string :db/cardinality ...
//      :db/index true} ...]
//    [{:db/id "p1" :name "Ivan" :last-name "Petrov" :full-name "Ivan Petrov"
//      :alias ["Abu Nuwas" ...] :sex :male :age 33 :salary 61234
//      :follows ["p5" "p6" "p7" "p8" "p9"]} ...]]
// Person k has the string tempid "p<k>", k = 1..20000, in that order.
//
// The graphs follow DataScript's bench (bench/datascript/bench/bench.cljc):
//   :follows       the wide tree of depth 4 and width 5: node n follows
//                  5n .. 5n+4, rooted at node 1 (781 nodes, ids up to 1249);
//                  node n is person n.
//   :follows-long  5 chains of 30 edges: node x*31 + y follows x*31 + y + 1;
//                  node n is person 2001 + n.
#ifndef ACCRETE_BENCH_PEOPLE_PEOPLE_DATA_HPP_
#define ACCRETE_BENCH_PEOPLE_PEOPLE_DATA_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "accrete/value.hpp"

namespace accrete::bench::people {

inline constexpr int64_t kPeople = 20'000;
inline constexpr uint64_t kSeed = 20'000;
inline constexpr int kWideDepth = 4;
inline constexpr int kWideWidth = 5;
inline constexpr int kLongDepth = 30;
inline constexpr int kLongWidth = 5;
inline constexpr int64_t kLongFirstPerson = 2001;

struct Person {
  int64_t number = 0;  // k of the tempid "p<k>"
  std::string name, last_name, full_name;
  std::vector<std::string> aliases;  // distinct
  std::string sex;                   // "male" or "female" (a keyword in EDN)
  int64_t age = 0, salary = 0;
  std::vector<int64_t> follows;       // person numbers
  std::vector<int64_t> follows_long;  // person numbers
};

struct PeopleData {
  std::vector<Person> people;  // people[k - 1] is person k
  const Person& person(int64_t number) const { return people[static_cast<size_t>(number - 1)]; }
};

// The data set for `seed` (deterministic: its own modulo draws from
// mt19937_64, not std distributions, which differ between libraries).
PeopleData Generate(uint64_t seed = kSeed);

// The data file's text.
std::string ToEdn(const PeopleData& data);

// The schema transaction and the people transaction of a data file.
struct PeopleFile {
  Value schema_tx;
  Value people_tx;
};
absl::StatusOr<PeopleFile> ReadFile(const std::string& path);

// The people of a data file's people transaction.
absl::StatusOr<PeopleData> FromTx(const Value& people_tx);

// The person numbers of the wide :follows tree in breadth-first order from
// person 1 (the pull-many workload's eids, in this order on every system).
std::vector<int64_t> WideTree(const PeopleData& data);

// The tempid of person `number`: "p<number>".
std::string Tempid(int64_t number);

}  // namespace accrete::bench::people

#endif  // ACCRETE_BENCH_PEOPLE_PEOPLE_DATA_HPP_
