// The function registry: names, kinds, duplicates, concurrent use.
#include <thread>
#include <vector>

#include "accrete/ion.hpp"
#include "test_util.hpp"

namespace accrete {
namespace {

absl::StatusOr<Value> Noop(const Db&, std::span<const Value>) { return vec({}); }

TEST(RegistryTest, AcceptsFullyQualifiedNames) {
  Registry r;
  for (const char* name : {"inventory.core/add-item", "a/b", "my.app.tx/inc!", "x/valid?",
                           "a-b.c_d/e*f+g", "ns/->arrow", "ns/a'b"}) {
    EXPECT_TRUE(r.RegisterTxFunction(name, Noop).ok()) << name;
    EXPECT_NE(r.FindTxFunction(name), nullptr) << name;
  }
}

TEST(RegistryTest, RefusesMalformedNames) {
  Registry r;
  for (const char* name : {"", "add-item", "/add", "ns/", "a/b/c", "inventory..core/x", ".core/x",
                           "core./x", "1ns/x", "ns/1x", "ns/-1", "n s/x", ":ns/x", "ns/x y"}) {
    absl::Status s = r.RegisterTxFunction(name, Noop);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << name << ": " << s;
    EXPECT_EQ(r.FindTxFunction(name), nullptr);
  }
}

TEST(RegistryTest, DuplicatesOfOneKindAreRefused) {
  Registry r;
  ASSERT_TRUE(r.RegisterTxFunction("a/f", Noop).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(r.RegisterTxFunction("a/f", Noop)));
  // Each kind has its own names.
  EXPECT_TRUE(r.RegisterAttrPredicate("a/f", [](const Value&) { return true; }).ok());
  EXPECT_TRUE(r.RegisterEntityPredicate("a/f", [](const Db&, EntityId) { return true; }).ok());
  EXPECT_TRUE(
      absl::IsAlreadyExists(r.RegisterAttrPredicate("a/f", [](const Value&) { return false; })));
}

TEST(RegistryTest, EmptyCallablesAreRefused) {
  Registry r;
  EXPECT_TRUE(absl::IsInvalidArgument(r.RegisterTxFunction("a/f", TxFunction())));
  EXPECT_TRUE(absl::IsInvalidArgument(r.RegisterAttrPredicate("a/f", AttrPredicate())));
}

TEST(RegistryTest, FindByKind) {
  Registry r;
  ASSERT_TRUE(r.RegisterAttrPredicate("p/pos?", [](const Value& v) {
                 return v.is_integer() && v.as_int() > 0;
               }).ok());
  EXPECT_EQ(r.FindTxFunction("p/pos?"), nullptr);
  EXPECT_EQ(r.FindEntityPredicate("p/pos?"), nullptr);
  auto pred = r.FindAttrPredicate("p/pos?");
  ASSERT_NE(pred, nullptr);
  EXPECT_TRUE((*pred)(Value(3)));
  EXPECT_FALSE((*pred)(Value(-3)));
  EXPECT_EQ(r.FindAttrPredicate("p/missing"), nullptr);
}

TEST(RegistryTest, GlobalIsOneRegistry) {
  EXPECT_EQ(&Registry::Global(), &Registry::Global());
  ASSERT_TRUE(Registry::Global().RegisterTxFunction("registry.test/global", Noop).ok());
  EXPECT_NE(Registry::Global().FindTxFunction("registry.test/global"), nullptr);
}

TEST(RegistryTest, ConcurrentRegistrationAndLookup) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string name = "t" + std::to_string(t) + "/f" + std::to_string(i);
        EXPECT_TRUE(r.RegisterTxFunction(name, Noop).ok());
        EXPECT_NE(r.FindTxFunction(name), nullptr);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_NE(r.FindTxFunction("t3/f199"), nullptr);
}

}  // namespace
}  // namespace accrete
