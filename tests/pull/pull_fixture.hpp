// The fixture of the pull tests: a fresh database with people, orders with
// component items, a tree, and a registry of its own for :xform functions.
// Expected results are written as EDN with `%name` standing for the entity id
// of tempid "name".
#ifndef ACCRETE_TESTS_PULL_PULL_FIXTURE_HPP_
#define ACCRETE_TESTS_PULL_PULL_FIXTURE_HPP_

#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tx_fixture.hpp"
#include "gmock/gmock.h"

namespace accrete::pull_test {

// The transaction tests' schema (people, components, enums) plus a tree and
// a component nested in a component.
constexpr const char* kPullSchema = R"([
  {:db/ident :item/parts :db/valueType :db.type/ref :db/cardinality :db.cardinality/many
   :db/isComponent true}
  {:db/ident :part/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :tree/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :tree/children :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
])";

// Entities that others refer to through cardinality-many refs come first and
// in their own transactions, so their ids ascend in the order named here
// (vectors of refs come in id order).
constexpr const char* kPeople[] = {
    R"([{:db/id "cid" :person/name "Cid" :person/email "cid@x"}])",
    R"([{:db/id "bob" :person/name "Bob" :person/email "bob@x" :person/spouse [:person/email "cid@x"]}])",
    R"([{:db/id "ann" :person/name "Ann" :person/email "ann@x" :person/age 30
         :person/aliases ["annie" "a"] :person/color :color/red :person/address "ann-home"}
        {:db/id "ann-home" :address/city "Oslo"}
        [:db/add "ann" :person/friend [:person/email "bob@x"]]
        [:db/add "ann" :person/friend [:person/email "cid@x"]]
        [:db/add [:person/email "bob@x"] :person/friend "ann"]])",
    R"([{:db/id "i1" :item/sku "A1" :item/parts ["bolt"]}
        {:db/id "bolt" :part/name "bolt"}
        {:db/id "i2" :item/sku "B2"}
        {:db/id "order" :order/customer [:person/email "ann@x"] :order/items ["i1" "i2"]}])",
    R"([{:db/id "c1" :tree/name "c1" :tree/children ["g1"]}
        {:db/id "g1" :tree/name "g1" :tree/children ["leaf"]}
        {:db/id "leaf" :tree/name "leaf"}])",
    R"([{:db/id "c2" :tree/name "c2"}])",
    R"([{:db/id "root" :tree/name "root"}
        [:db/add "root" :tree/children [:tree/name "c1"]]
        [:db/add "root" :tree/children [:tree/name "c2"]]])",
};

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options = testing_util::RelaxedOptions();
    options.registry = &registry_;
    auto conn = Connection::Open(dir_.path(), options);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = *std::move(conn);
    Tx(tx_test::kSchema);
    Tx(kPullSchema);
    for (const char* tx : kPeople) Tx(tx);
  }

  Db db() const { return conn_->db(); }

  // Transacts `edn` and remembers its tempids.
  TxReport Tx(std::string_view edn) {
    auto report = conn_->transact(edn);
    EXPECT_TRUE(report.ok()) << report.status() << "\n  transacting " << edn;
    if (!report.ok()) return TxReport{db(), db(), {}, {}};
    for (const auto& [name, id] : report->tempids) ids_[name] = id;
    return *std::move(report);
  }

  EntityId Id(const std::string& tempid) const {
    auto found = ids_.find(tempid);
    EXPECT_TRUE(found != ids_.end()) << "no tempid " << tempid;
    return found == ids_.end() ? 0 : found->second;
  }

  // EDN text with every %name replaced by the id of tempid `name`.
  Value Edn(std::string_view text) const {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '%') {
        out.push_back(text[i]);
        continue;
      }
      size_t end = i + 1;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-')) {
        ++end;
      }
      out += std::to_string(Id(std::string(text.substr(i + 1, end - i - 1))));
      i = end - 1;
    }
    auto value = edn::Read(out);
    EXPECT_TRUE(value.ok()) << value.status() << " reading " << out;
    return value.ok() ? *std::move(value) : Value();
  }

  Value Ref(const std::string& tempid) const { return Value::Integer(Id(tempid)); }

  // pull(db, pattern, eid), expected to succeed.
  Value Pull(const Db& db, std::string_view pattern, const Value& eid) const {
    auto result = pull(db, pattern, eid);
    EXPECT_TRUE(result.ok()) << result.status() << "\n  pulling " << pattern;
    return result.ok() ? *std::move(result) : Value();
  }
  Value Pull(std::string_view pattern, const Value& eid) const { return Pull(db(), pattern, eid); }

  // pull(db(), pattern, eid) is expected to fail with `code` and a message
  // holding each of `fragments`.
  void ExpectError(std::string_view pattern, const Value& eid, absl::StatusCode code,
                   std::vector<std::string> fragments) const {
    auto result = pull(db(), pattern, eid);
    ASSERT_FALSE(result.ok()) << "pulled " << result->to_string() << " with " << pattern;
    EXPECT_EQ(result.status().code(), code) << result.status();
    for (const std::string& f : fragments) {
      EXPECT_THAT(std::string(result.status().message()), ::testing::HasSubstr(f));
    }
  }

  testing_util::TempDir dir_;
  Registry registry_;
  std::unique_ptr<Connection> conn_;
  std::map<std::string, EntityId> ids_;
};

}  // namespace accrete::pull_test

#endif  // ACCRETE_TESTS_PULL_PULL_FIXTURE_HPP_
