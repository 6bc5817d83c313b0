#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "accrete/db.hpp"
#include "accrete/edn.hpp"
#include "db/db_state.hpp"
#include "db/scan.hpp"
#include "db/schema.hpp"
#include "tx/prepare.hpp"

namespace accrete {

using internal::AppendId;
using internal::AppendValuePrefix;
using internal::Attribute;
using internal::DbState;
using internal::RawDatom;
using internal::RawScan;

std::string_view IndexName(Index index) {
  switch (index) {
    case Index::kEavt:
      return "eavt";
    case Index::kAevt:
      return "aevt";
    case Index::kAvet:
      return "avet";
    case Index::kVaet:
      return "vaet";
  }
  return "?";
}

std::string Datom::to_string() const {
  return absl::StrCat("[", e, " ", a, " ", edn::Print(v), " ", tx, " ", added ? "true" : "false",
                      "]");
}

namespace internal {

// A public Datoms stream: a RawScan plus the checks a prefix could not
// express (a long value's full bytes, components after it, a range end).
class DatomSource {
 public:
  std::shared_ptr<const DbState> db;
  std::unique_ptr<RawScan> scan;
  std::optional<uint64_t> want_e;
  std::optional<uint64_t> want_a;
  std::optional<std::string> want_v;
  std::optional<EntityId> want_tx;
  std::optional<std::string> end_v;    // exclusive, AVET ranges
  std::optional<std::string> start_v;  // inclusive, AVET ranges with long values
  bool empty = false;                  // nothing can match
  std::string scratch;                 // reused by value decoding
  bool checks = true;                  // HasChecks(), fixed when the stream starts

  // Whether Check() can say anything but 1; set once the source is built.
  bool HasChecks() const {
    return empty || end_v || start_v || want_e || want_a || want_v || want_tx;
  }

  // Returns 1 for a datom to keep, 0 to skip, -1 to stop.
  int Check(const RawDatom& d) const {
    if (empty) return -1;
    if (end_v && d.v.compare(*end_v) >= 0) return -1;
    if (start_v && d.v.compare(*start_v) < 0) return 0;
    if (want_e && d.e != *want_e) return 0;
    if (want_a && d.a != *want_a) return 0;
    if (want_v && d.v != *want_v) return 0;
    if (want_tx && d.tx != *want_tx) return 0;
    return 1;
  }
};

absl::StatusOr<const Attribute*> FindAttribute(const DbState& db, const Value& attr) {
  const Attribute* found = nullptr;
  if (attr.is_keyword()) {
    found = db.schema->Find(attr);
  } else if (attr.is_integer()) {
    found = db.schema->Find(attr.as_int());
  }
  if (found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("Unknown attribute ", edn::Print(attr)));
  }
  return found;
}

absl::StatusOr<EntityId> Resolve(const DbState& db, const Value& ref) {
  if (ref.is_integer()) return ref.as_int();
  if (ref.is_keyword()) {
    if (auto id = db.schema->Entid(ref)) return *id;
    return absl::NotFoundError(absl::StrCat("No entity with ident ", edn::Print(ref)));
  }
  if (ref.is_sequential() && ref.size() == 2) {
    absl::StatusOr<const Attribute*> attr = FindAttribute(db, ref.items()[0]);
    if (!attr.ok()) return attr.status();
    if ((*attr)->unique == internal::Unique::kNone) {
      return absl::InvalidArgumentError(
          absl::StrCat("Lookup ref ", edn::Print(ref), " names an attribute that is not unique"));
    }
    absl::StatusOr<std::string> v = EncodeFor(db, **attr, ref.items()[1]);
    if (!v.ok()) return v.status();
    absl::StatusOr<std::vector<uint64_t>> found =
        EntitiesWith(db, static_cast<uint64_t>((*attr)->id), *v);
    if (!found.ok()) return found.status();
    if (found->empty()) {
      return absl::NotFoundError(absl::StrCat("No entity matches lookup ref ", edn::Print(ref)));
    }
    return static_cast<EntityId>(found->front());
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Expected an entity id, an ident or a lookup ref, got ", edn::Print(ref)));
}

absl::StatusOr<std::string> EncodeFor(const DbState& db, const Attribute& attr, const Value& v) {
  std::string out;
  if (attr.is_ref() && !v.is_integer()) {
    absl::StatusOr<EntityId> e = Resolve(db, v);
    if (!e.ok()) return e.status();
    absl::Status status = EncodeValue(Value::Integer(*e), attr.spec, &out);
    if (!status.ok()) return status;
    return out;
  }
  absl::Status status = EncodeValue(v, attr.spec, &out);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), " for attribute ", edn::Print(attr.ident)));
  }
  return out;
}

