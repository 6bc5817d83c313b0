// Value encodings: order, round trip and prefix-freeness over random values
// of every type; type errors; index keys; log records.
#include "store/encoding.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "absl/strings/escaping.h"
#include "accrete/db.hpp"
#include "store/log.hpp"
#include "store/store.hpp"

namespace accrete::internal {
namespace {

using ::testing::HasSubstr;

std::string Encode(const Value& v, const TypeSpec& spec) {
  std::string out;
  absl::Status s = EncodeValue(v, spec, &out);
  EXPECT_TRUE(s.ok()) << s << " for " << v.to_string();
  return out;
}
std::string Encode(const Value& v, ValueType type) { return Encode(v, TypeSpec{type, {}, false}); }

Value Decode(std::string_view bytes) {
  absl::StatusOr<Value> v = DecodeValue(&bytes);
  EXPECT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(bytes.empty()) << "decode left " << bytes.size() << " bytes";
  return v.ok() ? *v : Value();
}

int Sign(int x) { return (x > 0) - (x < 0); }
int Sign(std::strong_ordering o) { return o < 0 ? -1 : (o > 0 ? 1 : 0); }

// Random values of one attribute type.
class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  Value Make(ValueType type) {
    switch (type) {
      case ValueType::kBoolean:
        return Value::Boolean(Coin());
      case ValueType::kLong:
        return Value::Integer(Long());
      case ValueType::kDouble:
        return Value::Float(Double());
      case ValueType::kFloat:
        return Value::Float(static_cast<double>(static_cast<float>(Double())));
      case ValueType::kBigInt:
        return Value::BigInt(IntegerText(Pick(40)));
      case ValueType::kBigDec:
        return Value::BigDec(DecimalText());
      case ValueType::kInstant:
        return Value::Inst(Long());
      case ValueType::kRef:
        return Value::Integer(static_cast<int64_t>(rng_() % 5 == 0 ? Pick(100) : rng_() >> 1));
      case ValueType::kKeyword:
        return Coin() ? Value::Keyword(Text("abz.-", 4) + "k")
                      : Value::Keyword(Text("ab.", 3) + "x", Text("abz-", 4) + "n");
      case ValueType::kSymbol:
        return Coin() ? Value::Symbol(Text("ab.", 4) + "s")
                      : Value::Symbol(Text("ab", 2) + "s", Text("ab", 3) + "y");
      case ValueType::kString:
        return Value::String(Text(std::string("ab\0\x01\xFF\xC3", 6), 6));
      case ValueType::kUri:
        return Value::Uri("http://x/" + Text("ab/", 5));
      case ValueType::kBytes:
        return Value::Bytes(Text(std::string("\0\x01\xFF", 3), 5));
      case ValueType::kUuid: {
        std::array<uint8_t, 16> bytes{};
        for (auto& b : bytes) b = static_cast<uint8_t>(Pick(3) == 0 ? 0 : rng_());
        return Value::Uuid(bytes);
      }
      default:
        return Value();
    }
  }

  bool Coin() { return rng_() & 1; }
  uint64_t Pick(uint64_t n) { return rng_() % n; }

 private:
  int64_t Long() {
    switch (Pick(4)) {
      case 0:
        return static_cast<int64_t>(Pick(21)) - 10;
      case 1: {
        constexpr int64_t kEdges[] = {std::numeric_limits<int64_t>::min(),
                                      std::numeric_limits<int64_t>::max(),
                                      -1,
                                      0,
                                      1,
                                      255,
                                      256};
        return kEdges[Pick(std::size(kEdges))];
      }
      default:
        return static_cast<int64_t>(static_cast<uint64_t>(rng_()) << 32 | rng_());
    }
  }

