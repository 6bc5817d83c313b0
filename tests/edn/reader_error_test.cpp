// Every error the reader reports, with its "line:column: " and wording.
#include "edn_test_util.hpp"

namespace accrete {
namespace {

using testing::ReadError;

TEST(ReaderErrorTest, NothingToRead) {
  EXPECT_EQ(ReadError(""), "1:1: expected a value, found end of input");
  EXPECT_EQ(ReadError("  ; only a comment"), "1:19: expected a value, found end of input");
  EXPECT_EQ(ReadError(")"), "1:1: expected a value, found ')'");
  EXPECT_EQ(ReadError("  }"), "1:3: expected a value, found '}'");
}

TEST(ReaderErrorTest, TrailingInput) {
  EXPECT_EQ(ReadError("1 2"), "1:3: expected end of input after the value, found '2'");
  EXPECT_EQ(ReadError("[1] ]"), "1:5: expected end of input after the value, found ']'");
  EXPECT_EQ(ReadError("foo\"bar\""), "1:4: expected end of input after the value, found '\"'");
}

TEST(ReaderErrorTest, UnclosedCollections) {
  EXPECT_EQ(ReadError("{:a 1\n [:b\n [1 2 3"),
            "3:8: expected ']' to close the vector opened at 3:2, found end of input");
  EXPECT_EQ(ReadError("(1 2"),
            "1:5: expected ')' to close the list opened at 1:1, found end of input");
  EXPECT_EQ(ReadError("{:a 1"),
            "1:6: expected '}' to close the map opened at 1:1, found end of input");
  EXPECT_EQ(ReadError("#{1"),
            "1:4: expected '}' to close the set opened at 1:1, found end of input");
}

TEST(ReaderErrorTest, MismatchedClosers) {
  EXPECT_EQ(ReadError("(1 2]"), "1:5: expected ')' to close the list opened at 1:1, found ']'");
  EXPECT_EQ(ReadError("[(1})"), "1:4: expected ')' to close the list opened at 1:2, found '}'");
  EXPECT_EQ(ReadError("{:a 1)"), "1:6: expected '}' to close the map opened at 1:1, found ')'");
  EXPECT_EQ(ReadError("#{1]"), "1:4: expected '}' to close the set opened at 1:1, found ']'");
}

TEST(ReaderErrorTest, MapsNeedPairs) {
  EXPECT_EQ(ReadError("{:a 1 :b}"),
            "1:9: expected a value for the key :b in the map opened at 1:1, found '}'");
  EXPECT_EQ(ReadError("{:a}"),
            "1:4: expected a value for the key :a in the map opened at 1:1, found '}'");
  EXPECT_EQ(ReadError("{:a #_ 1}"),
            "1:9: expected a value for the key :a in the map opened at 1:1, found '}'");
}

TEST(ReaderErrorTest, DuplicateMapKeys) {
  EXPECT_EQ(ReadError("{:a 1 :b 2 :a 3}"), "1:12: duplicate key :a in the map opened at 1:1");
  EXPECT_EQ(ReadError("[{:x 1\n  \"k\" 2\n  \"k\" 3}]"),
            "3:3: duplicate key \"k\" in the map opened at 1:2");
  // Keys equal by value, not by text: 1 and 1N, [1] and (1).
  EXPECT_EQ(ReadError("{1 :a 1N :b}").substr(0, 17), "1:7: duplicate ke");
  EXPECT_EQ(ReadError("{[1] :a (1) :b}").substr(0, 18), "1:9: duplicate key");
  // Values may repeat.
  EXPECT_EQ(ReadError("{:a 1 :b 1}"), "OK: {:a 1, :b 1}");
  // A key that also appears as a value is not a duplicate.
  EXPECT_EQ(ReadError("{:a :b :b :a}"), "OK: {:a :b, :b :a}");
  EXPECT_EQ(ReadError("{:a :a, :b :c, :a 2}"), "1:16: duplicate key :a in the map opened at 1:1");
}

TEST(ReaderErrorTest, DuplicateSetItems) {
  EXPECT_EQ(ReadError("#{1 2 1}"), "1:7: duplicate item 1 in the set opened at 1:1");
  EXPECT_EQ(ReadError("#{[1 2] #_ x (1 2)}").substr(0, 19), "1:14: duplicate ite");
  EXPECT_EQ(ReadError("#{\"a\" \"a\"}"), "1:7: duplicate item \"a\" in the set opened at 1:1");
  EXPECT_EQ(ReadError("#{1 1.0 1M}"), "OK: #{1 1.0 1M}");
}

TEST(ReaderErrorTest, Strings) {
  EXPECT_EQ(ReadError("\"abc"),
            "1:5: expected '\"' to close the string opened at 1:1, found end of input");
  EXPECT_EQ(ReadError("[\"a\\nbc"),
            "1:8: expected '\"' to close the string opened at 1:2, found end of input");
  EXPECT_EQ(ReadError("\"a\\qb\""),
            "1:3: invalid escape 'q' in string: expected one of t r n b f \\ \" u");
  EXPECT_EQ(ReadError("\"\\"), "1:3: expected an escape character after '\\', found end of input");
  EXPECT_EQ(ReadError("\"\\u12G4\""), "1:2: expected four hex digits after \\u in string");
  EXPECT_EQ(ReadError("\"\\u12\""), "1:2: expected four hex digits after \\u in string");
  EXPECT_EQ(ReadError("\"\\uDC00\""), "1:2: unpaired surrogate \\uDC00 in string");
  EXPECT_EQ(
      ReadError("\"\\uD800x\""),
      "1:2: unpaired surrogate \\uD800 in string: expected a \\uDC00-\\uDFFF escape after it");
  EXPECT_EQ(
      ReadError("\"\\uD800\\u0041\""),
      "1:2: unpaired surrogate \\uD800 in string: expected a \\uDC00-\\uDFFF escape after it");
}

TEST(ReaderErrorTest, InvalidUtf8InStrings) {
  EXPECT_EQ(ReadError("\"a\xFF"
                      "b\""),
            "1:3: invalid UTF-8 in string");
  EXPECT_EQ(ReadError("\"\xC0\xAF\""), "1:2: invalid UTF-8 in string");          // overlong '/'
  EXPECT_EQ(ReadError("\"\xED\xA0\x80\""), "1:2: invalid UTF-8 in string");      // a surrogate
  EXPECT_EQ(ReadError("\"\xF4\x90\x80\x80\""), "1:2: invalid UTF-8 in string");  // > U+10FFFF
  EXPECT_EQ(ReadError("\"\xE2\x82"), "1:2: invalid UTF-8 in string");            // truncated
  EXPECT_EQ(ReadError("\"\\n\x80\""), "1:4: invalid UTF-8 in string");           // after an escape
  EXPECT_EQ(ReadError("\"é\xFF\""), "1:3: invalid UTF-8 in string");
}

TEST(ReaderErrorTest, Characters) {
  EXPECT_EQ(ReadError("\\"), "1:2: expected a character after '\\', found end of input");
  EXPECT_EQ(ReadError("\\ "), "1:2: expected a character after '\\', found U+0020");
  EXPECT_EQ(ReadError("[\\\n]"), "1:3: expected a character after '\\', found U+000A");
  EXPECT_EQ(ReadError("\\abc"),
            "1:1: unsupported character \\abc: expected a single character, \\uXXXX, \\newline, "
            "\\space, \\tab, \\return, \\formfeed or \\backspace");
  EXPECT_EQ(ReadError("\\u12"),
            "1:1: unsupported character \\u12: expected a single character, \\uXXXX, \\newline, "
            "\\space, \\tab, \\return, \\formfeed or \\backspace");
  EXPECT_EQ(ReadError("\\uD800"), "1:1: invalid character \\uD800: a surrogate is not a character");
  EXPECT_EQ(ReadError("\\\xFF"), "1:2: invalid UTF-8 in character literal");
}

TEST(ReaderErrorTest, Dispatch) {
  EXPECT_EQ(ReadError("#"), "1:1: expected '{', '_', '#' or a tag after '#', found end of input");
  EXPECT_EQ(ReadError("#:a{:b 1}"), "1:1: expected '{', '_', '#' or a tag after '#', found ':'");
  EXPECT_EQ(ReadError("[#1]"), "1:2: expected '{', '_', '#' or a tag after '#', found '1'");
  EXPECT_EQ(ReadError("#(inc %)"), "1:1: expected '{', '_', '#' or a tag after '#', found '('");
  EXPECT_EQ(ReadError("##inf"),
            "1:1: unknown symbolic value ##inf: expected ##Inf, ##-Inf or ##NaN");
  EXPECT_EQ(ReadError("##"), "1:1: unknown symbolic value ##: expected ##Inf, ##-Inf or ##NaN");
}

TEST(ReaderErrorTest, Discard) {
  EXPECT_EQ(ReadError("[1 #_]"), "1:6: expected a value to discard after the #_ at 1:4, found ']'");
  EXPECT_EQ(ReadError("#_"),
            "1:3: expected a value to discard after the #_ at 1:1, found end of input");
  EXPECT_EQ(ReadError("[#_ #_ 1]"),
            "1:9: expected a value to discard after the #_ at 1:2, found ']'");
  EXPECT_EQ(ReadError("#_ 1"), "1:5: expected a value, found end of input");
  EXPECT_EQ(ReadError("[#_ {:a}]"),
            "1:8: expected a value for the key :a in the map opened at 1:5, found '}'");
}

TEST(ReaderErrorTest, Tags) {
  EXPECT_EQ(ReadError("#foo"), "1:5: expected a value after the tag #foo, found end of input");
  EXPECT_EQ(ReadError("[#foo ]"), "1:7: expected a value after the tag #foo, found ']'");
  EXPECT_EQ(ReadError("#a/ 1"), "1:1: invalid tag #a/");
  EXPECT_EQ(ReadError("#a@b 1"), "1:1: invalid tag #a@b");
  EXPECT_EQ(ReadError("#a\xFF 1"), "1:1: invalid tag containing byte 0xFF");
  EXPECT_EQ(ReadError("#inst 1"), "1:7: expected a string after #inst, found an integer");
  EXPECT_EQ(ReadError("#uuid :x"), "1:7: expected a string after #uuid, found a keyword");
  EXPECT_EQ(ReadError("#uri [\"x\"]"), "1:6: expected a string after #uri, found a vector");
  EXPECT_EQ(ReadError("#bytes nil"), "1:8: expected a string after #bytes, found a nil");
}

TEST(ReaderErrorTest, Inst) {
  const std::string kSyntax =
      "1:7: invalid #inst: expected an RFC 3339 timestamp such as \"2024-01-31T12:30:00.000Z\"";
  EXPECT_EQ(ReadError("#inst \"yesterday\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"24-01-01\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"2024-1-01\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"2024-01-01 10:00\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"2024-01-01T10:00:00.Z\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"2024-01-01T10:00:00+0100\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"2024-01-01T10:00:00Zjunk\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"+123-01-01\""), kSyntax);
  EXPECT_EQ(ReadError("#inst \"2024-13-01\""),
            "1:7: invalid #inst: month 13 out of range in \"2024-13-01\"");
  EXPECT_EQ(ReadError("#inst \"2023-02-29\""),
            "1:7: invalid #inst: day 29 out of range in \"2023-02-29\"");
  EXPECT_EQ(ReadError("#inst \"2024-04-31\""),
            "1:7: invalid #inst: day 31 out of range in \"2024-04-31\"");
  EXPECT_EQ(ReadError("#inst \"2024-01-00\""),
            "1:7: invalid #inst: day 0 out of range in \"2024-01-00\"");
  EXPECT_EQ(ReadError("#inst \"2024-01-01T24:00:00Z\""),
            "1:7: invalid #inst: hour 24 out of range in \"2024-01-01T24:00:00Z\"");
  EXPECT_EQ(ReadError("#inst \"2024-01-01T23:60:00Z\""),
            "1:7: invalid #inst: minute 60 out of range in \"2024-01-01T23:60:00Z\"");
  EXPECT_EQ(ReadError("#inst \"1990-12-31T23:59:60Z\""),
            "1:7: invalid #inst: second 60 out of range in \"1990-12-31T23:59:60Z\"");
  EXPECT_EQ(ReadError("#inst \"2024-01-01T00:00:00+24:00\""),
            "1:7: invalid #inst: offset out of range in \"2024-01-01T00:00:00+24:00\"");
  EXPECT_EQ(ReadError("#inst \"+999999999-01-01\""),
            "1:7: invalid #inst: instant out of range in \"+999999999-01-01\"");
}

TEST(ReaderErrorTest, UuidUriBytes) {
  EXPECT_EQ(ReadError("#uuid \"abc\""),
            "1:7: invalid #uuid \"abc\": expected 8-4-4-4-12 hex digits");
  EXPECT_EQ(
      ReadError("#uuid \"f81d4fae7dec11d0a76500a0c91e6bf6\""),
      "1:7: invalid #uuid \"f81d4fae7dec11d0a76500a0c91e6bf6\": expected 8-4-4-4-12 hex digits");
  EXPECT_EQ(ReadError("#uuid \"g81d4fae-7dec-11d0-a765-00a0c91e6bf6\"").substr(0, 19),
            "1:7: invalid #uuid ");
  const std::string kUri =
      ": spaces, controls and \"<>\\^`{|} are not allowed and '%' must start a %XX escape";
  EXPECT_EQ(ReadError("#uri \"a b\""), "1:6: invalid #uri \"a b\"" + kUri);
  EXPECT_EQ(ReadError("#uri \"a%2\""), "1:6: invalid #uri \"a%2\"" + kUri);
  EXPECT_EQ(ReadError("#uri \"<x>\""), "1:6: invalid #uri \"<x>\"" + kUri);
  EXPECT_EQ(ReadError("#bytes \"abc\""), "1:8: invalid #bytes: expected padded standard base64");
  EXPECT_EQ(ReadError("#bytes \"ab=c\""), "1:8: invalid #bytes: expected padded standard base64");
  EXPECT_EQ(ReadError("#bytes \"a===\""), "1:8: invalid #bytes: expected padded standard base64");
  EXPECT_EQ(ReadError("#bytes \"ab-_\""), "1:8: invalid #bytes: expected padded standard base64");
}

TEST(ReaderErrorTest, Symbols) {
  for (const char* bad : {"foo/", "/foo", "a/b/c", "foo//", ".5", "a/1b", "a/-1", "@x", "'x", "a'b",
                          "^x", "~x", "`x", "|x", "a|b", "a/:b", "a/#b"}) {
    EXPECT_EQ(ReadError(bad), std::string("1:1: invalid symbol '") + bad + "'") << bad;
  }
  EXPECT_EQ(ReadError("a\x01"
                      "b"),
            "1:1: invalid symbol containing U+0001");
  EXPECT_EQ(ReadError("a\xFF"), "1:1: invalid symbol containing byte 0xFF");
}

TEST(ReaderErrorTest, Keywords) {
  EXPECT_EQ(ReadError(":"), "1:1: expected a keyword name after ':', found end of input");
  EXPECT_EQ(ReadError("[: a]"), "1:2: expected a keyword name after ':', found U+0020");
  EXPECT_EQ(ReadError("::foo"),
            "1:1: invalid keyword '::foo': '::' (auto-resolved) keywords are not EDN");
  EXPECT_EQ(ReadError(":/"), "1:1: invalid keyword ':/'");
  for (const char* bad : {":1", ":a/", ":/a", ":a/b/c", ":#a", ":-1", ":a/1"}) {
    EXPECT_EQ(ReadError(bad), std::string("1:1: invalid keyword '") + bad + "'") << bad;
  }
}

TEST(ReaderErrorTest, Numbers) {
  EXPECT_EQ(ReadError("01"), "1:1: invalid number '01': leading zeros are not allowed");
  EXPECT_EQ(ReadError("-007"), "1:1: invalid number '-007': leading zeros are not allowed");
  EXPECT_EQ(ReadError("00.5"), "1:1: invalid number '00.5': leading zeros are not allowed");
  EXPECT_EQ(ReadError("01N"), "1:1: invalid number '01N': leading zeros are not allowed");
  EXPECT_EQ(ReadError("1e"), "1:1: invalid number '1e': expected digits in the exponent");
  EXPECT_EQ(ReadError("1.5e+"), "1:1: invalid number '1.5e+': expected digits in the exponent");
  EXPECT_EQ(ReadError("1e9999999999M"),
            "1:1: invalid number '1e9999999999M': exponent out of range");
  for (const char* bad : {"1.5N", "1x", "0x1F", "1/2", "1.2.3", "1e5N", "1MM", "1NM", "2r101",
                          "1_000", "+1a", "1M2"}) {
    EXPECT_EQ(ReadError(bad), std::string("1:1: invalid number '") + bad + "'") << bad;
  }
}

TEST(ReaderErrorTest, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(ReadError("[\"é😀\" ::x]"),
            "1:7: invalid keyword '::x': '::' (auto-resolved) keywords are not EDN");
  EXPECT_EQ(ReadError("\r\n[1\r\n ::x]"),
            "3:2: invalid keyword '::x': '::' (auto-resolved) keywords are not EDN");
  EXPECT_EQ(ReadError("\t\t01"), "1:3: invalid number '01': leading zeros are not allowed");
}

}  // namespace
}  // namespace accrete
