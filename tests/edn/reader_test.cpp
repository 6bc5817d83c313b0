// Spec conformance of the reader, one literal kind at a time.
#include <cmath>
#include <limits>

#include "edn_test_util.hpp"

namespace accrete {
namespace {

using testing::ReadOk;

TEST(ReaderTest, NilAndBooleans) {
  EXPECT_TRUE(ReadOk("nil").is_nil());
  EXPECT_EQ(ReadOk("true"), Value(true));
  EXPECT_EQ(ReadOk("false"), Value(false));
  EXPECT_TRUE(ReadOk("nil/x").is_symbol());
  EXPECT_TRUE(ReadOk("truth").is_symbol());
}

TEST(ReaderTest, Integers) {
  EXPECT_EQ(ReadOk("0").as_int(), 0);
  EXPECT_EQ(ReadOk("-0").as_int(), 0);
  EXPECT_EQ(ReadOk("+42").as_int(), 42);
  EXPECT_EQ(ReadOk("-17").as_int(), -17);
  EXPECT_EQ(ReadOk("9223372036854775807").as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ReadOk("-9223372036854775808").as_int(), std::numeric_limits<int64_t>::min());
}

TEST(ReaderTest, IntegersTooLargeForInt64BecomeBigInts) {
  Value v = ReadOk("9223372036854775808");
  EXPECT_EQ(v.kind(), Kind::kBigInt);
  EXPECT_EQ(v.as_string(), "9223372036854775808");
  Value neg = ReadOk("-9223372036854775809");
  EXPECT_EQ(neg.kind(), Kind::kBigInt);
  EXPECT_EQ(neg.as_string(), "-9223372036854775809");
  EXPECT_EQ(ReadOk("+99999999999999999999").as_string(), "99999999999999999999");
}

TEST(ReaderTest, BigInts) {
  Value v = ReadOk("123N");
  EXPECT_EQ(v.kind(), Kind::kBigInt);
  EXPECT_EQ(v.as_string(), "123");
  EXPECT_EQ(ReadOk("-0N").as_string(), "0");
  EXPECT_EQ(ReadOk("+7N").as_string(), "7");
  EXPECT_EQ(ReadOk("123456789012345678901234567890N").as_string(),
            "123456789012345678901234567890");
}

TEST(ReaderTest, Floats) {
  EXPECT_EQ(ReadOk("1.5").as_double(), 1.5);
  EXPECT_EQ(ReadOk("-0.25").as_double(), -0.25);
  EXPECT_EQ(ReadOk("+2.0").as_double(), 2.0);
  EXPECT_EQ(ReadOk("1e3").as_double(), 1000.0);
  EXPECT_EQ(ReadOk("1E3").as_double(), 1000.0);
  EXPECT_EQ(ReadOk("1.5e-3").as_double(), 0.0015);
  EXPECT_EQ(ReadOk("2.5E+2").as_double(), 250.0);
  EXPECT_EQ(ReadOk("0.1").as_double(), 0.1);
  EXPECT_EQ(ReadOk("1.").as_double(), 1.0);  // Clojure accepts a bare point
  EXPECT_TRUE(std::signbit(ReadOk("-0.0").as_double()));
  EXPECT_EQ(ReadOk("1e400").as_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ReadOk("-1e400").as_double(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ReadOk("1e-400").as_double(), 0.0);
  EXPECT_EQ(ReadOk("1e99999999999999999999").as_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ReadOk("1e-99999999999999999999").as_double(), 0.0);
  EXPECT_EQ(ReadOk("4.9e-324").as_double(), std::numeric_limits<double>::denorm_min());
}

TEST(ReaderTest, SymbolicFloats) {
  EXPECT_EQ(ReadOk("##Inf").as_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ReadOk("##-Inf").as_double(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(ReadOk("##NaN").as_double()));
  Value v = ReadOk("[##NaN ##Inf]");
  EXPECT_EQ(v.size(), 2u);
}

TEST(ReaderTest, BigDecimals) {
  Value v = ReadOk("1.50M");
  EXPECT_EQ(v.kind(), Kind::kBigDec);
  EXPECT_EQ(v.as_string(), "1.50");
  EXPECT_EQ(ReadOk("1M").as_string(), "1");
  EXPECT_EQ(ReadOk("-0.0M").as_string(), "0.0");
  EXPECT_EQ(ReadOk("+2.5e+10M").as_string(), "2.5e10");
  EXPECT_EQ(ReadOk("2.5E-010M").as_string(), "2.5e-10");
  EXPECT_EQ(ReadOk("1e0M").as_string(), "1");
  EXPECT_EQ(ReadOk("0.000000000000000000000000001M").as_string(), "0.000000000000000000000000001");
}

TEST(ReaderTest, Characters) {
  EXPECT_EQ(ReadOk("\\a").as_char(), U'a');
  EXPECT_EQ(ReadOk("\\Z").as_char(), U'Z');
  EXPECT_EQ(ReadOk("\\newline").as_char(), U'\n');
  EXPECT_EQ(ReadOk("\\space").as_char(), U' ');
  EXPECT_EQ(ReadOk("\\tab").as_char(), U'\t');
  EXPECT_EQ(ReadOk("\\return").as_char(), U'\r');
  EXPECT_EQ(ReadOk("\\formfeed").as_char(), U'\f');
  EXPECT_EQ(ReadOk("\\backspace").as_char(), U'\b');
  EXPECT_EQ(ReadOk("\\u00e9").as_char(), U'\u00e9');
  EXPECT_EQ(ReadOk("\\u0041").as_char(), U'A');
  EXPECT_EQ(ReadOk("\\u").as_char(), U'u');
  EXPECT_EQ(ReadOk("\\é").as_char(), U'\u00e9');
  EXPECT_EQ(ReadOk("\\😀").as_char(), U'\U0001F600');
  // Delimiters right after the backslash are the character itself.
  EXPECT_EQ(ReadOk("\\(").as_char(), U'(');
  EXPECT_EQ(ReadOk("\\\"").as_char(), U'"');
  EXPECT_EQ(ReadOk("\\\\").as_char(), U'\\');
  EXPECT_EQ(ReadOk("\\;").as_char(), U';');
  EXPECT_EQ(ReadOk("\\,").as_char(), U',');
  Value v = ReadOk("[\\a\\b \\c]");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v.items()[1].as_char(), U'b');
  EXPECT_EQ(ReadOk("(\\))").items()[0].as_char(), U')');
}

TEST(ReaderTest, Strings) {
  EXPECT_EQ(ReadOk("\"\"").as_string(), "");
  EXPECT_EQ(ReadOk("\"hello\"").as_string(), "hello");
  EXPECT_EQ(ReadOk(R"("a\tb\rc\nd\\e\"f")").as_string(), "a\tb\rc\nd\\e\"f");
  EXPECT_EQ(ReadOk(R"("\b\f")").as_string(), "\b\f");
  EXPECT_EQ(ReadOk(R"("\u00e9\u0041")").as_string(),
            "\xC3\xA9"
            "A");
  EXPECT_EQ(ReadOk(R"("\u0000")").as_string(), std::string_view("\0", 1));
  EXPECT_EQ(ReadOk(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(ReadOk(R"("\uD83D\uDE00!")").as_string(), "\xF0\x9F\x98\x80!");
  EXPECT_EQ(ReadOk("\"multi\nline\"").as_string(), "multi\nline");
  EXPECT_EQ(ReadOk("\"héllo 😀\"").as_string(), "héllo 😀");
  EXPECT_EQ(ReadOk("\"a;b,c\"").as_string(), "a;b,c");
}

TEST(ReaderTest, Symbols) {
  Value s = ReadOk("foo");
  EXPECT_TRUE(s.is_symbol());
  EXPECT_EQ(s.name(), "foo");
  EXPECT_EQ(s.ns(), "");
  Value q = ReadOk("my.ns/foo-bar");
  EXPECT_EQ(q.ns(), "my.ns");
  EXPECT_EQ(q.name(), "foo-bar");
  EXPECT_EQ(q.qualified_name(), "my.ns/foo-bar");
  Value slash = ReadOk("/");
  EXPECT_TRUE(slash.is_symbol());
  EXPECT_EQ(slash.name(), "/");
  EXPECT_EQ(slash.ns(), "");
  for (const char* text : {"+",
                           "-",
                           ".",
                           "...",
                           "+a",
                           "-a",
                           ".a",
                           "a.b",
                           "*x*",
                           "a!?$%&=<>",
                           "a:b",
                           "a#b",
                           "_",
                           "?e",
                           "-+",
                           "<=",
                           "inventory.core/add-item",
                           "ünïcödé",
                           "a1",
                           "+.5"}) {
    Value v = ReadOk(text);
    EXPECT_TRUE(v.is_symbol()) << text;
    EXPECT_EQ(v.qualified_name(), text);
  }
}

TEST(ReaderTest, Keywords) {
  Value k = ReadOk(":person/name");
  EXPECT_TRUE(k.is_keyword());
  EXPECT_EQ(k.ns(), "person");
  EXPECT_EQ(k.name(), "name");
  EXPECT_EQ(k.qualified_name(), "person/name");
  EXPECT_EQ(ReadOk(":a").name(), "a");
  EXPECT_EQ(ReadOk(":db.unique/identity").ns(), "db.unique");
  EXPECT_TRUE(ReadOk(":nil").is_keyword());
  EXPECT_TRUE(ReadOk(":true").is_keyword());
  EXPECT_EQ(ReadOk(":-a").name(), "-a");
  EXPECT_EQ(ReadOk(":a:b").name(), "a:b");
  EXPECT_EQ(ReadOk(":a#").name(), "a#");
}

TEST(ReaderTest, KeywordsAndSymbolsAreInterned) {
  Value a = ReadOk(":person/name");
  Value b = ReadOk("[:person/name]").items()[0];
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.qualified_name().data(), b.qualified_name().data());
  EXPECT_NE(ReadOk(":x"), ReadOk("x"));
}

TEST(ReaderTest, Collections) {
  Value l = ReadOk("(1 2 3)");
  EXPECT_TRUE(l.is_list());
  EXPECT_EQ(l.size(), 3u);
  Value v = ReadOk("[1 [2] ()]");
  EXPECT_TRUE(v.is_vector());
  EXPECT_TRUE(v.items()[1].is_vector());
  EXPECT_TRUE(v.items()[2].is_list());
  EXPECT_EQ(v.items()[2].size(), 0u);
  Value m = ReadOk("{:b 2 :a 1}");
  EXPECT_TRUE(m.is_map());
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.entries()[0].first, kw("a"));  // sorted by key
  ASSERT_NE(m.get(kw("b")), nullptr);
  EXPECT_EQ(*m.get(kw("b")), Value(2));
  EXPECT_EQ(m.get(kw("c")), nullptr);
  Value s = ReadOk("#{3 1 2}");
  EXPECT_TRUE(s.is_set());
  EXPECT_EQ(s.items()[0], Value(1));
  EXPECT_TRUE(s.contains(Value(2)));
  EXPECT_FALSE(s.contains(Value(4)));
  EXPECT_EQ(ReadOk("{}").size(), 0u);
  EXPECT_EQ(ReadOk("#{}").size(), 0u);
  EXPECT_EQ(ReadOk("[]").size(), 0u);
}

TEST(ReaderTest, MapKeysOfAnyKind) {
  Value m = ReadOk(R"({[1 2] :vec, {:a 1} :map, #{1} :set, nil :nil, "s" :str, 1.5 :f})");
  EXPECT_EQ(m.size(), 6u);
  EXPECT_EQ(*m.get(vec({1, 2})), kw("vec"));
  EXPECT_EQ(*m.get(list({1, 2})), kw("vec"));  // lists equal vectors
  EXPECT_EQ(*m.get(map({{kw("a"), 1}})), kw("map"));
  EXPECT_EQ(*m.get(Value()), kw("nil"));
  EXPECT_EQ(*m.get(Value(1.5)), kw("f"));
}

TEST(ReaderTest, WhitespaceCommasAndComments) {
  Value v = ReadOk(" ,,[1,2 ,3] ; trailing comment");
  EXPECT_EQ(v, vec({1, 2, 3}));
  EXPECT_EQ(ReadOk("; leading\n\t[1 ; inside\n 2]\r\n"), vec({1, 2}));
  EXPECT_EQ(ReadOk("{:a 1, :b 2}"), map({{kw("a"), 1}, {kw("b"), 2}}));
  EXPECT_EQ(ReadOk("[1;c\n2]"), vec({1, 2}));
}

TEST(ReaderTest, Discard) {
  EXPECT_EQ(ReadOk("[1 #_ 2 3]"), vec({1, 3}));
  EXPECT_EQ(ReadOk("[1 #_#_ 2 3 4]"), vec({1, 4}));
  EXPECT_EQ(ReadOk("[#_ [nested #_ discard] 5]"), vec({5}));
  EXPECT_EQ(ReadOk("#_ 1 2"), Value(2));
  EXPECT_EQ(ReadOk("2 #_ 1"), Value(2));
  EXPECT_EQ(ReadOk("{:a #_ :ignored 1}"), map({{kw("a"), 1}}));
  EXPECT_EQ(ReadOk("[1 #_ 2]"), vec({1}));
  EXPECT_EQ(ReadOk("#{1 #_ 1}"), set({1}));
  EXPECT_EQ(ReadOk("#foo #_ 1 2"), Value::Tagged(sym("foo"), 2));
}

TEST(ReaderTest, Inst) {
  EXPECT_EQ(ReadOk(R"(#inst "1970-01-01T00:00:00Z")").inst_millis(), 0);
  EXPECT_EQ(ReadOk(R"(#inst "1985-04-12T23:20:50.52Z")").inst_millis(), 482196050520);
  EXPECT_EQ(ReadOk(R"(#inst "1996-12-19T16:39:57-08:00")").inst_millis(), 851042397000);
  EXPECT_EQ(ReadOk(R"(#inst "1996-12-20T00:39:57Z")").inst_millis(), 851042397000);
}

TEST(ReaderTest, InstForms) {
  EXPECT_EQ(ReadOk(R"(#inst "2024-01-31T12:30:00.123456789Z")").inst_millis(), 1706704200123);
  EXPECT_EQ(ReadOk(R"(#inst "2024-01-31t12:30:00.1z")").inst_millis(), 1706704200100);
  EXPECT_EQ(ReadOk(R"(#inst "2024")").inst_millis(), 1704067200000);
  EXPECT_EQ(ReadOk(R"(#inst "2024-02")").inst_millis(), 1706745600000);
  EXPECT_EQ(ReadOk(R"(#inst "2024-02-29")").inst_millis(), 1709164800000);
  EXPECT_EQ(ReadOk(R"(#inst "2024-02-29T10")").inst_millis(), 1709200800000);
  EXPECT_EQ(ReadOk(R"(#inst "2024-02-29T10:30+05:30")").inst_millis(), 1709182800000);
  EXPECT_EQ(ReadOk(R"(#inst "1969-12-31T23:59:59.999Z")").inst_millis(), -1);
  EXPECT_EQ(ReadOk(R"(#inst "0000-01-01T00:00:00Z")").inst_millis(), -62167219200000);
  EXPECT_EQ(ReadOk(R"(#inst "-0001-01-01T00:00:00Z")").inst_millis(), -62198755200000);
  EXPECT_EQ(ReadOk(R"(#inst "+10000-01-01T00:00:00Z")").inst_millis(), 253402300800000);
}

TEST(ReaderTest, Uuid) {
  Value u = ReadOk(R"(#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")");
  ASSERT_EQ(u.kind(), Kind::kUuid);
  EXPECT_EQ(u.uuid_bytes()[0], 0xf8);
  EXPECT_EQ(u.uuid_bytes()[15], 0xf6);
  EXPECT_EQ(ReadOk(R"(#uuid "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6")"), u);
}

TEST(ReaderTest, UriAndBytes) {
  Value u = ReadOk(R"(#uri "https://example.com/a?b=c#d")");
  EXPECT_EQ(u.kind(), Kind::kUri);
  EXPECT_EQ(u.as_string(), "https://example.com/a?b=c#d");
  EXPECT_EQ(ReadOk(R"(#uri "urn:isbn:0451450523")").as_string(), "urn:isbn:0451450523");
  EXPECT_EQ(ReadOk(R"(#uri "http://ex.com/%20x")").as_string(), "http://ex.com/%20x");
  EXPECT_EQ(ReadOk(R"(#uri "")").as_string(), "");
  Value b = ReadOk(R"(#bytes "aGVsbG8=")");
  EXPECT_EQ(b.kind(), Kind::kBytes);
  EXPECT_EQ(b.as_string(), "hello");
  EXPECT_EQ(ReadOk(R"(#bytes "")").as_string(), "");
  EXPECT_EQ(ReadOk(R"(#bytes "AA==")").as_string(), std::string_view("\0", 1));
  EXPECT_EQ(ReadOk(R"(#bytes "//8A")").as_string(), std::string_view("\xff\xff\0", 3));
}

TEST(ReaderTest, OtherTagsAreKept) {
  Value t = ReadOk(R"(#myapp/Person {:first "Fred"})");
  ASSERT_EQ(t.kind(), Kind::kTagged);
  EXPECT_EQ(t.tag(), sym("myapp/Person"));
  EXPECT_EQ(t.tagged_value(), map({{kw("first"), "Fred"}}));
  EXPECT_EQ(ReadOk("#foo\n  ; comment\n 1"), Value::Tagged(sym("foo"), 1));
  EXPECT_EQ(ReadOk("#a #b 1"), Value::Tagged(sym("a"), Value::Tagged(sym("b"), 1)));
  EXPECT_EQ(ReadOk("#inst-like \"x\"").tag(), sym("inst-like"));
  EXPECT_EQ(ReadOk("#é 1").tag(), sym("é"));
}

TEST(ReaderTest, ReadAll) {
  auto all = edn::ReadAll("1 :a ; comment\n [2] #_ 3");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1], kw("a"));
  EXPECT_EQ((*all)[2], vec({2}));
  auto none = edn::ReadAll("  ; nothing\n #_ 1");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(edn::ReadAll("1 )").status().message(), "1:3: unexpected ')' with no collection open");
  EXPECT_EQ(edn::ReadAll("1 [").status().message(),
            "1:4: expected ']' to close the vector opened at 1:3, found end of input");
}

TEST(ReaderTest, DepthLimit) {
  std::string deep(512, '[');
  deep += std::string(512, ']');
  EXPECT_TRUE(edn::Read(deep).ok());
  std::string deeper = "[" + deep + "]";
  EXPECT_EQ(testing::ReadError(deeper),
            "1:513: nesting deeper than 512 levels (ReadOptions::max_depth)");
  edn::ReadOptions shallow;
  shallow.max_depth = 2;
  EXPECT_EQ(testing::ReadError("[[1]]", shallow), "OK: [[1]]");
  EXPECT_EQ(testing::ReadError("[[[1]]]", shallow),
            "1:3: nesting deeper than 2 levels (ReadOptions::max_depth)");
  EXPECT_EQ(testing::ReadError("#a #b #c 1", shallow),
            "1:7: nesting deeper than 2 levels (ReadOptions::max_depth)");
  EXPECT_EQ(testing::ReadError("{:a #{[1]}}", shallow),
            "1:7: nesting deeper than 2 levels (ReadOptions::max_depth)");
}

TEST(ReaderTest, HostileNestingIsAnErrorNotACrash) {
  std::string brackets(1'000'000, '[');
  EXPECT_EQ(edn::Read(brackets).status().code(), absl::StatusCode::kInvalidArgument);
  std::string tags;
  for (int i = 0; i < 200'000; ++i) tags += "#a ";
  EXPECT_EQ(edn::Read(tags + "1").status().code(), absl::StatusCode::kInvalidArgument);
  std::string discards;
  for (int i = 0; i < 200'000; ++i) discards += "#_ ";
  EXPECT_EQ(testing::ReadError(discards + "1"),
            "1:600002: expected a value to discard after the #_ at 1:1, found end of input");
}

TEST(ReaderTest, BuilderApiReadsLikeEdn) {
  EXPECT_EQ(vec({kw("db/add"), "jane", kw("person/name"), "Jane"}),
            ReadOk(R"([:db/add "jane" :person/name "Jane"])"));
  EXPECT_EQ(map({{kw("db/id"), "jane"}, {kw("person/age"), 42}, {kw("x"), 1.5}}),
            ReadOk(R"({:db/id "jane" :person/age 42 :x 1.5})"));
  EXPECT_EQ(list({sym("inc"), sym("?x")}), ReadOk("(inc ?x)"));
  EXPECT_EQ(set({kw("a"), true, Value()}), ReadOk("#{:a true nil}"));
  EXPECT_EQ(vec({std::string("s"), std::string_view("v"), 7L, 8LL}), ReadOk(R"(["s" "v" 7 8])"));
}

}  // namespace
}  // namespace accrete
