// 5. Space: bytes on disk per datom, everything included (current and
// history indexes, log, vals, stats, meta, LMDB's branch pages), beside
// SQLite holding the same data.
//
// accrete's size is the data.mdb of Connection::Backup's repacked copy (every
// index rewritten in key order, full pages), as SQLite's is after VACUUM.
// Beside it, the live pages: a compacting copy (mdb_env_copy2 with
// MDB_CP_COMPACT), without the free pages and the map slack of the live file
// but with its partly filled pages. Per-sub-database pages come from mdb_stat.
// SQLite's size is its database file after a bulk load in one transaction
// (indexes created after the rows, so they are packed) and VACUUM.
//
// Data sets (fixed seed, so every run stores the same bytes):
//   people: the DataScript benchmark's 20,000 people; SQLite has a person
//           table and a person_alias table, indexed on the columns the
//           DataScript queries filter on (name, last_name, sex, age, salary).
//   mixed:  1M datoms: 125,000 entities x 8 attributes of 8 types; SQLite
//           has one table with an index on every column (accrete keeps AVET
//           for every attribute and VAET for the ref).
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <random>

#include "absl/strings/str_cat.h"
#include "bench_util.hpp"
#include "raw_lmdb.hpp"
#include "suite.hpp"

namespace accrete::bench {
namespace {

constexpr int64_t kPeople = 20'000;
constexpr int64_t kPeoplePerTx = 1'000;
constexpr int64_t kMixedEntities = 125'000;
constexpr int64_t kMixedAttrs = 8;
constexpr int64_t kMixedPerTx = 1'000;

// A deterministic generator (std distributions differ between libraries).
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t Below(uint64_t n) { return engine_() % n; }
  uint64_t Bits() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// ---- SQLite ---------------------------------------------------------------

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    int rc = sqlite3_open(path.c_str(), &db_);
    CheckRc(rc, "sqlite3_open", sqlite3_errstr(rc));
    Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;");
  }
  ~Sqlite() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    CheckRc(rc, sql, error != nullptr ? error : "");
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    CheckRc(rc, sql, sqlite3_errmsg(db_));
    return stmt;
  }
  void Step(sqlite3_stmt* stmt) {
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) CheckRc(rc, "sqlite3_step", sqlite3_errmsg(db_));
    sqlite3_reset(stmt);
  }
  // Commits, vacuums and returns the file size.
  uint64_t Finish(const std::string& path) {
    Exec("COMMIT; VACUUM;");
    return FileBytes(path);
  }

 private:
  sqlite3* db_ = nullptr;
};

