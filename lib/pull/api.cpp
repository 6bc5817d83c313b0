// The public pull API (accrete/pull.hpp) over ParsePullPattern and
// PullEntity.
#include "accrete/pull.hpp"

#include "accrete/edn.hpp"
#include "pull/pull.hpp"

namespace accrete {
namespace {

absl::StatusOr<Value> PullOne(const Db& db, const internal::PullPattern& pattern,
                              const Value& eid) {
  absl::StatusOr<EntityId> e = db.entid(eid);
  if (!e.ok()) return e.status();
  return internal::PullEntity(db, pattern, *e);
}

}  // namespace

absl::StatusOr<Value> pull(const Db& db, const Value& pattern, const Value& eid) {
  auto parsed = internal::ParsePullPattern(pattern);
  if (!parsed.ok()) return parsed.status();
  return PullOne(db, **parsed, eid);
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
  std::vector<Value> results;
  results.reserve(eids.size());
  for (const Value& eid : eids) {
    absl::StatusOr<Value> result = PullOne(db, **parsed, eid);
    if (!result.ok()) return result.status();
    results.push_back(*std::move(result));
  }
  return results;
}

}  // namespace accrete
