// The EDN reader: a recursive-descent parser over the whole input, with no
// per-character allocation. Errors carry "line:column: " of where they were
// found; line and column are computed only when an error is reported.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "accrete/edn.hpp"
#include "edn/decimal.hpp"
#include "edn/heap_block.hpp"
#include "edn/literals.hpp"
#include "edn/str_cat.hpp"
#include "edn/utf8.hpp"

namespace accrete::edn {
namespace {

enum CharClass : uint8_t {
  kWhitespace = 1,  // includes ',' as the spec says
  kTerminator = 2,  // ends a token (whitespace too)
  kSymbolChar = 4,  // may appear in a symbol or keyword (ASCII only)
};

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> t{};
  for (char c : std::string_view(" \t\n\r\f\v,")) t[static_cast<unsigned char>(c)] |= kWhitespace;
  for (char c : std::string_view(" \t\n\r\f\v,()[]{}\";\\")) {
    t[static_cast<unsigned char>(c)] |= kTerminator;
  }
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kSymbolChar;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kSymbolChar;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kSymbolChar;
  for (char c : std::string_view(".*+!-_?$%&=<>:#/"))
    t[static_cast<unsigned char>(c)] |= kSymbolChar;
  return t;
}
constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

bool Is(char c, CharClass cls) { return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsCloser(char c) { return c == ')' || c == ']' || c == '}'; }

// Four hex digits at the start of `s`, or -1.
int Hex4(std::string_view s) {
  if (s.size() < 4) return -1;
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    int d = internal::HexDigitValue(s[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// One part (namespace or name) of a symbol: spec rules for the first
// characters, then constituent characters. Non-ASCII characters count as
// alphabetic (well-formed UTF-8 only).
bool IsValidNamePart(std::string_view s) {
  if (s.empty() || IsDigit(s[0]) || s[0] == ':' || s[0] == '#') return false;
  if ((s[0] == '+' || s[0] == '-' || s[0] == '.') && s.size() > 1 && IsDigit(s[1])) return false;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!Is(s[i], kSymbolChar) || s[i] == '/') return false;
      ++i;
      continue;
    }
    char32_t cp;
    size_t len = internal::DecodeUtf8(s.substr(i), &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

// A symbol per the spec: "/" alone, or a name part, or "ns/name".
bool IsValidSymbol(std::string_view s) {
  if (s == "/") return true;
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return IsValidNamePart(s);
  return IsValidNamePart(s.substr(0, slash)) && IsValidNamePart(s.substr(slash + 1));
}

class Reader {
 public:
  Reader(std::string_view text, const ReadOptions& options)
      : text_(text), max_depth_(options.max_depth) {}

  const absl::Status& status() const { return status_; }
  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  // Skips whitespace, comments and `#_` discarded values (which are read, at
  // `depth`, and dropped). Afterwards pos() is at end of input or at the first
  // character of a value or of a closing bracket.
  bool SkipAtmosphere(int depth) {
    size_t pending_discards = 0;
    size_t discard_at = 0;
    for (;;) {
      SkipSpaceAndComments();
      if (AtEnd() || IsCloser(Peek())) {
        if (pending_discards == 0) return true;
        return Fail(pos_, internal::Cat("expected a value to discard after the #_ at ",
                                        LineColumn(discard_at), ", found ", Found(pos_)));
      }
      if (Peek() == '#' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '_') {
        if (pending_discards == 0) discard_at = pos_;
        ++pending_discards;
        pos_ += 2;
        continue;
      }
      if (pending_discards == 0) return true;
      Value ignored;
      if (!ReadValue(depth, &ignored)) return false;
      --pending_discards;
    }
  }

  // Reads the value starting at pos() (SkipAtmosphere has run, and pos() is
  // neither at the end nor at a closing bracket). `depth` counts the
  // collections and tags around it.
  bool ReadValue(int depth, Value* out) {
    char c = Peek();
    switch (c) {
      case '(':
        return ReadSequence(Kind::kList, ')', depth, out);
      case '[':
        return ReadSequence(Kind::kVector, ']', depth, out);
      case '{':
        return ReadMap(depth, out);
      case '"':
        return ReadString(out);
      case '\\':
        return ReadCharacter(out);
      case '#':
        return ReadDispatch(depth, out);
      default:
        return ReadToken(out);
    }
  }

  bool Fail(size_t offset, std::string_view message) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(internal::Cat(LineColumn(offset), ": ", message));
    }
    return false;
  }

  // "line:column" of a byte offset; columns count characters, from 1.
  std::string LineColumn(size_t offset) const {
    offset = std::min(offset, text_.size());
    std::string_view before = text_.substr(0, offset);
    size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    size_t line_start = before.rfind('\n');
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    size_t column = 1;
    for (size_t i = line_start; i < offset; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    return internal::Cat(line, ":", column);
  }

  // What is at `offset`, for "found ..." in messages.
  std::string Found(size_t offset) const {
    if (offset >= text_.size()) return "end of input";
    char c = text_[offset];
    if (c > 0x20 && c < 0x7F) return internal::Cat("'", std::string_view(&c, 1), "'");
    char32_t cp;
    size_t len = internal::DecodeUtf8(text_.substr(offset), &cp);
    if (len == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(c));
      return internal::Cat("byte ", hex);
    }
    if (len > 1) return internal::Cat("'", text_.substr(offset, len), "'");
    char hex[16];
    std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
    return hex;
  }

 private:
  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (Is(c, kWhitespace)) {
        ++pos_;
      } else if (c == ';') {
        size_t newline = text_.find('\n', pos_);
        pos_ = newline == std::string_view::npos ? text_.size() : newline + 1;
      } else {
        return;
      }
    }
  }

  bool CheckDepth(int depth, size_t at) {
    if (depth < max_depth_) return true;
    return Fail(
        at, internal::Cat("nesting deeper than ", max_depth_, " levels (ReadOptions::max_depth)"));
  }

  // Reads the items of a collection up to its closing bracket.
  bool ReadItems(Kind kind, char close, size_t open_at, int depth, std::vector<Value>* items) {
    for (;;) {
      if (!SkipAtmosphere(depth + 1)) return false;
      if (AtEnd() || (IsCloser(Peek()) && Peek() != close)) {
        return Fail(pos_, internal::Cat("expected '", std::string_view(&close, 1),
                                        "' to close the ", KindName(kind), " opened at ",
                                        LineColumn(open_at), ", found ", Found(pos_)));
      }
      if (Peek() == close) {
        ++pos_;
        return true;
      }
      items->emplace_back();
      if (!ReadValue(depth + 1, &items->back())) return false;
    }
  }

  bool ReadSequence(Kind kind, char close, int depth, Value* out) {
    size_t open_at = pos_;
    if (!CheckDepth(depth, open_at)) return false;
    ++pos_;
    std::vector<Value> items;
    if (!ReadItems(kind, close, open_at, depth, &items)) return false;
    *out = kind == Kind::kList ? Value::List(std::move(items)) : Value::Vector(std::move(items));
    return true;
  }

  bool ReadMap(int depth, Value* out) {
    size_t open_at = pos_;
    if (!CheckDepth(depth, open_at)) return false;
    ++pos_;
    std::vector<Value> forms;
    if (!ReadItems(Kind::kMap, '}', open_at, depth, &forms)) return false;
    if (forms.size() % 2 != 0) {
      return Fail(pos_ - 1,
                  internal::Cat("expected a value for the key ", Print(forms.back()),
                                " in the map opened at ", LineColumn(open_at), ", found '}'"));
    }
    std::vector<MapEntry> entries;
    entries.reserve(forms.size() / 2);
    for (size_t i = 0; i < forms.size(); i += 2) {
      entries.emplace_back(std::move(forms[i]), std::move(forms[i + 1]));
    }
    std::sort(entries.begin(), entries.end(), [](const MapEntry& a, const MapEntry& b) {
      return internal::CompareValues(a.first, b.first) < 0;
    });
    for (size_t i = 1; i < entries.size(); ++i) {
      if (entries[i - 1].first == entries[i].first) {
        return FailDuplicate(Kind::kMap, open_at, depth, entries[i].first);
      }
    }
    *out = internal::MakeSortedMap(std::move(entries));
    return true;
  }

  bool ReadSet(int depth, Value* out) {
    size_t open_at = pos_;
    if (!CheckDepth(depth, open_at)) return false;
    pos_ += 2;
    std::vector<Value> items;
    if (!ReadItems(Kind::kSet, '}', open_at, depth, &items)) return false;
    std::sort(items.begin(), items.end());
    auto dup = std::adjacent_find(items.begin(), items.end());
    if (dup != items.end()) return FailDuplicate(Kind::kSet, open_at, depth, *dup);
    *out = internal::MakeSortedSet(std::move(items));
    return true;
  }

  // Reports `dup`, found twice in the map keys or set items opened at
  // `open_at`, at its second occurrence. Only on this error path is the
  // collection read again to learn where its items start.
  bool FailDuplicate(Kind kind, size_t open_at, int depth, const Value& dup) {
    Reader again(text_, ReadOptions{max_depth_});
    again.pos_ = open_at + (kind == Kind::kSet ? 2 : 1);
    size_t seen = 0;
    size_t at = open_at;
    for (size_t index = 0;
         again.SkipAtmosphere(depth + 1) && !again.AtEnd() && !IsCloser(again.Peek()); ++index) {
      size_t start = again.pos_;
      Value item;
      if (!again.ReadValue(depth + 1, &item)) break;
      bool is_key = kind == Kind::kSet || index % 2 == 0;
      if (is_key && item == dup && ++seen == 2) {
        at = start;
        break;
      }
    }
    std::string_view what = kind == Kind::kSet ? "item" : "key";
    return Fail(at, internal::Cat("duplicate ", what, " ", Print(dup), " in the ", KindName(kind),
                                  " opened at ", LineColumn(open_at)));
  }

  bool ReadString(Value* out) {
    size_t open_at = pos_;
    size_t start = ++pos_;
    // Fast path: no escapes, so the value is a slice of the input.
    while (pos_ < text_.size()) {
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        *out = Value::String(text_.substr(start, pos_ - start));
        ++pos_;
        return true;
      }
      if (c == '\\') break;
      if (c < 0x80) {
        ++pos_;
      } else if (!SkipUtf8("string")) {
        return false;
      }
    }
    scratch_.assign(text_.substr(start, pos_ - start));
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"') {
        *out = Value::String(scratch_);
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!ReadEscape()) return false;
      } else if (static_cast<unsigned char>(c) < 0x80) {
        scratch_.push_back(c);
        ++pos_;
      } else {
        size_t from = pos_;
        if (!SkipUtf8("string")) return false;
        scratch_.append(text_.substr(from, pos_ - from));
      }
    }
    return Fail(pos_, internal::Cat("expected '\"' to close the string opened at ",
                                    LineColumn(open_at), ", found end of input"));
  }

  bool SkipUtf8(std::string_view where) {
    char32_t cp;
    size_t len = internal::DecodeUtf8(text_.substr(pos_), &cp);
    if (len == 0) return Fail(pos_, internal::Cat("invalid UTF-8 in ", where));
    pos_ += len;
    return true;
  }

  // An escape in a string, at pos() (the backslash); appends to scratch_.
  bool ReadEscape() {
    size_t at = pos_++;
    if (AtEnd()) return Fail(pos_, "expected an escape character after '\\', found end of input");
    char e = text_[pos_++];
    switch (e) {
      case 't':
        scratch_.push_back('\t');
        return true;
      case 'r':
        scratch_.push_back('\r');
        return true;
      case 'n':
        scratch_.push_back('\n');
        return true;
      case 'b':
        scratch_.push_back('\b');
        return true;
      case 'f':
        scratch_.push_back('\f');
        return true;
      case '\\':
        scratch_.push_back('\\');
        return true;
      case '"':
        scratch_.push_back('"');
        return true;
      case 'u':
        break;
      default:
        return Fail(at, internal::Cat("invalid escape ", Found(at + 1),
                                      " in string: expected one of t r n b f \\ \" u"));
    }
    int unit = Hex4(text_.substr(pos_));
    if (unit < 0) return Fail(at, "expected four hex digits after \\u in string");
    pos_ += 4;
    char32_t cp = static_cast<char32_t>(unit);
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return Fail(at,
                  internal::Cat("unpaired surrogate \\u", text_.substr(at + 2, 4), " in string"));
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      std::string_view rest = text_.substr(pos_);
      int low = rest.size() >= 6 && rest[0] == '\\' && rest[1] == 'u' ? Hex4(rest.substr(2)) : -1;
      if (low < 0xDC00 || low > 0xDFFF) {
        return Fail(at, internal::Cat("unpaired surrogate \\u", text_.substr(at + 2, 4),
                                      " in string: expected a \\uDC00-\\uDFFF escape after it"));
      }
      pos_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + static_cast<char32_t>(low - 0xDC00);
    }
    internal::AppendUtf8(cp, &scratch_);
    return true;
  }

  size_t TokenEnd(size_t from) const {
    while (from < text_.size() && !Is(text_[from], kTerminator)) ++from;
    return from;
  }

  bool ReadCharacter(Value* out) {
    size_t at = pos_++;
    // ',' is whitespace elsewhere, but \, is the comma character.
    if (AtEnd() || (Is(Peek(), kWhitespace) && Peek() != ',')) {
      return Fail(pos_, internal::Cat("expected a character after '\\', found ", Found(pos_)));
    }
    char32_t first;
    size_t first_len = internal::DecodeUtf8(text_.substr(pos_), &first);
    if (first_len == 0) return Fail(pos_, "invalid UTF-8 in character literal");
    // The first character is taken as is, even a delimiter: \( \" \; \\ .
    size_t end = TokenEnd(pos_ + first_len);
    std::string_view name = text_.substr(pos_, end - pos_);
    pos_ = end;
    if (name.size() == first_len) {
      *out = Value::Character(first);
      return true;
    }
    static constexpr std::pair<std::string_view, char32_t> kNamed[] = {
        {"newline", '\n'}, {"space", ' '},     {"tab", '\t'},
        {"return", '\r'},  {"formfeed", '\f'}, {"backspace", '\b'},
    };
    for (const auto& [n, c] : kNamed) {
      if (name == n) {
        *out = Value::Character(c);
        return true;
      }
    }
    if (name.size() == 5 && name[0] == 'u' && Hex4(name.substr(1)) >= 0) {
      auto cp = static_cast<char32_t>(Hex4(name.substr(1)));
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        return Fail(
            at, internal::Cat("invalid character \\", name, ": a surrogate is not a character"));
      }
      *out = Value::Character(cp);
      return true;
    }
    return Fail(at, internal::Cat("unsupported character \\", name,
                                  ": expected a single character, \\uXXXX, \\newline, \\space, "
                                  "\\tab, \\return, \\formfeed or \\backspace"));
  }

  // '#' dispatch: sets, symbolic values, tags.
  bool ReadDispatch(int depth, Value* out) {
    size_t at = pos_;
    char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (next == '{') return ReadSet(depth, out);
    if (next == '#') return ReadSymbolicValue(out);
    if (IsAsciiAlpha(next) || static_cast<unsigned char>(next) >= 0x80)
      return ReadTagged(depth, out);
    return Fail(at,
                internal::Cat("expected '{', '_', '#' or a tag after '#', found ", Found(at + 1)));
  }

  bool ReadSymbolicValue(Value* out) {
    size_t at = pos_;
    pos_ += 2;
    size_t end = TokenEnd(pos_);
    std::string_view name = text_.substr(pos_, end - pos_);
    pos_ = end;
    if (name == "Inf") {
      *out = Value::Float(std::numeric_limits<double>::infinity());
    } else if (name == "-Inf") {
      *out = Value::Float(-std::numeric_limits<double>::infinity());
    } else if (name == "NaN") {
      *out = Value::Float(std::numeric_limits<double>::quiet_NaN());
    } else {
      return Fail(at, internal::Cat("unknown symbolic value ##", name,
                                    ": expected ##Inf, ##-Inf or ##NaN"));
    }
    return true;
  }

  bool ReadTagged(int depth, Value* out) {
    size_t at = pos_;
    if (!CheckDepth(depth, at)) return false;
    size_t end = TokenEnd(pos_ + 1);
    std::string_view tag = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end;
    if (!IsValidSymbol(tag)) {
      std::string shown = Printable(tag);
      return Fail(at, shown[0] == '\'' ? internal::Cat("invalid tag #", tag)
                                       : internal::Cat("invalid tag ", shown));
    }
    if (!SkipAtmosphere(depth + 1)) return false;
    if (AtEnd() || IsCloser(Peek())) {
      return Fail(pos_,
                  internal::Cat("expected a value after the tag #", tag, ", found ", Found(pos_)));
    }
    size_t value_at = pos_;
    Value value;
    if (!ReadValue(depth + 1, &value)) return false;
    if (tag == "inst" || tag == "uuid" || tag == "uri" || tag == "bytes") {
      return ReadBuiltinTag(tag, value, value_at, out);
    }
    *out = Value::Tagged(Value::Symbol(tag), std::move(value));
    return true;
  }

  bool ReadBuiltinTag(std::string_view tag, const Value& value, size_t value_at, Value* out) {
    if (!value.is_string()) {
      std::string_view kind = KindName(value.kind());
      std::string_view article =
          std::string_view("aeiou").find(kind[0]) == std::string_view::npos ? "a " : "an ";
      return Fail(value_at,
                  internal::Cat("expected a string after #", tag, ", found ", article, kind));
    }
    std::string_view text = value.as_string();
    if (tag == "inst") {
      int64_t millis;
      std::string error;
      if (!internal::ParseInst(text, &millis, &error)) {
        return Fail(value_at, internal::Cat("invalid #inst: ", error));
      }
      *out = Value::Inst(millis);
    } else if (tag == "uuid") {
      std::array<uint8_t, 16> bytes;
      if (!internal::ParseUuid(text, &bytes)) {
        return Fail(value_at, internal::Cat("invalid #uuid ", Print(value),
                                            ": expected 8-4-4-4-12 hex digits"));
      }
      *out = Value::Uuid(bytes);
    } else if (tag == "uri") {
      if (!internal::IsPlausibleUri(text)) {
        return Fail(value_at, internal::Cat("invalid #uri ", Print(value),
                                            ": spaces, controls and \"<>\\^`{|} are not allowed "
                                            "and '%' must start a %XX escape"));
      }
      *out = Value::Uri(text);
    } else {
      std::string bytes;
      if (!internal::DecodeBase64(text, &bytes)) {
        return Fail(value_at, "invalid #bytes: expected padded standard base64");
      }
      *out = Value::Bytes(bytes);
    }
    return true;
  }

  // Symbols, keywords, numbers, nil, true, false.
  bool ReadToken(Value* out) {
    size_t at = pos_;
    size_t end = TokenEnd(pos_);
    std::string_view token = text_.substr(pos_, end - pos_);
    pos_ = end;
    char c = token[0];
    if (c == ':') return ReadKeyword(token, at, out);
    if (IsDigit(c) || ((c == '+' || c == '-') && token.size() > 1 && IsDigit(token[1]))) {
      return ReadNumber(token, at, out);
    }
    if (token == "nil") {
      *out = Value();
    } else if (token == "true") {
      *out = Value(true);
    } else if (token == "false") {
      *out = Value(false);
    } else if (IsValidSymbol(token)) {
      *out = Value::Symbol(token);
    } else {
      return Fail(at, internal::Cat("invalid symbol ", Printable(token)));
    }
    return true;
  }

  // `token` quoted for a message, or a description of its first character
  // that is not printable (`token` ends at pos()).
  std::string Printable(std::string_view token) const {
    for (size_t i = 0; i < token.size();) {
      char32_t cp;
      size_t len = internal::DecodeUtf8(token.substr(i), &cp);
      if (len == 0 || cp < 0x20 || cp == 0x7F) {
        return internal::Cat("containing ", Found(pos_ - token.size() + i));
      }
      i += len;
    }
    return internal::Cat("'", token, "'");
  }

  bool ReadKeyword(std::string_view token, size_t at, Value* out) {
    std::string_view name = token.substr(1);
    if (name.empty())
      return Fail(at, internal::Cat("expected a keyword name after ':', found ", Found(pos_)));
    if (name[0] == ':') {
      return Fail(at, internal::Cat("invalid keyword ", Printable(token),
                                    ": '::' (auto-resolved) keywords are not EDN"));
    }
    if (name == "/" || !IsValidSymbol(name)) {
      return Fail(at, internal::Cat("invalid keyword ", Printable(token)));
    }
    *out = Value::Keyword(name);
    return true;
  }

  bool ReadNumber(std::string_view token, size_t at, Value* out) {
    auto invalid = [&](std::string_view why) {
      return Fail(at, internal::Cat("invalid number ", Printable(token), why));
    };
    size_t i = (token[0] == '+' || token[0] == '-') ? 1 : 0;
    size_t int_start = i;
    while (i < token.size() && IsDigit(token[i])) ++i;
    if (i - int_start > 1 && token[int_start] == '0') {
      return invalid(": leading zeros are not allowed");
    }
    if (i == token.size()) return ReadInteger(token, out);
    if (token[i] == 'N' && i + 1 == token.size()) {
      *out = Value::BigInt(token.substr(0, i));
      return true;
    }
    bool is_float = false;
    if (token[i] == '.') {
      is_float = true;
      ++i;
      while (i < token.size() && IsDigit(token[i])) ++i;
    }
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
      is_float = true;
      ++i;
      if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
      size_t exponent_start = i;
      while (i < token.size() && IsDigit(token[i])) ++i;
      if (i == exponent_start) return invalid(": expected digits in the exponent");
    }
    std::string_view number = token.substr(0, i);
    if (i + 1 == token.size() && token[i] == 'M') {
      internal::Decimal check;
      if (!internal::ParseDecimal(number, &check)) return invalid(": exponent out of range");
      *out = Value::BigDec(number);
      return true;
    }
    if (i != token.size() || !is_float) return invalid("");
    return ReadDouble(number, out);
  }

  bool ReadInteger(std::string_view token, Value* out) {
    int64_t value = 0;
    std::string_view digits = token[0] == '+' ? token.substr(1) : token;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    (void)end;
    // Too large for int64: a big integer, as Clojure reads it.
    *out = ec == std::errc() ? Value::Integer(value) : Value::BigInt(token);
    return true;
  }

  bool ReadDouble(std::string_view number, Value* out) {
    bool negative = number[0] == '-';
    std::string_view magnitude = number.substr(number[0] == '+' || number[0] == '-' ? 1 : 0);
    double d = 0;
    auto [end, ec] = std::from_chars(magnitude.data(), magnitude.data() + magnitude.size(), d);
    (void)end;
    if (ec == std::errc::result_out_of_range) {
      // Overflow reads as infinity and underflow as zero, as in Clojure/Java.
      // ParseDecimal fails only on an exponent too large to write down, whose
      // sign then decides.
      internal::Decimal exact;
      bool big = internal::ParseDecimal(magnitude, &exact)
                     ? exact.exponent > 0
                     : magnitude.find_first_of("eE") + 1 < magnitude.size() &&
                           magnitude[magnitude.find_first_of("eE") + 1] != '-';
      d = big ? std::numeric_limits<double>::infinity() : 0.0;
    }
    *out = Value::Float(negative ? -d : d);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int max_depth_;
  absl::Status status_;
  std::string scratch_;  // string contents being unescaped
};

}  // namespace

