// Value: construction, accessors, equality, hashing and the total order.
#include <array>
#include <cmath>
#include <limits>
#include <thread>
#include <unordered_set>

#include "absl/container/flat_hash_set.h"
#include "edn_test_util.hpp"

namespace accrete {
namespace {

using testing::ReadOk;

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(ValueTest, IsSixteenBytes) { EXPECT_EQ(sizeof(Value), 16u); }

TEST(ValueTest, ImplicitConstructors) {
  EXPECT_TRUE(Value().is_nil());
  EXPECT_EQ(Value(true).kind(), Kind::kBoolean);
  EXPECT_EQ(Value(3).kind(), Kind::kInteger);
  EXPECT_EQ(Value(3L).as_int(), 3);
  EXPECT_EQ(Value(3LL).as_int(), 3);
  EXPECT_EQ(Value(2.5).as_double(), 2.5);
  EXPECT_EQ(Value("abc").as_string(), "abc");
  EXPECT_EQ(Value(std::string("abc")).kind(), Kind::kString);
  EXPECT_EQ(Value(std::string_view("abc")).kind(), Kind::kString);
}

TEST(ValueTest, NamedConstructorsNormalise) {
  EXPECT_EQ(Value::BigInt("-000123").as_string(), "-123");
  EXPECT_EQ(Value::BigInt("+5").as_string(), "5");
  EXPECT_EQ(Value::BigInt("-0").as_string(), "0");
  EXPECT_EQ(Value::BigInt("000").as_string(), "0");
  EXPECT_EQ(Value::BigDec("+01.50").as_string(), "1.50");
  EXPECT_EQ(Value::BigDec("-0.00").as_string(), "0.00");
  EXPECT_EQ(Value::BigDec("1.5E+03").as_string(), "1.5e3");
  EXPECT_EQ(Value::BigDec("1.").as_string(), "1");
  EXPECT_EQ(Value::Keyword("db", "add"), kw("db/add"));
  EXPECT_EQ(Value::Keyword("", "add"), kw("add"));
  EXPECT_EQ(Value::Symbol("clojure.core", "inc"), sym("clojure.core/inc"));
  EXPECT_EQ(Value::Symbol("/").name(), "/");
  EXPECT_EQ(Value::Character(U'λ').as_char(), U'λ');
  EXPECT_EQ(Value::Inst(-5).inst_millis(), -5);
  EXPECT_EQ(Value::Uri("urn:x").as_string(), "urn:x");
  EXPECT_EQ(Value::Bytes(std::string_view("\0\1", 2)).as_string().size(), 2u);
}

TEST(ValueTest, MapAndSetBuildersAreCanonical) {
  Value m = Value::Map({{kw("b"), 1}, {kw("a"), 2}, {kw("b"), 3}});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.entries()[0].first, kw("a"));
  EXPECT_EQ(*m.get(kw("b")), Value(3)) << "later duplicates replace earlier ones";
  Value s = Value::Set({3, 1, 2, 1, Value(1LL)});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.items()[0], Value(1));
  EXPECT_EQ(s, set({1, 2, 3}));
  EXPECT_EQ(Value::Set({1, Value::BigInt("1")}).size(), 1u) << "1 == 1N";
  EXPECT_EQ(Value::Set({1, 1.0}).size(), 2u) << "1 != 1.0";
}

TEST(ValueTest, AccessorsOnOtherKinds) {
  EXPECT_EQ(Value(1).size(), 0u);
  EXPECT_EQ(Value("x").size(), 0u);
  EXPECT_EQ(Value(1).get(kw("a")), nullptr);
  EXPECT_FALSE(vec({1}).contains(1));
  Value t = Value::Tagged(sym("my/tag"), vec({1}));
  EXPECT_EQ(t.tag(), sym("my/tag"));
  EXPECT_EQ(t.tagged_value(), vec({1}));
  std::array<uint8_t, 16> bytes{};
  bytes[3] = 7;
  EXPECT_EQ(Value::Uuid(bytes).uuid_bytes(), bytes);
}

