// The accrete side of the people comparison: the data file transacted
// through Connection::transact (relaxed durability), queried through the
// public query and pull API (query.hpp, pull.hpp) with prepared queries.
//
// Not thread-safe.
#ifndef ACCRETE_BENCH_PEOPLE_ACCRETE_SIDE_HPP_
#define ACCRETE_BENCH_PEOPLE_ACCRETE_SIDE_HPP_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "accrete/accrete.hpp"
#include "accrete/query.hpp"
#include "people_data.hpp"
#include "workloads.hpp"

namespace accrete::bench::people {

class AccretePeople {
 public:
  // Creates a database in `dir` and transacts the data file's schema and
  // people transactions. Aborts on failure.
  static std::unique_ptr<AccretePeople> Load(const std::string& dir, const PeopleFile& file,
                                             const PeopleData& data);

  // The entity id of person `number`.
  EntityId Person(int64_t number) const;
  // The entity id of attribute `ident`.
  EntityId Attr(std::string_view ident) const;

  // Closes the connection and drops every Db, so that raw LMDB may open the
  // directory; Reopen() opens it again.
  void Close();
  void Reopen();

  // The run of workload `name` through the query and pull API, or nullptr
  // (after printing why) when the engine cannot run it. Only in builds with
  // the query engine (ACCRETE_PEOPLE_QUERY).
  RunFn Workload(std::string_view name);
  // The rows of query workload `name` (not a pull) as a ResultSet; empty
  // when the engine cannot run it.
  ResultSet Answer(std::string_view name);
  // When set, Workload() prints the plan (Query::Explain) of each query.
  void set_explain(bool explain) { explain_ = explain; }

 private:
  AccretePeople(std::string dir, const PeopleData& data) : dir_(std::move(dir)), data_(data) {}
  // The inputs of query workload `name` after its :in $.
  std::vector<QueryInput> Inputs(std::string_view name) const;

  std::string dir_;
  const PeopleData& data_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Db> db_;  // the latest db after loading
  std::map<std::string, EntityId> tempids_;
  bool explain_ = false;
};

}  // namespace accrete::bench::people

#endif  // ACCRETE_BENCH_PEOPLE_ACCRETE_SIDE_HPP_
