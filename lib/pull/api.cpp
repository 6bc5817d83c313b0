// The public pull API (accrete/pull.hpp) over ParsePullPattern and
// PullEntity.
#include "accrete/pull.hpp"

#include <cstdint>
#include <mutex>

#include "accrete/edn.hpp"
#include "pull/pull.hpp"

namespace accrete {
namespace {

// `pattern` parsed, from a small cache keyed by the pattern's identity (the
// address of its items): a program that pulls with one pattern Value again
// and again (as one pulls entity after entity) parses it, and resolves it
// against a schema, once, as a prepared statement is. The cache holds the
// Value, so that address cannot come to name another pattern while it is
// cached; Values are immutable, so the same address is the same pattern.
absl::StatusOr<std::shared_ptr<const internal::PullPattern>> ParsedPattern(const Value& pattern) {
  if (!pattern.is_sequential() || pattern.items().empty()) {
    return internal::ParsePullPattern(pattern);
  }
  struct Entry {
    Value pattern;
    std::shared_ptr<const internal::PullPattern> parsed;
  };
  // Direct-mapped: a program cycling through more patterns than this
  // re-parses some of them, as it did before there was a cache.
  constexpr size_t kEntries = 64;
  static std::mutex mu;
  // Never destroyed: pulls may run on other threads while the process exits.
  static Entry* const cache = new Entry[kEntries];
  const Value* key = pattern.items().data();
  // Heap addresses are 16-byte aligned: their low bits say nothing.
  Entry& entry = cache[(reinterpret_cast<uintptr_t>(key) >> 4) % kEntries];
  {
    std::lock_guard<std::mutex> lock(mu);
    if (entry.pattern.is_sequential() && entry.pattern.items().data() == key) return entry.parsed;
  }
  auto parsed = internal::ParsePullPattern(pattern);
  if (!parsed.ok()) return parsed.status();
  std::lock_guard<std::mutex> lock(mu);
  entry = {pattern, *parsed};
  return parsed;
}

absl::StatusOr<Value> PullParsed(const Db& db, const internal::PullPattern& pattern,
                                 const Value& eid) {
  absl::StatusOr<EntityId> e = db.entid(eid);
  if (!e.ok()) return e.status();
  return internal::PullEntity(db, pattern, *e);
}

}  // namespace

absl::StatusOr<Value> pull(const Db& db, const Value& pattern, const Value& eid) {
  auto parsed = ParsedPattern(pattern);
  if (!parsed.ok()) return parsed.status();
  return PullParsed(db, **parsed, eid);
}

absl::StatusOr<Value> pull(const Db& db, std::string_view pattern, const Value& eid) {
  absl::StatusOr<Value> form = edn::Read(pattern);
  if (!form.ok()) return form.status();
  // A pattern read from text is a new Value each call: not worth caching.
  auto parsed = internal::ParsePullPattern(*form);
  if (!parsed.ok()) return parsed.status();
  return PullParsed(db, **parsed, eid);
}

absl::StatusOr<std::vector<Value>> pull_many(const Db& db, const Value& pattern,
                                             const std::vector<Value>& eids) {
  auto parsed = ParsedPattern(pattern);
  if (!parsed.ok()) return parsed.status();
  std::vector<EntityId> entities;
  entities.reserve(eids.size());
  for (const Value& eid : eids) {
    absl::StatusOr<EntityId> e = db.entid(eid);
    if (!e.ok()) return e.status();
    entities.push_back(*e);
  }
  return internal::PullEntities(db, **parsed, entities);
}

}  // namespace accrete
