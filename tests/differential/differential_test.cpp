// The differential test of issue 3: random schemas, data and queries run on
// accrete and on DataScript, the results compared as sets.
//
// For each seed the generator (generator.hpp) makes a case; accrete
// transacts it and runs its queries here, and the case is written as JSON to
// a scratch directory. Then node runs tests/differential/run.js once over
// the whole batch, which does the same on DataScript and writes its results
// as EDN. Both answers are normalised the same way (entity ids to labels,
// numbers by value, keywords to ":ns/name" strings, pull maps with
// card-many values as sets) and compared as sets of rows.
//
// Seeds 1..20 with 50 queries each by default. ACCRETE_DIFF_SEEDS=N runs
// seeds 1..N, ACCRETE_DIFF_SEED=S only seed S, ACCRETE_DIFF_QUERIES=Q
// changes the number of queries per seed; ACCRETE_NODE names the node
// binary (default: node on PATH); ACCRETE_DIFF_DUMP=1 prints every query
// and both answers' sizes. ACCRETE_DIFF_TRACE=1 makes run.js log each
// query and its time to node.log (kept on failure). Needs Node.js and the datascript package:
// npm ci --prefix tests/differential (scripts/deps.sh does it). Without them
// the test fails, it does not skip.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "differential/generator.hpp"
#include "edn/str_cat.hpp"
#include "gtest/gtest.h"

#ifndef ACCRETE_DIFFERENTIAL_DIR
#error "ACCRETE_DIFFERENTIAL_DIR (tests/differential in the source tree) must be defined"
#endif

