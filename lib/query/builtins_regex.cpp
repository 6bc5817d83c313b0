// GCC 12 at -O1 and above reports moves of std::function inside
// libstdc++'s <regex> automaton as maybe-uninitialized: a false positive in
// the standard library's code (fixed in GCC 13), silenced for this file
// only, before any header pulls in <functional>.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "query/builtins_regex.hpp"

#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "query/builtins_common.hpp"

namespace accrete::internal::query {
namespace {

using Args = std::span<const Value>;
using Result = absl::StatusOr<Value>;

const Value& RegexTag() {
  static const Value* tag = new Value(Value::Symbol("regex"));
  return *tag;
}

// The source text of a pattern argument, or nullptr.
const Value* PatternSource(const Value& v) {
  if (v.is_string()) return &v;
  if (v.kind() == Kind::kTagged && v.tag() == RegexTag() && v.tagged_value().is_string()) {
    return &v.tagged_value();
  }
  return nullptr;
}

// Compiled patterns are cached per thread, so a pattern in a query compiles
// once per thread, not once per row.
absl::StatusOr<const std::regex*> CompiledPattern(std::string_view name, Args args,
                                                  const Value& pattern) {
  const Value* source = PatternSource(pattern);
  if (source == nullptr) return Expected(name, args, "a pattern or string", pattern);
  constexpr size_t kMaxCached = 256;
  thread_local absl::flat_hash_map<std::string, std::unique_ptr<std::regex>> cache;
  std::string_view text = source->as_string();
  auto it = cache.find(absl::string_view(text.data(), text.size()));
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<std::regex> re;
  try {
    // From a NUL-terminated copy: GCC 12's regex scanner reads one character
    // past the end of an unterminated pattern such as "(" (ASan finds it).
    const std::string terminated(text);
    re = std::make_unique<std::regex>(terminated, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return CallError(name, args, Cat("bad pattern: ", e.what()));
  }
  if (cache.size() >= kMaxCached) cache.clear();
  return cache.emplace(std::string(text), std::move(re)).first->second.get();
}

// Clojure's re-groups: the match alone, or a vector of it and its groups
// (nil for a group that did not take part).
Value MatchValue(const std::cmatch& m) {
  if (m.size() == 1) return Value::String(std::string_view(m[0].first, m[0].length()));
  std::vector<Value> groups;
  groups.reserve(m.size());
  for (const auto& g : m) {
    groups.push_back(g.matched ? Value::String(std::string_view(g.first, g.length())) : Value());
  }
  return Value::Vector(std::move(groups));
}

enum class MatchMode { kFind, kMatches, kSeq };

template <MatchMode kMode>
Result RegexMatch(std::string_view name, Args args) {
  absl::StatusOr<const std::regex*> re = CompiledPattern(name, args, args[0]);
  if (!re.ok()) return re.status();
  if (!args[1].is_string()) return Expected(name, args, "a string", args[1]);
  std::string_view s = args[1].as_string();
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  std::cmatch m;
  try {
    if constexpr (kMode == MatchMode::kMatches) {
      return std::regex_match(begin, end, m, **re) ? MatchValue(m) : Value();
    } else if constexpr (kMode == MatchMode::kFind) {
      return std::regex_search(begin, end, m, **re) ? MatchValue(m) : Value();
    } else {
      std::vector<Value> found;
      for (std::cregex_iterator it(begin, end, **re), last; it != last; ++it) {
        found.push_back(MatchValue(*it));
      }
      return found.empty() ? Value() : Value::List(std::move(found));
    }
  } catch (const std::regex_error& e) {
    return CallError(name, args, Cat("matching failed: ", e.what()));
  }
}

}  // namespace

Result ReFind(std::string_view name, Args args) { return RegexMatch<MatchMode::kFind>(name, args); }

Result ReMatches(std::string_view name, Args args) {
  return RegexMatch<MatchMode::kMatches>(name, args);
}

Result ReSeq(std::string_view name, Args args) { return RegexMatch<MatchMode::kSeq>(name, args); }

Result RePattern(std::string_view name, Args args) {
  if (PatternSource(args[0]) != nullptr && !args[0].is_string()) return args[0];
  if (!args[0].is_string()) return Expected(name, args, "a string", args[0]);
  absl::StatusOr<const std::regex*> re = CompiledPattern(name, args, args[0]);
  if (!re.ok()) return re.status();
  return Value::Tagged(RegexTag(), args[0]);
}

}  // namespace accrete::internal::query
