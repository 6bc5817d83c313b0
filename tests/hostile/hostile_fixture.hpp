// The fixture of the hostile-input tests: a small database, and a check that a
// rejected input left everything stored as it was (same basis t, same datoms).
#ifndef ACCRETE_TESTS_HOSTILE_HOSTILE_FIXTURE_HPP_
#define ACCRETE_TESTS_HOSTILE_HOSTILE_FIXTURE_HPP_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/test_util.hpp"
#include "gmock/gmock.h"

namespace accrete::hostile_test {

constexpr const char* kSchema = R"([
  {:db/ident :p/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :p/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :p/score :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
  {:db/ident :p/key :db/valueType :db.type/double :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :p/label :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
  {:db/ident :p/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :p/part :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/isComponent true}])";

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options = testing_util::RelaxedOptions();
    options.max_value_bytes = 64 << 10;
    options.registry = &registry_;
    auto conn = Connection::Open(dir_.path(), options);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = std::move(*conn);
    ASSERT_OK(conn_->transact(kSchema));
    ASSERT_OK(conn_->transact(R"([{:p/name "ann" :p/age 30} {:p/name "bob" :p/age 40}])"));
  }

  // Every datom of the database (EAVT) as text.
  std::vector<std::string> Everything() {
    std::vector<std::string> out;
    auto datoms = conn_->db().datoms(Index::kEavt);
    EXPECT_TRUE(datoms.ok()) << datoms.status();
    if (!datoms.ok()) return out;
    for (const Datom& d : *datoms) out.push_back(d.to_string());
    return out;
  }

  // Transacts `tx_data`, expects it refused with `code` and a message holding
  // `fragment`, and nothing stored changed.
  void ExpectRefused(const Value& tx_data, absl::StatusCode code, std::string_view fragment) {
    const int64_t t = conn_->db().basis_t();
    const std::vector<std::string> before = Everything();
    absl::StatusOr<TxReport> report = conn_->transact(tx_data);
    ASSERT_FALSE(report.ok()) << "accepted: " << tx_data.to_string().substr(0, 200);
    EXPECT_EQ(report.status().code(), code) << report.status();
    EXPECT_THAT(std::string(report.status().message()), ::testing::HasSubstr(fragment));
    EXPECT_EQ(conn_->db().basis_t(), t);
    EXPECT_EQ(Everything(), before);
  }
  void ExpectRefusedEdn(std::string_view edn, absl::StatusCode code, std::string_view fragment) {
    absl::StatusOr<Value> tx_data = edn::Read(edn);
    ASSERT_TRUE(tx_data.ok()) << tx_data.status();
    ExpectRefused(*tx_data, code, fragment);
  }

  testing_util::TempDir dir_;
  Registry registry_;
  std::unique_ptr<Connection> conn_;
};

// `depth` nested copies of `open` ... `close` around `inner`.
inline std::string Nest(std::string_view open, std::string_view inner, std::string_view close,
                        int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += inner;
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

}  // namespace accrete::hostile_test

#endif  // ACCRETE_TESTS_HOSTILE_HOSTILE_FIXTURE_HPP_
