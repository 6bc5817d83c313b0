// PullEntity: applies a resolved pattern to one entity and, through refs, to
// the entities it reaches.
//
// Each entity is read with one EAVT scan: of [e a] when the pattern reads a
// single forward attribute, of the whole [e] range when it reads several or
// `*` (one cursor seek instead of one per attribute; entities are small).
// Values are decoded into buffers the pull reuses from entity to entity and
// moved from there into the result; the scan finishes before any nested
// entity is pulled, so no two scans are open at once.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>

#include "absl/container/inlined_vector.h"
#include "db/db_state.hpp"
#include "db/scan.hpp"
#include "edn/heap_block.hpp"
#include "edn/str_cat.hpp"
#include "pull/pattern.hpp"
#include "pull/pull.hpp"
#include "store/encoding.hpp"

namespace accrete::internal {
namespace {

// Refs nest through recursion and component expansion; past this depth the
// pull stops with ResourceExhausted instead of exhausting the thread's stack.
// Each level is a few frames of recursion; 256 keeps the deepest pull well
// inside a thread's stack even under AddressSanitizer (1000 did not).
constexpr size_t kMaxNesting = 256;

// PullEntities reads at most this many entities with one read transaction.
constexpr size_t kEntitiesPerSnapshot = 4096;

// One attribute's values of an entity, in EAVT order: values[begin, end) of
// its EntityValues.
struct Group {
  const Attribute* attr = nullptr;
  uint32_t begin = 0;
  uint32_t end = 0;
  int slot_index = -1;  // the pattern slot's PullSlot::index; -1: none
};

// What Collect read of one entity: its attribute groups, and for each slot
// of the pattern the index of its group (-1: the entity has no value). A
// pull keeps one per nesting level and reuses it from entity to entity, so
// reading an entity allocates nothing once its buffers have grown.
struct EntityValues {
  std::vector<Value> values;
  std::vector<Group> groups;
  std::vector<int> slot_groups;

  std::span<Value> of(const Group& g) { return {values.data() + g.begin, values.data() + g.end}; }
};

// Decodes the strings and keywords a pull reads, sharing one Value per
// distinct encoding (Values are immutable): a last name or an enum-like
// string repeated across thousands of entities costs one allocation instead
// of one per entity (and one free when the result is dropped), a keyword no
// interning. Direct-mapped: a colliding encoding replaces the one cached.
// A slot whose values mostly differ (names, ids) stops looking them up.
class DecodeCache {
 public:
  explicit DecodeCache(int slot_count) : slots_(static_cast<size_t>(slot_count)) {}

  void Decode(std::string_view v, int slot_index, Value* out, std::string* scratch) {
    if (slot_index < 0 || !Cacheable(v)) {
      DecodeValueInto(v, out, scratch);
      return;
    }
    SlotStats& stats = slots_[static_cast<size_t>(slot_index)];
    if (stats.off) {
      DecodeValueInto(v, out, scratch);
      return;
    }
    // A pull of a few values would pay more to set the table up than the
    // table saves it.
    if (++stats.lookups <= kWarmUp) {
      DecodeValueInto(v, out, scratch);
      return;
    }
    if (entries_.empty()) entries_.resize(kEntries);
    Entry& entry = entries_[Hash(v) & (kEntries - 1)];
    if (SameBytes(entry.encoding, v)) {
      ++stats.hits;
      *out = entry.value;
      return;
    }
    DecodeValueInto(v, out, scratch);
    entry.encoding.assign(v);
    entry.value = *out;
    const uint64_t judged = stats.lookups - kWarmUp;
    if (judged >= kProbation && stats.hits * 2 < judged) stats.off = true;
  }

 private:
  // A slot's first kWarmUp values are decoded without the cache; then its
  // values are looked up while at least half of them are found, judged
  // after kProbation lookups.
  static constexpr uint64_t kWarmUp = 8;
  static constexpr uint64_t kProbation = 64;
  // The table's size (a power of two), and the longest encoding cached:
  // bound the cache's memory whatever the data.
  static constexpr size_t kEntries = 512;
  static constexpr size_t kMaxEncoding = 64;

  struct SlotStats {
    uint64_t lookups = 0;
    uint64_t hits = 0;
    bool off = false;
  };
  struct Entry {
    std::string encoding;
    Value value;
  };

  static bool Cacheable(std::string_view v) {
    if (v.empty() || v.size() > kMaxEncoding) return false;
    const ValueType type = EncodedType(v);
    return type == ValueType::kString || type == ValueType::kKeyword;
  }

