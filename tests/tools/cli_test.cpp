// Drives the real `accrete` binary (ACCRETE_CLI) on temporary databases:
// every subcommand's output is read back as EDN and checked, errors give one
// line on stderr with exit code 1 (2 for usage), read commands never create
// or change a database, export/import reproduces every as_of(t), and backup
// works under a concurrent writer.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tool_test_util.hpp"

namespace accrete {
namespace {

using ::testing::HasSubstr;
using testing_util::ExpectError;
using testing_util::Outcome;
using testing_util::ReadLines;
using testing_util::ReadOut;
using testing_util::RunBinary;
using testing_util::Slurp;
using testing_util::TempDir;

// Runs `accrete args...` with `input` on stdin.
Outcome Accrete(const std::vector<std::string>& args, const std::string& input = "") {
  return RunBinary(ACCRETE_CLI, args, input);
}

constexpr const char* kSchema = R"([
  {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :person/tags :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :person/seen :db/valueType :db.type/instant :db/cardinality :db.cardinality/one
   :db/noHistory true}
  {:db/ident :person/bio :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :person/photo :db/valueType :db.type/bytes :db/cardinality :db.cardinality/one}
  {:db/ident :person/point :db/valueType :db.type/tuple
   :db/tupleTypes [:db.type/long :db.type/string] :db/cardinality :db.cardinality/one}
  {:db/ident :person/name+age :db/valueType :db.type/tuple
   :db/tupleAttrs [:person/name :person/age] :db/cardinality :db.cardinality/one
   :db/unique :db.unique/value}
  {:db/ident :tx/note :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :person/address :db/valueType :db.type/ref :db/cardinality :db.cardinality/one
   :db/isComponent true}
  {:db/ident :address/city :db/valueType :db.type/string :db/cardinality :db.cardinality/one}])";

// This test process writing people to `dir` from a thread while the binary
// runs in another process.
class BackgroundWriter {
 public:
  explicit BackgroundWriter(const std::string& dir) {
    Options options;
    options.create_if_missing = false;
    options.durability = Durability::kRelaxed;
    absl::StatusOr<std::unique_ptr<Connection>> conn = Connection::Open(dir, options);
    EXPECT_TRUE(conn.ok()) << conn.status();
    if (!conn.ok()) return;
    conn_ = *std::move(conn);
    thread_ = std::thread([this] {
      for (int i = 0; !stop_; ++i) {
        absl::StatusOr<TxReport> r =
            conn_->transact(vec({map({{kw("person/name"), Value("p" + std::to_string(i))},
                                      {kw("person/age"), i},
                                      {kw("person/bio"), Value(std::string(200, 'x'))}})}));
        EXPECT_TRUE(r.ok()) << r.status();
        if (!r.ok()) return;
        ++written_;
      }
    });
  }
  ~BackgroundWriter() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  Connection& conn() { return *conn_; }
  int written() const { return written_; }

 private:
  std::unique_ptr<Connection> conn_;
  std::atomic<bool> stop_{false};
  std::atomic<int> written_{0};
  std::thread thread_;
};

absl::StatusOr<std::unique_ptr<Connection>> OpenReadOnly(const std::string& dir) {
  Options ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  return Connection::Open(dir, ro);
}

class CliTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.path() + "/db"; }
  void Transact(const std::string& tx) {
    Outcome run = Accrete({"transact", db(), "-"}, tx);
    ASSERT_EQ(run.code, 0) << run.err;
  }
  void Populate() {
    Transact(kSchema);
    Transact(R"([{:db/id "ada" :person/name "Ada" :person/age 36 :person/tags [:math :poetry]
                  :person/friend "bob" :person/point [1 "x"]
                  :person/address {:address/city "London"}}
                 {:db/id "bob" :person/name "Bob" :person/age 40}
                 {:db/id "datomic.tx" :tx/note "first people"}])");
    Transact(R"([[:db/add [:person/name "Ada"] :person/age 37]
                 [:db/retract [:person/name "Ada"] :person/tags :poetry]
                 [:db/add [:person/name "Bob"] :person/seen #inst "2024-01-01T00:00:00Z"]])");
    Transact(R"([[:db/add [:person/name "Bob"] :person/seen #inst "2024-02-01T00:00:00Z"]
                 [:db/add [:person/name "Bob"] :person/bio ")" +
             std::string(3000, 'b') + R"("]
                 [:db/add [:person/name "Bob"] :person/photo #bytes "AAECAwQFBgc="]])");
    Transact(R"([{:person/name "Cy" :person/age 5 :person/friend [[:person/name "Ada"]]}])");
    Transact(R"([[:db/retractEntity [:person/name "Cy"]]
                 [:db/add [:person/name "Bob"] :person/bio ")" +
             std::string(600, 'c') + R"("]])");
  }
  TempDir dir_;
};

TEST_F(CliTest, TransactPrintsTheReport) {
  Outcome schema = Accrete({"transact", db()}, kSchema);
  ASSERT_EQ(schema.code, 0) << schema.err;
  Outcome run = Accrete({"transact", "--nosync", db(), "-"},
                        R"([{:db/id "a" :person/name "Ada"} {:db/id "b" :person/name "Bob"}])");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  Value report = ReadOut(run);
  ASSERT_TRUE(report.is_map());
  EXPECT_EQ(*report.get(kw("t")), Value(ReadOut(schema).get(kw("t"))->as_int() + 1));
  // The tx instant, two names, and two :person/name+age composites.
  EXPECT_EQ(*report.get(kw("datoms")), Value(5));
  EXPECT_EQ(report.get(kw("tempids"))->size(), 2u);

  // From a file too.
  const std::string file = dir_.path() + "/tx.edn";
  std::ofstream(file) << R"([[:db/add [:person/name "Ada"] :person/age 36]])";
  Outcome from_file = Accrete({"transact", db(), file});
  ASSERT_EQ(from_file.code, 0) << from_file.err;
  // The instant, the age, the composite retracted and asserted again.
  EXPECT_EQ(*ReadOut(from_file).get(kw("datoms")), Value(4));
}

TEST_F(CliTest, QueryShapesInputsAndTime) {
  Populate();
  Outcome rel =
      Accrete({"q", db(), "[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]"});
  ASSERT_EQ(rel.code, 0) << rel.err;
  EXPECT_EQ(ReadOut(rel), edn::Read(R"(#{["Ada" 37] ["Bob" 40]})").value());

  const std::string by_name =
      "[:find ?a . :in $ ?n :where [?e :person/name ?n] [?e :person/age ?a]]";
  Outcome scalar = Accrete({"q", db(), by_name, "\"Ada\""});
  ASSERT_EQ(scalar.code, 0) << scalar.err;
  EXPECT_EQ(ReadOut(scalar), Value(37));

  // --as-of the transaction that added Ada: her first age.
  Outcome then = Accrete({"q", "--as-of", "2", db(), by_name, "\"Ada\""});
  ASSERT_EQ(then.code, 0) << then.err;
  EXPECT_EQ(ReadOut(then), Value(36));

  // A collection input, and the query from a file.
  const std::string file = dir_.path() + "/q.edn";
  std::ofstream(file)
      << "[:find [?a ...] :in $ [?n ...] :where [?e :person/name ?n] [?e :person/age ?a]]";
  Outcome coll = Accrete({"q", db(), "@" + file, R"(["Ada", "Bob"])"});
  ASSERT_EQ(coll.code, 0) << coll.err;
  Value ages = ReadOut(coll);
  ASSERT_TRUE(ages.is_vector());
  EXPECT_EQ(ages.size(), 2u);

  Outcome since =
      Accrete({"q", "--since", "2", db(), "[:find [?a ...] :where [_ :person/age ?a]]"});
  ASSERT_EQ(since.code, 0) << since.err;
  EXPECT_EQ(ReadOut(since), edn::Read("[37]").value());

  Outcome history =
      Accrete({"q", "--history", db(),
               "[:find ?a ?added :where [?e :person/name \"Ada\"] [?e :person/age ?a _ ?added]]"});
  ASSERT_EQ(history.code, 0) << history.err;
  EXPECT_EQ(ReadOut(history), edn::Read("#{[36 true] [36 false] [37 true]}").value());

  Outcome explain = Accrete({"q", "--explain", db(), by_name, "\"Ada\""});
  ASSERT_EQ(explain.code, 0) << explain.err;
  EXPECT_FALSE(ReadOut(explain).is_nil());

  Outcome timeout = Accrete(
      {"q", "--timeout-ms", "60000", db(), "[:find ?e . :where [?e :person/name \"Bob\"]]"});
  ASSERT_EQ(timeout.code, 0) << timeout.err;
  EXPECT_TRUE(ReadOut(timeout).is_integer());

  ExpectError(Accrete({"q", db(), by_name}), 1, "input");
  ExpectError(Accrete({"q", db(), "[:find ?e :where [?e :person/nmae]]"}), 1, ":person/nmae");
  ExpectError(Accrete({"q", db(), "[:find ?e :where"}), 1, "not EDN");
  ExpectError(Accrete({"q", db(), "@" + dir_.path() + "/absent.edn"}), 1, "absent.edn");
}

TEST_F(CliTest, PullEntityDatomsLogSchemaStat) {
  Populate();
  Outcome pull = Accrete(
      {"pull", db(), "[:person/name {:person/friend [:person/name]}]", "[:person/name \"Ada\"]"});
  ASSERT_EQ(pull.code, 0) << pull.err;
  EXPECT_EQ(ReadOut(pull),
            edn::Read(R"({:person/name "Ada" :person/friend [{:person/name "Bob"}]})").value());

  Outcome entity = Accrete({"entity", db(), "[:person/name \"Bob\"]"});
  ASSERT_EQ(entity.code, 0) << entity.err;
  Value bob = ReadOut(entity);
  ASSERT_TRUE(bob.is_map());
  EXPECT_EQ(*bob.get(kw("person/age")), Value(40));
  EXPECT_TRUE(bob.get(kw("db/id"))->is_integer());
  Outcome by_ident = Accrete({"entity", "--pretty", db(), ":person/name"});
  ASSERT_EQ(by_ident.code, 0) << by_ident.err;
  EXPECT_EQ(*ReadOut(by_ident).get(kw("db/ident")), kw("person/name"));

  Outcome datoms = Accrete({"datoms", db(), ":aevt", ":person/age"});
  ASSERT_EQ(datoms.code, 0) << datoms.err;
  std::vector<Value> ages = ReadLines(datoms);
  ASSERT_EQ(ages.size(), 2u);
  for (const Value& d : ages) {
    ASSERT_TRUE(d.is_vector());
    ASSERT_EQ(d.size(), 5u);
    EXPECT_EQ(d.items()[1], kw("person/age"));
  }
  Outcome avet = Accrete({"datoms", db(), "avet", ":person/name", "\"Bob\""});
  ASSERT_EQ(avet.code, 0) << avet.err;
  ASSERT_EQ(ReadLines(avet).size(), 1u);
  EXPECT_EQ(ReadLines(avet)[0].items()[2], Value("Bob"));

  Outcome log = Accrete({"log", db(), "3", "4"});
  ASSERT_EQ(log.code, 0) << log.err;
  std::vector<Value> tx3 = ReadLines(log);
  ASSERT_FALSE(tx3.empty());
  EXPECT_EQ(tx3[0].items()[1], kw("db/txInstant"));
  for (const Value& d : tx3) EXPECT_EQ(d.items()[3], Value(Db::t_to_tx(3)));
  int retractions = 0;
  for (const Value& d : tx3) retractions += d.items()[4] == Value(false);
  EXPECT_EQ(retractions, 3);  // Ada's old age, her old :person/name+age, :poetry

  Outcome schema = Accrete({"schema", db()});
  ASSERT_EQ(schema.code, 0) << schema.err;
  Value attrs = ReadOut(schema);
  ASSERT_TRUE(attrs.is_vector());
  EXPECT_EQ(attrs.size(), 12u);
  EXPECT_EQ(*attrs.items()[0].get(kw("db/ident")), kw("address/city"));
  Outcome all = Accrete({"schema", "--all", db()});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_GT(ReadOut(all).size(), 12u);

  Outcome stat = Accrete({"stat", db()});
  ASSERT_EQ(stat.code, 0) << stat.err;
  Value s = ReadOut(stat);
  EXPECT_EQ(*s.get(kw("basis-t")), Value(6));
  const Value* counts = s.get(kw("datoms"));
  ASSERT_NE(counts, nullptr);
  EXPECT_EQ(*counts->get(kw("eavt")), *counts->get(kw("aevt")));
  // The stored counts agree with a scan of each index.
  for (const char* index : {"eavt", "aevt", "avet", "vaet"}) {
    Outcome scan = Accrete({"datoms", db(), index});
    ASSERT_EQ(scan.code, 0) << scan.err;
    EXPECT_EQ(*counts->get(kw(index)), Value(static_cast<long long>(ReadLines(scan).size())))
        << index;
  }
  EXPECT_EQ(*s.get(kw("attributes"))->get(kw("person/age")), Value(2));
  const Value* storage = s.get(kw("storage"));
  ASSERT_NE(storage, nullptr);
  EXPECT_GT(storage->get(kw("map-size"))->as_int(), 0);
  EXPECT_GT(storage->get(kw("file-size"))->as_int(), 0);
  EXPECT_LE(storage->get(kw("used-bytes"))->as_int(), storage->get(kw("map-size"))->as_int());

  ExpectError(Accrete({"entity", db(), "[:person/name \"Nobody\"]"}), 1, "Nobody");
  ExpectError(Accrete({"datoms", db(), ":eavt", ":no/such"}), 1, ":no/such");
}

TEST_F(CliTest, VerifyChecksTheIndexesAgainstTheLog) {
  Populate();
  Outcome run = Accrete({"verify", db()});
  ASSERT_EQ(run.code, 0) << run.err;
  Value report = ReadOut(run);
  EXPECT_EQ(*report.get(kw("ok")), Value(true));
  EXPECT_EQ(report.get(kw("problems"))->size(), 0u);
  EXPECT_EQ(*report.get(kw("basis-t")), Value(6));
  EXPECT_EQ(*report.get(kw("transactions")), Value(7));
  EXPECT_GT(report.get(kw("history-datoms"))->as_int(), 0);
  EXPECT_GT(report.get(kw("long-values"))->as_int(), 0);
  ExpectError(Accrete({"verify", dir_.path() + "/absent"}), 1, "absent");
}

TEST_F(CliTest, UsageErrorsExitTwoAndHelpExitsZero) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"frobnicate"},
                                             {"q", db()},
                                             {"datoms", db(), ":xyz"},
                                             {"q", "--timeout-ms", "soon", db(), "[]"},
                                             {"log", db(), "one"}}) {
    Outcome run = Accrete(args);
    EXPECT_EQ(run.code, 2) << testing::PrintToString(args) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
  for (const char* cmd : {"transact", "q", "pull", "entity", "datoms", "log", "schema", "stat",
                          "export", "import", "backup", "shell"}) {
    Outcome run = Accrete({cmd, "--help"});
    EXPECT_EQ(run.code, 0) << cmd << run.err;
    EXPECT_THAT(run.out, HasSubstr(std::string("accrete ") + cmd)) << cmd;
  }
  Outcome top = Accrete({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_THAT(top.out, HasSubstr("backup"));
}

TEST_F(CliTest, ReadCommandsNeverCreateOrWrite) {
  const std::string missing = dir_.path() + "/missing";
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"q", missing, "[:find ?e :where [?e :db/ident]]"},
                                             {"pull", missing, "[*]", "1"},
                                             {"entity", missing, "1"},
                                             {"datoms", missing, ":eavt"},
                                             {"log", missing},
                                             {"schema", missing},
                                             {"stat", missing},
                                             {"export", missing},
                                             {"backup", missing, dir_.path() + "/copy"},
                                             {"shell", missing}}) {
    ExpectError(Accrete(args), 1, missing);
    EXPECT_FALSE(std::filesystem::exists(missing)) << args[0];
  }
  Populate();
  const auto data = std::filesystem::path(db()) / "data.mdb";
  const auto before = std::filesystem::last_write_time(data);
  const auto size = std::filesystem::file_size(data);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"q", db(), "[:find ?e :where [?e :person/name]]"},
                                             {"schema", db()},
                                             {"stat", db()},
                                             {"log", db()},
                                             {"export", db(), dir_.path() + "/out.edn"}}) {
    Outcome run = Accrete(args);
    EXPECT_EQ(run.code, 0) << args[0] << run.err;
  }
  EXPECT_EQ(std::filesystem::last_write_time(data), before);
  EXPECT_EQ(std::filesystem::file_size(data), size);
}

