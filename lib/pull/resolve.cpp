// Resolving a parsed pull pattern against a schema and a registry: attribute
// idents to attributes, xform names to functions, forward attributes to the
// slots one EAVT scan of an entity fills.
#include <algorithm>

#include "accrete/edn.hpp"
#include "edn/str_cat.hpp"
#include "pull/pattern.hpp"

namespace accrete::internal {
namespace {

absl::Status SpecError(std::string_view what, const PullPattern& pattern) {
  return absl::InvalidArgumentError(Cat(what, " in pull pattern ", edn::Print(pattern.form())));
}

class Resolver {
 public:
  Resolver(const Schema& schema, const Registry& registry, ResolvedPattern* root)
      : schema_(schema), registry_(registry), root_(root) {}

  absl::Status Resolve(const PullPattern& pattern, ResolvedPattern* out) {
    out->wildcard = pattern.wildcard();
    out->has_forward = pattern.wildcard();
    out->specs.reserve(pattern.specs().size());
    for (const PullSpec& spec : pattern.specs()) {
      ResolvedSpec r;
      r.spec = &spec;
      if (spec.xform.is_symbol()) {
        // The :xforms policy comes before the lookup, as :allow does in
        // queries: a refused name says nothing about what is registered.
        if (absl::Status s = registry_.CheckXformAllowed(spec.xform.qualified_name()); !s.ok()) {
          return absl::Status(s.code(),
                              Cat(s.message(), " in pull pattern ", edn::Print(pattern.form())));
        }
        r.xform = registry_.FindXform(spec.xform.qualified_name());
        if (r.xform == nullptr) {
          return SpecError(Cat("Unknown xform ", spec.xform.qualified_name()), pattern);
        }
      }
      if (spec.target == PullSpec::Target::kAttribute) {
        absl::Status status = ResolveAttribute(pattern, spec, out, &r);
        if (!status.ok()) return status;
      }
      out->specs.push_back(std::move(r));
    }
    // Entries are then made in key order, so building the result map need
    // not sort them (equal keys keep their order: the later one wins).
    std::stable_sort(out->specs.begin(), out->specs.end(),
                     [](const ResolvedSpec& a, const ResolvedSpec& b) {
                       return compare(a.spec->key, b.spec->key) < 0;
                     });
    out->sorted_keys = !out->wildcard;
    for (size_t i = 0; i < out->specs.size(); ++i) {
      ResolvedSpec& r = out->specs[i];
      if (r.slot >= 0) r.sole_reader = out->slots[r.slot].readers == 1;
      if (i > 0 && compare(out->specs[i - 1].spec->key, r.spec->key) == 0) out->sorted_keys = false;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ResolveAttribute(const PullPattern& pattern, const PullSpec& spec,
                                ResolvedPattern* out, ResolvedSpec* r) {
    r->attr = schema_.Find(spec.attr);
    if (r->attr == nullptr) {
      return SpecError(Cat("Unknown attribute ", edn::Print(spec.name)), pattern);
    }
    if ((spec.reverse || spec.nested != PullSpec::Nested::kNone) && !r->attr->is_ref()) {
      return SpecError(Cat(edn::Print(spec.form), " needs a ref attribute; ", edn::Print(spec.attr),
                           " is not one"),
                       pattern);
    }
    if (spec.nested == PullSpec::Nested::kPattern) {
      auto child = std::make_unique<ResolvedPattern>();
      absl::Status status = Resolve(*spec.pattern, child.get());
      if (!status.ok()) return status;
      r->nested = child.get();
      root_->children.push_back(std::move(child));
    } else if (spec.nested == PullSpec::Nested::kRecurse) {
      r->nested = out;
      r->recursion = root_->recursion_count++;
    }
    if (!spec.reverse) {
      auto found = std::find_if(out->slots.begin(), out->slots.end(),
                                [&](const PullSlot& slot) { return slot.attr == r->attr; });
      r->slot = static_cast<int>(found - out->slots.begin());
      if (found == out->slots.end()) {
        const uint64_t a = static_cast<uint64_t>(r->attr->id);
        out->slots.push_back({r->attr, a, 0, 0, root_->slot_count++});
        out->first_attr = std::min(out->first_attr, a);
        out->last_attr = std::max(out->last_attr, a);
      }
      const int64_t keep = r->attr->many ? spec.limit.value_or(INT64_MAX) : 1;
      out->slots[r->slot].keep = std::max(out->slots[r->slot].keep, keep);
      ++out->slots[r->slot].readers;
      out->has_forward = true;
    }
    return absl::OkStatus();
  }

  const Schema& schema_;
  const Registry& registry_;
  ResolvedPattern* root_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const ResolvedPattern>> PullPattern::Resolve(
    const std::shared_ptr<const Schema>& schema, const Registry& registry) const {
  std::lock_guard<std::mutex> lock(mu_);
  // Owner comparison: the same schema object, even if another has since been
  // allocated at its address.
  const std::shared_ptr<const IonConfig> config = registry.active_config();
  if (cached_ != nullptr && cached_registry_ == &registry && !cached_schema_.owner_before(schema) &&
      !schema.owner_before(cached_schema_) && !cached_config_.owner_before(config) &&
      !config.owner_before(cached_config_)) {
    return cached_;
  }
  auto root = std::make_shared<ResolvedPattern>();
  Resolver resolver(*schema, registry, root.get());
  absl::Status status = resolver.Resolve(*this, root.get());
  if (!status.ok()) return status;
  cached_ = root;
  cached_schema_ = schema;
  cached_registry_ = &registry;
  cached_config_ = config;
  return cached_;
}

const ResolvedPattern& WildcardPattern() {
  static const ResolvedPattern* const kWildcard = [] {
    auto* pattern = new ResolvedPattern();
    pattern->wildcard = true;
    pattern->has_forward = true;
    return pattern;
  }();
  return *kWildcard;
}

}  // namespace accrete::internal