  // Mixes the first and last eight bytes and the length: enough to spread
  // short encodings, and a collision costs only a decode.
  static size_t Hash(std::string_view v) {
    uint64_t head = 0;
    uint64_t tail = 0;
    if (v.size() >= 8) {
      std::memcpy(&head, v.data(), 8);
      std::memcpy(&tail, v.data() + v.size() - 8, 8);
    } else {
      std::memcpy(&head, v.data(), v.size());
    }
    uint64_t h = (head ^ (tail * 0x9e3779b97f4a7c15) ^ v.size()) * 0xff51afd7ed558ccd;
    return static_cast<size_t>(h ^ (h >> 32));
  }

  // a == b, without a memcmp call for the short encodings that hit most.
  static bool SameBytes(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.size() < 8 || a.size() > 16) return a == b;
    uint64_t x[2];
    uint64_t y[2];
    std::memcpy(&x[0], a.data(), 8);
    std::memcpy(&y[0], b.data(), 8);
    std::memcpy(&x[1], a.data() + a.size() - 8, 8);
    std::memcpy(&y[1], b.data() + b.size() - 8, 8);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
  }

  std::vector<SlotStats> slots_;
  std::vector<Entry> entries_;
};

Value IdMap(EntityId e) { return MakeSortedMap({{DbIdKeyword(), Value::Integer(e)}}); }

class Puller {
 public:
  Puller(const DbState& db, const ResolvedPattern& root)
      : db_(db), depths_(root.recursion_count, 0), cache_(root.slot_count) {}

  absl::StatusOr<Value> Pull(const ResolvedPattern& pattern, EntityId e) {
    if (path_.size() >= kMaxNesting) {
      return absl::ResourceExhaustedError(
          Cat("Pull nests refs deeper than ", kMaxNesting, " levels (at entity ", e, ")"));
    }
    path_.push_back(e);
    absl::StatusOr<Value> result = PullOnPath(pattern, e);
    path_.pop_back();
    return result;
  }

 private:
  absl::StatusOr<Value> PullOnPath(const ResolvedPattern& pattern, EntityId e) {
    EntityValues& read = Level(path_.size() - 1);
    absl::Status status = Collect(pattern, e, &read);
    if (!status.ok()) return status;
    std::vector<MapEntry> entries;
    entries.reserve(pattern.specs.size() + (pattern.wildcard ? read.groups.size() + 1 : 0));
    if (pattern.wildcard) {
      if (!read.groups.empty()) entries.push_back({DbIdKeyword(), Value::Integer(e)});
      for (size_t g = 0; g < read.groups.size(); ++g) {
        // An attribute the pattern also names is the named spec's to give.
        if (std::find(read.slot_groups.begin(), read.slot_groups.end(), static_cast<int>(g)) !=
            read.slot_groups.end()) {
          continue;
        }
        absl::StatusOr<Value> value = WildcardValue(read.groups[g], read.of(read.groups[g]));
        if (!value.ok()) return value.status();
        entries.push_back({read.groups[g].attr->ident, *std::move(value)});
      }
    }
    for (const ResolvedSpec& spec : pattern.specs) {
      status = AddSpec(spec, e, read, &entries);
      if (!status.ok()) return status;
    }
    if (pattern.sorted_keys) return MakeSortedMap(std::move(entries));
    return Value::Map(std::move(entries));
  }

  // The buffers of nesting level `depth`, kept from entity to entity. Held
  // by pointer: a deeper level being added must not move a shallower one
  // whose values are being used.
  EntityValues& Level(size_t depth) {
    while (levels_.size() <= depth) levels_.push_back(std::make_unique<EntityValues>());
    return *levels_[depth];
  }

