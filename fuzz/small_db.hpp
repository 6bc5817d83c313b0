// A small database for the fuzz targets that need one: a few attributes of
// every kind the engines treat differently (identity, many, ref, component,
// tuple) and a handful of entities. It lives in a fresh directory under /tmp
// that is removed when the fuzzer exits.
#ifndef ACCRETE_FUZZ_SMALL_DB_HPP_
#define ACCRETE_FUZZ_SMALL_DB_HPP_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "accrete/accrete.hpp"

namespace accrete::fuzz {

inline constexpr const char* kSchema = R"([
  {:db/ident :p/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :p/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :p/score :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
  {:db/ident :p/tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :p/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :p/best :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :p/part :db/valueType :db.type/ref :db/cardinality :db.cardinality/many
   :db/isComponent true}
  {:db/ident :p/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/value}
  {:db/ident :p/born :db/valueType :db.type/instant :db/cardinality :db.cardinality/one}
  {:db/ident :p/id :db/valueType :db.type/uuid :db/cardinality :db.cardinality/one}
  {:db/ident :p/blob :db/valueType :db.type/bytes :db/cardinality :db.cardinality/one}
  {:db/ident :p/big :db/valueType :db.type/bigint :db/cardinality :db.cardinality/one}
  {:db/ident :p/dec :db/valueType :db.type/bigdec :db/cardinality :db.cardinality/one}
  {:db/ident :p/ok :db/valueType :db.type/boolean :db/cardinality :db.cardinality/one}
  {:db/ident :p/pos :db/valueType :db.type/tuple :db/tupleTypes [:db.type/long :db.type/string]
   :db/cardinality :db.cardinality/one}
  {:db/ident :p/name+age :db/valueType :db.type/tuple :db/tupleAttrs [:p/name :p/age]
   :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
  {:db/ident :p/note :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/noHistory true}
  {:db/ident :color/red} {:db/ident :color/blue}])";

inline constexpr const char* kData = R"([
  {:db/id "a" :p/name "a" :p/age 1 :p/score 1.5 :p/tag [:x :y] :p/friend ["b" "c"]
   :p/best "b" :p/email "a@x" :p/part [{:p/name "a1"} {:p/name "a2" :p/age 7}]
   :p/born #inst "2020-01-01T00:00:00Z" :p/id #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
   :p/ok true :p/pos [1 "x"] :p/note "n"}
  {:db/id "b" :p/name "b" :p/age 2 :p/score 2.5 :p/tag [:y] :p/friend ["c"] :p/best "a"
   :p/big 123456789012345678901234567890N :p/dec 1.25M}
  {:db/id "c" :p/name "c" :p/age 3 :p/tag [:z] :p/friend ["a"]}
  {:db/id "d" :p/name "d" :p/age 2}])";

// A fresh directory under /tmp, removed at exit.
inline std::string TempDir(const char* prefix) {
  std::string dir = std::string("/tmp/") + prefix + "-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) std::abort();
  static std::vector<std::string>* made = [] {
    auto* dirs = new std::vector<std::string>;
    std::atexit([] {
      for (const std::string& d : *made) {
        std::error_code ignored;
        std::filesystem::remove_all(d, ignored);
      }
    });
    return dirs;
  }();
  made->push_back(dir);
  return dir;
}

// A connection (relaxed durability: the fuzzers need no fsync) to a new
// database holding kSchema and kData, or abort.
inline std::unique_ptr<Connection> OpenSmallDb(const char* prefix,
                                               const Registry* registry = nullptr) {
  Options options;
  options.durability = Durability::kRelaxed;
  options.registry = registry;
  // A fixed clock: the same tx data gives the same datoms, txInstant included.
  options.clock = [] { return int64_t{1600000000000}; };
  auto conn = Connection::Open(TempDir(prefix), options);
  if (!conn.ok() || !(*conn)->transact(kSchema).ok() || !(*conn)->transact(kData).ok()) {
    std::abort();
  }
  return std::move(*conn);
}

}  // namespace accrete::fuzz

#endif  // ACCRETE_FUZZ_SMALL_DB_HPP_