TEST_F(CliTest, ReadsWhileAnotherProcessWrites) {
  Transact(kSchema);
  BackgroundWriter writer(db());
  int64_t last = -1;
  for (int round = 0; round < 5; ++round) {
    Outcome run = Accrete({"q", db(), "[:find (count ?e) . :where [?e :person/age]]"});
    ASSERT_EQ(run.code, 0) << run.err;
    const Value n = ReadOut(run);
    const int64_t count = n.is_nil() ? 0 : n.as_int();
    EXPECT_GE(count, last);
    last = count;
  }
  writer.Stop();
  EXPECT_GT(writer.written(), 0);
}

// Every datom of `db` in EAVT order, for comparing two databases.
std::vector<Datom> AllDatoms(const Db& db) {
  absl::StatusOr<Datoms> datoms = db.datoms(Index::kEavt);
  EXPECT_TRUE(datoms.ok()) << datoms.status();
  absl::StatusOr<std::vector<Datom>> v = std::move(*datoms).ToVector();
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : std::vector<Datom>();
}

TEST_F(CliTest, ExportImportReproducesEveryAsOf) {
  Populate();
  const std::string file = dir_.path() + "/export.edn";
  Outcome exported = Accrete({"export", db(), file});
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_EQ(exported.out, "");
  // The format: a header, one transaction per line, a trailer.
  {
    Outcome to_stdout = Accrete({"export", db()});
    ASSERT_EQ(to_stdout.code, 0);
    EXPECT_EQ(to_stdout.out, Slurp(file));
    std::vector<Value> lines = ReadLines(to_stdout);
    ASSERT_EQ(lines.size(), 7u + 2u);  // t = 0..6
    EXPECT_EQ(*lines.front().get(kw("accrete.export/version")), Value(1));
    EXPECT_EQ(*lines.back().get(kw("transactions")), Value(7));
    EXPECT_EQ(*lines[3].get(kw("t")), Value(2));
  }
  const std::string copy = dir_.path() + "/copy";
  Outcome imported = Accrete({"import", copy, file});
  ASSERT_EQ(imported.code, 0) << imported.err;

  ASSERT_OK_AND_ASSIGN(auto source, OpenReadOnly(db()));
  ASSERT_OK_AND_ASSIGN(auto target, OpenReadOnly(copy));
  const Db a = source->db();
  const Db b = target->db();
  ASSERT_EQ(a.basis_t(), b.basis_t());
  for (int64_t t = 0; t <= a.basis_t(); ++t) {
    EXPECT_EQ(AllDatoms(a.as_of(t)), AllDatoms(b.as_of(t))) << "as_of " << t;
    EXPECT_EQ(AllDatoms(a.since(t)), AllDatoms(b.since(t))) << "since " << t;
  }
  EXPECT_EQ(AllDatoms(a.history()), AllDatoms(b.history()));
  ASSERT_OK_AND_ASSIGN(auto log_a, a.tx_range(std::nullopt, std::nullopt));
  ASSERT_OK_AND_ASSIGN(auto log_b, b.tx_range(std::nullopt, std::nullopt));
  ASSERT_EQ(log_a.size(), log_b.size());
  for (size_t i = 0; i < log_a.size(); ++i) {
    auto sorted = [](std::vector<Datom> v) {
      std::sort(v.begin(), v.end(), [](const Datom& x, const Datom& y) {
        return std::tie(x.e, x.a, x.added) < std::tie(y.e, y.a, y.added) ||
               (std::tie(x.e, x.a, x.added) == std::tie(y.e, y.a, y.added) && x.v < y.v);
      });
      return v;
    };
    EXPECT_EQ(log_a[i].t, log_b[i].t);
    EXPECT_EQ(sorted(log_a[i].data), sorted(log_b[i].data)) << "t " << log_a[i].t;
  }

  // From stdin, and the errors: not empty, truncated, not an export.
  const std::string copy2 = dir_.path() + "/copy2";
  Outcome piped = Accrete({"import", copy2}, Slurp(file));
  ASSERT_EQ(piped.code, 0) << piped.err;
  ExpectError(Accrete({"import", copy, file}), 1, "empty");
  std::string text = Slurp(file);
  text.resize(text.rfind("{:accrete.export/end") != std::string::npos
                  ? text.rfind("{:accrete.export/end")
                  : text.rfind('\n', text.size() - 2) + 1);
  ExpectError(Accrete({"import", dir_.path() + "/copy3"}, text), 1, "truncated");
  ExpectError(Accrete({"import", dir_.path() + "/copy4"}, "[1 2 3]\n"), 1, "not an accrete export");
}

