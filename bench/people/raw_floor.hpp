// The physical floor of q1: a raw LMDB cursor over exactly the AVET entries
// q1 must touch, those of [:name "Ivan"], each entity id decoded by hand from
// its key (docs/format.md) and pushed onto a vector, as q1 materialises its
// rows. It reads a page-for-page copy of accrete's environment (mdb_env_copy2
// without compaction), so that it can run interleaved with accrete's queries
// in one process (LMDB forbids opening one environment twice).
#ifndef ACCRETE_BENCH_PEOPLE_RAW_FLOOR_HPP_
#define ACCRETE_BENCH_PEOPLE_RAW_FLOOR_HPP_

#include <cstdint>
#include <string>

#include "raw_lmdb.hpp"
#include "workloads.hpp"

namespace accrete::bench::people {

// Copies the closed environment in `from_dir` into the new directory
// `to_dir`, pages as they are.
void CopyEnvironment(const std::string& from_dir, const std::string& to_dir);

class RawQ1 {
 public:
  // `dir` holds the copy; `name_attr` is the entity id of :name.
  RawQ1(const std::string& dir, int64_t name_attr);

  RunFn Run();

 private:
  RawEnv env_;
  MDB_dbi avet_ = 0;
  std::string prefix_;  // id(a) || the encoding of "Ivan"
};

}  // namespace accrete::bench::people

#endif  // ACCRETE_BENCH_PEOPLE_RAW_FLOOR_HPP_
