// The SQLite side of the people comparison: the data file's people in one
// table per entity kind, indexed on every queried column, queried through
// prepared statements, each result materialised into one std::vector per row.
//
//   people(id INTEGER PRIMARY KEY, name, last_name, full_name, sex, age, salary)
//     indexes on name, last_name, sex, age, salary
//   aliases(person, alias)       PRIMARY KEY (person, alias) WITHOUT ROWID
//   follows(src, dst)            PRIMARY KEY (src, dst) WITHOUT ROWID, index on dst
//   follows_long(src, dst)       the same
//
// Rows go in by one transaction, the indexes are built after them, and
// ANALYZE gives the planner the statistics a tuned application would have.
// A person's id is its number in the data file.
//
// Not thread-safe: one SqlitePeople per thread.
#ifndef ACCRETE_BENCH_PEOPLE_SQLITE_SIDE_HPP_
#define ACCRETE_BENCH_PEOPLE_SQLITE_SIDE_HPP_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "people_data.hpp"
#include "workloads.hpp"

namespace accrete::bench::people {

class SqlitePeople {
 public:
  // Loads `data` into the database at `path` (":memory:" for an in-memory
  // one; a file path is created fresh). Aborts on failure.
  SqlitePeople(const std::string& path, const PeopleData& data);
  ~SqlitePeople();
  SqlitePeople(const SqlitePeople&) = delete;
  SqlitePeople& operator=(const SqlitePeople&) = delete;

  // The run of workload `name` (one of kWorkloads).
  RunFn Workload(std::string_view name);
  // The rows of query workload `name` (not a pull) as a ResultSet.
  ResultSet Answer(std::string_view name);

 private:
  using Cell = std::variant<int64_t, std::string>;
  using Row = std::vector<Cell>;
  // A pulled entity: the pull-tree pattern's attributes; for pull-many, the
  // followed entities carry only their id.
  struct Pulled {
    int64_t id = 0;
    std::string last_name, sex;
    std::vector<std::string> aliases;
    int64_t age = 0, salary = 0;
    std::vector<Pulled> follows;
  };

  sqlite3_stmt* Prepare(const char* sql);
  void Exec(const char* sql);
  void Load(const PeopleData& data);
  // Runs `stmt`, which returns no rows, and resets it.
  void Step(sqlite3_stmt* stmt);
  // The statement of query workload `name`, or nullptr (pulls).
  sqlite3_stmt* Statement(std::string_view name) const;
  // Steps `stmt` to the end, one Row of its columns per result row.
  std::vector<Row> Rows(sqlite3_stmt* stmt);
  // Fills `p` (whose id is set) from the people row, its aliases and the ids
  // it follows; with `recurse`, pulls the followed entities the same way.
  // Returns the entities pulled.
  size_t Pull(Pulled& p, bool recurse);

  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
  sqlite3_stmt *q1_ = nullptr, *q2_ = nullptr, *q3_ = nullptr, *q4_ = nullptr, *qpred1_ = nullptr,
               *qpred2_ = nullptr, *person_ = nullptr, *aliases_ = nullptr, *follows_ = nullptr,
               *closure_wide_ = nullptr, *closure_long_ = nullptr, *begin_ = nullptr,
               *commit_ = nullptr;
  std::vector<int64_t> wide_tree_;
};

}  // namespace accrete::bench::people

#endif  // ACCRETE_BENCH_PEOPLE_SQLITE_SIDE_HPP_