  double Double() {
    switch (Pick(4)) {
      case 0: {
        constexpr double kEdges[] = {0.0,
                                     -0.0,
                                     1.0,
                                     -1.0,
                                     std::numeric_limits<double>::infinity(),
                                     -std::numeric_limits<double>::infinity(),
                                     std::numeric_limits<double>::denorm_min(),
                                     -std::numeric_limits<double>::denorm_min(),
                                     std::numeric_limits<double>::max(),
                                     std::numeric_limits<double>::lowest()};
        return kEdges[Pick(std::size(kEdges))];
      }
      case 1:
        return static_cast<double>(static_cast<int>(Pick(41)) - 20) / 4;
      default: {
        double d;
        do {
          d = std::bit_cast<double>(static_cast<uint64_t>(rng_()) << 32 | rng_());
        } while (std::isnan(d));
        return d;
      }
    }
  }

  std::string Digits(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Pick(Pick(2) ? 10 : 2)));
    return s;
  }

  std::string IntegerText(size_t n) {
    std::string digits = Digits(n + 1);
    size_t first = digits.find_first_not_of('0');
    digits = first == std::string::npos ? "0" : digits.substr(first);
    return (digits != "0" && Coin() ? "-" : "") + digits;
  }

  std::string DecimalText() {
    std::string text = (Coin() ? "-" : "") + Digits(1 + Pick(6));
    if (Coin()) text += "." + Digits(1 + Pick(6));
    if (Pick(3) == 0) text += "e" + std::to_string(static_cast<int>(Pick(81)) - 40);
    return text;
  }

  std::string Text(const std::string& alphabet, size_t max_len) {
    std::string s;
    for (size_t n = Pick(max_len + 1); n > 0; --n) s.push_back(alphabet[Pick(alphabet.size())]);
    return s;
  }

  std::mt19937 rng_;
};

constexpr ValueType kScalarTypes[] = {ValueType::kBoolean, ValueType::kLong,   ValueType::kDouble,
                                      ValueType::kFloat,   ValueType::kBigInt, ValueType::kBigDec,
                                      ValueType::kInstant, ValueType::kRef,    ValueType::kKeyword,
                                      ValueType::kSymbol,  ValueType::kString, ValueType::kUri,
                                      ValueType::kBytes,   ValueType::kUuid};

void CheckOrderAndRoundTrip(const std::vector<Value>& values, const TypeSpec& spec) {
  std::vector<std::string> encodings;
  for (const Value& v : values) encodings.push_back(Encode(v, spec));
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(EncodedType(encodings[i]), spec.type);
    Value back = Decode(encodings[i]);
    EXPECT_EQ(Sign(compare(back, values[i])), 0)
        << values[i].to_string() << " decoded as " << back.to_string();
    for (size_t j = 0; j < values.size(); ++j) {
      const int by_bytes = Sign(encodings[i].compare(encodings[j]));
      ASSERT_EQ(by_bytes, Sign(compare(values[i], values[j])))
          << values[i].to_string() << " vs " << values[j].to_string();
      if (by_bytes != 0) {
        ASSERT_FALSE(encodings[j].starts_with(encodings[i]))
            << values[i].to_string() << " encodes to a prefix of " << values[j].to_string();
      }
    }
  }
}

TEST(EncodingTest, MemcmpOrderIsValueOrderAndRoundTripsForEveryType) {
  Generator gen(20240601);
  for (ValueType type : kScalarTypes) {
    SCOPED_TRACE(std::string(ValueTypeIdent(type)));
    std::vector<Value> values;
    for (int i = 0; i < 250; ++i) values.push_back(gen.Make(type));
    CheckOrderAndRoundTrip(values, TypeSpec{type, {}, false});
  }
}

TEST(EncodingTest, TuplesOrderElementwiseWithShorterFirstAndNilLowest) {
  Generator gen(7);
  TypeSpec homogeneous{ValueType::kTuple, {ValueType::kLong}, true};
  std::vector<Value> values;
  for (int i = 0; i < 200; ++i) {
    std::vector<Value> items;
    for (size_t n = 2 + gen.Pick(3); n > 0; --n) {
      items.push_back(gen.Pick(5) == 0 ? Value()
                                       : Value::Integer(static_cast<int64_t>(gen.Pick(4))));
    }
    values.push_back(Value::Vector(items));
  }
  CheckOrderAndRoundTrip(values, homogeneous);

  TypeSpec mixed{
      ValueType::kTuple, {ValueType::kString, ValueType::kRef, ValueType::kDouble}, false};
  values.clear();
  for (int i = 0; i < 200; ++i) {
    values.push_back(Value::Vector({gen.Coin() ? Value() : gen.Make(ValueType::kString),
                                    gen.Make(ValueType::kRef), gen.Make(ValueType::kDouble)}));
  }
  CheckOrderAndRoundTrip(values, mixed);
}

