// The EDN printer: Print (one line) and PrettyPrint.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "accrete/edn.hpp"
#include "edn/literals.hpp"
#include "edn/utf8.hpp"

namespace accrete::edn {
namespace {

void AppendHex4(char32_t c, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
  out->append(buf);
}

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          AppendHex4(c, out);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendCharacter(char32_t c, std::string* out) {
  switch (c) {
    case '\n':
      out->append("\\newline");
      return;
    case ' ':
      out->append("\\space");
      return;
    case '\t':
      out->append("\\tab");
      return;
    case '\r':
      out->append("\\return");
      return;
    case '\f':
      out->append("\\formfeed");
      return;
    case '\b':
      out->append("\\backspace");
      return;
    default:
      break;
  }
  if (c > 0x20 && c < 0x7F) {
    out->push_back('\\');
    out->push_back(static_cast<char>(c));
  } else if (c < 0x10000) {
    AppendHex4(c, out);
  } else {
    // Outside the Basic Multilingual Plane \uXXXX cannot say it: write the
    // character itself.
    out->push_back('\\');
    internal::AppendUtf8(c, out);
  }
}

// Shortest text that reads back to the same double, always recognisable as a
// float ("1.0", "1.0e20") as Clojure prints them.
void AppendDouble(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("##NaN");
    return;
  }
  if (std::isinf(d)) {
    out->append(d > 0 ? "##Inf" : "##-Inf");
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  (void)ec;  // 64 bytes always suffice
  std::string_view text(buf, static_cast<size_t>(end - buf));
  size_t e = text.find('e');
  std::string_view mantissa = text.substr(0, e);
  out->append(mantissa);
  if (mantissa.find('.') == std::string_view::npos) out->append(".0");
  if (e != std::string_view::npos) {
    std::string_view exponent = text.substr(e + 1);
    out->push_back('e');
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
      if (exponent[0] == '-') out->push_back('-');
      exponent.remove_prefix(1);
    }
    // to_chars writes at least two exponent digits ("1e-07").
    while (exponent.size() > 1 && exponent[0] == '0') exponent.remove_prefix(1);
    out->append(exponent);
  }
}

std::string_view Opener(Kind kind) {
  switch (kind) {
    case Kind::kList:
      return "(";
    case Kind::kVector:
      return "[";
    case Kind::kMap:
      return "{";
    default:
      return "#{";
  }
}

char Closer(Kind kind) {
  switch (kind) {
    case Kind::kList:
      return ')';
    case Kind::kVector:
      return ']';
    default:
      return '}';
  }
}

// Appends EDN text; stops early (leaving partial text) once `out` is longer
// than `limit`, which is how PrettyPrint asks "does this fit on the line?".
class Printer {
 public:
  Printer(std::string* out, size_t limit) : out_(out), limit_(limit) {}

  bool Full() const { return out_->size() > limit_; }

  void Print(const Value& v) {
    if (Full()) return;
    switch (v.kind()) {
      case Kind::kNil:
        out_->append("nil");
        return;
      case Kind::kBoolean:
        out_->append(v.as_bool() ? "true" : "false");
        return;
      case Kind::kInteger: {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_int());
        (void)ec;
        out_->append(buf, end);
        return;
      }
      case Kind::kBigInt:
        out_->append(v.as_string());
        out_->push_back('N');
        return;
      case Kind::kFloat:
        AppendDouble(v.as_double(), out_);
        return;
      case Kind::kBigDec:
        out_->append(v.as_string());
        out_->push_back('M');
        return;
      case Kind::kCharacter:
        AppendCharacter(v.as_char(), out_);
        return;
      case Kind::kString:
        AppendString(v.as_string(), out_);
        return;
      case Kind::kKeyword:
        out_->push_back(':');
        out_->append(v.qualified_name());
        return;
      case Kind::kSymbol:
        out_->append(v.qualified_name());
        return;
      case Kind::kInst:
        out_->append("#inst \"");
        out_->append(internal::FormatInst(v.inst_millis()));
        out_->push_back('"');
        return;
      case Kind::kUuid:
        out_->append("#uuid \"");
        out_->append(internal::FormatUuid(v.uuid_bytes()));
        out_->push_back('"');
        return;
      case Kind::kUri:
        out_->append("#uri ");
        AppendString(v.as_string(), out_);
        return;
      case Kind::kBytes:
        out_->append("#bytes \"");
        out_->append(internal::EncodeBase64(v.as_string()));
        out_->push_back('"');
        return;
      case Kind::kList:
      case Kind::kVector:
      case Kind::kSet:
        PrintItems(v);
        return;
      case Kind::kMap:
        PrintMap(v);
        return;
      case Kind::kTagged:
        out_->push_back('#');
        out_->append(v.tag().qualified_name());
        out_->push_back(' ');
        Print(v.tagged_value());
        return;
    }
  }

