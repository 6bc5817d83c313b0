#include "ops.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "accrete/query.hpp"
#include "fmt/core.h"

namespace accrete::tools {
namespace {

Value Int(uint64_t n) { return Value(static_cast<long long>(n)); }

// The :in list of a query form (list or map form); nil when it has none.
Value InSpec(const Value& form) {
  if (form.is_map()) {
    const Value* in = form.get(kw("in"));
    return in != nullptr ? *in : Value();
  }
  if (!form.is_sequential()) return Value();
  std::vector<Value> in;
  bool inside = false;
  for (const Value& item : form.items()) {
    if (item.is_keyword()) {
      if (inside) break;
      inside = item == kw("in");
      continue;
    }
    if (inside) in.push_back(item);
  }
  return inside ? Value::Vector(std::move(in)) : Value();
}

bool IsSourceVar(const Value& v) { return v.is_symbol() && v.name().starts_with("$"); }

bool IsSystemAttribute(const Value& ident) {
  return ident.is_keyword() && (ident.ns() == "db" || ident.ns().starts_with("db."));
}

}  // namespace

absl::StatusOr<Value> RunQuery(const Db& db, const Value& form, std::span<const Value> inputs,
                               const QueryRun& run) {
  absl::StatusOr<Query> query = Query::FromValue(form);
  if (!query.ok()) return query.status();
  const Value in = InSpec(query->form());
  std::vector<QueryInput> bound;
  size_t next = 0;
  size_t wanted = 0;
  if (in.is_nil()) {
    bound.emplace_back(db);
  } else {
    for (const Value& var : in.items()) {
      if (IsSourceVar(var)) {
        bound.emplace_back(db);
      } else {
        ++wanted;
        if (next < inputs.size()) bound.emplace_back(inputs[next++]);
      }
    }
  }
  if (wanted != inputs.size()) {
    return absl::InvalidArgumentError(
        fmt::format("The query's :in takes {} input(s) after its data sources, {} given", wanted,
                    inputs.size()));
  }
  if (run.explain) return query->Explain(bound);
  QueryOptions options;
  options.timeout = run.timeout;
  absl::StatusOr<QueryResult> result = query->Run(bound, options);
  if (!result.ok()) return result.status();
  return result->value();
}

Value ReportValue(const TxReport& report) {
  std::vector<MapEntry> tempids;
  for (const auto& [name, e] : report.tempids) {
    tempids.emplace_back(Value(name), Value(static_cast<long long>(e)));
  }
  return Value::Map({{kw("t"), Value(static_cast<long long>(report.t()))},
                     {kw("tempids"), Value::Map(std::move(tempids))},
                     {kw("datoms"), Int(report.tx_data.size())}});
}

absl::StatusOr<Value> EntityValue(const Db& db, const Value& eid) {
  absl::StatusOr<EntityId> id = db.entid(eid);
  if (!id.ok()) return id.status();
  absl::StatusOr<Entity> entity = db.entity(Value(static_cast<long long>(*id)));
  if (!entity.ok()) return entity.status();
  absl::StatusOr<Value> touched = entity->Touch();
  if (!touched.ok()) return touched.status();
  std::vector<MapEntry> entries(touched->entries().begin(), touched->entries().end());
  entries.emplace_back(kw("db/id"), Value(static_cast<long long>(*id)));
  return Value::Map(std::move(entries));
}

absl::StatusOr<Value> SchemaValue(const Db& db, bool include_system) {
  absl::StatusOr<QueryResult> ids = q("[:find [?a ...] :where [?a :db/valueType _]]", db);
  if (!ids.ok()) return ids.status();
  std::vector<std::pair<Value, Value>> attributes;  // ident, schema map
  for (std::span<const Value> row : *ids) {
    absl::StatusOr<Value> attribute = db.attribute(row[0]);
    if (!attribute.ok()) return attribute.status();
    const Value* ident = attribute->get(kw("db/ident"));
    const Value name = ident != nullptr ? *ident : Value();
    if (!include_system && IsSystemAttribute(name)) continue;
    attributes.emplace_back(name, *attribute);
  }
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Value> out;
  out.reserve(attributes.size());
  for (auto& [name, attribute] : attributes) out.push_back(std::move(attribute));
  return Value::Vector(std::move(out));
}

absl::StatusOr<Value> StatValue(const Connection& conn) {
  // The store's per-attribute counts, not a scan: every current datom is in
  // EAVT, AEVT and AVET, and in VAET when its attribute is a ref.
  absl::StatusOr<StorageInfo> storage = conn.storage_info();
  if (!storage.ok()) return storage.status();
  // Read after the counts, so it knows every attribute they name.
  const Db db = conn.db();
  uint64_t all = 0, refs = 0;
  std::vector<MapEntry> attributes;
  for (const auto& [a, n] : storage->current_datoms) {
    all += n;
    absl::StatusOr<Value> attribute = db.attribute(Value(static_cast<long long>(a)));
    if (!attribute.ok()) return attribute.status();
    const Value* type = attribute->get(kw("db/valueType"));
    if (type != nullptr && *type == kw("db.type/ref")) refs += n;
    const Value* ident = attribute->get(kw("db/ident"));
    attributes.emplace_back(ident != nullptr ? *ident : Value(static_cast<long long>(a)), Int(n));
  }
  std::vector<MapEntry> per_index = {{kw(IndexName(Index::kEavt)), Int(all)},
                                     {kw(IndexName(Index::kAevt)), Int(all)},
                                     {kw(IndexName(Index::kAvet)), Int(all)},
                                     {kw(IndexName(Index::kVaet)), Int(refs)}};
  Value lmdb = Value::Map({{kw("map-size"), Int(storage->map_size)},
                           {kw("used-bytes"), Int(storage->used_bytes)},
                           {kw("page-size"), Int(storage->page_size)},
                           {kw("readers"), Int(storage->readers)},
                           {kw("max-readers"), Int(storage->max_readers)},
                           {kw("file-size"), Int(storage->file_size)}});
  return Value::Map({{kw("basis-t"), Value(static_cast<long long>(storage->basis_t))},
                     {kw("datoms"), Value::Map(std::move(per_index))},
                     {kw("attributes"), Value::Map(std::move(attributes))},
                     {kw("storage"), std::move(lmdb)}});
}

Value VerifyReportValue(const VerifyReport& report) {
  std::vector<Value> problems;
  for (const std::string& problem : report.problems) problems.emplace_back(problem);
  return Value::Map({{kw("basis-t"), Value(static_cast<long long>(report.basis_t))},
                     {kw("transactions"), Int(report.transactions)},
                     {kw("log-datoms"), Int(report.log_datoms)},
                     {kw("current-datoms"), Int(report.current_datoms)},
                     {kw("history-datoms"), Int(report.history_datoms)},
                     {kw("long-values"), Int(report.long_values)},
                     {kw("attributes"), Int(report.attributes)},
                     {kw("ok"), Value(report.ok())},
                     {kw("problems"), Value::Vector(std::move(problems))}});
}

absl::StatusOr<Index> ParseIndex(std::string_view name) {
  if (name.starts_with(":")) name.remove_prefix(1);
  for (Index index : {Index::kEavt, Index::kAevt, Index::kAvet, Index::kVaet}) {
    if (IndexName(index) == name) return index;
  }
  return absl::InvalidArgumentError(
      fmt::format("Unknown index {}: expected :eavt, :aevt, :avet or :vaet", name));
}

}  // namespace accrete::tools
