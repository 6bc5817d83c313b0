#include "transfer.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "accrete/edn.hpp"
#include "common.hpp"
#include "fmt/core.h"

namespace accrete::tools {
namespace {

Value Int(int64_t n) { return Value(static_cast<long long>(n)); }

// Progress on stderr: on a terminal a bar redrawn at most ten times a
// second; otherwise (a log file, a pipe) one plain line every ten seconds,
// so a short run writes nothing there.
class Progress {
 public:
  Progress(bool enabled, std::string_view what, int64_t total)
      : enabled_(enabled), terminal_(isatty(STDERR_FILENO) == 1), what_(what), total_(total) {}
  ~Progress() {
    if (enabled_ && terminal_ && drawn_) std::fputs("\n", stderr);
  }
  void Update(int64_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (terminal_) {
      if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done < total_) return;
    } else if (now - (drawn_ ? last_ : start_) < std::chrono::seconds(10)) {
      return;
    }
    last_ = now;
    drawn_ = true;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    const double fraction =
        total_ > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 1.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    if (!terminal_) {
      fmt::print(stderr, "{}: {}/{} tx ({:.0f}%), {:.0f} tx/s, ETA {:.0f}s\n", what_, done, total_,
                 fraction * 100, rate, std::max(0.0, eta));
      return;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r{} [{}{}] {:3.0f}% {} tx, {:.0f} tx/s, ETA {:.0f}s  ", what_,
               std::string(filled, '#'), std::string(kWidth - filled, ' '), fraction * 100, done,
               rate, std::max(0.0, eta));
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool terminal_;
  std::string what_;
  int64_t total_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_;
};

Value TxRecord(const TxLogEntry& tx) {
  std::vector<Value> data;
  data.reserve(tx.data.size());
  Value instant;
  for (const Datom& d : tx.data) {
    if (d.e == TToTx(tx.t) && d.v.kind() == Kind::kInst && instant.is_nil()) instant = d.v;
    data.push_back(Value::Vector({Int(d.e), Int(d.a), d.v, Value(d.added)}));
  }
  return Value::Map({{kw("t"), Int(tx.t)},
                     {kw("instant"), instant},
                     {kw("data"), Value::Vector(std::move(data))}});
}

absl::Status WriteLine(std::FILE* out, const Value& v) {
  const std::string line = edn::Print(v);
  if (std::fwrite(line.data(), 1, line.size(), out) != line.size() ||
      std::fputc('\n', out) == EOF) {
    return absl::InternalError("Cannot write the export (disk full or closed pipe?)");
  }
  return absl::OkStatus();
}

// The replay of one export into an empty database.
class Importer {
 public:
  Importer(std::string dir, const Registry* registry, Durability durability)
      : dir_(std::move(dir)), registry_(registry), durability_(durability) {}

  absl::Status Apply(const Value& record, int64_t line);
  int64_t transactions() const { return applied_; }
  int64_t last_t() const { return last_t_; }

 private:
  struct AttrInfo {
    bool is_ref = false;
    bool composite = false;  // :db/tupleAttrs: maintained by the tx layer
  };
  absl::StatusOr<AttrInfo> Attribute(EntityId a);
  bool IsNew(EntityId e) const;
  void See(EntityId e);
  Value Ref(EntityId e, EntityId tx, std::vector<EntityId>* fresh) const;

