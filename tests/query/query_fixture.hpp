// The fixture of the query conformance tests: a database with people,
// friendships, a small follows graph and a history, queried through the
// public API only.
#ifndef ACCRETE_TESTS_QUERY_QUERY_FIXTURE_HPP_
#define ACCRETE_TESTS_QUERY_QUERY_FIXTURE_HPP_

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/test_util.hpp"
#include "gmock/gmock.h"

namespace accrete::query_test {

constexpr const char* kSchema = R"([
  {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/salary :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
  {:db/ident :person/alias :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
  {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :person/sex :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
  {:db/ident :person/parent :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :person/joined :db/valueType :db.type/instant :db/cardinality :db.cardinality/one}
])";

// Ivan(30) Petr(25) Oleg(40) Yuri(25, no friends), Anna(19)
constexpr const char* kData = R"([
  {:db/id "ivan" :person/name "Ivan" :person/age 30 :person/salary 1000.0 :person/sex :male
   :person/alias ["Vanya" "Ivanushka"] :person/friend ["petr" "oleg"]}
  {:db/id "petr" :person/name "Petr" :person/age 25 :person/salary 2000.0 :person/sex :male
   :person/alias ["Petya"] :person/friend ["oleg"] :person/parent "ivan"}
  {:db/id "oleg" :person/name "Oleg" :person/age 40 :person/sex :male :person/parent "petr"}
  {:db/id "yuri" :person/name "Yuri" :person/age 25 :person/salary 500.0 :person/sex :male
   :person/parent "oleg"}
  {:db/id "anna" :person/name "Anna" :person/age 19 :person/sex :female :person/parent "yuri"}
])";

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options = testing_util::RelaxedOptions();
    options.registry = &registry_;
    auto conn = Connection::Open(dir_.path(), options);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = *std::move(conn);
    ASSERT_TRUE(conn_->transact(kSchema).ok());
    auto report = conn_->transact(kData);
    ASSERT_TRUE(report.ok()) << report.status();
    for (const auto& [name, id] : report->tempids) ids_[name] = id;
  }

  Db db() const { return conn_->db(); }
  int64_t id(const std::string& tempid) const { return ids_.at(tempid); }

  // Runs a query and returns its Datomic-shaped value; fails the test on error.
  template <typename... In>
  Value Q(std::string_view query, In&&... inputs) {
    absl::StatusOr<QueryResult> r = q(query, std::forward<In>(inputs)...);
    EXPECT_TRUE(r.ok()) << query << ": " << r.status();
    return r.ok() ? r->value() : Value::Keyword("error");
  }
  // Runs a query expected to fail and returns its status.
  template <typename... In>
  absl::Status Err(std::string_view query, In&&... inputs) {
    absl::StatusOr<QueryResult> r = q(query, std::forward<In>(inputs)...);
    EXPECT_FALSE(r.ok()) << query << " unexpectedly gave " << r->value().to_string();
    return r.status();
  }

  // Runs a query expected to fail with `code` and a message that contains
  // each of `names` (the problem, the clause).
  template <typename... In>
  void ExpectError(absl::StatusCode code, std::vector<std::string> names, std::string_view query,
                   In&&... inputs) {
    const absl::Status s = Err(query, std::forward<In>(inputs)...);
    EXPECT_EQ(s.code(), code) << query << ": " << s;
    const std::string message(s.message());
    for (const std::string& name : names) {
      EXPECT_THAT(message, ::testing::HasSubstr(name)) << query;
    }
  }

  static Value E(std::string_view edn) {
    absl::StatusOr<Value> v = edn::Read(edn);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : Value();
  }

  // The items of a collection result, sorted (for results whose order is
  // unspecified).
  static Value Sorted(const Value& v) {
    EXPECT_TRUE(v.is_collection()) << v.to_string();
    if (!v.is_collection()) return v;
    std::vector<Value> items(v.items().begin(), v.items().end());
    std::sort(items.begin(), items.end());
    return Value::Vector(std::move(items));
  }

  // Runs a query with options (q's variadic form takes none).
  absl::StatusOr<QueryResult> QWith(std::string_view query, std::vector<QueryInput> inputs,
                                    const QueryOptions& options) {
    return q(query, std::span<const QueryInput>(inputs), options);
  }

  testing_util::TempDir dir_;
  Registry registry_;
  std::unique_ptr<Connection> conn_;
  std::map<std::string, int64_t> ids_;
};

}  // namespace accrete::query_test

#endif  // ACCRETE_TESTS_QUERY_QUERY_FIXTURE_HPP_
