// ParsePullPattern: Datomic's pull grammar, from EDN data to a PullPattern.
//
//   pattern        = [attr-spec+]
//   attr-spec      = attr-name | wildcard | map-spec | attr-with-opts | attr-expr
//   map-spec       = {(attr-name | attr-with-opts | attr-expr) (pattern | recursion-limit)}+
//   attr-with-opts = [attr-name attr-option+]   (also a list: (:attr :limit 5))
//   attr-option    = :as any | :limit (positive integer | nil) | :default any
//                    | :xform symbol
//   wildcard       = * | "*"
//   recursion-limit= positive integer | ...
//   attr-expr      = (limit attr-name (positive integer | nil)) | (default attr-name any)
#include <utility>

#include "accrete/edn.hpp"
#include "edn/str_cat.hpp"
#include "pull/pattern.hpp"
#include "pull/pull.hpp"

namespace accrete::internal {
namespace {

absl::Status Malformed(std::string_view what, const Value& form) {
  return absl::InvalidArgumentError(Cat("Invalid pull pattern ", edn::Print(form), ": ", what));
}

// "limit", "default", "*", "..." as a symbol or a string (Datomic accepts
// either for the terminals of its grammar).
bool IsTerminal(const Value& v, std::string_view name) {
  return (v.is_symbol() || v.is_string()) &&
         (v.is_symbol() ? v.qualified_name() : v.as_string()) == name;
}

// An attribute name: fills in target, attr, reverse and key.
absl::Status ParseAttrName(const Value& name, const Value& form, PullSpec* spec) {
  if (!name.is_keyword()) return Malformed("expected an attribute name", form);
  spec->form = form;
  spec->name = name;
  spec->key = name;
  if (name == DbIdKeyword()) {
    spec->target = PullSpec::Target::kDbId;
    return absl::OkStatus();
  }
  std::string_view local = name.name();
  if (local.size() >= 2 && local[0] == '_') {
    spec->reverse = true;
    spec->attr = Value::Keyword(name.ns(), local.substr(1));
  } else {
    spec->attr = name;
  }
  return absl::OkStatus();
}

absl::Status ParseLimit(const Value& limit, const Value& form, PullSpec* spec) {
  if (limit.is_nil()) {
    spec->limit.reset();
    return absl::OkStatus();
  }
  if (!limit.is_integer() || limit.as_int() <= 0) {
    return Malformed(
        Cat("expected :limit to be a positive integer or nil, got ", edn::Print(limit)), form);
  }
  spec->limit = limit.as_int();
  return absl::OkStatus();
}

// [:attr :as "x" :limit 5 :default 0 :xform my.ns/f]
absl::Status ParseAttrWithOptions(const Value& form, PullSpec* spec) {
  std::span<const Value> items = form.items();
  absl::Status status = ParseAttrName(items[0], form, spec);
  if (!status.ok()) return status;
  if (items.size() < 3 || items.size() % 2 == 0) {
    return Malformed("expected an attribute name followed by option/value pairs", form);
  }
  for (size_t i = 1; i < items.size(); i += 2) {
    const Value& option = items[i];
    const Value& value = items[i + 1];
    std::string_view name = option.is_keyword() && option.ns().empty() ? option.name() : "";
    if (name == "as") {
      spec->key = value;
    } else if (name == "limit") {
      status = ParseLimit(value, form, spec);
      if (!status.ok()) return status;
    } else if (name == "default") {
      spec->default_value = value;
    } else if (name == "xform") {
      if (!value.is_symbol()) {
        return Malformed(Cat("expected :xform to be a symbol, got ", edn::Print(value)), form);
      }
      spec->xform = value;
    } else {
      return Malformed(Cat("unknown attribute option ", edn::Print(option)), form);
    }
  }
  return absl::OkStatus();
}

// (limit :attr n) or (default :attr value).
absl::Status ParseAttrExpr(const Value& form, PullSpec* spec) {
  std::span<const Value> items = form.items();
  if (items.size() != 3) {
    return Malformed(Cat("expected (", edn::Print(items[0]), " attr-name value)"), form);
  }
  absl::Status status = ParseAttrName(items[1], form, spec);
  if (!status.ok()) return status;
  if (IsTerminal(items[0], "limit")) return ParseLimit(items[2], form, spec);
  spec->default_value = items[2];
  return absl::OkStatus();
}

// An attribute spec that may key a map spec: a name, a name with options or
// a legacy expression.
absl::Status ParseAttrSpec(const Value& form, PullSpec* spec) {
  if (form.is_keyword()) return ParseAttrName(form, form, spec);
  if (form.is_sequential() && form.size() > 0) {
    const Value& head = form.items()[0];
    if (IsTerminal(head, "limit") || IsTerminal(head, "default")) {
      return ParseAttrExpr(form, spec);
    }
    if (head.is_keyword()) return ParseAttrWithOptions(form, spec);
  }
  return Malformed("expected an attribute name, *, a map spec or an attribute with options", form);
}

absl::StatusOr<std::shared_ptr<const PullPattern>> ParsePattern(const Value& pattern, int depth);

// {:attr [subpattern] [:attr :limit 2] ... }: one spec per entry.
absl::Status ParseMapSpec(const Value& form, int depth, std::vector<PullSpec>* specs) {
  if (form.size() == 0) return Malformed("expected a map spec with at least one entry", form);
  for (const auto& [key, nested] : form.entries()) {
    PullSpec spec;
    absl::Status status = ParseAttrSpec(key, &spec);
    if (!status.ok()) return status;
    spec.form = Value::Map({{key, nested}});
    if (spec.target == PullSpec::Target::kDbId) {
      return Malformed(":db/id cannot have a subpattern", spec.form);
    }
    if (nested.is_sequential()) {
      absl::StatusOr<std::shared_ptr<const PullPattern>> sub = ParsePattern(nested, depth + 1);
      if (!sub.ok()) return sub.status();
      spec.nested = PullSpec::Nested::kPattern;
      spec.pattern = *std::move(sub);
    } else if (IsTerminal(nested, "...")) {
      spec.nested = PullSpec::Nested::kRecurse;
    } else if (nested.is_integer() && nested.as_int() > 0) {
      spec.nested = PullSpec::Nested::kRecurse;
      spec.depth = nested.as_int();
    } else {
      return Malformed(
          Cat("expected a pattern, ... or a positive recursion limit, got ", edn::Print(nested)),
          spec.form);
    }
    specs->push_back(std::move(spec));
  }
  return absl::OkStatus();
}

// Patterns nest as deep as the text does; this bounds the parser's stack on
// hostile input (the EDN reader's own default is deeper).
constexpr int kMaxPatternDepth = 128;

absl::StatusOr<std::shared_ptr<const PullPattern>> ParsePattern(const Value& pattern, int depth) {
  if (!pattern.is_sequential()) return Malformed("expected a vector", pattern);
  if (pattern.size() == 0) return Malformed("expected at least one attribute spec", pattern);
  if (depth > kMaxPatternDepth) {
    return Malformed(Cat("patterns nest at most ", kMaxPatternDepth, " deep"), pattern);
  }
  bool wildcard = false;
  std::vector<PullSpec> specs;
  for (const Value& item : pattern.items()) {
    if (IsTerminal(item, "*")) {
      wildcard = true;
      continue;
    }
    if (item.is_map()) {
      absl::Status status = ParseMapSpec(item, depth, &specs);
      if (!status.ok()) return status;
      continue;
    }
    PullSpec spec;
    absl::Status status = ParseAttrSpec(item, &spec);
    if (!status.ok()) return status;
    specs.push_back(std::move(spec));
  }
  return std::make_shared<const PullPattern>(pattern, wildcard, std::move(specs));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const PullPattern>> ParsePullPattern(const Value& pattern) {
  return ParsePattern(pattern, 0);
}

}  // namespace accrete::internal