  std::string dir_;
  const Registry* registry_;
  Durability durability_;
  std::unique_ptr<Connection> conn_;
  absl::flat_hash_map<EntityId, AttrInfo> attrs_;
  // The largest entity counter seen so far in :db.part/db and :db.part/user:
  // accrete hands ids out in order, so anything above is new in its tx.
  int64_t max_db_ = -1;
  int64_t max_user_ = -1;
  int64_t applied_ = 0;
  int64_t last_t_ = -1;
};

bool Importer::IsNew(EntityId e) const {
  const int64_t n = e & ((int64_t{1} << kPartitionShift) - 1);
  switch (PartitionOf(e)) {
    case kPartDb:
      return n > max_db_;
    case kPartUser:
      return n > max_user_;
    default:
      return false;
  }
}

void Importer::See(EntityId e) {
  const int64_t n = e & ((int64_t{1} << kPartitionShift) - 1);
  if (PartitionOf(e) == kPartDb) max_db_ = std::max(max_db_, n);
  if (PartitionOf(e) == kPartUser) max_user_ = std::max(max_user_, n);
}

std::string TempidOf(EntityId e) { return fmt::format("e{}", e); }

Value Importer::Ref(EntityId e, EntityId tx, std::vector<EntityId>* fresh) const {
  if (e == tx) return Value("datomic.tx");
  if (IsNew(e)) {
    if (fresh != nullptr) fresh->push_back(e);
    return Value(TempidOf(e));
  }
  return Int(e);
}

absl::StatusOr<Importer::AttrInfo> Importer::Attribute(EntityId a) {
  auto it = attrs_.find(a);
  if (it != attrs_.end()) return it->second;
  absl::StatusOr<Value> schema = conn_->db().attribute(Int(a));
  if (!schema.ok()) return schema.status();
  AttrInfo info;
  const Value* type = schema->get(kw("db/valueType"));
  info.is_ref = type != nullptr && *type == kw("db.type/ref");
  info.composite = schema->get(kw("db/tupleAttrs")) != nullptr;
  attrs_.emplace(a, info);
  return info;
}

absl::Status Importer::Apply(const Value& record, int64_t line) {
  const Value* t_value = record.is_map() ? record.get(kw("t")) : nullptr;
  const Value* data = record.is_map() ? record.get(kw("data")) : nullptr;
  const Value* instant = record.is_map() ? record.get(kw("instant")) : nullptr;
  if (t_value == nullptr || !t_value->is_integer() || data == nullptr || !data->is_vector()) {
    return absl::InvalidArgumentError(
        fmt::format("line {}: expected a transaction {{:t T :data [...]}}", line));
  }
  const int64_t t = t_value->as_int();
  struct Row {
    EntityId e;
    EntityId a;
    Value v;
    bool added;
  };
  std::vector<Row> rows;
  rows.reserve(data->size());
  for (const Value& d : data->items()) {
    if (!d.is_vector() || d.size() != 4 || !d.items()[0].is_integer() ||
        !d.items()[1].is_integer() || !d.items()[3].is_boolean()) {
      return absl::InvalidArgumentError(
          fmt::format("line {}: expected a datom [e a v added], got {}", line, d.to_string()));
    }
    rows.push_back(
        {d.items()[0].as_int(), d.items()[1].as_int(), d.items()[2], d.items()[3].as_bool()});
  }

  if (conn_ == nullptr) {
    // The first transaction is the bootstrap that Connection::Open writes
    // by itself; giving it the export's clock keeps its :db/txInstant.
    const int64_t first_instant =
        instant != nullptr && instant->kind() == Kind::kInst ? instant->inst_millis() : 0;
    std::function<int64_t()> clock;
    if (first_instant != 0) clock = [first_instant] { return first_instant; };
    absl::StatusOr<std::unique_ptr<Connection>> conn =
        OpenForWrite(dir_, registry_, /*create=*/true, durability_, std::move(clock));
    if (!conn.ok()) return conn.status();
    conn_ = *std::move(conn);
  }
  const int64_t basis = conn_->db().basis_t();
  auto see_all = [&] {
    for (const Row& r : rows) {
      See(r.e);
      if (r.v.is_integer() && attrs_.contains(r.a) && attrs_.at(r.a).is_ref) See(r.v.as_int());
    }
  };
  if (t <= basis) {
    // Written by Open (the bootstrap): already there.
    for (const Row& r : rows) See(r.e);
    last_t_ = t;
    return absl::OkStatus();
  }
  if (t != basis + 1) {
    return absl::InvalidArgumentError(fmt::format(
        "line {}: transaction t={} does not follow t={}: the export has a gap", line, t, basis));
  }

  const EntityId tx = TToTx(t);
  std::vector<Value> first;   // forms that name new entities only as e, by id
  std::vector<Value> second;  // forms with a new entity as a ref value
  std::vector<std::pair<EntityId, Value>> ordered;
  std::vector<EntityId> fresh;
  for (const Row& r : rows) {
    absl::StatusOr<AttrInfo> attr = Attribute(r.a);
    if (!attr.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("line {}: attribute {} of t={}: {}", line, r.a, t, MessageOf(attr.status())));
    }
    if (attr->composite) continue;
    const Value op = r.added ? kw("db/add") : kw("db/retract");
    Value v = r.v;
    bool new_value = false;
    if (attr->is_ref && v.is_integer()) {
      new_value = v.as_int() == tx || IsNew(v.as_int());
      v = Ref(v.as_int(), tx, nullptr);
    }
    Value form = Value::Vector({op, Ref(r.e, tx, &fresh), Int(r.a), std::move(v)});
    if (new_value) {
      second.push_back(std::move(form));
    } else {
      ordered.emplace_back(r.e, std::move(form));
    }
  }
  // Tempids get ids in the order the transaction first names them, so
  // naming new entities first as e, by ascending id, reproduces their ids.
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& [e, form] : ordered) first.push_back(std::move(form));
  for (Value& form : second) first.push_back(std::move(form));