absl::StatusOr<Value> Read(std::string_view text, const ReadOptions& options) {
  Reader reader(text, options);
  if (!reader.SkipAtmosphere(0)) return reader.status();
  if (reader.AtEnd()) {
    reader.Fail(reader.pos(), "expected a value, found end of input");
    return reader.status();
  }
  if (IsCloser(reader.Peek())) {
    reader.Fail(reader.pos(),
                internal::Cat("expected a value, found ", reader.Found(reader.pos())));
    return reader.status();
  }
  Value value;
  if (!reader.ReadValue(0, &value)) return reader.status();
  if (!reader.SkipAtmosphere(0)) return reader.status();
  if (!reader.AtEnd()) {
    reader.Fail(reader.pos(), internal::Cat("expected end of input after the value, found ",
                                            reader.Found(reader.pos())));
    return reader.status();
  }
  return value;
}

absl::StatusOr<std::vector<Value>> ReadAll(std::string_view text, const ReadOptions& options) {
  Reader reader(text, options);
  std::vector<Value> values;
  for (;;) {
    if (!reader.SkipAtmosphere(0)) return reader.status();
    if (reader.AtEnd()) return values;
    if (IsCloser(reader.Peek())) {
      reader.Fail(reader.pos(), internal::Cat("unexpected ", reader.Found(reader.pos()),
                                              " with no collection open"));
      return reader.status();
    }
    values.emplace_back();
    if (!reader.ReadValue(0, &values.back())) return reader.status();
  }
}

}  // namespace accrete::edn
