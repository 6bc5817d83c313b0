// The pure built-in functions of the query language, with Clojure's
// semantics on accrete::Value (Datomic's built-ins are clojure.core's).
//
// Every function checks its argument kinds and reports the first wrong one
// as "(fn arg ...): expected X, got Y"; messages are built only on error, and
// the numeric paths allocate nothing for integers and doubles.
#include "query/builtins.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "edn/literals.hpp"
#include "edn/str_cat.hpp"
#include "edn/utf8.hpp"
#include "query/builtins_common.hpp"
#include "query/builtins_numeric.hpp"
#include "query/builtins_regex.hpp"

namespace accrete::internal::query {
namespace {

using Args = std::span<const Value>;
using Result = absl::StatusOr<Value>;

// ---------------------------------------------------------------------------
// Error messages

absl::Status CheckNumbers(std::string_view name, Args args) {
  for (const Value& arg : args) {
    if (!IsNumber(arg)) return Expected(name, args, "a number", arg);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Comparisons

Result Equal(std::string_view, Args args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (!(args[i - 1] == args[i])) return false;
  }
  return true;
}

Result NotEqual(std::string_view name, Args args) {
  Result eq = Equal(name, args);
  return !eq->as_bool();
}

// -1, 0 or 1 for numbers (numerically, across kinds) and for two values of
// one kind (compare()); nullopt when a NaN is involved; an error for values
// that do not compare (a number and a string, two maps...).
absl::StatusOr<std::optional<int>> CompareArgs(std::string_view name, Args args, const Value& a,
                                               const Value& b) {
  if (IsNumber(a) && IsNumber(b)) return CompareNumeric(a, b);
  if (a.kind() != b.kind() || IsNumber(a) || a.is_nil() || a.is_map()) {
    return CallError(name, args,
                     Cat("cannot compare ", Shown(a), " (", KindName(a.kind()), ") with ", Shown(b),
                         " (", KindName(b.kind()), ")"));
  }
  auto c = compare(a, b);
  return std::optional<int>(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

// (op a b c ...) holds when each neighbouring pair is in order; like
// Clojure it stops at the first pair that is not.
template <bool (*Holds)(int)>
Result Ordered(std::string_view name, Args args) {
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& a = args[i - 1];
    const Value& b = args[i];
    if (a.is_integer() && b.is_integer()) {
      int c = a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
      if (!Holds(c)) return false;
      continue;
    }
    absl::StatusOr<std::optional<int>> c = CompareArgs(name, args, a, b);
    if (!c.ok()) return c.status();
    if (!c->has_value() || !Holds(**c)) return false;
  }
  return true;
}

bool IsLess(int c) { return c < 0; }
bool IsGreater(int c) { return c > 0; }
bool IsLessOrEqual(int c) { return c <= 0; }
bool IsGreaterOrEqual(int c) { return c >= 0; }

// ---------------------------------------------------------------------------
// Arithmetic

// Folds `op` from `acc` over `operands` (the whole call, `args`, is what
// messages show).
Result Fold(NumOp op, std::string_view name, Args args, Args operands, Value acc) {
  if (absl::Status s = CheckNumbers(name, args); !s.ok()) return s;
  for (const Value& operand : operands) {
    Result next = Arith(op, acc, operand);
    if (!next.ok()) return CallError(name, args, MessageOf(next.status()));
    acc = *std::move(next);
  }
  return acc;
}

// (op first rest...), as Clojure's `-`, `/`, quot, rem and mod; the
// one-argument forms of `-` and `/` are (- 0 x) and (/ 1 x).
Result FoldFromFirst(NumOp op, std::string_view name, Args args) {
  if (args.size() == 1) return Fold(op, name, args, args, op == NumOp::kDiv ? 1 : 0);
  return Fold(op, name, args, args.subspan(1), args[0]);
}

Result Plus(std::string_view name, Args args) { return Fold(NumOp::kAdd, name, args, args, 0); }
Result Times(std::string_view name, Args args) { return Fold(NumOp::kMul, name, args, args, 1); }
Result Minus(std::string_view name, Args args) { return FoldFromFirst(NumOp::kSub, name, args); }
Result Divide(std::string_view name, Args args) { return FoldFromFirst(NumOp::kDiv, name, args); }
template <NumOp kOp>
Result Binary(std::string_view name, Args args) {  // quot, rem, mod: exactly two arguments
  return FoldFromFirst(kOp, name, args);
}

Result Inc(std::string_view name, Args args) { return Fold(NumOp::kAdd, name, args, args, 1); }

Result Dec(std::string_view name, Args args) {
  static const Value kOne = 1;
  return Fold(NumOp::kSub, name, args, {&kOne, 1}, args[0]);
}

// Clojure's max/min: the winning argument itself (no conversion); NaN wins.
template <int kSign>
Result Extreme(std::string_view name, Args args) {
  if (absl::Status s = CheckNumbers(name, args); !s.ok()) return s;
  const Value* best = args.data();
  for (const Value& arg : args) {
    if (arg.is_float() && std::isnan(arg.as_double())) return arg;
    std::optional<int> c = CompareNumeric(arg, *best);
    if (c && *c == kSign) best = &arg;
  }
  return *best;
}

template <bool (*Holds)(int)>
Result SignIs(std::string_view name, Args args) {
  if (absl::Status s = CheckNumbers(name, args); !s.ok()) return s;
  if (args[0].is_float() && std::isnan(args[0].as_double())) return false;
  return Holds(NumberSign(args[0]));
}

bool IsZero(int c) { return c == 0; }

template <bool kOdd>
Result Parity(std::string_view name, Args args) {
  const Value& v = args[0];
  if (v.is_integer()) return (v.as_int() % 2 != 0) == kOdd;
  if (v.kind() == Kind::kBigInt) return ((v.as_string().back() - '0') % 2 != 0) == kOdd;
  return Expected(name, args, "an integer", v);
}

// ---------------------------------------------------------------------------
// Strings

// Java's Double.toString, which Clojure's str uses: the shortest digits
// that read back, plain between 1e-3 and 1e7 ("0.001", "1234567.0"),
// otherwise computerized scientific notation ("1.0E7", "1.5E-4").
void AppendJavaDouble(double d, std::string* out) {
  if (std::isnan(d)) return out->append("NaN"), void();
  if (std::isinf(d)) return out->append(d > 0 ? "Infinity" : "-Infinity"), void();
  if (d == 0) return out->append(std::signbit(d) ? "-0.0" : "0.0"), void();
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  (void)ec;                                                    // 64 bytes always suffice
  std::string_view text(buf, static_cast<size_t>(end - buf));  // "-d.ddde+XX"
  size_t e = text.find('e');
  // The buffer is not NUL-terminated: parse exactly the exponent's digits.
  int exponent = 0;
  const char* exp_begin = text.data() + e + 1;
  if (*exp_begin == '+') ++exp_begin;
  std::from_chars(exp_begin, text.data() + text.size(), exponent);
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (d < 0) out->push_back('-');
  if (std::fabs(d) >= 1e-3 && std::fabs(d) < 1e7) {
    if (exponent < 0) {
      out->append("0.").append(static_cast<size_t>(-exponent - 1), '0').append(digits);
      return;
    }
    auto int_digits = static_cast<size_t>(exponent) + 1;
    if (digits.size() < int_digits + 1) digits.resize(int_digits + 1, '0');
    out->append(digits, 0, int_digits).append(".").append(digits, int_digits);
    return;
  }
  out->push_back(digits[0]);
  out->append(".").append(digits.size() > 1 ? digits.substr(1) : "0");
  out->append("E").append(std::to_string(exponent));
}

// Appends Clojure's (str v): nil is empty, strings and characters are
// themselves, keywords keep their ':', doubles print as Java does, big
// numbers have no N/M suffix, uuids and uris are their text; everything else
// is its EDN text (for #inst that is `#inst "..."`, where Clojure would
// print java.util.Date's toString).
void AppendStr(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Kind::kNil:
      return;
    case Kind::kFloat:
      AppendJavaDouble(v.as_double(), out);
      return;
    case Kind::kString:
    case Kind::kUri:
    case Kind::kBigInt:
    case Kind::kBigDec:
      out->append(v.as_string());
      return;
    case Kind::kCharacter:
      AppendUtf8(v.as_char(), out);
      return;
    case Kind::kKeyword:
      out->append(":").append(v.qualified_name());
      return;
    case Kind::kSymbol:
      out->append(v.qualified_name());
      return;
    case Kind::kUuid:
      out->append(FormatUuid(v.uuid_bytes()));
      return;
    default:
      out->append(v.to_string());
      return;
  }
}

Result Str(std::string_view, Args args) {
  if (args.size() == 1 && args[0].is_string()) return args[0];
  std::string out;
  for (const Value& arg : args) AppendStr(arg, &out);
  return Value::String(out);
}

absl::Status CheckStrings(std::string_view name, Args args) {
  for (const Value& arg : args) {
    if (!arg.is_string()) return Expected(name, args, "a string", arg);
  }
  return absl::OkStatus();
}

// Byte offset of code point `index` in `s`, or npos past the end.
size_t CodePointOffset(std::string_view s, int64_t index) {
  size_t pos = 0;
  for (int64_t i = 0; i < index; ++i) {
    if (pos >= s.size()) return std::string_view::npos;
    char32_t cp;
    size_t len = DecodeUtf8(s.substr(pos), &cp);
    pos += len == 0 ? 1 : len;
  }
  return pos;
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size(); ++n) {
    char32_t cp;
    size_t len = DecodeUtf8(s.substr(pos), &cp);
    pos += len == 0 ? 1 : len;
  }
  return n;
}

// (subs s start [end]), indices in characters (code points; Clojure counts
// UTF-16 units, which differ only outside the Basic Multilingual Plane).
Result Subs(std::string_view name, Args args) {
  if (!args[0].is_string()) return Expected(name, args, "a string", args[0]);
  for (const Value& index : args.subspan(1)) {
    if (!index.is_integer()) return Expected(name, args, "an integer index", index);
  }
  std::string_view s = args[0].as_string();
  int64_t start = args[1].as_int();
  size_t begin = start < 0 ? std::string_view::npos : CodePointOffset(s, start);
  size_t end = s.size();
  if (args.size() == 3) {
    int64_t stop = args[2].as_int();
    end = stop < start ? std::string_view::npos : CodePointOffset(s, stop);
  }
  if (begin == std::string_view::npos || end == std::string_view::npos || end > s.size()) {
    return CallError(name, args, "index out of range");
  }
  return Value::String(s.substr(begin, end - begin));
}

template <bool (*Test)(std::string_view, std::string_view)>
Result StringTest(std::string_view name, Args args) {
  if (absl::Status s = CheckStrings(name, args); !s.ok()) return s;
  return Test(args[0].as_string(), args[1].as_string());
}

bool StartsWith(std::string_view s, std::string_view x) { return s.starts_with(x); }
bool EndsWith(std::string_view s, std::string_view x) { return s.ends_with(x); }
bool Includes(std::string_view s, std::string_view x) { return s.find(x) != s.npos; }

Result Blank(std::string_view name, Args args) {
  if (args[0].is_nil()) return true;
  if (absl::Status s = CheckStrings(name, args); !s.ok()) return s;
  std::string_view s = args[0].as_string();
  return s.find_first_not_of(" \t\n\r\f\v") == s.npos;
}

// ASCII letters only: a Unicode case mapping needs tables this library
// does not carry.
template <char kFrom, char kTo>
Result ChangeCase(std::string_view name, Args args) {
  if (absl::Status s = CheckStrings(name, args); !s.ok()) return s;
  std::string out(args[0].as_string());
  for (char& c : out) {
    if (c >= kFrom && c <= kFrom + 25) c = static_cast<char>(c - kFrom + kTo);
  }
  return Value::String(out);
}

// ---------------------------------------------------------------------------
// Values and collections

Result Identity(std::string_view, Args args) { return args[0]; }

// Clojure's keyword: from a string ("ns/name"), a symbol or a keyword; with
// two arguments from a namespace (nil for none) and a name. Anything else
// gives nil, as in Clojure.
Result Keyword(std::string_view name, Args args) {
  if (args.size() == 2) {
    if (!args[0].is_nil() && !args[0].is_string()) {
      return Expected(name, args, "a string or nil", args[0]);
    }
    if (!args[1].is_string()) return Expected(name, args, "a string", args[1]);
    if (args[0].is_nil()) return Value::Keyword(args[1].as_string());
    return Value::Keyword(args[0].as_string(), args[1].as_string());
  }
  const Value& v = args[0];
  if (v.is_keyword()) return v;
  if (v.is_symbol()) return Value::Keyword(v.qualified_name());
  if (v.is_string()) return Value::Keyword(v.as_string());
  return Value();
}

Result Name(std::string_view name, Args args) {
  const Value& v = args[0];
  if (v.is_string()) return v;
  if (v.is_keyword() || v.is_symbol()) return Value::String(v.name());
  return Expected(name, args, "a string, keyword or symbol", v);
}

Result Namespace(std::string_view name, Args args) {
  const Value& v = args[0];
  if (!v.is_keyword() && !v.is_symbol()) return Expected(name, args, "a keyword or symbol", v);
  if (v.ns().empty()) return Value();
  return Value::String(v.ns());
}

Result Vector(std::string_view, Args args) {
  return Value::Vector(std::vector<Value>(args.begin(), args.end()));
}

Result List(std::string_view, Args args) {
  return Value::List(std::vector<Value>(args.begin(), args.end()));
}

// Strings count characters (code points), collections their items, nil 0.
Result Count(std::string_view name, Args args) {
  const Value& v = args[0];
  if (v.is_nil()) return 0;
  if (v.is_string()) return static_cast<int64_t>(CodePointCount(v.as_string()));
  if (v.is_collection() || v.is_map()) return static_cast<int64_t>(v.size());
  return Expected(name, args, "a string or collection", v);
}

// Datomic's untuple: its tuple values are vectors; a list is accepted too.
Result Untuple(std::string_view name, Args args) {
  if (!args[0].is_sequential()) return Expected(name, args, "a tuple", args[0]);
  return args[0];
}

Result IsTrue(std::string_view, Args args) { return args[0].is_boolean() && args[0].as_bool(); }
Result IsFalse(std::string_view, Args args) { return args[0].is_boolean() && !args[0].as_bool(); }
Result IsNil(std::string_view, Args args) { return args[0].is_nil(); }
Result IsSome(std::string_view, Args args) { return !args[0].is_nil(); }
Result Not(std::string_view, Args args) { return !Truthy(args[0]); }

// The item of a vector, list or string at an integer index, or nullptr.
std::optional<Value> Indexed(const Value& coll, const Value& index) {
  if (!index.is_integer() || index.as_int() < 0) return std::nullopt;
  auto i = static_cast<uint64_t>(index.as_int());
  if (coll.is_sequential() && i < coll.size()) return coll.items()[i];
  if (coll.is_string()) {
    std::string_view s = coll.as_string();
    size_t pos = CodePointOffset(s, index.as_int());
    char32_t cp;
    if (pos != std::string_view::npos && pos < s.size() && DecodeUtf8(s.substr(pos), &cp) > 0) {
      return Value::Character(cp);
    }
  }
  return std::nullopt;
}

// (get coll key [default]): maps by key, sets by membership, vectors and
// strings by index; anything else, as in Clojure, gives the default.
Result Get(std::string_view, Args args) {
  const Value& coll = args[0];
  const Value& key = args[1];
  if (coll.is_map()) {
    if (const Value* v = coll.get(key)) return *v;
  } else if (coll.is_set()) {
    if (coll.contains(key)) return key;
  } else if (coll.is_vector() || coll.is_string()) {
    if (std::optional<Value> item = Indexed(coll, key)) return *std::move(item);
  }
  return args.size() == 3 ? args[2] : Value();
}

Result Contains(std::string_view name, Args args) {
  const Value& coll = args[0];
  const Value& key = args[1];
  if (coll.is_nil()) return false;
  if (coll.is_map()) return coll.get(key) != nullptr;
  if (coll.is_set()) return coll.contains(key);
  if (coll.is_vector() || coll.is_string()) return Indexed(coll, key).has_value();
  return Expected(name, args, "a map, set, vector or string", coll);
}

// ---------------------------------------------------------------------------
// The table

struct NamedBuiltin {
  std::string_view name;
  Builtin builtin;
};

constexpr int kAny = -1;

constexpr NamedBuiltin kBuiltins[] = {
    {"=", {Equal, 1, kAny}},
    {"!=", {NotEqual, 1, kAny}},
    {"not=", {NotEqual, 1, kAny}},
    {"<", {Ordered<IsLess>, 1, kAny}},
    {">", {Ordered<IsGreater>, 1, kAny}},
    {"<=", {Ordered<IsLessOrEqual>, 1, kAny}},
    {">=", {Ordered<IsGreaterOrEqual>, 1, kAny}},
    {"+", {Plus, 0, kAny}},
    {"-", {Minus, 1, kAny}},
    {"*", {Times, 0, kAny}},
    {"/", {Divide, 1, kAny}},
    {"quot", {Binary<NumOp::kQuot>, 2, 2}},
    {"rem", {Binary<NumOp::kRem>, 2, 2}},
    {"mod", {Binary<NumOp::kMod>, 2, 2}},
    {"inc", {Inc, 1, 1}},
    {"dec", {Dec, 1, 1}},
    {"max", {Extreme<1>, 1, kAny}},
    {"min", {Extreme<-1>, 1, kAny}},
    {"zero?", {SignIs<IsZero>, 1, 1}},
    {"pos?", {SignIs<IsGreater>, 1, 1}},
    {"neg?", {SignIs<IsLess>, 1, 1}},
    {"even?", {Parity<false>, 1, 1}},
    {"odd?", {Parity<true>, 1, 1}},
    {"str", {Str, 0, kAny}},
    {"subs", {Subs, 2, 3}},
    {"clojure.string/starts-with?", {StringTest<StartsWith>, 2, 2}},
    {"clojure.string/ends-with?", {StringTest<EndsWith>, 2, 2}},
    {"clojure.string/includes?", {StringTest<Includes>, 2, 2}},
    {"clojure.string/blank?", {Blank, 1, 1}},
    {"clojure.string/lower-case", {ChangeCase<'A', 'a'>, 1, 1}},
    {"clojure.string/upper-case", {ChangeCase<'a', 'A'>, 1, 1}},
    {"re-find", {ReFind, 2, 2}},
    {"re-matches", {ReMatches, 2, 2}},
    {"re-seq", {ReSeq, 2, 2}},
    {"re-pattern", {RePattern, 1, 1}},
    {"identity", {Identity, 1, 1}},
    {"keyword", {Keyword, 1, 2}},
    {"name", {Name, 1, 1}},
    {"namespace", {Namespace, 1, 1}},
    {"vector", {Vector, 0, kAny}},
    {"list", {List, 0, kAny}},
    {"count", {Count, 1, 1}},
    {"tuple", {Vector, 1, kAny}},
    {"untuple", {Untuple, 1, 1}},
    {"ground", {Identity, 1, 1}},
    {"true?", {IsTrue, 1, 1}},
    {"false?", {IsFalse, 1, 1}},
    {"nil?", {IsNil, 1, 1}},
    {"some?", {IsSome, 1, 1}},
    {"not", {Not, 1, 1}},
    {"get", {Get, 2, 3}},
    {"contains?", {Contains, 2, 2}},
};

}  // namespace

const Builtin* FindBuiltin(std::string_view name) {
  // Sorted once; looked up once per query at plan time.
  static const std::vector<const NamedBuiltin*>* sorted = [] {
    auto* v = new std::vector<const NamedBuiltin*>();
    for (const NamedBuiltin& b : kBuiltins) v->push_back(&b);
    std::sort(v->begin(), v->end(), [](auto* a, auto* b) { return a->name < b->name; });
    return v;
  }();
  auto it = std::lower_bound(sorted->begin(), sorted->end(), name,
                             [](const NamedBuiltin* b, std::string_view n) { return b->name < n; });
  if (it == sorted->end() || (*it)->name != name) return nullptr;
  return &(*it)->builtin;
}

}  // namespace accrete::internal::query