  absl::StatusOr<TxReport> report = conn_->transact(Value::Vector(std::move(first)));
  if (!report.ok()) {
    return absl::Status(report.status().code(), fmt::format("line {}: replaying t={}: {}", line, t,
                                                            MessageOf(report.status())));
  }
  if (report->t() != t) {
    return absl::FailedPreconditionError(
        fmt::format("line {}: transaction t={} was written as t={}", line, t, report->t()));
  }
  for (EntityId e : fresh) {
    auto it = report->tempids.find(TempidOf(e));
    if (it == report->tempids.end() || it->second != e) {
      return absl::FailedPreconditionError(fmt::format(
          "line {}: t={}: entity {} could not be given its id (got {})", line, t, e,
          it == report->tempids.end() ? std::string("none") : std::to_string(it->second)));
    }
  }
  see_all();
  ++applied_;
  last_t_ = t;
  return absl::OkStatus();
}

}  // namespace

absl::Status Export(const Db& db, std::FILE* out, bool progress) {
  const int64_t basis = db.basis_t();
  absl::Status s = WriteLine(out, Value::Map({{kw("accrete.export/version"), Int(kExportVersion)},
                                              {kw("basis-t"), Int(basis)}}));
  if (!s.ok()) return s;
  Progress bar(progress, "export", basis + 1);
  int64_t count = 0;
  s = db.for_each_tx(std::nullopt, std::nullopt, [&](const TxLogEntry& tx) {
    ++count;
    bar.Update(tx.t + 1);
    return WriteLine(out, TxRecord(tx));
  });
  if (!s.ok()) return s;
  return WriteLine(
      out, Value::Map({{kw("accrete.export/end"), Int(basis)}, {kw("transactions"), Int(count)}}));
}

namespace {

enum class LineRead { kLine, kEnd, kTooLong };

// The next line of `in` (without its newline) into `text`, reading no more
// than `max` bytes of it.
LineRead ReadLine(std::istream& in, size_t max, std::string* text) {
  text->clear();
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) return any ? LineRead::kLine : LineRead::kEnd;
    any = true;
    if (c == '\n') return LineRead::kLine;
    if (text->size() >= max) return LineRead::kTooLong;
    text->push_back(static_cast<char>(c));
  }
}

