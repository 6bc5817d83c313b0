#include "query/db_functions.hpp"

#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accrete/edn.hpp"
#include "edn/str_cat.hpp"
#include "query/engine.hpp"
#include "store/encoding.hpp"

namespace accrete::internal::query {
namespace {

absl::Status ClauseError(std::string_view what, const Clause& c) {
  return absl::InvalidArgumentError(Cat(what, " in clause ", c.form.to_string()));
}

const Value& SourceTag() {
  static const Value* tag = new Value(Value::Symbol("accrete/source"));
  return *tag;
}

// The db argument i, which must name a Db source.
absl::StatusOr<const Db*> ArgDb(Ctx& ctx, const Clause& c, size_t i, std::span<const Value> args) {
  absl::StatusOr<const Source*> src = ArgSource(ctx, c, i, args);
  if (!src.ok()) return src.status();
  if (!(*src)->db) return ClauseError(Cat("Argument ", i + 1, " must be a database"), c);
  return &*(*src)->db;
}

absl::StatusOr<const Attribute*> ArgAttr(const Db& db, const Clause& c, const Value& v) {
  absl::StatusOr<const Attribute*> attr = FindAttribute(*db.state(), v);
  if (!attr.ok()) return ClauseError(Cat(attr.status().message()), c);
  return attr;
}

// The values of [e a] in db, decoded (refs as ids).
absl::StatusOr<std::vector<Value>> Values(const Db& db, const Value& e, const Attribute& attr) {
  std::vector<Value> out;
  absl::StatusOr<EntityId> id = Resolve(*db.state(), e);
  if (!id.ok()) {
    if (absl::IsNotFound(id.status())) return out;
    return id.status();
  }
  absl::StatusOr<std::vector<std::string>> raw =
      ValuesOf(*db.state(), static_cast<uint64_t>(*id), static_cast<uint64_t>(attr.id));
  if (!raw.ok()) return raw.status();
  std::string scratch;
  for (const std::string& v : *raw) {
    Value decoded;
    DecodeValueInto(v, &decoded, &scratch);
    out.push_back(std::move(decoded));
  }
  return out;
}

absl::StatusOr<Value> GetElse(Ctx& ctx, const Clause& c, std::span<const Value> args) {
  absl::StatusOr<const Db*> db = ArgDb(ctx, c, 0, args);
  if (!db.ok()) return db.status();
  absl::StatusOr<const Attribute*> attr = ArgAttr(**db, c, args[2]);
  if (!attr.ok()) return attr.status();
  if ((*attr)->many) return ClauseError("get-else needs a cardinality-one attribute", c);
  if (args[3].is_nil()) return ClauseError("get-else's default cannot be nil", c);
  absl::StatusOr<std::vector<Value>> values = Values(**db, args[1], **attr);
  if (!values.ok()) return values.status();
  return values->empty() ? args[3] : values->front();
}

absl::StatusOr<Value> GetSome(Ctx& ctx, const Clause& c, std::span<const Value> args) {
  absl::StatusOr<const Db*> db = ArgDb(ctx, c, 0, args);
  if (!db.ok()) return db.status();
  for (size_t i = 2; i < args.size(); ++i) {
    absl::StatusOr<const Attribute*> attr = ArgAttr(**db, c, args[i]);
    if (!attr.ok()) return attr.status();
    absl::StatusOr<std::vector<Value>> values = Values(**db, args[1], **attr);
    if (!values.ok()) return values.status();
    if (!values->empty()) return Value::Vector({Value::Integer((*attr)->id), values->front()});
  }
  return Value();
}

absl::StatusOr<Value> Missing(Ctx& ctx, const Clause& c, std::span<const Value> args) {
  absl::StatusOr<const Db*> db = ArgDb(ctx, c, 0, args);
  if (!db.ok()) return db.status();
  absl::StatusOr<const Attribute*> attr = ArgAttr(**db, c, args[2]);
  if (!attr.ok()) return attr.status();
  absl::StatusOr<std::vector<Value>> values = Values(**db, args[1], **attr);
  if (!values.ok()) return values.status();
  return Value::Boolean(values->empty());
}

// A t from a t, a transaction id, or nil (open).
absl::StatusOr<std::optional<int64_t>> TArg(const Clause& c, const Value& v) {
  if (v.is_nil()) return std::optional<int64_t>();
  if (!v.is_integer())
    return ClauseError(Cat("Expected a t or a transaction id, got ", v.to_string()), c);
  const int64_t x = v.as_int();
  return std::optional<int64_t>(PartitionOf(x) == kPartTx ? TxToT(x) : x);
}

absl::StatusOr<Value> TxIds(Ctx& ctx, const Clause& c, std::span<const Value> args) {
  absl::StatusOr<const Db*> db = ArgDb(ctx, c, 0, args);
  if (!db.ok()) return db.status();
  absl::StatusOr<std::optional<int64_t>> start = TArg(c, args[1]);
  if (!start.ok()) return start.status();
  absl::StatusOr<std::optional<int64_t>> end = TArg(c, args[2]);
  if (!end.ok()) return end.status();
  std::vector<Value> ids;
  absl::Status s = (*db)->for_each_tx(*start, *end, [&](const TxLogEntry& entry) {
    ids.push_back(Value::Integer(TToTx(entry.t)));
    return ctx.Tick();
  });
  if (!s.ok()) return s;
  return Value::Vector(std::move(ids));
}

absl::StatusOr<Value> TxData(Ctx& ctx, const Clause& c, std::span<const Value> args) {
  absl::StatusOr<const Db*> db = ArgDb(ctx, c, 0, args);
  if (!db.ok()) return db.status();
  absl::StatusOr<std::optional<int64_t>> t = TArg(c, args[1]);
  if (!t.ok()) return t.status();
  if (!t->has_value()) return ClauseError("tx-data needs a transaction", c);
  absl::StatusOr<std::vector<TxLogEntry>> entries = (*db)->tx_range(**t, **t + 1);
  if (!entries.ok()) return entries.status();
  std::vector<Value> rows;
  for (const TxLogEntry& entry : *entries) {
    for (const Datom& d : entry.data) {
      rows.push_back(Value::Vector({Value::Integer(d.e), Value::Integer(d.a), d.v,
                                    Value::Integer(d.tx), Value::Boolean(d.added)}));
    }
  }
  return Value::Vector(std::move(rows));
}

absl::StatusOr<Value> NestedQuery(Ctx& ctx, const Clause& c, std::span<const Value> args) {
  if (ctx.depth + 1 >= kMaxDepth) return ClauseError("Queries nested too deeply", c);
  Value form = args[0];
  if (form.is_string()) {
    absl::StatusOr<Value> read = edn::Read(form.as_string());
    if (!read.ok()) return ClauseError(Cat(read.status().message()), c);
    form = *std::move(read);
  }
  absl::StatusOr<std::shared_ptr<const ParsedQuery>> parsed = CachedParse(form);
  if (!parsed.ok()) return parsed.status();
  std::vector<QueryInput> inputs;
  for (size_t i = 1; i < args.size(); ++i) {
    if (c.terms[i].kind == Term::Kind::kSrc ||
        (args[i].kind() == Kind::kTagged && args[i].tag() == SourceTag())) {
      absl::StatusOr<const Source*> src = ArgSource(ctx, c, i, args);
      if (!src.ok()) return src.status();
      if ((*src)->db) {
        inputs.emplace_back(*(*src)->db);
      } else {
        inputs.emplace_back((*src)->coll);
      }
    } else {
      inputs.emplace_back(args[i]);
    }
  }
  absl::StatusOr<QueryResult> result = Execute(**parsed, inputs, ctx.options, ctx.depth + 1);
  if (!result.ok()) return result.status();
  return result->value();
}

struct SourceFnEntry {
  std::string_view name;
  Callable::SourceFn fn;
  int min_args;
  int max_args;
};

constexpr SourceFnEntry kSourceFns[] = {
    {"get-else", GetElse, 4, 4}, {"get-some", GetSome, 3, -1}, {"missing?", Missing, 3, 3},
    {"tx-ids", TxIds, 3, 3},     {"tx-data", TxData, 2, 2},    {"q", NestedQuery, 1, -1},
};

absl::Status CheckArity(const Clause& c, std::string_view name, int min_args, int max_args) {
  const int n = static_cast<int>(c.terms.size());
  if (n < min_args || (max_args >= 0 && n > max_args)) {
    return ClauseError(Cat("Wrong number of arguments (", n, ") to ", name), c);
  }
  return absl::OkStatus();
}

}  // namespace

Value SourceRef(const Value& symbol) { return Value::Tagged(SourceTag(), symbol); }

absl::StatusOr<const Source*> ArgSource(Ctx& ctx, const Clause& c, size_t i,
                                        std::span<const Value> args) {
  Value sym;
  if (c.terms[i].kind == Term::Kind::kSrc) {
    sym = c.terms[i].value;
  } else if (args[i].kind() == Kind::kTagged && args[i].tag() == SourceTag()) {
    sym = args[i].tagged_value();
  } else {
    return ClauseError(Cat("Argument ", i + 1, " must be a source such as $"), c);
  }
  const Source* src = ctx.FindSource(sym);
  if (src == nullptr) {
    return ClauseError(Cat("Unknown source ", sym.to_string(), " (not bound in :in)"), c);
  }
  return src;
}

absl::StatusOr<Callable> ResolveFunction(Ctx& ctx, const Clause& c) {
  Callable callable;
  const std::string_view name = c.fn.qualified_name();
  callable.name_ = std::string(name);
  if (c.fn.ns().empty()) {
    for (const SourceFnEntry& entry : kSourceFns) {
      if (entry.name != name) continue;
      if (absl::Status s = CheckArity(c, name, entry.min_args, entry.max_args); !s.ok()) return s;
      callable.kind_ = Callable::Kind::kSource;
      callable.source_fn_ = entry.fn;
      return callable;
    }
  }
  if (const Builtin* builtin = FindBuiltin(name)) {
    if (absl::Status s = CheckArity(c, name, builtin->min_args, builtin->max_args); !s.ok()) {
      return s;
    }
    callable.kind_ = Callable::Kind::kBuiltin;
    callable.builtin_ = builtin;
    return callable;
  }
  if (!c.fn.ns().empty() && ctx.registry != nullptr) {
    if (absl::Status s = ctx.registry->CheckAllowed(name); !s.ok()) {
      return absl::Status(s.code(), Cat(s.message(), " in clause ", c.form.to_string()));
    }
    if (auto fn = ctx.registry->FindQueryFunction(name)) {
      callable.kind_ = Callable::Kind::kRegistered;
      callable.registered_ = std::move(fn);
      return callable;
    }
  }
  return absl::NotFoundError(Cat("Unknown function ", name,
                                 c.fn.ns().empty() ? "" : " (not registered)", " in clause ",
                                 c.form.to_string()));
}

absl::StatusOr<Value> Callable::Call(Ctx& ctx, const Clause& c, std::span<const Value> args) const {
  switch (kind_) {
    case Kind::kBuiltin: {
      absl::StatusOr<Value> r = builtin_->fn(name_, args);
      if (!r.ok()) return ClauseError(Cat(r.status().message()), c);
      return r;
    }
    case Kind::kSource:
      return source_fn_(ctx, c, args);
    case Kind::kRegistered:
      try {
        absl::StatusOr<Value> r = (*registered_)(args);
        if (!r.ok()) {
          return absl::Status(r.status().code(), Cat(name_, ": ", r.status().message(),
                                                     " in clause ", c.form.to_string()));
        }
        return r;
      } catch (const std::exception& e) {
        return absl::InternalError(Cat("Query function ", name_, " threw: ", e.what()));
      } catch (...) {
        return absl::InternalError(Cat("Query function ", name_, " threw an exception"));
      }
  }
  return absl::InternalError("unknown callable");
}

}  // namespace accrete::internal::query
