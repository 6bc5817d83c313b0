// The fixture of the ion tests: a connection whose registry holds a few ions
// of every kind, some of them listed in the config's :allow and some not.
#ifndef ACCRETE_TESTS_ION_ION_FIXTURE_HPP_
#define ACCRETE_TESTS_ION_ION_FIXTURE_HPP_

#include <memory>
#include <stdexcept>
#include <string>

#include "core/test_util.hpp"
#include "gmock/gmock.h"

namespace accrete::ion_test {

constexpr const char* kSchema = R"([
  {:db/ident :inv/sku :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :inv/count :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
])";

// :allow lists inv/add, inv/double, inv/big? and inv/total; inv/secret,
// inv/hidden and inv/boom are registered but not allowed.
constexpr const char* kConfig = R"({
  :app-name "ion-test"
  :allow [inv/add inv/double inv/big? inv/total inv/throws inv/fails]
  :lambdas {:echo {:fn inv/echo :description "echoes" :timeout-secs 5}
            :slow {:fn inv/slow :timeout-secs 0.2 :concurrency-limit 1}
            :throws {:fn inv/throwing-lambda}}
})";

class IonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterIons();
    Options options = testing_util::RelaxedOptions();
    options.registry = &registry_;
    auto conn = Connection::Open(dir_.path(), options);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = *std::move(conn);
    ASSERT_OK(conn_->transact(kSchema));
    ASSERT_OK(conn_->transact(R"([{:inv/sku "SKU-1" :inv/count 5} {:inv/sku "SKU-2" :inv/count 50}])"));
  }

  void Activate() {
    auto config = IonConfig::Parse(kConfig);
    ASSERT_OK(config);
    ASSERT_OK(registry_.Activate(*config));
  }

  void RegisterIons() {
    auto add = [](const Db&, std::span<const Value> args) -> absl::StatusOr<Value> {
      if (args.size() != 2) return absl::InvalidArgumentError("inv/add takes a sku and a count");
      return vec({map({{kw("inv/sku"), args[0]}, {kw("inv/count"), args[1]}})});
    };
    ASSERT_OK(registry_.RegisterTxFunction("inv/add", add));
    ASSERT_OK(registry_.RegisterTxFunction("inv/secret", add));
    ASSERT_OK(registry_.RegisterTxFunction(
        "inv/throws", [](const Db&, std::span<const Value>) -> absl::StatusOr<Value> {
          throw std::runtime_error("bad stock");
        }));
    ASSERT_OK(registry_.RegisterTxFunction(
        "inv/fails", [](const Db&, std::span<const Value>) -> absl::StatusOr<Value> {
          return absl::FailedPreconditionError("out of stock");
        }));
    auto twice = [](std::span<const Value> args) -> absl::StatusOr<Value> {
      return Value(args[0].as_int() * 2);
    };
    ASSERT_OK(registry_.RegisterQueryFunction("inv/double", twice));
    ASSERT_OK(registry_.RegisterQueryFunction("inv/hidden", twice));
    ASSERT_OK(registry_.RegisterQueryFunction(
        "inv/big?", [](std::span<const Value> args) -> absl::StatusOr<Value> {
          return Value(args[0].as_int() > 10);
        }));
    auto total = [](std::span<const Value>, std::span<const Value> values) -> absl::StatusOr<Value> {
      int64_t sum = 0;
      for (const Value& v : values) sum += v.as_int();
      return Value(sum);
    };
    ASSERT_OK(registry_.RegisterAggregate("inv/total", total));
    ASSERT_OK(registry_.RegisterAggregate("inv/hidden-total", total));
    ASSERT_OK(registry_.RegisterLambda(
        "inv/echo", [](std::string_view input, const Value& context) -> absl::StatusOr<std::string> {
          const Value* name = context.get(kw("function-name"));
          return Cat(input, " from ", name ? name->as_string() : "?");
        }));
    ASSERT_OK(registry_.RegisterLambda(
        "inv/slow", [](std::string_view input, const Value&) -> absl::StatusOr<std::string> {
          std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(std::string(input))));
          return std::string("done");
        }));
    ASSERT_OK(registry_.RegisterLambda(
        "inv/throwing-lambda", [](std::string_view, const Value&) -> absl::StatusOr<std::string> {
          throw std::runtime_error("lambda broke");
        }));
    ASSERT_OK(registry_.RegisterWebHandler(
        "inv/web", [](const Value&) -> absl::StatusOr<Value> {
          return map({{kw("status"), 200}, {kw("body"), "ok"}});
        }));
  }

  static std::string Cat(std::string_view a, std::string_view b, std::string_view c) {
    return std::string(a) + std::string(b) + std::string(c);
  }

  Db db() const { return conn_->db(); }

  testing_util::TempDir dir_;
  Registry registry_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace accrete::ion_test

#endif  // ACCRETE_TESTS_ION_ION_FIXTURE_HPP_