void BindText(sqlite3_stmt* stmt, int i, std::string_view s) {
  sqlite3_bind_text(stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

// ---- accrete --------------------------------------------------------------

struct AccreteSpace {
  uint64_t repacked_bytes = 0;  // Connection::Backup's repacked copy
  uint64_t compact_bytes = 0;   // LMDB's compacting copy of the live pages
  uint64_t current_bytes = 0;   // eavt aevt avet vaet
  uint64_t history_bytes = 0;   // heavt haevt havet hvaet
  uint64_t log_bytes = 0;
  uint64_t other_bytes = 0;  // vals, stats, meta, main
  // How full the current indexes' pages are: their entries' bytes (key,
  // value, LMDB's 8-byte node header and 2-byte slot) over their pages' bytes.
  double current_fill = 0;
};

// Measures the closed database in dir/accrete.
AccreteSpace MeasureAccrete(const TempDir& dir) {
  AccreteSpace space;
  {
    // Before the raw environment opens: one process may not open it twice.
    auto conn = OpenConnection(dir.Sub("accrete"));
    Check(conn->Backup(dir.Sub("repacked")), "repacked backup");
    space.repacked_bytes = FileBytes(dir.Sub("repacked") + "/data.mdb");
  }
  RawEnv env(dir.Sub("accrete"), MDB_RDONLY);
  const uint64_t page = PageSize(env);
  uint64_t current_payload = 0;
  for (const SubDbUsage& u : Census(env, true)) {
    const uint64_t bytes = u.pages * page;
    if (u.name == "eavt" || u.name == "aevt" || u.name == "avet" || u.name == "vaet") {
      space.current_bytes += bytes;
      current_payload += u.key_bytes + u.value_bytes + 10 * u.entries;
    } else if (u.name.size() == 5 && u.name[0] == 'h') {
      space.history_bytes += bytes;
    } else if (u.name == "log") {
      space.log_bytes += bytes;
    } else {
      space.other_bytes += bytes;
    }
  }
  space.current_fill = static_cast<double>(current_payload) / space.current_bytes;
  space.compact_bytes = CompactedBytes(env, dir.Sub("compact"));
  return space;
}

void Report(benchmark::State& state, const std::string& set, const AccreteSpace& space,
            uint64_t sqlite_bytes, int64_t datoms) {
  const auto per = [&](uint64_t bytes) { return static_cast<double>(bytes) / datoms; };
  state.counters["datoms"] = static_cast<double>(datoms);
  state.counters["accrete_B/datom"] = per(space.repacked_bytes);
  state.counters["live_B/datom"] = per(space.compact_bytes);
  state.counters["current_B/datom"] = per(space.current_bytes);
  state.counters["current_fill"] = space.current_fill;
  state.counters["history_B/datom"] = per(space.history_bytes);
  state.counters["log_B/datom"] = per(space.log_bytes);
  state.counters["other_B/datom"] = per(space.other_bytes);
  state.counters["sqlite_B/datom"] = per(sqlite_bytes);
  PostValue("space." + set + ".accrete", per(space.repacked_bytes));
  PostValue("space." + set + ".live", per(space.compact_bytes));
  PostValue("space." + set + ".current", per(space.current_bytes));
  PostValue("space." + set + ".log", per(space.log_bytes));
  PostValue("space." + set + ".fill", space.current_fill);
  PostValue("space." + set + ".sqlite", per(sqlite_bytes));
}

// ---- people ---------------------------------------------------------------

struct Person {
  int name, last_name, sex, age, salary;
  std::vector<int> aliases;  // distinct indexes into kAliases
};

constexpr std::array<const char*, 8> kNames = {"Ivan", "Petr",   "Sergei", "Oleg",
                                               "Yuri", "Dmitry", "Fedor",  "Denis"};
constexpr std::array<const char*, 6> kLastNames = {"Ivanov",  "Petrov",    "Sidorov",
                                                   "Kovalev", "Kuznetsov", "Voronoi"};
constexpr std::array<const char*, 11> kAliases = {"A. C. Q. M.",  "Bob",      "Bobby", "Bobby D.",
                                                  "Bobby Tables", "Bob Jr.",  "Ivy",   "Vanya",
                                                  "Petya",        "Seryozha", "Dima"};

std::vector<Person> People() {
  Rng rng(20'000);
  std::vector<Person> people(kPeople);
  for (Person& p : people) {
    p.name = static_cast<int>(rng.Below(kNames.size()));
    p.last_name = static_cast<int>(rng.Below(kLastNames.size()));
    const uint64_t draws = rng.Below(10);
    for (uint64_t i = 0; i < draws; ++i) {
      const int alias = static_cast<int>(rng.Below(kAliases.size()));
      if (std::find(p.aliases.begin(), p.aliases.end(), alias) == p.aliases.end()) {
        p.aliases.push_back(alias);
      }
    }
    p.sex = static_cast<int>(rng.Below(2));
    p.age = static_cast<int>(rng.Below(100));
    p.salary = static_cast<int>(rng.Below(100'000));
  }
  return people;
}

std::string FullName(const Person& p) {
  return absl::StrCat(kNames[p.name], " ", kLastNames[p.last_name]);
}

void BM_SpacePeople(benchmark::State& state) {
  for (auto _ : state) {
    const std::vector<Person> people = People();
    int64_t datoms = 0;
    TempDir dir("space-people");
    {
      auto conn = OpenConnection(dir.Sub("accrete"));
      MustTransact(
          *conn,
          vec({AttrDef("person/name", "string"), AttrDef("person/last-name", "string"),
               AttrDef("person/full-name", "string"),
               AttrDef("person/alias", "string", /*many=*/true), AttrDef("person/sex", "keyword"),
               AttrDef("person/age", "long"), AttrDef("person/salary", "long")}),
          "people schema");
      const Value sexes[] = {kw("male"), kw("female")};
      for (int64_t base = 0; base < kPeople; base += kPeoplePerTx) {
        std::vector<Value> tx;
        for (int64_t i = base; i < base + kPeoplePerTx; ++i) {
          const Person& p = people[static_cast<size_t>(i)];
          std::vector<MapEntry> m = {{kw("db/id"), Value::String(absl::StrCat("p", i))},
                                     {kw("person/name"), kNames[p.name]},
                                     {kw("person/last-name"), kLastNames[p.last_name]},
                                     {kw("person/full-name"), FullName(p)},
                                     {kw("person/sex"), sexes[p.sex]},
                                     {kw("person/age"), p.age},
                                     {kw("person/salary"), p.salary}};
          datoms += 6;
          if (!p.aliases.empty()) {
            std::vector<Value> aliases;
            for (int a : p.aliases) aliases.push_back(kAliases[a]);
            datoms += static_cast<int64_t>(aliases.size());
            m.emplace_back(kw("person/alias"), Value::Vector(std::move(aliases)));
          }
          tx.push_back(Value::Map(std::move(m)));
        }
        MustTransact(*conn, Value::Vector(std::move(tx)), "people import");
      }
    }
    const AccreteSpace space = MeasureAccrete(dir);

    const std::string sqlite_path = dir.Sub("people.sqlite");
    Sqlite sql(sqlite_path);
    sql.Exec(
        "CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, last_name TEXT, "
        "full_name TEXT, sex TEXT, age INTEGER, salary INTEGER);"
        "CREATE TABLE person_alias (person INTEGER, alias TEXT, "
        "PRIMARY KEY (person, alias)) WITHOUT ROWID;");
    sqlite3_stmt* insert_person = sql.Prepare("INSERT INTO person VALUES (?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt* insert_alias = sql.Prepare("INSERT INTO person_alias VALUES (?, ?)");
    for (size_t i = 0; i < people.size(); ++i) {
      const Person& p = people[i];
      sqlite3_bind_int64(insert_person, 1, static_cast<int64_t>(i));
      BindText(insert_person, 2, kNames[p.name]);
      BindText(insert_person, 3, kLastNames[p.last_name]);
      BindText(insert_person, 4, FullName(p));
      BindText(insert_person, 5, p.sex == 0 ? "male" : "female");
      sqlite3_bind_int(insert_person, 6, p.age);
      sqlite3_bind_int(insert_person, 7, p.salary);
      sql.Step(insert_person);
      for (int a : p.aliases) {
        sqlite3_bind_int64(insert_alias, 1, static_cast<int64_t>(i));
        BindText(insert_alias, 2, kAliases[a]);
        sql.Step(insert_alias);
      }
    }
    sqlite3_finalize(insert_person);
    sqlite3_finalize(insert_alias);
    sql.Exec(
        "CREATE INDEX person_name ON person (name);"
        "CREATE INDEX person_last_name ON person (last_name);"
        "CREATE INDEX person_sex ON person (sex);"
        "CREATE INDEX person_age ON person (age);"
        "CREATE INDEX person_salary ON person (salary);");
    Report(state, "people", space, sql.Finish(sqlite_path), datoms);
  }
}

// ---- mixed ----------------------------------------------------------------

void BM_SpaceMixed(benchmark::State& state) {
  for (auto _ : state) {
    TempDir dir("space-mixed");
    const std::string sqlite_path = dir.Sub("mixed.sqlite");
    Sqlite sql(sqlite_path);
    sql.Exec(
        "CREATE TABLE mixed (id INTEGER PRIMARY KEY, l INTEGER, d REAL, s TEXT, k TEXT, "
        "b INTEGER, at INTEGER, u BLOB, r INTEGER);");
    sqlite3_stmt* insert = sql.Prepare("INSERT INTO mixed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    {
      auto conn = OpenConnection(dir.Sub("accrete"));
      MustTransact(*conn,
                   vec({AttrDef("m/long", "long"), AttrDef("m/double", "double"),
                        AttrDef("m/string", "string"), AttrDef("m/keyword", "keyword"),
                        AttrDef("m/bool", "boolean"), AttrDef("m/instant", "instant"),
                        AttrDef("m/uuid", "uuid"), AttrDef("m/ref", "ref")}),
                   "mixed schema");
      Rng rng(1'000'000);
      static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz0123456789 ";
      for (int64_t base = 0; base < kMixedEntities; base += kMixedPerTx) {
        std::vector<Value> tx;
        for (int64_t i = base; i < base + kMixedPerTx; ++i) {
          const int64_t l = static_cast<int64_t>(rng.Bits());
          const double d = static_cast<double>(rng.Bits() % 1'000'000'000) / 1000.0;
          std::string s(5 + rng.Below(26), ' ');
          for (char& c : s) c = kLetters[rng.Below(sizeof kLetters - 1)];
          const std::string k = absl::StrCat("kind/k", rng.Below(16));
          const bool b = rng.Below(2) == 1;
          const int64_t at = 1'500'000'000'000 + static_cast<int64_t>(rng.Below(300'000'000'000));
          std::array<uint8_t, 16> u;
          for (uint8_t& byte : u) byte = static_cast<uint8_t>(rng.Bits());
          const int64_t r = base + static_cast<int64_t>(rng.Below(kMixedPerTx));
          tx.push_back(Value::Map({{kw("db/id"), Value::String(absl::StrCat("m", i))},
                                   {kw("m/long"), Value::Integer(l)},
                                   {kw("m/double"), Value::Float(d)},
                                   {kw("m/string"), Value::String(s)},
                                   {kw("m/keyword"), kw(k)},
                                   {kw("m/bool"), b},
                                   {kw("m/instant"), Value::Inst(at)},
                                   {kw("m/uuid"), Value::Uuid(u)},
                                   {kw("m/ref"), Value::String(absl::StrCat("m", r))}}));
          sqlite3_bind_int64(insert, 1, i);
          sqlite3_bind_int64(insert, 2, l);
          sqlite3_bind_double(insert, 3, d);
          BindText(insert, 4, s);
          BindText(insert, 5, k);
          sqlite3_bind_int(insert, 6, b ? 1 : 0);
          sqlite3_bind_int64(insert, 7, at);
          sqlite3_bind_blob(insert, 8, u.data(), 16, SQLITE_TRANSIENT);
          sqlite3_bind_int64(insert, 9, r);
          sql.Step(insert);
        }
        MustTransact(*conn, Value::Vector(std::move(tx)), "mixed import");
      }
    }
    sqlite3_finalize(insert);
    std::string indexes;
    for (const char* column : {"l", "d", "s", "k", "b", "at", "u", "r"}) {
      absl::StrAppend(&indexes, "CREATE INDEX mixed_", column, " ON mixed (", column, ");");
    }
    sql.Exec(indexes);
    Report(state, "mixed", MeasureAccrete(dir), sql.Finish(sqlite_path),
           kMixedEntities * kMixedAttrs);
  }
}

}  // namespace

void RegisterSpaceBenchmarks() {
  benchmark::RegisterBenchmark("space/people_20k", BM_SpacePeople)
      ->Iterations(1)
      ->Repetitions(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("space/mixed_1M_datoms", BM_SpaceMixed)
      ->Iterations(1)
      ->Repetitions(1)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace accrete::bench