namespace {

Value DecodeOrNil(std::string_view v) {
  absl::StatusOr<Value> value = DecodeValue(&v);
  return value.ok() ? *std::move(value) : Value();
}

// Builds the scan of `index` for leading `components`.
absl::StatusOr<std::unique_ptr<DatomSource>> OpenSource(std::shared_ptr<const DbState> db,
                                                        Index index,
                                                        const std::vector<Value>& components,
                                                        bool seek) {
  auto source = std::make_unique<DatomSource>();
  if (components.size() > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("An index has 4 components, got ", components.size()));
  }
  std::string prefix;
  bool exact = true;  // the prefix so far pins every component given
  const Attribute* attr = nullptr;
  // The attribute is needed to encode a value; it comes first in AEVT and
  // AVET, second in EAVT and VAET.
  auto attr_position = (index == Index::kEavt || index == Index::kVaet) ? 1 : 0;
  if (components.size() > static_cast<size_t>(attr_position)) {
    absl::StatusOr<const Attribute*> found = FindAttribute(*db, components[attr_position]);
    if (!found.ok()) return found.status();
    attr = *found;
  }
  static constexpr char kOrder[4][4] = {
      {'e', 'a', 'v', 't'}, {'a', 'e', 'v', 't'}, {'a', 'v', 'e', 't'}, {'v', 'a', 'e', 't'}};
  for (size_t i = 0; i < components.size(); ++i) {
    const Value& c = components[i];
    switch (kOrder[static_cast<int>(index)][i]) {
      case 'e': {
        absl::StatusOr<EntityId> e = Resolve(*db, c);
        if (!e.ok()) return e.status();
        if (exact) {
          AppendId(&prefix, static_cast<uint64_t>(*e));
        } else {
          source->want_e = static_cast<uint64_t>(*e);
        }
        break;
      }
      case 'a':
        if (exact) {
          AppendId(&prefix, static_cast<uint64_t>(attr->id));
        } else {
          source->want_a = static_cast<uint64_t>(attr->id);
        }
        break;
      case 'v': {
        if (attr == nullptr) {
          return absl::InvalidArgumentError("A value component needs its attribute");
        }
        if (index == Index::kVaet && !attr->is_ref()) {
          return absl::InvalidArgumentError(absl::StrCat("The VAET index holds only refs; ",
                                                         edn::Print(attr->ident), " is not a ref"));
        }
        absl::StatusOr<std::string> v = EncodeFor(*db, *attr, c);
        if (!v.ok()) return v.status();
        if (!exact) {
          source->want_v = *v;
          break;
        }
        absl::StatusOr<ValueMatch> match = AppendLookupValue(*db, &prefix, *v);
        if (!match.ok()) return match.status();
        if (*match == ValueMatch::kAbsent) source->empty = true;
        if (*match != ValueMatch::kExact) {
          exact = false;
          source->want_v = *v;
        }
        break;
      }
      case 't': {
        absl::StatusOr<EntityId> tx = Resolve(*db, c);
        if (!tx.ok()) return tx.status();
        source->want_tx = PartitionOf(*tx) == kPartTx ? *tx : TToTx(*tx);
        break;
      }
    }
  }
  // VAET's first component is a ref without its attribute known first.
  absl::StatusOr<std::unique_ptr<RawScan>> scan = RawScan::Open(*db, index, prefix, seek);
  if (!scan.ok()) return scan.status();
  source->scan = *std::move(scan);
  source->db = std::move(db);
  return source;
}

}  // namespace
}  // namespace internal

// ---- Datoms -----------------------------------------------------------------

Datoms::Datoms(std::unique_ptr<internal::DatomSource> source) : source_(std::move(source)) {
  if (source_ != nullptr) source_->checks = source_->HasChecks();
}
Datoms::Datoms(Datoms&&) noexcept = default;
Datoms& Datoms::operator=(Datoms&&) noexcept = default;
Datoms::~Datoms() = default;

