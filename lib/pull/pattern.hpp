// The parsed form of a pull pattern (what ParsePullPattern builds) and its
// form resolved against one schema (what PullEntity runs). Private to
// lib/pull.
//
// A PullPattern is syntax only: attribute names are keywords, nothing is
// looked up. Applying it to a Db first resolves it (attribute ids, xform
// functions) into a ResolvedPattern; the result is cached in the pattern per
// schema and registry, so pulling many entities of one Db resolves once.
#ifndef ACCRETE_LIB_PULL_PATTERN_HPP_
#define ACCRETE_LIB_PULL_PATTERN_HPP_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "accrete/ion.hpp"
#include "accrete/value.hpp"
#include "db/schema.hpp"

namespace accrete::internal {

// :db/id, interned once.
inline const Value& DbIdKeyword() {
  static const Value kDbId = Value::Keyword("db/id");
  return kDbId;
}

// The cardinality-many limit when a pattern gives none (Datomic's).
inline constexpr int64_t kDefaultPullLimit = 1000;

class PullPattern;

// One attribute spec of a pattern, with its options and what to pull from
// the entities it refers to.
struct PullSpec {
  enum class Target : uint8_t {
    kAttribute,  // a forward or reverse attribute
    kDbId,       // :db/id
  };
  enum class Nested : uint8_t {
    kNone,     // no subpattern
    kPattern,  // {:attr [subpattern]}
    kRecurse,  // {:attr ...} or {:attr n}: the enclosing pattern again
  };

  Target target = Target::kAttribute;
  // The attribute name as written (:ns/attr, :ns/_attr or :db/id).
  Value name;
  // The attribute named, forward (:ns/attr even when written :ns/_attr).
  Value attr;
  bool reverse = false;
  // The spec as written, for error messages.
  Value form;
  // The key of this spec's entry in the result (:as, else the name as
  // written, reverse names included).
  Value key;
  // Cardinality-many and reverse refs: at most this many values; nullopt
  // for no limit (`:limit nil`).
  std::optional<int64_t> limit = kDefaultPullLimit;
  // The value to give when the entity has none (nil: no default).
  Value default_value;
  // A fully-qualified symbol naming a registered xform, or nil.
  Value xform;

  Nested nested = Nested::kNone;
  std::shared_ptr<const PullPattern> pattern;  // kPattern
  std::optional<int64_t> depth;                // kRecurse; nullopt: `...`
};

struct ResolvedPattern;

class PullPattern {
 public:
  PullPattern(Value form, bool wildcard, std::vector<PullSpec> specs)
      : form_(std::move(form)), wildcard_(wildcard), specs_(std::move(specs)) {}

  const Value& form() const { return form_; }
  bool wildcard() const { return wildcard_; }
  const std::vector<PullSpec>& specs() const { return specs_; }

  // This pattern resolved against `schema` and `registry`: cached, so the
  // same schema and registry resolve once. InvalidArgument for an unknown
  // attribute, a reverse or nested spec on a non-ref attribute, or an
  // unknown xform, naming the spec.
  absl::StatusOr<std::shared_ptr<const ResolvedPattern>> Resolve(
      const std::shared_ptr<const Schema>& schema, const Registry& registry) const;

 private:
  Value form_;
  bool wildcard_;
  std::vector<PullSpec> specs_;

  mutable std::mutex mu_;
  mutable std::weak_ptr<const Schema> cached_schema_;
  mutable const Registry* cached_registry_ = nullptr;
  // The registry's active ion config when cached_ was resolved: activating
  // another one may refuse an :xform that this resolution let through.
  mutable std::weak_ptr<const IonConfig> cached_config_;
  mutable std::shared_ptr<const ResolvedPattern> cached_;
};

// A spec with its attribute found in the schema.
struct ResolvedSpec {
  const PullSpec* spec = nullptr;
  const Attribute* attr = nullptr;  // nullptr for :db/id
  std::shared_ptr<const XformFunction> xform;
  // kPattern: the resolved subpattern; kRecurse: the pattern holding this
  // spec. Owned by the root ResolvedPattern.
  const ResolvedPattern* nested = nullptr;
  // kRecurse: an index into the pull's recursion depth counters.
  int recursion = -1;
  // Forward attributes: the slot that collects the entity's values of attr.
  int slot = -1;
  // Whether this is the only spec reading its slot: it may then take the
  // slot's values instead of copying them.
  bool sole_reader = false;
};

// A forward attribute an entity's scan collects, and the most values any
// spec reading it keeps (INT64_MAX: all).
struct PullSlot {
  const Attribute* attr = nullptr;
  uint64_t a = 0;  // attr's id, as an entity's datoms give it
  int64_t keep = 0;
  int readers = 0;  // the specs reading this slot
  // This slot's index among all the slots of the root pattern and its
  // nested patterns (a pull's per-slot state is indexed by it).
  int index = -1;
};

struct ResolvedPattern {
  bool wildcard = false;
  std::vector<ResolvedSpec> specs;
  // The distinct forward attributes the specs read, one slot each, and the
  // least and greatest of their ids (the EAVT range an entity's scan needs).
  std::vector<PullSlot> slots;
  uint64_t first_attr = UINT64_MAX;
  uint64_t last_attr = 0;
  bool has_forward = false;  // wildcard or any forward attribute
  // Not a wildcard, and no two specs share a key: the entries a pull makes,
  // in spec order, are already a map's sorted unique entries.
  bool sorted_keys = false;

  // The root owns every nested pattern and counts the recursion specs and
  // the slots.
  std::vector<std::unique_ptr<ResolvedPattern>> children;
  int recursion_count = 0;
  int slot_count = 0;
};

// The pattern `[*]`, resolved (the same for every schema): component
// entities under a wildcard are pulled with it.
const ResolvedPattern& WildcardPattern();

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_PULL_PATTERN_HPP_