  // Reads the forward attributes `pattern` needs of `e`.
  absl::Status Collect(const ResolvedPattern& pattern, EntityId e, EntityValues* read) {
    read->values.clear();
    read->groups.clear();
    read->slot_groups.assign(pattern.slots.size(), -1);
    if (!pattern.has_forward) return absl::OkStatus();
    prefix_.clear();
    AppendId(&prefix_, static_cast<uint64_t>(e));
    std::vector<Value>& values = read->values;
    if (!pattern.wildcard && pattern.slots.size() == 1) {
      const PullSlot& slot = pattern.slots.front();
      AppendId(&prefix_, static_cast<uint64_t>(slot.attr->id));
      absl::Status status = Scan(Index::kEavt, prefix_, {}, [&](const RawDatom& d) {
        cache_.Decode(d.v, slot.index, &values.emplace_back(), &scratch_);
        return static_cast<int64_t>(values.size()) < slot.keep;
      });
      if (!status.ok()) return status;
      if (!values.empty()) {
        read->groups.push_back({slot.attr, 0, static_cast<uint32_t>(values.size()), slot.index});
        read->slot_groups[0] = 0;
      }
      return absl::OkStatus();
    }
    // Without *, only the attributes from the pattern's least id to its
    // greatest need reading: start at the one, stop past the other.
    start_.clear();
    uint64_t last_a = UINT64_MAX;
    if (!pattern.wildcard) {
      start_ = prefix_;
      AppendId(&start_, pattern.first_attr);
      last_a = pattern.last_attr;
    }
    uint64_t current_a = 0;
    Group* current = nullptr;
    int64_t keep = 0;
    bool started = false;
    return Scan(Index::kEavt, prefix_, start_, [&](const RawDatom& d) {
      if (!started || d.a != current_a) {
        if (d.a > last_a) return false;
        started = true;
        current_a = d.a;
        current = StartGroup(pattern, d.a, read, &keep);
      }
      if (current != nullptr && static_cast<int64_t>(current->end - current->begin) < keep) {
        cache_.Decode(d.v, current->slot_index, &values.emplace_back(), &scratch_);
        ++current->end;
      }
      return true;
    });
  }

  // The group for attribute `a`'s datoms, or nullptr when the pattern does
  // not read `a`. Sets `*keep` to the most values to keep.
  Group* StartGroup(const ResolvedPattern& pattern, uint64_t a, EntityValues* read, int64_t* keep) {
    const Attribute* attr = nullptr;
    int slot = -1;
    int slot_index = -1;
    for (size_t i = 0; i < pattern.slots.size(); ++i) {
      if (pattern.slots[i].a == a) {
        slot = static_cast<int>(i);
        attr = pattern.slots[i].attr;
        *keep = pattern.slots[i].keep;
        slot_index = pattern.slots[i].index;
        break;
      }
    }
    if (pattern.wildcard) {
      if (attr == nullptr) {
        attr = db_.schema->Find(static_cast<EntityId>(a));
        if (attr == nullptr) return nullptr;
        *keep = 0;
      }
      *keep = std::max(*keep, attr->many ? kDefaultPullLimit : int64_t{1});
    }
    if (attr == nullptr) return nullptr;
    const auto begin = static_cast<uint32_t>(read->values.size());
    read->groups.push_back({attr, begin, begin, slot_index});
    if (slot >= 0) read->slot_groups[slot] = static_cast<int>(read->groups.size() - 1);
    return &read->groups.back();
  }

  // Adds `spec`'s entry for entity `e` to `entries` (nothing when the entity
  // has no value and the spec no default).
  absl::Status AddSpec(const ResolvedSpec& spec, EntityId e, EntityValues& read,
                       std::vector<MapEntry>* entries) {
    const PullSpec& parsed = *spec.spec;
    if (parsed.nested == PullSpec::Nested::kRecurse && parsed.depth &&
        depths_[spec.recursion] >= *parsed.depth) {
      return absl::OkStatus();  // the recursion limit: the attribute is left out
    }
    std::optional<Value> value;
    if (parsed.target == PullSpec::Target::kDbId) {
      value = Value::Integer(e);
    } else if (parsed.reverse) {
      absl::Status status = ReverseValue(spec, e, &value);
      if (!status.ok()) return status;
    } else if (read.slot_groups[spec.slot] >= 0) {
      absl::Status status =
          ForwardValue(spec, read.of(read.groups[read.slot_groups[spec.slot]]), &value);
      if (!status.ok()) return status;
    }
    if (!value) {
      if (!parsed.default_value.is_nil()) entries->push_back({parsed.key, parsed.default_value});
      return absl::OkStatus();
    }
    if (spec.xform != nullptr) {
      absl::StatusOr<Value> transformed = (*spec.xform)(*value);
      if (!transformed.ok()) {
        const auto message = transformed.status().message();
        return absl::Status(
            transformed.status().code(),
            Cat(":xform ", parsed.xform.qualified_name(), " on :", parsed.name.qualified_name(),
                ": ", std::string_view(message.data(), message.size())));
      }
      value = *std::move(transformed);
    }
    entries->push_back({parsed.key, *std::move(value)});
    return absl::OkStatus();
  }