namespace accrete::differential {
namespace {

using internal::Cat;
namespace fs = std::filesystem;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::vector<uint64_t> Seeds() {
  if (const int one = EnvInt("ACCRETE_DIFF_SEED", 0); one > 0) return {static_cast<uint64_t>(one)};
  std::vector<uint64_t> seeds;
  const int n = EnvInt("ACCRETE_DIFF_SEEDS", 20);
  for (int s = 1; s <= n; ++s) seeds.push_back(static_cast<uint64_t>(s));
  return seeds;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Entity id -> label, for one system.
using Labels = std::map<int64_t, std::string>;

// Numbers compare by value: DataScript has only doubles, so a long 3 and a
// double 3.0 are the same answer; sums of longs are longs in both.
std::string CanonNumber(const Value& v) {
  if (v.is_integer()) return std::to_string(v.as_int());
  const double d = v.as_double();
  if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -1e15 && d < 1e15) {
    return std::to_string(static_cast<int64_t>(d));
  }
  return DoubleText(d);
}

std::string CanonEntity(const Value& v, const Labels& labels) {
  if (!v.is_integer()) return Cat("?not-an-id:", v.to_string());
  auto it = labels.find(v.as_int());
  return it != labels.end() ? it->second : Cat("?unknown-id:", v.as_int());
}

std::string CanonScalar(const Value& v) {
  if (v.is_integer() || v.is_float()) return CanonNumber(v);
  if (v.is_string()) return Quoted(std::string(v.as_string()));
  // DataScript holds keyword values as the strings ":ns/name" (generator.cpp).
  if (v.is_keyword()) return Quoted(Cat(":", v.qualified_name()));
  // distinct, (min n), (max n): compared as sorted collections.
  if (v.is_collection()) {
    std::vector<std::string> items;
    for (const Value& x : v.items()) items.push_back(CanonScalar(x));
    std::sort(items.begin(), items.end());
    std::string out = "[";
    for (const auto& i : items) out += Cat(out.size() > 1 ? " " : "", i);
    return out + "]";
  }
  return v.to_string();
}

bool IsIdKey(const std::string& key) { return key == "db/id" || key == "id"; }

// A pull result. Avoided/accounted: a pull that finds nothing is {} in
// Datomic and nil in DataScript, both normalise to {}; a ref is {:db/id n}
// in accrete and {"id" n} after DataScript's clj->js, both normalise to the
// label; card-many values come in no particular order, so they are sorted.
std::string CanonPull(const Value& v, const Labels& labels) {
  if (v.is_nil()) return "{}";
  if (v.is_map()) {
    std::vector<std::string> entries;
    for (const auto& [k, x] : v.entries()) {
      std::string key = k.is_keyword()  ? std::string(k.qualified_name())
                        : k.is_string() ? std::string(k.as_string())
                                        : k.to_string();
      if (IsIdKey(key)) {
        entries.push_back(Cat("db/id=", CanonEntity(x, labels)));
      } else {
        entries.push_back(Cat(key, "=", CanonPull(x, labels)));
      }
    }
    std::sort(entries.begin(), entries.end());
    std::string out = "{";
    for (const auto& e : entries) out += Cat(out.size() > 1 ? " " : "", e);
    return out + "}";
  }
  if (v.is_collection()) {
    std::vector<std::string> items;
    for (const Value& x : v.items()) items.push_back(CanonPull(x, labels));
    std::sort(items.begin(), items.end());
    std::string out = "[";
    for (const auto& i : items) out += Cat(out.size() > 1 ? " " : "", i);
    return out + "]";
  }
  return CanonScalar(v);
}

std::string CanonRow(std::span<const Value> row, const std::vector<Column>& columns,
                     const Labels& labels) {
  std::string out = "[";
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += " ";
    const Column c = i < columns.size() ? columns[i] : Column::kValue;
    switch (c) {
      case Column::kEntity:
        out += CanonEntity(row[i], labels);
        break;
      case Column::kValue:
        out += CanonScalar(row[i]);
        break;
      case Column::kPull:
        out += CanonPull(row[i], labels);
        break;
    }
  }
  return out + "]";
}

using RowSet = std::set<std::string>;

// DataScript's answer in the shape its find spec gives: relation and
// collection as arrays, a scalar as a value or nil.
RowSet CanonDataScript(const Value& result, const GenQuery& q, const Labels& labels) {
  RowSet rows;
  switch (q.shape) {
    case GenQuery::Shape::kRelation:
      for (const Value& row : result.items()) rows.insert(CanonRow(row.items(), q.columns, labels));
      break;
    case GenQuery::Shape::kCollection:
      for (const Value& x : result.items()) rows.insert(CanonRow({&x, 1}, q.columns, labels));
      break;
    case GenQuery::Shape::kScalar:
      if (!result.is_nil()) rows.insert(CanonRow({&result, 1}, q.columns, labels));
      break;
  }
  return rows;
}

RowSet CanonAccrete(const QueryResult& r, const GenQuery& q, const Labels& labels) {
  RowSet rows;
  for (std::span<const Value> row : r) rows.insert(CanonRow(row, q.columns, labels));
  return rows;
}

// One system's answer to one query: rows, or the error it gave.
struct Answer {
  bool ok = false;
  std::string error;
  RowSet rows;
};

struct SeedRun {
  Case c;
  Labels labels;                // accrete ids
  std::vector<Answer> accrete;  // per query
  std::string setup_error;      // schema or data rejected by accrete
};

// Transacts the case on a fresh accrete database and runs its queries.
SeedRun RunAccrete(uint64_t seed, int num_queries, const fs::path& scratch) {
  SeedRun run;
  run.c = Generate(seed, num_queries);
  const fs::path dir = scratch / Cat("db-", seed);
  auto conn = Connection::Open(dir.string(), testing_util::RelaxedOptions());
  if (!conn.ok()) {
    run.setup_error = Cat("open: ", conn.status().ToString());
    return run;
  }
  if (auto r = (*conn)->transact(run.c.SchemaEdn()); !r.ok()) {
    run.setup_error = Cat("schema: ", r.status().ToString());
    return run;
  }
  std::map<std::string, int64_t> ids;
  for (size_t t = 0; t < run.c.txs.size(); ++t) {
    const std::string tx = run.c.TxEdn(t, ids);
    auto r = (*conn)->transact(tx);
    if (!r.ok()) {
      run.setup_error = Cat("tx ", t, ": ", r.status().ToString(), "\n", tx);
      return run;
    }
    for (const auto& [label, id] : r->tempids) ids[label] = id;
  }
  for (const auto& [label, id] : ids) run.labels[id] = label;

  const Db db = (*conn)->db();
  for (const GenQuery& q : run.c.queries) {
    Answer a;
    std::vector<QueryInput> inputs = {db};
    for (const std::string& in : q.inputs_edn) {
      absl::StatusOr<Value> v = edn::Read(in);
      if (!v.ok()) {
        a.error = Cat("input ", in, ": ", v.status().ToString());
        break;
      }
      inputs.emplace_back(*v);
    }
    if (a.error.empty()) {
      absl::StatusOr<QueryResult> r = accrete::q(q.accrete, inputs);
      if (r.ok()) {
        a.ok = true;
        a.rows = CanonAccrete(*r, q, run.labels);
      } else {
        a.error = r.status().ToString();
      }
    }
    run.accrete.push_back(std::move(a));
  }
  std::ofstream(scratch / Cat("case-", seed, ".json")) << run.c.Json();
  return run;
}

std::string Rows(const RowSet& rows, const RowSet& other, size_t limit = 12) {
  std::string out;
  size_t shown = 0, missing = 0;
  for (const auto& r : rows) {
    if (other.count(r)) continue;
    if (shown++ < limit) {
      out += Cat("      ", r, "\n");
    } else {
      ++missing;
    }
  }
  if (missing) out += Cat("      ... and ", missing, " more\n");
  return out;
}

std::string Describe(const SeedRun& run, size_t i, const Answer& ours, const Answer& theirs) {
  const GenQuery& q = run.c.queries[i];
  std::string out =
      Cat("seed ", run.c.seed, " query ", i, " (rerun: ACCRETE_DIFF_SEED=", run.c.seed,
          ")\n  accrete:    ", q.accrete, "\n  datascript: ", q.datascript, "\n");
  for (const auto& in : q.inputs_edn) out += Cat("  input: ", in, "\n");
  auto side = [](const Answer& a) {
    return a.ok ? Cat(a.rows.size(), " rows") : Cat("error: ", a.error);
  };
  out += Cat("  accrete gave ", side(ours), "; datascript gave ", side(theirs), "\n");
  if (ours.ok && theirs.ok) {
    out += Cat("    only in accrete:\n", Rows(ours.rows, theirs.rows));
    out += Cat("    only in datascript:\n", Rows(theirs.rows, ours.rows));
  }
  return out;
}

class ScratchDir {
 public:
  ScratchDir() : path_(fs::path(::testing::TempDir()) / Cat("accrete-differential-", ::getpid())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    if (keep_) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  fs::path path_;
  bool keep_ = false;
};

TEST(Differential, AccreteAgreesWithDataScript) {
  const std::string node = std::getenv("ACCRETE_NODE") ? std::getenv("ACCRETE_NODE") : "node";
  const fs::path script = fs::path(ACCRETE_DIFFERENTIAL_DIR) / "run.js";
  ASSERT_EQ(std::system(Cat(ShellQuote(node), " --version >/dev/null 2>&1").c_str()), 0)
      << "Node.js (" << node << ") is not on PATH. The differential test needs it and the npm "
      << "package datascript: install Node.js (Debian: nodejs npm), then "
      << "npm ci --prefix " << ACCRETE_DIFFERENTIAL_DIR << " (scripts/deps.sh does both).";

  const int num_queries = EnvInt("ACCRETE_DIFF_QUERIES", 50);
  ScratchDir scratch;
  const auto start = std::chrono::steady_clock::now();
  std::vector<SeedRun> runs;
  for (uint64_t seed : Seeds()) {
    runs.push_back(RunAccrete(seed, num_queries, scratch.path()));
    ASSERT_TRUE(runs.back().setup_error.empty())
        << "seed " << seed << ": accrete rejected the generated data: " << runs.back().setup_error;
  }
  const auto accrete_done = std::chrono::steady_clock::now();

  // DataScript: one node process for the whole batch.
  const fs::path log = scratch.path() / "node.log";
  const int rc =
      std::system(Cat(ShellQuote(node), " ", ShellQuote(script.string()), " ",
                      ShellQuote(scratch.path().string()), " >", ShellQuote(log.string()), " 2>&1")
                      .c_str());
  if (rc != 0) scratch.Keep();
  ASSERT_EQ(rc, 0) << "node " << script << " failed (" << rc << "):\n"
                   << ReadFile(log) << "\n(If the datascript package is missing: npm ci --prefix "
                   << ACCRETE_DIFFERENTIAL_DIR << ")";
  const auto node_done = std::chrono::steady_clock::now();

  const bool dump = std::getenv("ACCRETE_DIFF_DUMP") != nullptr;
  int compared = 0, failures = 0, nonempty = 0;
  size_t rows = 0;
  for (const SeedRun& run : runs) {
    const fs::path out = scratch.path() / Cat("case-", run.c.seed, ".out.edn");
    absl::StatusOr<Value> ds = edn::Read(ReadFile(out));
    ASSERT_TRUE(ds.ok()) << out << ": " << ds.status();
    ASSERT_TRUE(ds->is_vector() && ds->items().size() == 2) << out;
    Labels labels;
    for (const auto& [label, id] : ds->items()[0].entries()) {
      labels[id.as_int()] = std::string(label.as_string());
    }
    const auto results = ds->items()[1].items();
    ASSERT_EQ(results.size(), run.c.queries.size()) << out;
    for (size_t i = 0; i < results.size(); ++i) {
      Answer theirs;
      if (const Value* ok = results[i].get(Value("ok"))) {
        theirs.ok = true;
        theirs.rows = CanonDataScript(*ok, run.c.queries[i], labels);
      } else if (const Value* err = results[i].get(Value("error"))) {
        theirs.error = std::string(err->as_string());
      }
      const Answer& ours = run.accrete[i];
      ++compared;
      rows += ours.rows.size();
      // Every generated query is valid Datomic and valid DataScript, so an
      // error on either side is a failure too.
      if (!ours.rows.empty()) ++nonempty;
      if (dump) std::cout << Describe(run, i, ours, theirs);
      if (!ours.ok || !theirs.ok || ours.rows != theirs.rows) {
        ++failures;
        ADD_FAILURE() << Describe(run, i, ours, theirs);
      }
    }
  }
  if (failures) {
    scratch.Keep();
    std::cout << "The cases and DataScript's answers are kept in " << scratch.path() << "\n";
  }
  using ms = std::chrono::milliseconds;
  std::cout << "differential: " << runs.size() << " seeds, " << compared << " queries, " << rows
            << " result rows (" << nonempty << " queries with some), " << failures
            << " mismatches; accrete (load + queries) "
            << std::chrono::duration_cast<ms>(accrete_done - start).count() << " ms, node "
            << std::chrono::duration_cast<ms>(node_done - accrete_done).count() << " ms\n";
}

}  // namespace
}  // namespace accrete::differential