// The replay of a whole export into `dir`; on error, `dir` holds part of it.
absl::Status Replay(const std::string& dir, std::istream& in, const Registry* registry,
                    const ImportOptions& options) {
  const Durability durability = options.durability;
  Importer importer(dir, registry, durability);
  std::string text;
  int64_t line = 0;
  int64_t basis = -1;
  int64_t transactions = 0;
  bool header = false;
  bool trailer = false;
  std::unique_ptr<Progress> bar;
  for (LineRead read; (read = ReadLine(in, options.max_line_bytes, &text)) != LineRead::kEnd;) {
    ++line;
    if (read == LineRead::kTooLong) {
      return absl::InvalidArgumentError(fmt::format(
          "line {}: longer than {} bytes (--max-line-bytes)", line, options.max_line_bytes));
    }
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (trailer) {
      return absl::InvalidArgumentError(fmt::format("line {}: data after the export's end", line));
    }
    absl::StatusOr<Value> record = edn::Read(text);
    if (!record.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("line {}: not EDN: {}", line, MessageOf(record.status())));
    }
    if (!header) {
      const Value* version = record->is_map() ? record->get(kw("accrete.export/version")) : nullptr;
      const Value* b = record->is_map() ? record->get(kw("basis-t")) : nullptr;
      if (version == nullptr || b == nullptr || !b->is_integer()) {
        return absl::InvalidArgumentError(fmt::format(
            "line {}: not an accrete export (no {{:accrete.export/version ...}} header)", line));
      }
      if (*version != Int(kExportVersion)) {
        return absl::InvalidArgumentError(
            fmt::format("line {}: export format version {} is not supported (this tool reads {})",
                        line, version->to_string(), kExportVersion));
      }
      basis = b->as_int();
      header = true;
      bar = std::make_unique<Progress>(options.progress, "import", basis + 1);
      continue;
    }
    if (const Value* end = record->is_map() ? record->get(kw("accrete.export/end")) : nullptr) {
      const Value* n = record->get(kw("transactions"));
      if (*end != Int(basis) || n == nullptr || *n != Int(transactions)) {
        return absl::InvalidArgumentError(fmt::format(
            "line {}: the export's end does not match its contents ({} transactions read)", line,
            transactions));
      }
      trailer = true;
      continue;
    }
    if (absl::Status s = importer.Apply(*record, line); !s.ok()) return s;
    ++transactions;
    bar->Update(importer.last_t() + 1);
  }
  if (in.bad()) return absl::InternalError("Cannot read the export");
  if (!header) return absl::InvalidArgumentError("The export is empty (no header)");
  if (!trailer) {
    return absl::InvalidArgumentError(
        fmt::format("The export is truncated: no end record after {} transactions (line {})",
                    transactions, line));
  }
  if (transactions == 0) {
    // Nothing replayed, not even the bootstrap: leave an empty database.
    absl::StatusOr<std::unique_ptr<Connection>> conn =
        OpenForWrite(dir, registry, /*create=*/true, durability);
    if (!conn.ok()) return conn.status();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Import(const std::string& dir, std::istream& in, const Registry* registry,
                    const ImportOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec))) {
    return absl::FailedPreconditionError(
        fmt::format("Import needs an absent or empty directory; {} is not empty", dir));
  }
  fs::path target = fs::path(dir);
  if (!target.has_filename()) target = target.parent_path();  // "dir/"
  const fs::path staging = target.string() + fmt::format(".import-{}", ::getpid());
  fs::remove_all(staging, ec);
  absl::Status s = Replay(staging.string(), in, registry, options);
  if (s.ok()) {
    // rename(2) replaces an empty directory, and DIR is absent or empty.
    fs::rename(staging, target, ec);
    if (ec) {
      s = absl::InternalError(fmt::format("Cannot move the imported database from {} to {}: {}",
                                          staging.string(), dir, ec.message()));
    }
  }
  if (!s.ok()) fs::remove_all(staging, ec);
  return s;
}

}  // namespace accrete::tools
