#include <gtest/gtest.h>

#include "accrete/edn.hpp"

namespace accrete {
namespace {
TEST(Smoke, ReadsAndPrints) {
  auto v = edn::Read("[:db/add \"jane\" :person/name \"Jane\" 1.5 {:a 1} #{1 2}]");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(edn::Print(*v), "[:db/add \"jane\" :person/name \"Jane\" 1.5 {:a 1} #{1 2}]");
}
}  // namespace
}  // namespace accrete
