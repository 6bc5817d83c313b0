// The public pull API (accrete/pull.hpp) over ParsePullPattern and
// PullEntity.
#include "accrete/pull.hpp"

#include "accrete/edn.hpp"
#include "pull/pull.hpp"

namespace accrete {

absl::StatusOr<Value> pull(const Db& db, const Value& pattern, const Value& eid) {
  auto parsed = internal::ParsePullPattern(pattern);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<EntityId> e = db.entid(eid);
  if (!e.ok()) return e.status();
  return internal::PullEntity(db, **parsed, *e);
}

absl::StatusOr<Value> pull(const Db& db, std::string_view pattern, const Value& eid) {
  absl::StatusOr<Value> form = edn::Read(pattern);
  if (!form.ok()) return form.status();
  return pull(db, *form, eid);
}

absl::StatusOr<std::vector<Value>> pull_many(const Db& db, const Value& pattern,
                                             const std::vector<Value>& eids) {
  auto parsed = internal::ParsePullPattern(pattern);
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