TEST(EncodingTest, EncodingsOfDifferentTypesArePrefixFree) {
  Generator gen(99);
  std::vector<std::string> encodings;
  for (int i = 0; i < 60; ++i) {
    for (ValueType type : kScalarTypes) encodings.push_back(Encode(gen.Make(type), type));
  }
  std::sort(encodings.begin(), encodings.end());
  encodings.erase(std::unique(encodings.begin(), encodings.end()), encodings.end());
  // In sorted order a prefix would sit right before one of its extensions.
  for (size_t i = 0; i + 1 < encodings.size(); ++i) {
    ASSERT_FALSE(encodings[i + 1].starts_with(encodings[i])) << i;
  }
}

TEST(EncodingTest, NumbersNormalise) {
  EXPECT_EQ(Encode(Value::Float(-0.0), ValueType::kDouble),
            Encode(Value::Float(0.0), ValueType::kDouble));
  EXPECT_EQ(Encode(Value::BigDec("1.0"), ValueType::kBigDec),
            Encode(Value::BigDec("1.00"), ValueType::kBigDec));
  EXPECT_EQ(Encode(Value::BigDec("100"), ValueType::kBigDec),
            Encode(Value::BigDec("1e2"), ValueType::kBigDec));
  EXPECT_EQ(Encode(Value::BigInt("42"), ValueType::kBigInt),
            Encode(Value::Integer(42), ValueType::kBigInt));
  // NaN sorts after +infinity, and every NaN encodes alike.
  const std::string nan = Encode(Value::Float(std::nan("")), ValueType::kDouble);
  EXPECT_GT(nan, Encode(Value::Float(std::numeric_limits<double>::infinity()), ValueType::kDouble));
  EXPECT_EQ(nan, Encode(Value::Float(-std::nan("")), ValueType::kDouble));
  EXPECT_TRUE(std::isnan(Decode(nan).as_double()));
  // Exact bytes, as docs/format.md shows them.
  EXPECT_EQ(Encode(Value::Integer(1), ValueType::kLong),
            std::string("\x11\x80\x00\x00\x00\x00\x00\x00\x01", 9));
  EXPECT_EQ(Encode(Value::BigDec("12.5"), ValueType::kBigDec),
            std::string("\x15\x02\x80\x00\x00\x02\x0D\x33\x00", 9));
  EXPECT_EQ(Encode(Value::String(std::string("a\0b", 3)), ValueType::kString),
            std::string("\x31"
                        "a\x00\xFF"
                        "b\x00\x01",
                        7));
  EXPECT_EQ(Encode(Value::BigDec("-12.5"), ValueType::kBigDec),
            std::string("\x15\x00\x7F\xFF\xFF\xFD\xF2\xCC\xFF", 9));
  EXPECT_EQ(Encode(Value::BigInt("100"), ValueType::kBigInt),
            std::string("\x12\x02\x80\x00\x00\x03\x0B\x00", 8));
  EXPECT_EQ(Encode(Value::BigInt("0"), ValueType::kBigInt), std::string("\x12\x01", 2));
  EXPECT_EQ(Encode(Value::Float(-1.5), ValueType::kDouble),
            std::string("\x14\x40\x07\xFF\xFF\xFF\xFF\xFF\xFF", 9));
  EXPECT_EQ(Encode(vec({1, Value()}), TypeSpec{ValueType::kTuple, {ValueType::kLong}, true}),
            std::string("\x50\x11\x80\0\0\0\0\0\0\x01\x01\x00", 12));
  EXPECT_EQ(Encode(kw("db/ident"), ValueType::kKeyword), std::string("\x30\x02"
                                                                     "db\x00\x01"
                                                                     "ident\x00\x01",
                                                                     13));
}

