#include "sqlite_side.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace accrete::bench::people {
namespace {

void Die(sqlite3* db, std::string_view what) {
  std::fprintf(stderr, "people_compare: sqlite: %.*s: %s\n", static_cast<int>(what.size()),
               what.data(), db != nullptr ? sqlite3_errmsg(db) : "");
  std::abort();
}

void BindText(sqlite3_stmt* stmt, int i, std::string_view s) {
  sqlite3_bind_text(stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

// The transitive closure of one follows table, as the rule computes it
// (UNION: a set, as Datalog's).
std::string ClosureSql(std::string_view table) {
  const std::string t(table);
  return "WITH RECURSIVE closure(src, dst) AS (SELECT src, dst FROM " + t +
         " UNION SELECT c.src, f.dst FROM closure c JOIN " + t +
         " f ON f.src = c.dst) SELECT src, dst FROM closure";
}

}  // namespace

SqlitePeople::SqlitePeople(const std::string& path, const PeopleData& data) {
  if (path != ":memory:") {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) Die(db_, "open " + path);
  Load(data);
  q1_ = Prepare("SELECT id FROM people WHERE name = ?1");
  q2_ = Prepare("SELECT id, age FROM people WHERE name = ?1");
  q3_ = Prepare("SELECT id, age FROM people WHERE name = ?1 AND sex = ?2");
  q4_ = Prepare("SELECT id, last_name, age FROM people WHERE name = ?1 AND sex = ?2");
  qpred1_ = Prepare("SELECT id, salary FROM people WHERE salary > 50000");
  qpred2_ = Prepare("SELECT id, salary FROM people WHERE salary > ?1");
  person_ = Prepare("SELECT last_name, sex, age, salary FROM people WHERE id = ?1");
  aliases_ = Prepare("SELECT alias FROM aliases WHERE person = ?1");
  follows_ = Prepare("SELECT dst FROM follows WHERE src = ?1");
  closure_wide_ = Prepare(ClosureSql("follows").c_str());
  closure_long_ = Prepare(ClosureSql("follows_long").c_str());
  begin_ = Prepare("BEGIN");
  commit_ = Prepare("COMMIT");
  // The bound inputs stay bound across runs: the strings are static.
  BindText(q1_, 1, "Ivan");
  BindText(q2_, 1, "Ivan");
  BindText(q3_, 1, "Ivan");
  BindText(q3_, 2, "male");
  BindText(q4_, 1, "Ivan");
  BindText(q4_, 2, "male");
  sqlite3_bind_int64(qpred2_, 1, kMinSalary);
  wide_tree_ = WideTree(data);
}

SqlitePeople::~SqlitePeople() {
  for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* SqlitePeople::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    Die(db_, sql);
  }
  statements_.push_back(stmt);
  return stmt;
}

void SqlitePeople::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Die(db_, sql);
}