// Each line of `text`, in order.
std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST_F(CliTest, ImportOfBadInputNamesTheLineAndLeavesNothing) {
  Populate();
  Outcome exported = Accrete({"export", db()});
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::vector<std::string> lines = SplitLines(exported.out);
  ASSERT_EQ(lines.size(), 9u);
  auto nothing_left = [&](const std::string& target) {
    EXPECT_FALSE(std::filesystem::exists(target)) << target;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      EXPECT_THAT(entry.path().filename().string(), ::testing::Not(HasSubstr(".import-")));
    }
  };

  // Line 5 (t = 3) is not EDN: t = 0..2 were replayed, and are gone again.
  std::vector<std::string> broken = lines;
  broken[4] = broken[4].substr(0, broken[4].size() / 2);
  const std::string target = dir_.path() + "/target";
  ExpectError(Accrete({"import", target}, JoinLines(broken)), 1, "line 5: not EDN");
  nothing_left(target);

  // A datom that is not [e a v added], on line 6.
  broken = lines;
  broken[5] = "{:t 4 :data [[1 2]]}";
  ExpectError(Accrete({"import", target}, JoinLines(broken)), 1, "line 6: expected a datom");
  nothing_left(target);

  // A line over --max-line-bytes (the long string of t = 4, line 6).
  ExpectError(Accrete({"import", target, "--max-line-bytes", "2000"}, exported.out), 1,
              "line 6: longer than 2000 bytes");
  nothing_left(target);

  // An empty directory stays empty after a failure and takes a good import.
  std::filesystem::create_directories(target);
  ExpectError(Accrete({"import", target}, JoinLines(broken)), 1, "line 6");
  EXPECT_TRUE(std::filesystem::is_empty(target));
  Outcome imported = Accrete({"import", target}, exported.out);
  ASSERT_EQ(imported.code, 0) << imported.err;
  ASSERT_OK_AND_ASSIGN(auto copy, OpenReadOnly(target));
  EXPECT_EQ(copy->db().basis_t(), 6);
}

