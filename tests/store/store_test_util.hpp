// Helpers for the store tests: a temporary directory and datom builders.
#ifndef ACCRETE_TESTS_STORE_STORE_TEST_UTIL_HPP_
#define ACCRETE_TESTS_STORE_STORE_TEST_UTIL_HPP_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "accrete/db.hpp"
#include "store/encoding.hpp"
#include "store/store.hpp"

namespace accrete::internal::testing {

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "accrete-store-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // A path inside the directory, not yet created.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string Enc(const Value& v, ValueType type) {
  std::string out;
  absl::Status s = EncodeValue(v, TypeSpec{type, {}, false}, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

inline DatomWrite Add(uint64_t e, uint64_t a, const Value& v, ValueType type = ValueType::kLong) {
  return DatomWrite{
      .e = e, .a = a, .v = Enc(v, type), .added = true, .is_ref = type == ValueType::kRef};
}

inline DatomWrite Retract(uint64_t e, uint64_t a, const Value& v,
                          ValueType type = ValueType::kLong) {
  DatomWrite d = Add(e, a, v, type);
  d.added = false;
  return d;
}

// Applies one transaction at t in its own write transaction.
inline absl::Status ApplyOne(Store& store, int64_t t, const std::vector<DatomWrite>& datoms) {
  absl::StatusOr<WriteTxn> txn = store.BeginWrite();
  if (!txn.ok()) return txn.status();
  Meta meta;
  meta.basis_t = t;
  if (absl::Status s = txn->ApplyTx(t, datoms, meta); !s.ok()) return s;
  return txn->Commit();
}

inline uint64_t Tx(int64_t t) { return static_cast<uint64_t>(TToTx(t)); }

// The bytes one of the store's append functions writes for `x`.
template <typename T>
std::string Appended(void (*append)(std::string*, T), T x) {
  std::string out;
  append(&out, x);
  return out;
}

// An index entry's value: the t of its transaction.
inline std::string EntryValue(int64_t t) { return Appended(&AppendEntryT, t); }
// The history suffix of a lifetime asserted at t_a.
inline std::string HistorySuffix(int64_t t_a) { return Appended(&AppendHistorySuffix, t_a); }
// An id as it starts a key.
inline std::string Id(uint64_t x) { return Appended(&AppendId, x); }
inline std::string U64(uint64_t x) { return Appended(&PutU64, x); }

}  // namespace accrete::internal::testing

#endif  // ACCRETE_TESTS_STORE_STORE_TEST_UTIL_HPP_