TEST(EncodingTest, AcceptedConversions) {
  EXPECT_EQ(Decode(Encode(Value::Integer(3), ValueType::kDouble)).as_double(), 3.0);
  EXPECT_EQ(Decode(Encode(Value::Float(0.1), ValueType::kFloat)).as_double(),
            static_cast<double>(0.1f));
  EXPECT_EQ(Decode(Encode(Value::String("urn:x"), ValueType::kUri)), Value::Uri("urn:x"));
  EXPECT_EQ(Decode(Encode(Value::Integer(5), ValueType::kRef)), Value::Integer(5));
  EXPECT_EQ(Decode(Encode(Value::BigInt("-12"), ValueType::kLong)), Value::Integer(-12));
}

TypeSpec Scalar(ValueType type) { return TypeSpec{type, {}, false}; }

absl::Status EncodeError(const Value& v, const TypeSpec& spec) {
  std::string out = "unchanged";
  absl::Status s = EncodeValue(v, spec, &out);
  EXPECT_EQ(out, "unchanged") << "a failed encoding must not append";
  return s;
}

TEST(EncodingTest, TypeErrorsNameTheTypeAndTheValue) {
  absl::Status s = EncodeError(Value("abc"), Scalar(ValueType::kLong));
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "expected a value of type :db.type/long, got \"abc\" (string)");
  EXPECT_THAT(std::string(EncodeError(Value(1.5), Scalar(ValueType::kLong)).message()),
              HasSubstr("got 1.5 (float)"));
  EXPECT_THAT(std::string(EncodeError(kw("a"), Scalar(ValueType::kString)).message()),
              HasSubstr(":db.type/string, got :a (keyword)"));
  EXPECT_FALSE(EncodeError(Value::Integer(-1), Scalar(ValueType::kRef)).ok());
  EXPECT_FALSE(EncodeError(Value("2020"), Scalar(ValueType::kInstant)).ok());
  EXPECT_FALSE(EncodeError(Value(), Scalar(ValueType::kString)).ok());
  EXPECT_FALSE(EncodeError(Value::Integer(1), Scalar(ValueType::kBigDec)).ok());
  EXPECT_FALSE(EncodeError(Value::BigInt("99999999999999999999"), Scalar(ValueType::kLong)).ok());

  TypeSpec pair{ValueType::kTuple, {ValueType::kLong, ValueType::kString}, false};
  s = EncodeError(vec({1}), pair);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("type :db.type/tuple [:db.type/long :db.type/string], got [1]"));
  EXPECT_THAT(std::string(EncodeError(vec({1, 2}), pair).message()), HasSubstr("element 1"));
  TypeSpec longs{ValueType::kTuple, {ValueType::kLong}, true};
  EXPECT_FALSE(EncodeError(vec({1}), longs).ok());
  EXPECT_FALSE(EncodeError(vec({1, 2, 3, 4, 5, 6, 7, 8, 9}), longs).ok());
  EXPECT_FALSE(EncodeError(Value::Integer(1), longs).ok());
}

TEST(EncodingTest, MalformedInputIsDataLoss) {
  for (std::string bad :
       {std::string(""), std::string("\x11\x80", 2),
        std::string("\x31"
                    "ab",
                    3),
        std::string("\x99"), std::string("\x10\x05", 2),
        std::string("\x15\x02\x80\x00\x00\x02\xF0\x00", 8), std::string("\x50\x11", 2)}) {
    std::string_view in = bad;
    EXPECT_TRUE(absl::IsDataLoss(DecodeValue(&in).status())) << absl::CEscape(bad);
  }
}