TEST_F(CliTest, BackupUnderAConcurrentWriter) {
  Transact(kSchema);
  BackgroundWriter writer(db());
  while (writer.conn().db().basis_t() < 20) std::this_thread::yield();
  const std::string dest = dir_.path() + "/backup";
  Outcome run = Accrete({"backup", db(), dest});
  writer.Stop();
  ASSERT_EQ(run.code, 0) << run.err;
  const int64_t copied_t = ReadOut(run).get(kw("basis-t"))->as_int();
  EXPECT_GE(copied_t, 20);

  ASSERT_OK_AND_ASSIGN(auto copy, OpenReadOnly(dest));
  EXPECT_EQ(copy->db().basis_t(), copied_t);
  EXPECT_EQ(AllDatoms(copy->db()), AllDatoms(writer.conn().db().as_of(copied_t)));

  ExpectError(Accrete({"backup", db(), dest}), 1, "already");
}

TEST_F(CliTest, ShellFromStdin) {
  Transact(kSchema);
  const std::string script = R"(transact [{:person/name "Ada" :person/age 36}]
transact [[:db/add [:person/name "Ada"]
           :person/age 37]]
[:find ?a . :where [_ :person/age ?a]]
as-of 2
q [:find ?a . :in $ ?n
   :where [?e :person/name ?n] [?e :person/age ?a]] "Ada"
latest
pull [:person/name :person/age] [:person/name "Ada"]
entity [:person/name "Ada"]
quit
)";
  Outcome run = Accrete({"shell", db()}, script);
  ASSERT_EQ(run.code, 0) << run.err;
  std::vector<Value> results = ReadLines(run);
  ASSERT_EQ(results.size(), 6u) << run.out;
  EXPECT_EQ(*results[0].get(kw("t")), Value(2));
  EXPECT_EQ(results[2], Value(37));
  EXPECT_EQ(results[3], Value(36));
  EXPECT_EQ(results[4], edn::Read(R"({:person/name "Ada" :person/age 37})").value());
  EXPECT_THAT(run.err, HasSubstr(" ms"));

  Outcome failing = Accrete({"shell", db()}, "q [:find ?x :where [?x :no/such]]\n");
  EXPECT_EQ(failing.code, 1);
  EXPECT_THAT(failing.err, HasSubstr(":no/such"));
  Outcome read_only =
      Accrete({"shell", "--read-only", db()}, "transact [{:person/name \"Bob\"}]\n");
  EXPECT_EQ(read_only.code, 1);
  EXPECT_THAT(read_only.err, HasSubstr("read-only"));
}