TEST(ValueTest, CopiesShareContentsAndOutliveTheOriginal) {
  std::string_view view;
  Value copy;
  {
    Value original = Value::String(std::string(1000, 'x'));
    copy = original;
    Value moved = std::move(original);
    EXPECT_TRUE(original.is_nil());  // NOLINT(bugprone-use-after-move): moved-from is nil
    view = moved.as_string();
    EXPECT_EQ(view.data(), copy.as_string().data());
  }
  EXPECT_EQ(copy.as_string(), std::string(1000, 'x'));
  Value self = vec({1, 2});
  Value& alias = self;
  self = alias;  // self-assignment keeps the value
  EXPECT_EQ(self, vec({1, 2}));
}

TEST(ValueTest, SharingAcrossThreads) {
  Value shared = ReadOk(R"({:a [1 2 3] :b #{"x" "y"} :c {:d 1.5M}})");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([shared] {
      for (int i = 0; i < 2000; ++i) {
        Value copy = shared;
        Value inner = *copy.get(kw("a"));
        ASSERT_EQ(inner.size(), 3u);
        ASSERT_EQ(edn::Print(copy), R"({:a [1 2 3], :b #{"x" "y"}, :c {:d 1.5M}})");
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(shared.size(), 3u);
}

TEST(ValueTest, InterningIsThreadSafe) {
  std::vector<std::thread> threads;
  std::vector<std::vector<const char*>> seen(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < 500; ++i) {
        seen[t].push_back(kw("thread.test/k" + std::to_string(i)).qualified_name().data());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
}

TEST(ValueTest, InterningSurvivesPerThreadCacheCollisions) {
  // Far more names than the per-thread cache has slots, keywords and symbols
  // of the same spelling mixed: every lookup must still find its own entry.
  std::vector<Value> first;
  for (int i = 0; i < 3000; ++i) {
    first.push_back(kw("collide/k" + std::to_string(i)));
    first.push_back(sym("collide/k" + std::to_string(i)));
  }
  for (int i = 0; i < 3000; ++i) {
    Value k = kw("collide/k" + std::to_string(i));
    Value s = sym("collide/k" + std::to_string(i));
    ASSERT_EQ(k, first[2 * i]);
    ASSERT_EQ(s, first[2 * i + 1]);
    ASSERT_TRUE(k.is_keyword());
    ASSERT_TRUE(s.is_symbol());
    ASSERT_EQ(k.qualified_name().data(), first[2 * i].qualified_name().data());
    ASSERT_NE(k, s);
  }
}

TEST(ValueTest, KindNames) {
  EXPECT_EQ(KindName(Kind::kNil), "nil");
  EXPECT_EQ(KindName(Kind::kBigDec), "bigdec");
  EXPECT_EQ(KindName(Kind::kVector), "vector");
  EXPECT_EQ(KindName(Kind::kTagged), "tagged");
  EXPECT_EQ(KindName(Kind::kUri), "uri");
}

TEST(ValueTest, ToStringIsPrint) {
  Value v = ReadOk(R"([1 "two" :three {4 5}])");
  EXPECT_EQ(v.to_string(), edn::Print(v));
  EXPECT_EQ(v.to_string(), R"([1 "two" :three {4 5}])");
}

// --- equality ----------------------------------------------------------------

TEST(EqualityTest, NumbersFollowClojure) {
  EXPECT_EQ(Value(1), Value::BigInt("1"));
  EXPECT_EQ(ReadOk("9223372036854775807"), ReadOk("9223372036854775807N"));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_NE(Value(1), Value::BigDec("1"));
  EXPECT_NE(Value(1.0), Value::BigDec("1.0"));
  EXPECT_EQ(Value::BigDec("1.0"), Value::BigDec("1.00"));
  EXPECT_EQ(Value::BigDec("1.0"), Value::BigDec("1"));
  EXPECT_EQ(Value::BigDec("100"), Value::BigDec("1e2"));
  EXPECT_EQ(Value::BigDec("0.0"), Value::BigDec("-0"));
  EXPECT_NE(Value::BigDec("1.01"), Value::BigDec("1.1"));
  EXPECT_EQ(Value(0.0), Value(-0.0));
  EXPECT_EQ(Value(kNaN), Value(kNaN)) << "NaN equals itself so sets and maps stay sane";
  EXPECT_EQ(Value(kNaN), Value(-kNaN));
  EXPECT_NE(Value::BigInt("123456789012345678901"), Value::BigInt("123456789012345678902"));
}

TEST(EqualityTest, CollectionsCompareByContents) {
  EXPECT_EQ(list({1, 2}), vec({1, 2}));
  EXPECT_NE(vec({1, 2}), vec({2, 1}));
  EXPECT_NE(vec({1}), set({1}));
  EXPECT_EQ(ReadOk("{:a 1 :b 2}"), ReadOk("{:b 2 :a 1}"));
  EXPECT_EQ(ReadOk("#{1 2 3}"), ReadOk("#{3 2 1}"));
  EXPECT_NE(ReadOk("{:a 1}"), ReadOk("{:a 2}"));
  EXPECT_EQ(ReadOk("{:a [1N 2.0M]}"), ReadOk("{:a (1 2.00M)}"));
  EXPECT_NE(ReadOk("[]"), ReadOk("{}"));
  EXPECT_NE(ReadOk("#{}"), ReadOk("{}"));
}

TEST(EqualityTest, KindsStayApart) {
  EXPECT_NE(Value("a"), kw("a"));
  EXPECT_NE(kw("a"), sym("a"));
  EXPECT_NE(Value("http://x"), Value::Uri("http://x"));
  EXPECT_NE(Value("ab"), Value::Bytes("ab"));
  EXPECT_NE(Value::Character(U'a'), Value("a"));
  EXPECT_NE(Value::Inst(0), Value(0));
  EXPECT_NE(Value(), Value(false));
  EXPECT_NE(Value::Tagged(sym("a"), 1), Value::Tagged(sym("b"), 1));
  EXPECT_NE(Value::Tagged(sym("a"), 1), Value::Tagged(sym("a"), 2));
  EXPECT_EQ(Value::Tagged(sym("a"), 1), Value::Tagged(sym("a"), Value::BigInt("1")));
}

// --- hashing -------------------------------------------------------------------

TEST(HashTest, ConsistentWithEquality) {
  const std::vector<std::pair<Value, Value>> equal_pairs = {
      {Value(1), Value::BigInt("1")},
      {Value(-42), Value::BigInt("-42")},
      {ReadOk("9223372036854775807"), ReadOk("9223372036854775807N")},
      {Value::BigDec("1.0"), Value::BigDec("1.00")},
      {Value::BigDec("1e2"), Value::BigDec("100.000")},
      {Value(0.0), Value(-0.0)},
      {Value(kNaN), Value(-kNaN)},
      {list({1, 2}), vec({1, 2})},
      {ReadOk("{:a 1 :b [2]}"), ReadOk("{:b (2) :a 1N}")},
      {ReadOk("#{1 2}"), ReadOk("#{2N 1}")},
      {Value::Tagged(sym("t"), 1), Value::Tagged(sym("t"), Value::BigInt("1"))},
      {Value("x"), Value(std::string("x"))},
  };
  for (const auto& [a, b] : equal_pairs) {
    ASSERT_EQ(a, b);
    EXPECT_EQ(a.hash(), b.hash()) << edn::Print(a) << " vs " << edn::Print(b);
    EXPECT_EQ(std::hash<Value>{}(a), std::hash<Value>{}(b));
    EXPECT_EQ(absl::HashOf(a), absl::HashOf(b));
  }
}

TEST(HashTest, UsableInHashContainers) {
  absl::flat_hash_set<Value> values = {Value(1), Value::BigInt("1"), Value(1.0), kw("a"),
                                       sym("a"), Value("a"),         vec({1}),   list({1})};
  EXPECT_EQ(values.size(), 6u);  // 1 == 1N and [1] == (1)
  std::unordered_set<Value> std_values(values.begin(), values.end());
  EXPECT_EQ(std_values.size(), 6u);
  EXPECT_TRUE(std_values.contains(Value::BigInt("1")));
  EXPECT_TRUE(std_values.contains(list({1})));
  EXPECT_FALSE(std_values.contains(Value::BigDec("1")));
}

TEST(HashTest, DistinguishesCommonValues) {
  absl::flat_hash_set<size_t> hashes;
  for (const Value& v : {Value(),
                         Value(false),
                         Value(true),
                         Value(0),
                         Value(1),
                         Value(1.0),
                         Value::BigDec("1"),
                         Value("a"),
                         kw("a"),
                         sym("a"),
                         Value::Uri("a"),
                         Value::Bytes("a"),
                         Value::Character(U'a'),
                         Value::Inst(1),
                         vec({}),
                         map({}),
                         set({}),
                         vec({1}),
                         set({1}),
                         Value::Tagged(sym("a"), 1)}) {
    hashes.insert(v.hash());
  }
  EXPECT_EQ(hashes.size(), 20u);
}

// --- order ----------------------------------------------------------------------

TEST(OrderTest, KindGroupsInOrder) {
  std::array<uint8_t, 16> uuid{};
  const std::vector<Value> ascending = {
      Value(),
      Value(false),
      Value(true),
      Value(-kInf),
      Value(-1),
      Value(0),
      Value(0.5),
      Value::BigDec("0.75"),
      Value::BigInt("1000000000000000000000"),
      Value(kInf),
      Value(kNaN),
      Value::Character(U'a'),
      Value(""),
      Value("a"),
      Value("b"),
      kw("a"),
      kw("b"),
      kw("a/a"),
      sym("a"),
      Value::Inst(-1),
      Value::Inst(0),
      Value::Uuid(uuid),
      Value::Uri("a"),
      Value::Bytes("a"),
      vec({}),
      vec({1}),
      list({1, 2}),
      vec({2}),
      map({}),
      map({{1, 2}}),
      map({{1, 3}}),
      map({{2, 0}}),
      set({}),
      set({1}),
      Value::Tagged(sym("a"), 1),
      Value::Tagged(sym("b"), 0),
  };
  for (size_t i = 0; i < ascending.size(); ++i) {
    EXPECT_EQ(compare(ascending[i], ascending[i]), std::strong_ordering::equal) << i;
    for (size_t j = i + 1; j < ascending.size(); ++j) {
      EXPECT_EQ(compare(ascending[i], ascending[j]), std::strong_ordering::less)
          << edn::Print(ascending[i]) << " < " << edn::Print(ascending[j]);
      EXPECT_EQ(compare(ascending[j], ascending[i]), std::strong_ordering::greater);
      EXPECT_NE(ascending[i], ascending[j]);
    }
  }
}

TEST(OrderTest, NumbersCompareNumericallyAcrossKinds) {
  auto less = [](const Value& a, const Value& b) {
    return compare(a, b) == std::strong_ordering::less &&
           compare(b, a) == std::strong_ordering::greater;
  };
  EXPECT_TRUE(less(Value(1), Value(1.5)));
  EXPECT_TRUE(less(Value(1.5), Value(2)));
  EXPECT_TRUE(less(Value::BigDec("1.5"), Value(2)));
  EXPECT_TRUE(less(Value(-3), Value::BigDec("-2.5")));
  EXPECT_TRUE(
      less(Value::BigInt("-100000000000000000000"), Value(std::numeric_limits<int64_t>::min())));
  EXPECT_TRUE(
      less(Value(std::numeric_limits<int64_t>::max()), Value::BigInt("9223372036854775808")));
  EXPECT_TRUE(less(Value(9007199254740993LL), Value(9007199254740994.0)));
  EXPECT_TRUE(less(Value(9007199254740992.0), Value(9007199254740993LL)));
  EXPECT_TRUE(less(Value(std::numeric_limits<int64_t>::max()), Value(9223372036854775808.0)));
  EXPECT_TRUE(less(Value(-9223372036854775808.0), Value(std::numeric_limits<int64_t>::min() + 1)));
  EXPECT_TRUE(less(Value::BigDec("0.1"), Value(0.1))) << "the double 0.1 is above 1/10";
  EXPECT_TRUE(less(Value::BigDec("0.1000000000000000055511151231257827"), Value(0.1)));
  EXPECT_TRUE(less(Value(1e300), Value::BigInt("1" + std::string(301, '0'))));
  EXPECT_TRUE(less(Value::BigInt("1" + std::string(400, '0')), Value(kInf)));
  EXPECT_TRUE(less(Value(-kInf), Value::BigDec("-1e400")));
  EXPECT_TRUE(less(Value::BigDec("1e400"), Value(kNaN)));
  EXPECT_TRUE(less(Value::BigDec("0.001"), Value::BigInt("1")));
  EXPECT_TRUE(less(Value::BigInt("99"), Value::BigDec("99.5")));
  // Near and below the smallest double, where rounding to double underflows.
  const double kMinDenormal = std::numeric_limits<double>::denorm_min();
  EXPECT_TRUE(less(Value(kMinDenormal), Value::BigDec("4.95e-324")));
  EXPECT_TRUE(less(Value::BigDec("4.9e-324"), Value(kMinDenormal)));
  EXPECT_TRUE(less(Value::BigDec("1e-400"), Value(kMinDenormal)));
  EXPECT_TRUE(less(Value(0.0), Value::BigDec("1e-400")));
  EXPECT_TRUE(less(Value::BigDec("-1e-400"), Value(-0.0)));
}

TEST(OrderTest, EqualNumbersOfDifferentKindsTieBreakByKind) {
  // 1 == 1N, and 1 < 1.0 < 1M as values of different categories.
  EXPECT_EQ(compare(Value(1), Value::BigInt("1")), std::strong_ordering::equal);
  EXPECT_EQ(compare(Value(1), Value(1.0)), std::strong_ordering::less);
  EXPECT_EQ(compare(Value(1.0), Value::BigDec("1")), std::strong_ordering::less);
  EXPECT_EQ(compare(Value::BigInt("1"), Value::BigDec("1.0")), std::strong_ordering::less);
  EXPECT_EQ(compare(Value::BigDec("1.0"), Value::BigDec("1.000")), std::strong_ordering::equal);
  EXPECT_EQ(compare(Value(0.0), Value(-0.0)), std::strong_ordering::equal);
  EXPECT_EQ(compare(Value(kNaN), Value(kNaN)), std::strong_ordering::equal);
  EXPECT_EQ(compare(Value(0.5), Value::BigDec("0.5")), std::strong_ordering::less);
}

TEST(OrderTest, SortingWithNaNIsAStrictWeakOrder) {
  std::vector<Value> values = {Value(kNaN), Value(1),           Value(-kInf), Value(kNaN),
                               Value(0.5),  Value::BigDec("2"), Value(kInf),  Value::BigInt("-3")};
  std::sort(values.begin(), values.end());
  EXPECT_EQ(edn::Print(Value::Vector(values)), "[##-Inf -3N 0.5 1 2M ##Inf ##NaN ##NaN]");
}

TEST(OrderTest, KeywordsAndSymbolsByNamespaceThenName) {
  EXPECT_LT(kw("z"), kw("a/a")) << "no namespace sorts first";
  EXPECT_LT(kw("a/z"), kw("b/a"));
  EXPECT_LT(kw("a/b"), kw("a.b/a"));
  EXPECT_LT(sym("x"), sym("y"));
  EXPECT_LT(kw("zzz"), sym("a"));
}

TEST(OrderTest, StringsByCodePoint) {
  EXPECT_LT(Value("Z"), Value("a"));
  EXPECT_LT(Value("a"), Value("ab"));
  EXPECT_LT(Value("\x7f"), Value("é"));
  EXPECT_LT(Value("\uffff"), Value("😀"));
}

}  // namespace
}  // namespace accrete
