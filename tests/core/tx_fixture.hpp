// The fixture of the transaction tests (tests/core/tx_*_test.cpp): a fresh
// database with a small schema, a registry of its own, and helpers that read
// through the public API.
#ifndef ACCRETE_TESTS_CORE_TX_FIXTURE_HPP_
#define ACCRETE_TESTS_CORE_TX_FIXTURE_HPP_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "test_util.hpp"

namespace accrete::tx_test {

constexpr const char* kSchema = R"([
  {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/ssn :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/value}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/aliases :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
  {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :person/spouse :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :person/color :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :person/address :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/isComponent true}
  {:db/ident :address/city :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :address/street :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :order/items :db/valueType :db.type/ref :db/cardinality :db.cardinality/many
   :db/isComponent true}
  {:db/ident :order/customer :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :item/sku :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :badge/holder :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :badge/level :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :tx/user :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :color/red}
  {:db/ident :color/blue}
])";

// A composite tuple, installed after its members (a separate transaction,
// as most applications do).
constexpr const char* kRegistrationSchema = R"([
  {:db/ident :reg/course :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :reg/semester :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :reg/grade :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
])";
constexpr const char* kRegistrationComposite = R"([
  {:db/ident :reg/course+semester :db/valueType :db.type/tuple
   :db/tupleAttrs [:reg/course :reg/semester] :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
])";

class TxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options = testing_util::RelaxedOptions();
    options.registry = &registry_;
    options.max_value_bytes = 4096;
    Customize(&options);
    auto conn = Connection::Open(dir_.path(), options);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = *std::move(conn);
    auto schema = conn_->transact(kSchema);
    ASSERT_TRUE(schema.ok()) << schema.status();
  }
  virtual void Customize(Options*) {}

  Db db() const { return conn_->db(); }

  // Transacts `edn`; fails the test (and returns an empty report) on error.
  TxReport Tx(std::string_view edn) {
    auto report = conn_->transact(edn);
    EXPECT_TRUE(report.ok()) << report.status() << "\n  transacting " << edn;
    return report.ok() ? *std::move(report) : TxReport{db(), db(), {}, {}};
  }

  // Transacts `edn`, expects it to fail with `code` and a message containing
  // every one of `fragments`, and the database to be unchanged.
  void ExpectRejected(std::string_view edn, absl::StatusCode code,
                      std::vector<std::string> fragments) {
    const Db before = db();
    const std::vector<Datom> datoms_before = AllDatoms(before);
    auto report = conn_->transact(edn);
    ASSERT_FALSE(report.ok()) << "accepted: " << edn;
    EXPECT_EQ(report.status().code(), code) << report.status();
    for (const std::string& f : fragments) {
      EXPECT_THAT(std::string(report.status().message()), ::testing::HasSubstr(f));
    }
    const Db after = db();
    EXPECT_EQ(after.basis_t(), before.basis_t());
    EXPECT_EQ(AllDatoms(after), datoms_before);
  }

  static std::vector<Datom> AllDatoms(const Db& db) {
    auto datoms = db.datoms(Index::kEavt);
    EXPECT_TRUE(datoms.ok()) << datoms.status();
    if (!datoms.ok()) return {};
    auto all = std::move(*datoms).ToVector();
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? *std::move(all) : std::vector<Datom>{};
  }

  // The value of `attr` of the entity named by `ref` in the latest db
  // (nil / empty set when absent).
  Value Get(const Value& ref, std::string_view attr) const {
    auto entity = db().entity(ref);
    EXPECT_TRUE(entity.ok()) << entity.status();
    if (!entity.ok()) return Value();
    auto v = entity->Get(kw(attr));
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *std::move(v) : Value();
  }

  // The entity a lookup ref names in the latest db, or 0.
  EntityId Entid(const Value& ref) const {
    auto e = db().entid(ref);
    return e.ok() ? *e : 0;
  }

  EntityId AttrId(std::string_view ident) const { return Entid(kw(ident)); }

  // Datoms of `report` other than the transaction's own :db/txInstant.
  static std::vector<Datom> DataOf(const TxReport& report) {
    std::vector<Datom> out;
    for (const Datom& d : report.tx_data) {
      if (d.e != TToTx(report.t())) out.push_back(d);
    }
    return out;
  }

  testing_util::TempDir dir_;
  Registry registry_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace accrete::tx_test

#endif  // ACCRETE_TESTS_CORE_TX_FIXTURE_HPP_
