#include "raw_lmdb.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <string_view>

#include "bench_util.hpp"

namespace accrete::bench {

RawEnv::RawEnv(const std::string& dir, unsigned flags, size_t map_size) {
  CheckRc(mdb_env_create(&env_), "mdb_env_create", "");
  CheckRc(mdb_env_set_maxdbs(env_, 32), "mdb_env_set_maxdbs", "");
  if (map_size != 0) CheckRc(mdb_env_set_mapsize(env_, map_size), "mdb_env_set_mapsize", "");
  int rc = mdb_env_open(env_, dir.c_str(), flags, 0600);
  CheckRc(rc, "mdb_env_open " + dir, mdb_strerror(rc));
}

RawEnv::~RawEnv() { mdb_env_close(env_); }

MDB_dbi RawEnv::OpenDbi(MDB_txn* txn, const char* name, unsigned flags) {
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn, name, flags, &dbi);
  CheckRc(rc, std::string("mdb_dbi_open ") + (name != nullptr ? name : "(main)"), mdb_strerror(rc));
  return dbi;
}

MDB_dbi RawEnv::OpenDbi(const char* name) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  CheckRc(rc, "mdb_txn_begin (read)", mdb_strerror(rc));
  const MDB_dbi dbi = OpenDbi(txn, name);
  CheckRc(mdb_txn_commit(txn), "mdb_txn_commit (read)", "");
  return dbi;
}

RawReadTxn::RawReadTxn(const RawEnv& env) {
  int rc = mdb_txn_begin(env.env(), nullptr, MDB_RDONLY, &txn_);
  CheckRc(rc, "mdb_txn_begin (read)", mdb_strerror(rc));
}

RawReadTxn::~RawReadTxn() { mdb_txn_abort(txn_); }

namespace {

SubDbUsage Usage(MDB_txn* txn, MDB_dbi dbi, std::string name, bool count_bytes) {
  SubDbUsage usage;
  usage.name = std::move(name);
  MDB_stat st;
  CheckRc(mdb_stat(txn, dbi, &st), "mdb_stat", "");
  usage.entries = st.ms_entries;
  usage.pages = st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
  if (!count_bytes) return usage;
  MDB_cursor* cursor = nullptr;
  CheckRc(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open", "");
  MDB_val key, value;
  for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    usage.key_bytes += key.mv_size;
    usage.value_bytes += value.mv_size;
  }
  mdb_cursor_close(cursor);
  return usage;
}

}  // namespace

std::vector<SubDbUsage> Census(const RawEnv& env, bool count_bytes) {
  RawReadTxn read(env);
  // The main database's keys are the names of the sub-databases.
  MDB_dbi main_dbi = 0;
  CheckRc(mdb_dbi_open(read.txn(), nullptr, 0, &main_dbi), "mdb_dbi_open (main)", "");
  std::vector<std::string> names;
  MDB_cursor* cursor = nullptr;
  CheckRc(mdb_cursor_open(read.txn(), main_dbi, &cursor), "mdb_cursor_open", "");
  MDB_val key, value;
  for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    names.emplace_back(static_cast<const char*>(key.mv_data), key.mv_size);
  }
  mdb_cursor_close(cursor);

  std::vector<SubDbUsage> result;
  result.push_back(Usage(read.txn(), main_dbi, "(main)", false));
  for (const std::string& name : names) {
    MDB_dbi dbi = 0;
    if (mdb_dbi_open(read.txn(), name.c_str(), 0, &dbi) != 0) continue;  // not a sub-db
    result.push_back(Usage(read.txn(), dbi, name, count_bytes));
  }
  return result;
}

unsigned PageSize(const RawEnv& env) {
  MDB_stat st;
  CheckRc(mdb_env_stat(env.env(), &st), "mdb_env_stat", "");
  return st.ms_psize;
}

uint64_t CompactedBytes(const RawEnv& env, const std::string& to_dir) {
  if (mkdir(to_dir.c_str(), 0700) != 0) CheckRc(errno, "mkdir " + to_dir, "");
  int rc = mdb_env_copy2(env.env(), to_dir.c_str(), MDB_CP_COMPACT);
  CheckRc(rc, "mdb_env_copy2", mdb_strerror(rc));
  return FileBytes(to_dir + "/data.mdb");
}

}  // namespace accrete::bench
