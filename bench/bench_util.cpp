#include "bench_util.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace accrete::bench {

void Check(const absl::Status& status, std::string_view what) {
  if (status.ok()) return;
  std::fprintf(stderr, "accrete_bench: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  std::abort();
}

void CheckRc(int rc, std::string_view what, const char* message) {
  if (rc == 0) return;
  std::fprintf(stderr, "accrete_bench: %.*s: %d %s\n", static_cast<int>(what.size()), what.data(),
               rc, message);
  std::abort();
}

TempDir::TempDir(std::string_view name) {
  const char* root = std::getenv("ACCRETE_BENCH_DIR");
  std::string pattern = std::string(root != nullptr ? root : "/var/tmp") + "/accrete-bench-" +
                        std::string(name) + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror(pattern.c_str());
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int64_t RssAnonKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::strtoll(line.c_str() + 8, nullptr, 10);
  }
  return -1;
}

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

namespace {
struct Board {
  std::mutex mu;
  std::map<std::string, double> metrics;
};
Board& TheBoard() {
  static Board* board = new Board;
  return *board;
}
}  // namespace

void PostRate(const std::string& name, double per_second) {
  Board& board = TheBoard();
  std::lock_guard lock(board.mu);
  auto [it, inserted] = board.metrics.emplace(name, per_second);
  if (!inserted) it->second = std::max(it->second, per_second);
}

void PostValue(const std::string& name, double value) {
  Board& board = TheBoard();
  std::lock_guard lock(board.mu);
  board.metrics[name] = value;
}

std::optional<double> Metric(const std::string& name) {
  Board& board = TheBoard();
  std::lock_guard lock(board.mu);
  auto it = board.metrics.find(name);
  if (it == board.metrics.end()) return std::nullopt;
  return it->second;
}

Value AttrDef(std::string_view ident, std::string_view type, bool many) {
  return map({{kw("db/ident"), kw(ident)},
              {kw("db/valueType"), kw("db.type/" + std::string(type))},
              {kw("db/cardinality"), kw(many ? "db.cardinality/many" : "db.cardinality/one")}});
}

Value ImportSchema() {
  return vec({AttrDef("imp/name", "string"), AttrDef("imp/n", "long"),
              AttrDef("imp/score", "double"), AttrDef("imp/tag", "keyword"),
              AttrDef("imp/at", "instant")});
}

Value ImportEntities(int64_t first, int64_t count) {
  static const Value kTags[] = {kw("imp.tag/red"), kw("imp.tag/green"), kw("imp.tag/blue"),
                                kw("imp.tag/cyan")};
  std::vector<Value> maps;
  maps.reserve(static_cast<size_t>(count));
  for (int64_t i = first; i < first + count; ++i) {
    maps.push_back(Value::Map({
        {kw("db/id"), Value::String(absl::StrCat("i", i))},
        {kw("imp/name"), Value::String(absl::StrCat("entity number ", i))},
        {kw("imp/n"), Value::Integer(i)},
        {kw("imp/score"), Value::Float(static_cast<double>(i % 1000) / 7.0)},
        {kw("imp/tag"), kTags[i % 4]},
        {kw("imp/at"), Value::Inst(1'700'000'000'000 + i * 1000)},
    }));
  }
  return Value::Vector(std::move(maps));
}

std::unique_ptr<Connection> OpenConnection(const std::string& dir, Durability durability) {
  Options options;
  options.durability = durability;
  return Check(Connection::Open(dir, options), "open " + dir);
}

TxReport MustTransact(Connection& conn, const Value& tx_data, std::string_view what) {
  return Check(conn.transact(tx_data), what);
}

}  // namespace accrete::bench