void SqlitePeople::Load(const PeopleData& data) {
  Exec(
      "CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, last_name TEXT NOT NULL,"
      " full_name TEXT NOT NULL, sex TEXT NOT NULL, age INTEGER NOT NULL,"
      " salary INTEGER NOT NULL);"
      "CREATE TABLE aliases(person INTEGER NOT NULL, alias TEXT NOT NULL,"
      " PRIMARY KEY (person, alias)) WITHOUT ROWID;"
      "CREATE TABLE follows(src INTEGER NOT NULL, dst INTEGER NOT NULL,"
      " PRIMARY KEY (src, dst)) WITHOUT ROWID;"
      "CREATE TABLE follows_long(src INTEGER NOT NULL, dst INTEGER NOT NULL,"
      " PRIMARY KEY (src, dst)) WITHOUT ROWID;"
      "BEGIN;");
  sqlite3_stmt* person = Prepare("INSERT INTO people VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  sqlite3_stmt* alias = Prepare("INSERT INTO aliases VALUES (?1, ?2)");
  sqlite3_stmt* follows = Prepare("INSERT INTO follows VALUES (?1, ?2)");
  sqlite3_stmt* follows_long = Prepare("INSERT INTO follows_long VALUES (?1, ?2)");
  for (const Person& p : data.people) {
    sqlite3_bind_int64(person, 1, p.number);
    BindText(person, 2, p.name);
    BindText(person, 3, p.last_name);
    BindText(person, 4, p.full_name);
    BindText(person, 5, p.sex);
    sqlite3_bind_int64(person, 6, p.age);
    sqlite3_bind_int64(person, 7, p.salary);
    Step(person);
    for (const std::string& a : p.aliases) {
      sqlite3_bind_int64(alias, 1, p.number);
      BindText(alias, 2, a);
      Step(alias);
    }
    for (int64_t dst : p.follows) {
      sqlite3_bind_int64(follows, 1, p.number);
      sqlite3_bind_int64(follows, 2, dst);
      Step(follows);
    }
    for (int64_t dst : p.follows_long) {
      sqlite3_bind_int64(follows_long, 1, p.number);
      sqlite3_bind_int64(follows_long, 2, dst);
      Step(follows_long);
    }
  }
  Exec(
      "CREATE INDEX people_name ON people(name);"
      "CREATE INDEX people_last_name ON people(last_name);"
      "CREATE INDEX people_sex ON people(sex);"
      "CREATE INDEX people_age ON people(age);"
      "CREATE INDEX people_salary ON people(salary);"
      "CREATE INDEX follows_dst ON follows(dst);"
      "CREATE INDEX follows_long_dst ON follows_long(dst);"
      "COMMIT; ANALYZE;");
}

void SqlitePeople::Step(sqlite3_stmt* stmt) {
  if (sqlite3_step(stmt) != SQLITE_DONE) Die(db_, sqlite3_sql(stmt));
  sqlite3_reset(stmt);
}

std::vector<SqlitePeople::Row> SqlitePeople::Rows(sqlite3_stmt* stmt) {
  std::vector<Row> rows;
  const int columns = sqlite3_column_count(stmt);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    row.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (sqlite3_column_type(stmt, c) == SQLITE_INTEGER) {
        row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) Die(db_, "step");
  sqlite3_reset(stmt);
  return rows;
}

size_t SqlitePeople::Pull(Pulled& p, bool recurse) {
  sqlite3_bind_int64(person_, 1, p.id);
  if (sqlite3_step(person_) == SQLITE_ROW) {
    p.last_name = reinterpret_cast<const char*>(sqlite3_column_text(person_, 0));
    p.sex = reinterpret_cast<const char*>(sqlite3_column_text(person_, 1));
    p.age = sqlite3_column_int64(person_, 2);
    p.salary = sqlite3_column_int64(person_, 3);
  }
  sqlite3_reset(person_);
  sqlite3_bind_int64(aliases_, 1, p.id);
  while (sqlite3_step(aliases_) == SQLITE_ROW) {
    p.aliases.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(aliases_, 0)));
  }
  sqlite3_reset(aliases_);
  sqlite3_bind_int64(follows_, 1, p.id);
  while (sqlite3_step(follows_) == SQLITE_ROW) {
    p.follows.emplace_back().id = sqlite3_column_int64(follows_, 0);
  }
  sqlite3_reset(follows_);
  size_t pulled = 1;
  if (recurse) {
    for (Pulled& child : p.follows) pulled += Pull(child, true);
  }
  return pulled;
}

sqlite3_stmt* SqlitePeople::Statement(std::string_view name) const {
  if (name == "q1") return q1_;
  if (name == "q2") return q2_;
  if (name == "q3") return q3_;
  if (name == "q4") return q4_;
  if (name == "qpred1") return qpred1_;
  if (name == "qpred2") return qpred2_;
  if (name == "rules-wide-4x5") return closure_wide_;
  if (name == "rules-long-30x5") return closure_long_;
  return nullptr;
}

ResultSet SqlitePeople::Answer(std::string_view name) {
  ResultSet answer;
  sqlite3_stmt* stmt = Statement(name);
  if (stmt == nullptr) return answer;
  for (const Row& row : Rows(stmt)) {
    std::string line;
    for (const Cell& cell : row) {
      if (!line.empty()) line.push_back('|');
      if (const int64_t* i = std::get_if<int64_t>(&cell)) {
        line.append(std::to_string(*i));
      } else {
        line.append(std::get<std::string>(cell));
      }
    }
    answer.push_back(std::move(line));
  }
  std::sort(answer.begin(), answer.end());
  return answer;
}

RunFn SqlitePeople::Workload(std::string_view name) {
  if (sqlite3_stmt* stmt = Statement(name)) {
    return [this, stmt] { return Rows(stmt).size(); };
  }
  // A pull reads with many statements: one read transaction for all of them
  // (a consistent snapshot, as accrete's Db, and one file lock instead of one
  // per statement on disk).
  if (name == "pull-tree") {
    return [this] {
      Pulled root;
      root.id = 1;
      Step(begin_);
      const size_t pulled = Pull(root, true);
      Step(commit_);
      return pulled;
    };
  }
  if (name == "pull-many") {
    return [this] {
      std::vector<Pulled> pulled(wide_tree_.size());
      Step(begin_);
      for (size_t i = 0; i < pulled.size(); ++i) {
        pulled[i].id = wide_tree_[i];
        Pull(pulled[i], false);
      }
      Step(commit_);
      return pulled.size();
    };
  }
  return nullptr;
}

}  // namespace accrete::bench::people