TEST(EncodingTest, ValueTypeIdents) {
  EXPECT_EQ(ValueTypeFromIdent("db.type/string"), ValueType::kString);
  EXPECT_EQ(ValueTypeFromIdent("db.type/tuple"), ValueType::kTuple);
  EXPECT_EQ(ValueTypeFromIdent("db.type/nope"), std::nullopt);
  for (ValueType type : kScalarTypes) EXPECT_EQ(ValueTypeFromIdent(ValueTypeIdent(type)), type);
}

TEST(KeysTest, BuildAndParseEveryIndex) {
  const std::string v = Encode(Value::Integer(77), ValueType::kRef);
  const std::string long_v = std::string(kMaxInlineValue, 'x') + "12345678";
  for (int i = 0; i < 8; ++i) {
    const auto dbi = static_cast<Dbi>(i);
    for (const std::string& value : {v, long_v}) {
      if (i % 4 == 3 && value == long_v) continue;  // VAET holds refs only
      std::string key;
      BuildIndexKey(static_cast<Dbi>(i % 4), 5, 9, value, &key);
      if (i >= 4) AppendHistorySuffix(&key, 123);
      absl::StatusOr<KeyParts> parts = ParseKey(dbi, key);
      ASSERT_TRUE(parts.ok()) << parts.status();
      EXPECT_EQ(parts->e, 5u);
      EXPECT_EQ(parts->a, 9u);
      EXPECT_EQ(parts->v, value);
      EXPECT_EQ(parts->tx_a, i >= 4 ? uint64_t(TToTx(123)) : 0u);
      if (i >= 4) {
        absl::StatusOr<std::pair<std::string_view, int64_t>> split = SplitHistoryKey(key);
        ASSERT_TRUE(split.ok());
        EXPECT_EQ(split->second, 123);
        EXPECT_EQ(split->first, key.substr(0, key.size() - 3));
      }
    }
  }
  EXPECT_EQ(EavtKey(5, 9, v), std::string("\x01\x05\x01\x09", 4) + v);
  EXPECT_EQ(AvetKey(9, v, 5), std::string("\x01\x09", 2) + v + std::string("\x01\x05\x01", 3));
  EXPECT_TRUE(absl::IsDataLoss(
      ParseKey(Dbi::kAvet, std::string("\x01\x09\x31\0\x01\x02\x05", 7)).status()));
  EXPECT_TRUE(absl::IsDataLoss(ParseKey(Dbi::kHistEavt, EavtKey(5, 9, v) + "\x09").status()));
  EXPECT_EQ(VaetKey(v, 9, 5), v + std::string("\x01\x09\x01\x05", 4));
  EXPECT_EQ(AevtKey(9, 5, v), std::string("\x01\x09\x01\x05", 4) + v);
  EXPECT_EQ(EavtKey(0, 256, v), std::string("\x00\x02\x01\x00", 4) + v);
  EXPECT_EQ(EntryT(std::string("\x01\x02", 2)), 258);
  EXPECT_TRUE(absl::IsDataLoss(ParseKey(Dbi::kEavt, "short").status()));
  EXPECT_TRUE(
      absl::IsDataLoss(ParseKey(Dbi::kEavt, EavtKey(1, 2, std::string(201, 'x'))).status()));
  EXPECT_FALSE(ParseKey(Dbi::kLog, EavtKey(1, 2, v)).ok());
}

