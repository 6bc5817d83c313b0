// The public query API: Query, QueryResult, q().
#include <mutex>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "accrete/edn.hpp"
#include "accrete/query.hpp"
#include "edn/str_cat.hpp"
#include "query/ast.hpp"
#include "query/engine.hpp"

namespace accrete {
namespace {

using internal::query::ParsedQuery;

// Query text to its parse, so that q() with the same text skips the EDN
// reader as well as the query parser.
absl::StatusOr<std::shared_ptr<const ParsedQuery>> ParseText(std::string_view text) {
  static std::mutex* mu = new std::mutex();
  static auto* cache = new absl::flat_hash_map<std::string, std::shared_ptr<const ParsedQuery>>();
  {
    std::lock_guard<std::mutex> lock(*mu);
    auto it = cache->find(absl::string_view(text.data(), text.size()));
    if (it != cache->end()) return it->second;
  }
  absl::StatusOr<Value> form = edn::Read(text);
  if (!form.ok()) {
    return absl::InvalidArgumentError(internal::Cat("Malformed query: ", form.status().message()));
  }
  absl::StatusOr<std::shared_ptr<const ParsedQuery>> parsed = internal::query::CachedParse(*form);
  if (!parsed.ok()) return parsed.status();
  std::lock_guard<std::mutex> lock(*mu);
  if (cache->size() >= 4096) cache->clear();
  cache->emplace(std::string(text), *parsed);
  return parsed;
}

}  // namespace

QueryResult::QueryResult(Shape shape, size_t width, std::vector<Value> cells, Value keys)
    : shape_(shape), width_(width), cells_(std::move(cells)), keys_(std::move(keys)) {}

Value QueryResult::value() const {
  auto row_value = [&](size_t r) {
    std::span<const Value> cells = row(r);
    if (keys_.is_nil()) return Value::Vector(std::vector<Value>(cells.begin(), cells.end()));
    std::vector<MapEntry> entries;
    for (size_t i = 0; i < width_; ++i) entries.emplace_back(keys_.items()[i], cells[i]);
    return Value::Map(std::move(entries));
  };
  switch (shape_) {
    case Shape::kRelation: {
      std::vector<Value> rows;
      rows.reserve(size());
      for (size_t r = 0; r < size(); ++r) rows.push_back(row_value(r));
      return Value::Set(std::move(rows));
    }
    case Shape::kCollection: {
      std::vector<Value> items(cells_.begin(), cells_.end());
      return Value::Vector(std::move(items));
    }
    case Shape::kTuple:
      return empty() ? Value() : row_value(0);
    case Shape::kScalar:
      return empty() ? Value() : cells_.front();
  }
  return Value();
}

Query::Query(std::shared_ptr<const ParsedQuery> parsed) : parsed_(std::move(parsed)) {}

absl::StatusOr<Query> Query::Parse(std::string_view edn) {
  absl::StatusOr<std::shared_ptr<const ParsedQuery>> parsed = ParseText(edn);
  if (!parsed.ok()) return parsed.status();
  return Query(*std::move(parsed));
}

absl::StatusOr<Query> Query::FromValue(const Value& form) {
  absl::StatusOr<std::shared_ptr<const ParsedQuery>> parsed = internal::query::CachedParse(form);
  if (!parsed.ok()) return parsed.status();
  return Query(*std::move(parsed));
}

absl::StatusOr<QueryResult> Query::Run(std::span<const QueryInput> inputs,
                                       const QueryOptions& options) const {
  return internal::query::Execute(*parsed_, inputs, options);
}

absl::StatusOr<Value> Query::Explain(std::span<const QueryInput> inputs) const {
  return internal::query::ExplainPlan(*parsed_, inputs);
}

const Value& Query::form() const { return parsed_->form; }

absl::StatusOr<Query> QuerySpec::Resolve() const {
  if (const auto* text = std::get_if<std::string_view>(&spec_)) return Query::Parse(*text);
  if (const auto* form = std::get_if<const Value*>(&spec_)) return Query::FromValue(**form);
  return **std::get_if<const Query*>(&spec_);
}

absl::StatusOr<QueryResult> q(const QuerySpec& query, std::span<const QueryInput> inputs,
                              const QueryOptions& options) {
  absl::StatusOr<Query> resolved = query.Resolve();
  if (!resolved.ok()) return resolved.status();
  return resolved->Run(inputs, options);
}

}  // namespace accrete
