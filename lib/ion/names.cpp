// Ion names: fully-qualified EDN symbols.
#include "ion/names.hpp"

#include <string_view>

#include "edn/str_cat.hpp"

namespace accrete::internal {
namespace {

// Characters EDN allows inside a symbol name besides letters and digits.
bool IsSymbolChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '*':
    case '+':
    case '!':
    case '-':
    case '_':
    case '?':
    case '$':
    case '%':
    case '&':
    case '=':
    case '<':
    case '>':
    case '\'':
    case '#':
    case ':':
      return true;
    default:
      return false;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One part of a symbol ("inventory", "core" or "add-item"): non-empty, symbol
// characters only, not starting like a number (a digit, or +/-/. then a
// digit) and not starting with ':' or '#'.
bool IsSymbolPart(std::string_view part) {
  if (part.empty()) return false;
  if (IsDigit(part[0]) || part[0] == ':' || part[0] == '#') return false;
  if ((part[0] == '-' || part[0] == '+') && part.size() > 1 && IsDigit(part[1])) return false;
  for (char c : part) {
    if (!IsSymbolChar(c)) return false;
  }
  return true;
}

// "ns/name" where ns is one or more dot-separated parts.
}  // namespace

absl::Status ValidateIonName(std::string_view name) {
  const size_t slash = name.find('/');
  bool ok = slash != std::string_view::npos && name.find('/', slash + 1) == std::string_view::npos;
  if (ok) {
    std::string_view ns = name.substr(0, slash);
    while (ok) {
      const size_t dot = ns.find('.');
      ok = IsSymbolPart(ns.substr(0, dot));
      if (dot == std::string_view::npos) break;
      ns.remove_prefix(dot + 1);
    }
    ok = ok && IsSymbolPart(name.substr(slash + 1));
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        Cat("Function name '", name,
            "' is not a fully-qualified symbol (expected ns/name, e.g. inventory.core/add-item)"));
  }
  return absl::OkStatus();
}

}  // namespace accrete::internal
