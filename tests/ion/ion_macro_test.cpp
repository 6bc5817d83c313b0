// ACCRETE_ION: static registration in Registry::Global(), and a name
// registered twice aborting the program at startup.
#include <string>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "gmock/gmock.h"

namespace {

using accrete::Value;

ACCRETE_ION(QueryFunction, "ion-macro-test/twice",
            [](std::span<const Value> args) -> absl::StatusOr<Value> {
              return Value::Integer(args[0].as_int() * 2);
            });
ACCRETE_ION(Lambda, "ion-macro-test/hello",
            [](std::string_view input, const Value&) -> absl::StatusOr<std::string> {
              return "hello " + std::string(input);
            });

TEST(IonMacro, RegistersInTheGlobalRegistryBeforeMain) {
  auto twice = accrete::Registry::Global().FindQueryFunction("ion-macro-test/twice");
  ASSERT_NE(twice, nullptr);
  const Value arg = 21;
  auto r = (*twice)(std::span<const Value>(&arg, 1));
  ASSERT_OK(r);
  EXPECT_EQ(*r, Value(42));
  auto hello = accrete::Registry::Global().FindLambda("ion-macro-test/hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(*(*hello)("ada", Value()), "hello ada");
}

TEST(IonMacroDeathTest, ANameRegisteredTwiceAbortsWithTheError) {
  EXPECT_DEATH(
      accrete::internal::RegisteredAtStartup(accrete::Registry::Global().RegisterQueryFunction(
          "ion-macro-test/twice",
          [](std::span<const Value>) -> absl::StatusOr<Value> { return Value(); })),
      "ACCRETE_ION registration failed: ALREADY_EXISTS: A query function named "
      "ion-macro-test/twice is already registered");
}

}  // namespace