bool Datoms::Next() {
  if (source_ == nullptr) return false;
  while (source_->scan->Next()) {
    const RawDatom& d = source_->scan->datom();
    if (source_->checks) {
      int check = source_->Check(d);
      if (check < 0) break;
      if (check == 0) continue;
    }
    // Written over the previous datom: a scalar value costs no allocation.
    current_.e = static_cast<EntityId>(d.e);
    current_.a = static_cast<EntityId>(d.a);
    internal::DecodeValueInto(d.v, &current_.v, &source_->scratch);
    current_.tx = d.tx;
    current_.added = d.added;
    return true;
  }
  status_ = source_->scan->status();
  source_.reset();  // ends the read transaction as soon as the stream does
  return false;
}

absl::StatusOr<std::vector<Datom>> Datoms::ToVector() && {
  std::vector<Datom> out;
  while (Next()) out.push_back(current_);
  if (!status_.ok()) return status_;
  return out;
}

// ---- Db ---------------------------------------------------------------------

Db::Db(std::shared_ptr<const DbState> state) : state_(std::move(state)) {}

int64_t Db::basis_t() const { return state_->basis_t; }
std::optional<int64_t> Db::as_of_t() const { return state_->as_of_t; }
std::optional<int64_t> Db::since_t() const { return state_->since_t; }
bool Db::is_history() const { return state_->history; }
bool Db::is_filtered() const { return !state_->filters.empty(); }

namespace {
int64_t ToT(int64_t t_or_tx) { return PartitionOf(t_or_tx) == kPartTx ? TxToT(t_or_tx) : t_or_tx; }
}  // namespace

Db Db::as_of(int64_t t) const {
  auto state = std::make_shared<DbState>(*state_);
  int64_t as_of = ToT(t);
  state->as_of_t = state->as_of_t ? std::min(*state->as_of_t, as_of) : as_of;
  return Db(std::move(state));
}

Db Db::since(int64_t t) const {
  auto state = std::make_shared<DbState>(*state_);
  int64_t since = ToT(t);
  state->since_t = state->since_t ? std::max(*state->since_t, since) : since;
  return Db(std::move(state));
}

Db Db::history() const {
  auto state = std::make_shared<DbState>(*state_);
  state->history = true;
  return Db(std::move(state));
}

Db Db::filter(std::function<bool(const Db&, const Datom&)> pred) const {
  auto state = std::make_shared<DbState>(*state_);
  state->filters.push_back(std::move(pred));
  return Db(std::move(state));
}

absl::StatusOr<EntityId> Db::entid(const Value& ref) const {
  return internal::Resolve(*state_, ref);
}

absl::StatusOr<Value> Db::ident(EntityId e) const {
  if (const Value* ident = state_->schema->Ident(e)) return *ident;
  return absl::NotFoundError(absl::StrCat("Entity ", e, " has no :db/ident"));
}

absl::StatusOr<Datoms> Db::datoms(Index index, const std::vector<Value>& components) const {
  auto source = internal::OpenSource(state_, index, components, /*seek=*/false);
  if (!source.ok()) return source.status();
  return Datoms(*std::move(source));
}

absl::StatusOr<Datoms> Db::seek_datoms(Index index, const std::vector<Value>& components) const {
  auto source = internal::OpenSource(state_, index, components, /*seek=*/true);
  if (!source.ok()) return source.status();
  // Seeking positions at the components and runs on: they are a start, not
  // a filter.
  (*source)->want_e.reset();
  (*source)->want_a.reset();
  (*source)->want_v.reset();
  (*source)->want_tx.reset();
  return Datoms(*std::move(source));
}

absl::StatusOr<Datoms> Db::index_range(const Value& attr, const Value& start,
                                       const Value& end) const {
  auto found = internal::FindAttribute(*state_, attr);
  if (!found.ok()) return found.status();
  const Attribute& a = **found;
  std::string prefix;
  AppendId(&prefix, static_cast<uint64_t>(a.id));
  auto source = std::make_unique<internal::DatomSource>();
  std::string seek_key = prefix;
  if (!start.is_nil()) {
    auto v = internal::EncodeFor(*state_, a, start);
    if (!v.ok()) return v.status();
    if (AppendValuePrefix(&seek_key, *v)) source->start_v = *v;
  }
  if (!end.is_nil()) {
    auto v = internal::EncodeFor(*state_, a, end);
    if (!v.ok()) return v.status();
    source->end_v = *v;
  }
  auto scan = RawScan::Open(*state_, Index::kAvet, prefix, /*seek=*/false, seek_key);
  if (!scan.ok()) return scan.status();
  source->scan = *std::move(scan);
  source->db = state_;
  return Datoms(std::move(source));
}