  // `values` are the entity's values of the spec's attribute; the spec
  // takes them when it is their only reader.
  absl::Status ForwardValue(const ResolvedSpec& spec, std::span<Value> values,
                            std::optional<Value>* value) {
    const Attribute& attr = *spec.attr;
    if (!attr.many) {
      if (!attr.is_ref()) {
        *value = spec.sole_reader ? std::move(values.front()) : values.front();
        return absl::OkStatus();
      }
      absl::StatusOr<Value> item = RefValue(spec, values.front().as_int(), attr.component);
      if (!item.ok()) return item.status();
      *value = *std::move(item);
      return absl::OkStatus();
    }
    const size_t n = static_cast<size_t>(std::min<int64_t>(spec.spec->limit.value_or(INT64_MAX),
                                                           static_cast<int64_t>(values.size())));
    values = values.first(n);
    std::vector<Value> items;
    if (!attr.is_ref()) {
      if (spec.sole_reader) {
        items.assign(std::make_move_iterator(values.begin()),
                     std::make_move_iterator(values.end()));
      } else {
        items.assign(values.begin(), values.end());
      }
      *value = Value::Vector(std::move(items));
      return absl::OkStatus();
    }
    items.reserve(n);
    for (const Value& v : values) {
      absl::StatusOr<Value> item = RefValue(spec, v.as_int(), attr.component);
      if (!item.ok()) return item.status();
      items.push_back(*std::move(item));
    }
    *value = Value::Vector(std::move(items));
    return absl::OkStatus();
  }

  absl::Status ReverseValue(const ResolvedSpec& spec, EntityId e, std::optional<Value>* value) {
    const Attribute& attr = *spec.attr;
    // A component has one owner: its reverse ref is one entity, not a vector.
    const int64_t limit = attr.component ? 1 : spec.spec->limit.value_or(INT64_MAX);
    std::string prefix;
    absl::Status status = EncodeValue(Value::Integer(e), attr.spec, &prefix);
    if (!status.ok()) return status;
    AppendId(&prefix, static_cast<uint64_t>(attr.id));
    std::vector<EntityId> sources;
    status = Scan(Index::kVaet, prefix, {}, [&](const RawDatom& d) {
      sources.push_back(static_cast<EntityId>(d.e));
      return static_cast<int64_t>(sources.size()) < limit;
    });
    if (!status.ok()) return status;
    if (sources.empty()) return absl::OkStatus();
    std::vector<Value> items;
    items.reserve(sources.size());
    for (EntityId source : sources) {
      absl::StatusOr<Value> item = RefValue(spec, source, /*expand_component=*/false);
      if (!item.ok()) return item.status();
      items.push_back(*std::move(item));
    }
    *value = attr.component ? std::move(items.front()) : Value::Vector(std::move(items));
    return absl::OkStatus();
  }

  // The value of a ref from a spec to `target`: the subpattern pulled from
  // it, the recursion continued, the component expanded, or a reference map.
  absl::StatusOr<Value> RefValue(const ResolvedSpec& spec, EntityId target, bool expand_component) {
    switch (spec.spec->nested) {
      case PullSpec::Nested::kPattern:
        return Pull(*spec.nested, target);
      case PullSpec::Nested::kRecurse: {
        if (OnPath(target)) return IdMap(target);  // a cycle
        ++depths_[spec.recursion];
        absl::StatusOr<Value> result = Pull(*spec.nested, target);
        --depths_[spec.recursion];
        return result;
      }
      case PullSpec::Nested::kNone:
        break;
    }
    if (expand_component) return ExpandComponent(target);
    return RefMap(target);
  }

  // A value under `*`: refs to components expanded with `*`, other refs as
  // reference maps. Takes `values` (no spec reads a wildcard's group).
  absl::StatusOr<Value> WildcardValue(const Group& group, std::span<Value> values) {
    const Attribute& attr = *group.attr;
    if (!attr.is_ref()) {
      if (!attr.many) return std::move(values.front());
      return Value::Vector(std::vector<Value>(std::make_move_iterator(values.begin()),
                                              std::make_move_iterator(values.end())));
    }
    std::vector<Value> items;
    items.reserve(values.size());
    for (const Value& v : values) {
      absl::StatusOr<Value> item =
          attr.component ? ExpandComponent(v.as_int()) : RefMap(v.as_int());
      if (!item.ok()) return item.status();
      items.push_back(*std::move(item));
    }
    return attr.many ? Value::Vector(std::move(items)) : std::move(items.front());
  }

  absl::StatusOr<Value> ExpandComponent(EntityId target) {
    if (OnPath(target)) return IdMap(target);  // only in a corrupt graph
    return Pull(WildcardPattern(), target);
  }