// Reads what the terminal shows until `needle` appears (or 10 s pass).
bool ReadUntil(int fd, const std::string& needle, std::string* seen) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen->find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    seen->append(buf, static_cast<size_t>(n));
  }
  return true;
}

TEST_F(CliTest, ShellOnATerminal) {
  Populate();
  const std::string home = dir_.path();  // readline's history file goes here
  int fd = -1;
  const pid_t pid = forkpty(&fd, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("HOME", home.c_str(), 1);
    execl(ACCRETE_CLI, ACCRETE_CLI, "shell", db().c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string seen;
  EXPECT_TRUE(ReadUntil(fd, "accrete> ", &seen)) << seen;
  // A form over two lines: the second line gets the continuation prompt.
  const std::string first = "[:find ?a .\r";
  ASSERT_EQ(write(fd, first.data(), first.size()), static_cast<ssize_t>(first.size()));
  EXPECT_TRUE(ReadUntil(fd, "...> ", &seen)) << seen;
  const std::string second = " :where [?e :person/name \"Bob\"] [?e :person/age ?a]]\r";
  ASSERT_EQ(write(fd, second.data(), second.size()), static_cast<ssize_t>(second.size()));
  EXPECT_TRUE(ReadUntil(fd, " ms", &seen)) << seen;
  EXPECT_THAT(seen, HasSubstr("40"));
  const std::string quit = "quit\r";
  ASSERT_EQ(write(fd, quit.data(), quit.size()), static_cast<ssize_t>(quit.size()));
  int status = 0;
  waitpid(pid, &status, 0);
  close(fd);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << seen;
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(home) / ".accrete_history"));
}

}  // namespace
}  // namespace accrete