 private:
  void PrintItems(const Value& v) {
    out_->append(Opener(v.kind()));
    bool first = true;
    for (const Value& item : v.items()) {
      if (!first) out_->push_back(' ');
      first = false;
      Print(item);
      if (Full()) return;
    }
    out_->push_back(Closer(v.kind()));
  }

  void PrintMap(const Value& v) {
    out_->push_back('{');
    bool first = true;
    for (const auto& [key, value] : v.entries()) {
      if (!first) out_->append(", ");
      first = false;
      Print(key);
      out_->push_back(' ');
      Print(value);
      if (Full()) return;
    }
    out_->push_back('}');
  }

  std::string* out_;
  size_t limit_;
};

// Lays out values that do not fit in the remaining width one item per line,
// aligned under the first item, as Clojure's pprint does.
class PrettyPrinter {
 public:
  PrettyPrinter(std::string* out, int width) : out_(out), width_(width < 1 ? 1 : width) {}

  void Print(const Value& v, size_t column) {
    if (TryFlat(v, column)) return;
    switch (v.kind()) {
      case Kind::kList:
      case Kind::kVector:
      case Kind::kSet: {
        std::string_view open = Opener(v.kind());
        out_->append(open);
        size_t inner = column + open.size();
        bool first = true;
        for (const Value& item : v.items()) {
          if (!first) NewLine(inner);
          first = false;
          Print(item, inner);
        }
        out_->push_back(Closer(v.kind()));
        return;
      }
      case Kind::kMap: {
        out_->push_back('{');
        size_t inner = column + 1;
        bool first = true;
        for (const auto& [key, value] : v.entries()) {
          if (!first) {
            out_->push_back(',');
            NewLine(inner);
          }
          first = false;
          size_t key_start = out_->size();
          Print(key, inner);
          size_t key_end_column = inner + (out_->size() - key_start);
          bool key_on_one_line = out_->find('\n', key_start) == std::string::npos;
          if (key_on_one_line && TryFlatAfterSpace(value, key_end_column)) continue;
          // A short key keeps its value beside it, broken over lines there.
          if (key_on_one_line && key_end_column + 1 <= static_cast<size_t>(width_) / 2) {
            out_->push_back(' ');
            Print(value, key_end_column + 1);
            continue;
          }
          NewLine(inner + 1);
          Print(value, inner + 1);
        }
        out_->push_back('}');
        return;
      }
      case Kind::kTagged: {
        size_t start = out_->size();
        out_->push_back('#');
        out_->append(v.tag().qualified_name());
        out_->push_back(' ');
        Print(v.tagged_value(), column + (out_->size() - start));
        return;
      }
      default:
        edn::Printer(out_, std::string::npos).Print(v);
        return;
    }
  }

 private:
  void NewLine(size_t column) {
    out_->push_back('\n');
    out_->append(column, ' ');
  }

  // Prints `v` flat when it fits between `column` and the width.
  bool TryFlat(const Value& v, size_t column) {
    size_t room = static_cast<size_t>(width_) > column ? static_cast<size_t>(width_) - column : 0;
    size_t start = out_->size();
    Printer flat(out_, start + room);
    flat.Print(v);
    if (out_->size() - start <= room || !IsComposite(v)) return true;
    out_->resize(start);
    return false;
  }

  bool TryFlatAfterSpace(const Value& v, size_t column) {
    out_->push_back(' ');
    if (TryFlat(v, column + 1)) return true;
    out_->pop_back();
    return false;
  }

  static bool IsComposite(const Value& v) {
    return v.is_collection() || v.is_map() || v.kind() == Kind::kTagged;
  }

  std::string* out_;
  int width_;
};

}  // namespace

std::string Print(const Value& value) {
  std::string out;
  Printer(&out, std::string::npos).Print(value);
  return out;
}

std::string PrettyPrint(const Value& value, int width) {
  std::string out;
  PrettyPrinter(&out, width).Print(value, 0);
  return out;
}

}  // namespace accrete::edn