TEST(LogTest, RecordRoundTrip) {
  std::vector<DatomWrite> writes = {
      {.e = 1, .a = 10, .v = Encode(Value("hello"), ValueType::kString), .added = true},
      {.e = uint64_t{4} << 42 | 7, .a = 11, .v = std::string(5000, 'z'), .added = false},
      {.e = 2,
       .a = 12,
       .v = Encode(Value::Integer(1), ValueType::kRef),
       .added = true,
       .is_ref = true},
  };
  const uint64_t old_tx = static_cast<uint64_t>(TToTx(3));
  std::vector<uint64_t> closed = {0, old_tx, 0};
  std::string record;
  EncodeLogRecord(9, writes, closed, &record);
  absl::StatusOr<LogEntry> entry = DecodeLogEntry(LogKey(9), record);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->t, 9);
  ASSERT_EQ(entry->datoms.size(), writes.size());
  for (size_t i = 0; i < writes.size(); ++i) {
    EXPECT_EQ(entry->datoms[i].e, writes[i].e);
    EXPECT_EQ(entry->datoms[i].a, writes[i].a);
    EXPECT_EQ(entry->datoms[i].v, writes[i].v);
    EXPECT_EQ(entry->datoms[i].added, writes[i].added);
    EXPECT_EQ(entry->datoms[i].tx_a, writes[i].added ? uint64_t(TToTx(9)) : old_tx);
  }
  for (size_t cut = 0; cut < record.size(); cut += 97) {
    EXPECT_FALSE(DecodeLogEntry(LogKey(9), record.substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(DecodeLogEntry("bad", record).ok());
}

TEST(LogTest, DatomsOfTheSameEntityOmitIt) {
  const std::string one = Encode(Value::Integer(1), ValueType::kLong);
  const uint64_t e = uint64_t{4} << 42 | 1;
  std::vector<DatomWrite> writes = {{.e = e, .a = 72, .v = one},
                                    {.e = e, .a = 73, .v = one, .added = false},
                                    {.e = 2, .a = 72, .v = one}};
  std::string record;
  EncodeLogRecord(5, writes, std::vector<uint64_t>{0, uint64_t(TToTx(3)), 0}, &record);
  // version, count, [01 e(7) 48 09 v(9)], [02 49 09 v(9) 03], [01 02 48 09 v(9)]
  EXPECT_EQ(record.size(), 2u + 19 + 13 + 13);
  EXPECT_EQ(record[21], '\x02') << "the second datom's flags: retraction, same entity";
  absl::StatusOr<LogEntry> entry = DecodeLogEntry(LogKey(5), record);
  ASSERT_TRUE(entry.ok()) << entry.status();
  ASSERT_EQ(entry->datoms.size(), 3u);
  EXPECT_EQ(entry->datoms[1].e, e);
  EXPECT_EQ(entry->datoms[1].a, 73u);
  EXPECT_FALSE(entry->datoms[1].added);
  EXPECT_EQ(entry->datoms[1].tx_a, uint64_t(TToTx(3)));
  EXPECT_EQ(entry->datoms[2].e, 2u);
  // A first datom cannot name "the previous entity".
  EXPECT_FALSE(DecodeLogEntry(LogKey(5), std::string("\x01\x01\x03\x48\x01\x10", 6)).ok());
}

// The worked example of docs/format.md, "Decoding a key by hand".
TEST(LogTest, DocumentedExampleBytes) {
  const uint64_t e = uint64_t{4} << 42 | 1;
  const std::string jane = Encode(Value("Jane"), ValueType::kString);
  EXPECT_EQ(EavtKey(e, 72, jane), std::string("\x06\x10\x00\x00\x00\x00\x01"
                                              "\x01\x48"
                                              "\x31Jane\0\x01",
                                              16));
  EXPECT_EQ(AvetKey(72, jane, e), std::string("\x01\x48"
                                              "\x31Jane\0\x01"
                                              "\x06\x10\x00\x00\x00\x00\x01\x06",
                                              17));
  std::string history = EavtKey(e, 72, jane);
  AppendHistorySuffix(&history, 5);
  EXPECT_EQ(history.substr(16), std::string("\x01\x05\x01", 3));
  std::string value;
  AppendEntryT(&value, 5);
  EXPECT_EQ(value, "\x05");
  std::vector<DatomWrite> writes = {{.e = e, .a = 72, .v = jane}};
  std::string record;
  EncodeLogRecord(5, writes, std::vector<uint64_t>{0}, &record);
  EXPECT_EQ(record, std::string("\x01\x01\x01\x81\x80\x80\x80\x80\x80\x04\x48\x07"
                                "\x31Jane\0\x01",
                                19));
}

}  // namespace
}  // namespace accrete::internal