absl::StatusOr<Value> Db::attribute(const Value& attr) const {
  const Attribute* a = nullptr;
  if (attr.is_keyword()) a = state_->schema->Find(attr);
  if (attr.is_integer()) a = state_->schema->Find(attr.as_int());
  if (a == nullptr) {
    return absl::NotFoundError(absl::StrCat(edn::Print(attr), " is not an attribute"));
  }
  std::vector<MapEntry> entries = {
      {kw("db/id"), Value::Integer(a->id)},
      {kw("db/ident"), a->ident},
      {kw("db/valueType"), kw(internal::ValueTypeIdent(a->spec.type))},
      {kw("db/cardinality"), kw(a->many ? "db.cardinality/many" : "db.cardinality/one")},
  };
  if (a->unique != internal::Unique::kNone) {
    entries.push_back(
        {kw("db/unique"),
         kw(a->unique == internal::Unique::kIdentity ? "db.unique/identity" : "db.unique/value")});
  }
  if (a->component) entries.push_back({kw("db/isComponent"), true});
  if (a->no_history) entries.push_back({kw("db/noHistory"), true});
  if (!a->doc.empty()) entries.push_back({kw("db/doc"), Value::String(a->doc)});
  if (!a->tuple_attrs.empty()) {
    std::vector<Value> members;
    for (EntityId m : a->tuple_attrs) {
      const Value* ident = state_->schema->Ident(m);
      members.push_back(ident ? *ident : Value::Integer(m));
    }
    entries.push_back({kw("db/tupleAttrs"), Value::Vector(std::move(members))});
  } else if (a->spec.type == internal::ValueType::kTuple) {
    if (a->spec.homogeneous && !a->spec.tuple_types.empty()) {
      entries.push_back({kw("db/tupleType"), kw(internal::ValueTypeIdent(a->spec.tuple_types[0]))});
    } else {
      std::vector<Value> types;
      for (auto t : a->spec.tuple_types) types.push_back(kw(internal::ValueTypeIdent(t)));
      entries.push_back({kw("db/tupleTypes"), Value::Vector(std::move(types))});
    }
  }
  if (!a->preds.empty()) entries.push_back({kw("db.attr/preds"), Value::Vector(a->preds)});
  return Value::Map(std::move(entries));
}

// ---- Entity -----------------------------------------------------------------

Entity::Entity(std::shared_ptr<const DbState> db, EntityId id) : db_(std::move(db)), id_(id) {}

absl::StatusOr<Entity> Db::entity(const Value& ref) const {
  absl::StatusOr<EntityId> e = entid(ref);
  if (!e.ok()) return e.status();
  return Entity(state_, *e);
}