  // A ref not pulled further: {:db/id e}, with :db/ident when e has one (so
  // enum values read as their keyword, as in Datomic).
  Value RefMap(EntityId target) const {
    const Value* ident = db_.schema->Ident(target);
    if (ident == nullptr) return IdMap(target);
    // :db/id sorts before :db/ident.
    return MakeSortedMap({{DbIdKeyword(), Value::Integer(target)}, {IdentKeyword(), *ident}});
  }

  // Calls `fn` on the datoms of `index` under `prefix`, from `start` (empty:
  // the prefix), until it returns false. The pull keeps one scan per index
  // and restarts it for each prefix: one read transaction and cursor for
  // the whole pull, not one per entity. A scan is finished before any other
  // starts (values are collected first), so restarting never disturbs one
  // in progress.
  template <typename Fn>
  absl::Status Scan(Index index, std::string_view prefix, std::string_view start, Fn&& fn) {
    std::unique_ptr<RawScan>& scan = index == Index::kEavt ? eavt_ : vaet_;
    if (scan == nullptr) {
      // Opened without a start: an EAVT as_of scan then keeps its by-time
      // history path for every later restart.
      absl::StatusOr<std::unique_ptr<RawScan>> opened =
          RawScan::Open(db_, index, std::string(prefix));
      if (!opened.ok()) return opened.status();
      scan = *std::move(opened);
      if (!start.empty()) scan->Restart(prefix, start);
    } else {
      scan->Restart(prefix, start);
    }
    RawScan& reading = *scan;
    while (reading.Next()) {
      if (!fn(reading.datom())) break;
    }
    return reading.status();
  }

  bool OnPath(EntityId e) const { return std::find(path_.begin(), path_.end(), e) != path_.end(); }

  static const Value& IdentKeyword() {
    static const Value kIdent = Value::Keyword("db/ident");
    return kIdent;
  }

  const DbState& db_;
  // Per recursion spec: how deep this pull is in it.
  absl::InlinedVector<int64_t, 4> depths_;
  // The entities being pulled, outermost first.
  absl::InlinedVector<EntityId, 8> path_;
  // Per nesting level, the entity being read there (see Level()).
  std::vector<std::unique_ptr<EntityValues>> levels_;
  DecodeCache cache_;
  std::string scratch_;  // DecodeValueInto's
  std::string prefix_;   // Collect's scan prefix and start, kept for their capacity
  std::string start_;
  std::unique_ptr<RawScan> eavt_;
  std::unique_ptr<RawScan> vaet_;
};

}  // namespace

namespace {

absl::StatusOr<std::shared_ptr<const ResolvedPattern>> ResolveFor(const DbState& state,
                                                                  const PullPattern& pattern) {
  if (state.history) {
    return absl::InvalidArgumentError(
        "pull is not supported on a history db (as in Datomic): pull from db.as_of(t) instead");
  }
  const Registry* registry = state.config != nullptr ? state.config->registry : nullptr;
  return pattern.Resolve(state.schema, registry != nullptr ? *registry : Registry::Global());
}

}  // namespace

absl::StatusOr<Value> PullEntity(const Db& db, const PullPattern& pattern, EntityId e) {
  const DbState& state = *db.state();
  absl::StatusOr<std::shared_ptr<const ResolvedPattern>> resolved = ResolveFor(state, pattern);
  if (!resolved.ok()) return resolved.status();
  Puller puller(state, **resolved);
  return puller.Pull(**resolved, e);
}

absl::StatusOr<std::vector<Value>> PullEntities(const Db& db, const PullPattern& pattern,
                                                std::span<const EntityId> entities) {
  const DbState& state = *db.state();
  absl::StatusOr<std::shared_ptr<const ResolvedPattern>> resolved = ResolveFor(state, pattern);
  if (!resolved.ok()) return resolved.status();
  std::vector<Value> results;
  results.reserve(entities.size());
  std::optional<Puller> puller;
  for (size_t i = 0; i < entities.size(); ++i) {
    // A fresh puller now and then ends its read transaction, so a long
    // pull_many does not pin old pages for its whole run.
    if (i % kEntitiesPerSnapshot == 0) puller.emplace(state, **resolved);
    absl::StatusOr<Value> result = puller->Pull(**resolved, entities[i]);
    if (!result.ok()) return result.status();
    results.push_back(*std::move(result));
  }
  return results;
}

}  // namespace accrete::internal
