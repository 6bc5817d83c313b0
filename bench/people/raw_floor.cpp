#include "raw_floor.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "bench_util.hpp"

namespace accrete::bench::people {

void CopyEnvironment(const std::string& from_dir, const std::string& to_dir) {
  if (mkdir(to_dir.c_str(), 0700) != 0) CheckRc(errno, "mkdir " + to_dir, "");
  RawEnv env(from_dir, MDB_RDONLY);
  const int rc = mdb_env_copy2(env.env(), to_dir.c_str(), 0);
  CheckRc(rc, "mdb_env_copy2", mdb_strerror(rc));
}

RawQ1::RawQ1(const std::string& dir, int64_t name_attr) : env_(dir, MDB_RDONLY) {
  avet_ = env_.OpenDbi("avet");
  // id(a): a count byte, then the significant bytes, most significant first.
  const auto a = static_cast<uint64_t>(name_attr);
  int n = 0;
  for (uint64_t x = a; x != 0; x >>= 8) ++n;
  prefix_.push_back(static_cast<char>(n));
  for (int i = n - 1; i >= 0; --i) prefix_.push_back(static_cast<char>(a >> (8 * i)));
  // A string: tag 31, the bytes (no 00 in "Ivan" to stuff), 00 01.
  prefix_.push_back('\x31');
  prefix_.append("Ivan");
  prefix_.push_back('\x00');
  prefix_.push_back('\x01');
}

RunFn RawQ1::Run() {
  return [this] {
    std::vector<int64_t> rows;
    RawReadTxn txn(env_);
    MDB_cursor* cursor = nullptr;
    CheckRc(mdb_cursor_open(txn.txn(), avet_, &cursor), "mdb_cursor_open", "");
    MDB_val key{prefix_.size(), prefix_.data()}, value;
    for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
      const auto* k = static_cast<const unsigned char*>(key.mv_data);
      if (key.mv_size < prefix_.size() || std::memcmp(k, prefix_.data(), prefix_.size()) != 0) {
        break;
      }
      // tail(e) ends the key: id(e) then its count byte n again.
      const size_t n = k[key.mv_size - 1];
      uint64_t e = 0;
      for (size_t i = key.mv_size - 1 - n; i < key.mv_size - 1; ++i) e = (e << 8) | k[i];
      rows.push_back(static_cast<int64_t>(e));
    }
    mdb_cursor_close(cursor);
    return rows.size();
  };
}

}  // namespace accrete::bench::people