namespace {

// :ns/_name -> :ns/name, or nullopt when `attr` is not a reverse name.
std::optional<Value> ForwardOf(const Value& attr) {
  if (!attr.is_keyword() || attr.name().size() < 2 || attr.name()[0] != '_') return std::nullopt;
  return Value::Keyword(attr.ns(), attr.name().substr(1));
}

Value RefValue(const DbState& db, uint64_t e) {
  if (const Value* ident = db.schema->Ident(static_cast<EntityId>(e))) return *ident;
  return Value::Integer(static_cast<int64_t>(e));
}

// The entities pointing at `target` through `attr` (VAET).
absl::StatusOr<std::vector<uint64_t>> ReverseRefs(const DbState& db, EntityId target,
                                                  const Attribute& attr) {
  std::string prefix;
  absl::Status status = EncodeValue(Value::Integer(target), attr.spec, &prefix);
  if (!status.ok()) return status;
  AppendId(&prefix, static_cast<uint64_t>(attr.id));
  std::vector<uint64_t> out;
  status = internal::ScanRaw(db, Index::kVaet, prefix, [&](const RawDatom& d) {
    out.push_back(d.e);
    return true;
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace

absl::StatusOr<std::vector<Entity>> Entity::Refs(const Value& attr) const {
  std::optional<Value> forward = ForwardOf(attr);
  auto found = internal::FindAttribute(*db_, forward ? *forward : attr);
  if (!found.ok()) return found.status();
  const Attribute& a = **found;
  if (!a.is_ref()) {
    return absl::InvalidArgumentError(absl::StrCat(edn::Print(a.ident), " is not a ref attribute"));
  }
  std::vector<Entity> out;
  if (forward) {
    auto sources = ReverseRefs(*db_, id_, a);
    if (!sources.ok()) return sources.status();
    for (uint64_t e : *sources) out.push_back(Entity(db_, static_cast<EntityId>(e)));
    return out;
  }
  auto values = internal::ValuesOf(*db_, static_cast<uint64_t>(id_), static_cast<uint64_t>(a.id));
  if (!values.ok()) return values.status();
  for (const std::string& v : *values) {
    out.push_back(Entity(db_, internal::DecodeOrNil(v).as_int()));
  }
  return out;
}

absl::StatusOr<Value> Entity::Get(const Value& attr) const {
  std::optional<Value> forward = ForwardOf(attr);
  auto found = internal::FindAttribute(*db_, forward ? *forward : attr);
  if (!found.ok()) return found.status();
  const Attribute& a = **found;
  if (forward) {
    if (!a.is_ref()) {
      return absl::InvalidArgumentError(absl::StrCat(edn::Print(attr), " names a reverse ref, but ",
                                                     edn::Print(a.ident),
                                                     " is not a ref attribute"));
    }
    auto sources = ReverseRefs(*db_, id_, a);
    if (!sources.ok()) return sources.status();
    std::vector<Value> items;
    for (uint64_t e : *sources) items.push_back(RefValue(*db_, e));
    return Value::Set(std::move(items));
  }
  auto values = internal::ValuesOf(*db_, static_cast<uint64_t>(id_), static_cast<uint64_t>(a.id));
  if (!values.ok()) return values.status();
  std::vector<Value> items;
  for (const std::string& v : *values) {
    Value value = internal::DecodeOrNil(v);
    items.push_back(a.is_ref() ? RefValue(*db_, static_cast<uint64_t>(value.as_int())) : value);
  }
  if (a.many) return Value::Set(std::move(items));
  return items.empty() ? Value() : items.front();
}

namespace {

absl::StatusOr<Value> TouchEntity(const std::shared_ptr<const DbState>& db, EntityId e, int depth) {
  if (depth > 64) {
    return absl::FailedPreconditionError(
        absl::StrCat("Component nesting deeper than 64 under entity ", e));
  }
  // Attribute id -> values, in EAVT order.
  std::vector<std::pair<EntityId, std::vector<Value>>> grouped;
  std::string prefix;
  AppendId(&prefix, static_cast<uint64_t>(e));
  absl::Status status = internal::ScanRaw(*db, Index::kEavt, prefix, [&](const RawDatom& d) {
    EntityId a = static_cast<EntityId>(d.a);
    if (grouped.empty() || grouped.back().first != a) grouped.push_back({a, {}});
    grouped.back().second.push_back(internal::DecodeOrNil(d.v));
    return true;
  });
  if (!status.ok()) return status;
  std::vector<MapEntry> entries = {{kw("db/id"), Value::Integer(e)}};
  for (auto& [a, values] : grouped) {
    const Attribute* attr = db->schema->Find(a);
    if (attr == nullptr) continue;
    std::vector<Value> items;
    for (Value& v : values) {
      if (!attr->is_ref()) {
        items.push_back(std::move(v));
      } else if (attr->component) {
        auto touched = TouchEntity(db, v.as_int(), depth + 1);
        if (!touched.ok()) return touched.status();
        items.push_back(*std::move(touched));
      } else if (const Value* ident = db->schema->Ident(v.as_int())) {
        items.push_back(*ident);
      } else {
        items.push_back(map({{kw("db/id"), v}}));
      }
    }
    entries.push_back(
        {attr->ident, attr->many ? Value::Set(std::move(items)) : std::move(items.front())});
  }
  return Value::Map(std::move(entries));
}

}  // namespace

absl::StatusOr<Value> Entity::Touch() const { return TouchEntity(db_, id_, 0); }

Db Entity::db() const { return Db(db_); }

}  // namespace accrete
