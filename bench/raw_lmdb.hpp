// Raw LMDB for the baselines and the space census. Only the benchmarks use
// lmdb.h outside lib/store: they compare accrete against what LMDB alone can
// do on the same sub-databases.
//
// LMDB forbids opening one environment twice in a process: a RawEnv on a
// directory must only exist while no accrete Connection (and no Db) has that
// directory open, and the other way round.
#ifndef ACCRETE_BENCH_RAW_LMDB_HPP_
#define ACCRETE_BENCH_RAW_LMDB_HPP_

#include <lmdb.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace accrete::bench {

class RawEnv {
 public:
  // Opens the environment in directory `dir` (created by accrete or by
  // CreateDir). `flags` as for mdb_env_open (MDB_RDONLY, MDB_NOSYNC...).
  // Aborts on failure.
  RawEnv(const std::string& dir, unsigned flags, size_t map_size = 0);
  ~RawEnv();
  RawEnv(const RawEnv&) = delete;
  RawEnv& operator=(const RawEnv&) = delete;

  MDB_env* env() const { return env_; }
  // The handle of named sub-database `name`, opened in `txn` (MDB_CREATE in
  // `flags` creates it). The handle outlives `txn` only if `txn` commits.
  MDB_dbi OpenDbi(MDB_txn* txn, const char* name, unsigned flags = 0);
  // The handle of existing sub-database `name`, for the life of the env.
  MDB_dbi OpenDbi(const char* name);

 private:
  MDB_env* env_ = nullptr;
};

// A read transaction, aborted when destroyed.
class RawReadTxn {
 public:
  explicit RawReadTxn(const RawEnv& env);
  ~RawReadTxn();
  RawReadTxn(const RawReadTxn&) = delete;
  RawReadTxn& operator=(const RawReadTxn&) = delete;
  MDB_txn* txn() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
};

// What one named sub-database holds.
struct SubDbUsage {
  std::string name;
  uint64_t entries = 0;
  uint64_t pages = 0;        // branch + leaf + overflow pages
  uint64_t key_bytes = 0;    // summed over entries (only with count_bytes)
  uint64_t value_bytes = 0;  // summed over entries (only with count_bytes)
};

// Every named sub-database of the environment, from mdb_stat (and, with
// `count_bytes`, a full cursor pass summing key and value sizes).
std::vector<SubDbUsage> Census(const RawEnv& env, bool count_bytes);

// The page size of the environment.
unsigned PageSize(const RawEnv& env);

// Copies the environment with MDB_CP_COMPACT (free pages dropped, pages
// renumbered) into the new directory `to_dir` and returns the size of the
// copy's data.mdb: the bytes the data really takes.
uint64_t CompactedBytes(const RawEnv& env, const std::string& to_dir);

}  // namespace accrete::bench

#endif  // ACCRETE_BENCH_RAW_LMDB_HPP_
