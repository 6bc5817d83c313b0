// The printer, and Read(Print(v)) == v: by example and for random values.
#include <cmath>
#include <limits>
#include <random>

#include "edn_test_util.hpp"

namespace accrete {
namespace {

using testing::ReadOk;

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(PrinterTest, Scalars) {
  EXPECT_EQ(edn::Print(Value()), "nil");
  EXPECT_EQ(edn::Print(true), "true");
  EXPECT_EQ(edn::Print(false), "false");
  EXPECT_EQ(edn::Print(-42), "-42");
  EXPECT_EQ(edn::Print(Value(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(edn::Print(Value::BigInt("12")), "12N");
  EXPECT_EQ(edn::Print(Value::BigDec("1.50")), "1.50M");
  EXPECT_EQ(edn::Print(Value::BigDec("-2e-7")), "-2e-7M");
  EXPECT_EQ(edn::Print(kw("person/name")), ":person/name");
  EXPECT_EQ(edn::Print(sym("?e")), "?e");
  EXPECT_EQ(edn::Print(sym("/")), "/");
}

TEST(PrinterTest, FloatsAlwaysLookLikeFloats) {
  EXPECT_EQ(edn::Print(1.0), "1.0");
  EXPECT_EQ(edn::Print(-0.0), "-0.0");
  EXPECT_EQ(edn::Print(0.1), "0.1");
  EXPECT_EQ(edn::Print(1.5), "1.5");
  EXPECT_EQ(edn::Print(100.0), "100.0");
  EXPECT_EQ(edn::Print(1e22), "1.0e22");
  EXPECT_EQ(edn::Print(1.5e300), "1.5e300");
  EXPECT_EQ(edn::Print(1e-7), "1.0e-7");
  EXPECT_EQ(edn::Print(5e-324), "5.0e-324");
  EXPECT_EQ(edn::Print(0.30000000000000004), "0.30000000000000004");
  EXPECT_EQ(edn::Print(kInf), "##Inf");
  EXPECT_EQ(edn::Print(-kInf), "##-Inf");
  EXPECT_EQ(edn::Print(std::numeric_limits<double>::quiet_NaN()), "##NaN");
}

TEST(PrinterTest, StringsAreEscaped) {
  EXPECT_EQ(edn::Print("plain"), "\"plain\"");
  EXPECT_EQ(edn::Print("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(edn::Print("t\tr\rn\n"), R"("t\tr\rn\n")");
  EXPECT_EQ(edn::Print(Value(std::string_view("\0\x1f\x7f", 3))), R"("\u0000\u001f\u007f")");
  EXPECT_EQ(edn::Print("é😀"), "\"é😀\"");
}

TEST(PrinterTest, CharactersInEdnForm) {
  EXPECT_EQ(edn::Print(Value::Character(U'a')), "\\a");
  EXPECT_EQ(edn::Print(Value::Character(U'\n')), "\\newline");
  EXPECT_EQ(edn::Print(Value::Character(U' ')), "\\space");
  EXPECT_EQ(edn::Print(Value::Character(U'\t')), "\\tab");
  EXPECT_EQ(edn::Print(Value::Character(U'\r')), "\\return");
  EXPECT_EQ(edn::Print(Value::Character(U'\f')), "\\formfeed");
  EXPECT_EQ(edn::Print(Value::Character(U'\b')), "\\backspace");
  EXPECT_EQ(edn::Print(Value::Character(U'\\')), "\\\\");
  EXPECT_EQ(edn::Print(Value::Character(U',')), "\\,");
  EXPECT_EQ(edn::Print(Value::Character(0)), "\\u0000");
  EXPECT_EQ(edn::Print(Value::Character(U'é')), "\\u00e9");
  EXPECT_EQ(edn::Print(Value::Character(U'😀')), "\\😀");
}

TEST(PrinterTest, CollectionsAreCanonical) {
  EXPECT_EQ(edn::Print(ReadOk("( 1  2 )")), "(1 2)");
  EXPECT_EQ(edn::Print(ReadOk("[1,2 , 3]")), "[1 2 3]");
  EXPECT_EQ(edn::Print(ReadOk("{:b 2 :a 1}")), "{:a 1, :b 2}");
  EXPECT_EQ(edn::Print(ReadOk("#{:c :a :b}")), "#{:a :b :c}");
  EXPECT_EQ(edn::Print(ReadOk("{}")), "{}");
  EXPECT_EQ(edn::Print(ReadOk("#{}")), "#{}");
  EXPECT_EQ(edn::Print(ReadOk("()")), "()");
}

TEST(PrinterTest, TaggedLiterals) {
  EXPECT_EQ(edn::Print(ReadOk(R"(#inst "1985-04-12T23:20:50.52Z")")),
            R"(#inst "1985-04-12T23:20:50.520Z")");
  EXPECT_EQ(edn::Print(ReadOk(R"(#inst "1996-12-19T16:39:57-08:00")")),
            R"(#inst "1996-12-20T00:39:57.000Z")");
  EXPECT_EQ(edn::Print(Value::Inst(-1)), R"(#inst "1969-12-31T23:59:59.999Z")");
  EXPECT_EQ(edn::Print(Value::Inst(253402300800000)), R"(#inst "+10000-01-01T00:00:00.000Z")");
  EXPECT_EQ(edn::Print(Value::Inst(-62198755200000)), R"(#inst "-0001-01-01T00:00:00.000Z")");
  EXPECT_EQ(edn::Print(ReadOk(R"(#uuid "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6")")),
            R"(#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")");
  EXPECT_EQ(edn::Print(Value::Uri("http://x/\"y\"")), R"(#uri "http://x/\"y\"")");
  EXPECT_EQ(edn::Print(Value::Bytes("hello")), R"(#bytes "aGVsbG8=")");
  EXPECT_EQ(edn::Print(Value::Bytes("hell")), R"(#bytes "aGVsbA==")");
  EXPECT_EQ(edn::Print(Value::Bytes("")), R"(#bytes "")");
  EXPECT_EQ(edn::Print(Value::Tagged(sym("my/tag"), vec({1}))), "#my/tag [1]");
}

TEST(PrinterTest, InstExtremesRoundTrip) {
  for (int64_t millis : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                         int64_t{0}, int64_t{-1}, int64_t{951782400000} /* 2000-02-29 */}) {
    Value v = Value::Inst(millis);
    EXPECT_EQ(ReadOk(edn::Print(v)), v) << edn::Print(v);
  }
}

TEST(PrettyPrintTest, ShortValuesStayOnOneLine) {
  Value v = ReadOk("{:a [1 2 3] :b \"x\"}");
  EXPECT_EQ(edn::PrettyPrint(v), edn::Print(v));
  EXPECT_EQ(edn::PrettyPrint(Value(1)), "1");
}

TEST(PrettyPrintTest, LongValuesBreakAndIndent) {
  Value v = ReadOk(R"({:find [?name ?age], :where [[?e :person/name ?name] [?e :person/age ?age]
                       [(> ?age 21)]], :in [$ %]})");
  EXPECT_EQ(edn::PrettyPrint(v, 40),
            "{:find [?name ?age],\n"
            " :in [$ %],\n"
            " :where [[?e :person/name ?name]\n"
            "         [?e :person/age ?age]\n"
            "         [(> ?age 21)]]}");
  EXPECT_EQ(edn::PrettyPrint(ReadOk("[1 2 3 4 5 6]"), 5), "[1\n 2\n 3\n 4\n 5\n 6]");
  EXPECT_EQ(edn::PrettyPrint(ReadOk("#{[1 2] [3 4]}"), 8), "#{[1 2]\n  [3 4]}");
  EXPECT_EQ(edn::PrettyPrint(ReadOk("#t (1 2 3)"), 6), "#t (1\n    2\n    3)");
  EXPECT_EQ(edn::PrettyPrint(ReadOk("{:key-that-is-long [1 2 3]}"), 12),
            "{:key-that-is-long\n  [1 2 3]}");
  EXPECT_EQ(edn::PrettyPrint(ReadOk("{:key-that-is-long [1 2 3 4 5 6 7 8 9]}"), 12),
            "{:key-that-is-long\n  [1\n   2\n   3\n   4\n   5\n   6\n   7\n   8\n   9]}");
}

TEST(PrettyPrintTest, ReadsBackEqual) {
  Value v =
      ReadOk(R"([{:db/id "a" :person/name "Ann" :person/friends #{[:person/id 1] [:person/id 2]}}
                       (f ?x #inst "2024-01-01T00:00:00Z" #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")
                       #my/tag {:nested {:deeper [1.5M 2N ##NaN]}}])");
  for (int width : {0, 1, 10, 40, 80, 200}) {
    EXPECT_EQ(ReadOk(edn::PrettyPrint(v, width)), v) << width;
  }
}

// --- random round trips ------------------------------------------------------------

// Random values covering every kind, with the awkward cases (NaN, -0.0,
// escapes, astral characters, big numbers, extreme instants) over-represented.
class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  Value Any(int depth) {
    int kinds = depth >= 4 ? 15 : 20;
    switch (Below(kinds)) {
      case 0:
        return Value();
      case 1:
        return Value(Below(2) == 1);
      case 2:
        return Value(RandomInt());
      case 3:
        return Value::BigInt(Digits(1 + Below(40), true));
      case 4:
        return Value(RandomDouble());
      case 5:
        return Value::BigDec(DecimalText());
      case 6:
        return Value::Character(RandomCodePoint());
      case 7:
        return Value::String(RandomText(Below(12)));
      case 8:
        return Value::Keyword(RandomName());
      case 9:
        return Value::Symbol(Below(20) == 0 ? std::string("/") : RandomName());
      case 10:
        return Value::Inst(Below(4) == 0 ? static_cast<int64_t>(rng_()) : RandomInt());
      case 11: {
        std::array<uint8_t, 16> bytes;
        for (auto& b : bytes) b = static_cast<uint8_t>(rng_());
        return Value::Uuid(bytes);
      }
      case 12: {
        std::string path = RandomName();
        std::erase_if(path, [](char c) { return c == '%' || c == '<' || c == '>'; });
        return Value::Uri("http://example.com/" + path + "?q=%20");
      }
      case 13: {
        std::string bytes;
        for (size_t i = Below(10); i > 0; --i) bytes.push_back(static_cast<char>(rng_()));
        return Value::Bytes(bytes);
      }
      case 14:
        return Value::Integer(static_cast<int64_t>(Below(5)));  // small ints collide
      case 15:
        return Value::List(Items(depth));
      case 16:
        return Value::Vector(Items(depth));
      case 17:
        return Value::Set(Items(depth));
      case 18: {
        std::vector<MapEntry> entries;
        for (size_t i = Below(5); i > 0; --i) entries.emplace_back(Any(depth + 1), Any(depth + 1));
        return Value::Map(std::move(entries));
      }
      default:
        return Value::Tagged(Value::Symbol("t" + RandomName()), Any(depth + 1));
    }
  }

 private:
  size_t Below(size_t n) { return static_cast<size_t>(rng_() % n); }

  std::vector<Value> Items(int depth) {
    std::vector<Value> items;
    for (size_t i = Below(5); i > 0; --i) items.push_back(Any(depth + 1));
    return items;
  }

  int64_t RandomInt() {
    switch (Below(3)) {
      case 0:
        return static_cast<int64_t>(Below(2000)) - 1000;
      case 1:
        return static_cast<int64_t>(rng_());
      default:
        return Below(2) ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    }
  }

  double RandomDouble() {
    switch (Below(6)) {
      case 0:
        return std::bit_cast<double>(static_cast<uint64_t>(rng_()));  // any bits, NaNs too
      case 1:
        return Below(2) ? -0.0 : kInf * (Below(2) ? 1 : -1);
      case 2:
        return static_cast<double>(RandomInt());
      default:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
    }
  }

  std::string Digits(size_t n, bool allow_sign) {
    std::string s = allow_sign && Below(2) ? "-" : "";
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Below(10)));
    return s;
  }

  std::string DecimalText() {
    std::string s = Digits(1 + Below(20), true);
    if (Below(2)) s += "." + Digits(Below(20), false);
    if (Below(3) == 0) s += "e" + std::to_string(static_cast<int>(Below(200)) - 100);
    return s;
  }

  char32_t RandomCodePoint() {
    switch (Below(4)) {
      case 0:
        return static_cast<char32_t>(Below(0x80));
      case 1:
        return static_cast<char32_t>(0x80 + Below(0xD800 - 0x80));
      case 2:
        return static_cast<char32_t>(0xE000 + Below(0x10000 - 0xE000));
      default:
        return static_cast<char32_t>(0x10000 + Below(0x100000));
    }
  }

  std::string RandomText(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      char32_t c = RandomCodePoint();
      if (c < 0x80) {
        s.push_back(static_cast<char>(c));
      } else {
        // Encode with the reader's own rules by reading a \u escape or a raw
        // astral character back.
        std::string lit = c < 0x10000 ? "\"\\u" + Hex4(c) + "\"" : "\"" + Utf8(c) + "\"";
        s += ReadOk(lit).as_string();
      }
    }
    return s;
  }

  static std::string Hex4(char32_t c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04x", static_cast<unsigned>(c));
    return buf;
  }

  static std::string Utf8(char32_t c) {
    std::string s;
    s.push_back(static_cast<char>(0xF0 | (c >> 18)));
    s.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    return s;
  }

  // A valid symbol or keyword name, sometimes with a namespace.
  std::string RandomName() {
    static constexpr std::string_view kFirst = "abcxyzABC*!_?$%&=<>.";
    static constexpr std::string_view kRest = "abcxyz0123456789*+!-_?$%&=<>.:#";
    auto part = [&] {
      std::string p(1, kFirst[Below(kFirst.size())]);
      if (Below(8) == 0) p = Below(2) ? "-" : "+";  // then the next must not be a digit
      for (size_t i = Below(6); i > 0; --i) {
        char c = kRest[Below(kRest.size())];
        if (p.size() == 1 && (p[0] == '-' || p[0] == '+' || p[0] == '.') && c >= '0' && c <= '9')
          c = 'q';
        p.push_back(c);
      }
      if (Below(10) == 0) p += "é";
      return p;
    };
    return Below(3) == 0 ? part() + "/" + part() : part();
  }

  std::mt19937_64 rng_;
};

TEST(RoundTripTest, RandomValuesReadBackEqual) {
  RandomValues random(20240131);
  for (int i = 0; i < 5000; ++i) {
    Value v = random.Any(0);
    std::string text = edn::Print(v);
    absl::StatusOr<Value> back = edn::Read(text);
    ASSERT_TRUE(back.ok()) << text << "\n" << back.status();
    ASSERT_EQ(*back, v) << text;
    ASSERT_EQ(back->hash(), v.hash()) << text;
    ASSERT_EQ(compare(*back, v), std::strong_ordering::equal) << text;
    ASSERT_EQ(edn::Print(*back), text) << "printing is canonical";
    absl::StatusOr<Value> pretty = edn::Read(edn::PrettyPrint(v, static_cast<int>(i % 60)));
    ASSERT_TRUE(pretty.ok()) << edn::PrettyPrint(v, i % 60) << "\n" << pretty.status();
    ASSERT_EQ(*pretty, v) << edn::PrettyPrint(v, i % 60);
  }
}

TEST(RoundTripTest, RandomValuesSortConsistently) {
  RandomValues random(7);
  std::vector<Value> values;
  for (int i = 0; i < 1500; ++i) values.push_back(random.Any(2));
  std::sort(values.begin(), values.end());
  for (size_t i = 1; i < values.size(); ++i) {
    ASSERT_NE(compare(values[i - 1], values[i]), std::strong_ordering::greater);
    ASSERT_EQ(compare(values[i - 1], values[i]) == 0, values[i - 1] == values[i]);
    if (values[i - 1] == values[i]) {
      ASSERT_EQ(values[i - 1].hash(), values[i].hash());
    }
  }
  // Transitivity spot-check over triples.
  for (size_t i = 0; i + 2 < values.size(); i += 3) {
    ASSERT_TRUE(compare(values[i], values[i + 2]) <= 0);
  }
}

}  // namespace
}  // namespace accrete
