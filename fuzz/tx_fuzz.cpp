// libFuzzer target: transaction expansion (tempids, upserts, lookup refs,
// nested and reverse maps, retractions, cas, tuples, schema changes,
// transaction functions, predicates) against a small database. The input is
// EDN tx data. Each input is applied speculatively with Db::with; one input
// in eight is also transacted for real, and must then agree with `with`. The
// invariants:
//   - a refused transaction changes nothing stored (the basis t stays);
//   - an accepted one advances t by one, and its report's assertions are in
//     db-after and its retractions are not;
//   - with and transact accept the same data and report the same datoms.
// The database is recreated every few hundred commits, so it stays small.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "accrete/accrete.hpp"
#include "fail.hpp"
#include "registry.hpp"
#include "small_db.hpp"

namespace {

using accrete::Datom;
using accrete::Db;
using accrete::TxReport;
using accrete::Value;
using accrete::fuzz::Fail;

std::vector<absl::Status> AddFunctions(accrete::Registry& registry) {
  return {
      // [fz/set-age e n]: asserts [e :p/age n]; anything else is its error.
      registry.RegisterTxFunction(
          "fz/set-age",
          [](const Db&, std::span<const Value> args) -> absl::StatusOr<Value> {
            if (args.size() != 2) return absl::InvalidArgumentError("fz/set-age takes 2 args");
            return accrete::vec(
                {accrete::vec({accrete::kw("db/add"), args[0], accrete::kw("p/age"), args[1]})});
          }),
      // [fz/splice tx-data]: returns its argument as tx data, so nested calls
      // (and their depth limit) are reachable.
      registry.RegisterTxFunction(
          "fz/splice",
          [](const Db&, std::span<const Value> args) -> absl::StatusOr<Value> {
            if (args.empty()) return accrete::vec({});
            return args[0];
          }),
      registry.RegisterAttrPredicate(
          "fz/short?", [](const Value& v) { return !v.is_string() || v.as_string().size() < 8; }),
      registry.RegisterEntityPredicate(
          "fz/adult?",
          [](const Db& db, accrete::EntityId e) {
            absl::StatusOr<accrete::Entity> entity = db.entity(Value(e));
            if (!entity.ok()) return false;
            absl::StatusOr<Value> age = entity->Get(accrete::kw("p/age"));
            return age.ok() && age->is_integer() && age->as_int() >= 18;
          }),
  };
}

std::string Describe(const absl::StatusOr<TxReport>& r) {
  return r.ok() ? std::to_string(r->tx_data.size()) + " datoms" : r.status().ToString();
}

std::string DatomsText(const std::vector<Datom>& datoms) {
  std::string out;
  for (const Datom& d : datoms) out += d.to_string() + "\n";
  return out;
}

// Whether [e a v] is current in `db`.
bool Holds(const Db& db, const Datom& d) {
  absl::StatusOr<accrete::Datoms> found =
      db.datoms(accrete::Index::kEavt, {Value(d.e), Value(d.a), d.v});
  if (!found.ok()) return false;
  absl::StatusOr<std::vector<Datom>> all = std::move(*found).ToVector();
  return all.ok() && !all->empty();
}

void CheckReport(const Db& before, const TxReport& report, std::string_view input) {
  if (report.db_after.basis_t() != before.basis_t() + 1) {
    Fail("an accepted transaction did not advance t by one", input,
         std::to_string(report.db_after.basis_t()));
  }
  for (const Datom& d : report.tx_data) {
    if (Holds(report.db_after, d) != d.added) {
      Fail(d.added ? "an asserted datom is not in db-after" : "a retracted datom is in db-after",
           input, d.to_string());
    }
  }
}

class Fixture {
 public:
  Fixture() : registry_(accrete::fuzz::MakeRegistry(AddFunctions)) { Reopen(); }

  void Run(std::string_view input) {
    accrete::edn::ReadOptions read_options;
    read_options.max_depth = 64;
    absl::StatusOr<Value> tx_data = accrete::edn::Read(input, read_options);
    if (!tx_data.ok()) return;
    const Db before = conn_->db();
    absl::StatusOr<TxReport> speculative = before.with(*tx_data);
    if (speculative.ok()) {
      CheckReport(before, *speculative, input);
    } else if (speculative.status().message().empty()) {
      Fail("error without a message", input, speculative.status().ToString());
    }
    if (++inputs_ % 8 != 0) return;

    absl::StatusOr<TxReport> real = conn_->transact(*tx_data);
    if (real.ok() != speculative.ok()) {
      Fail("with and transact disagree", input,
           "with: " + Describe(speculative) + "\ntransact: " + Describe(real));
    }
    if (!real.ok()) {
      if (conn_->db().basis_t() != before.basis_t()) {
        Fail("a refused transaction changed the database", input, real.status().ToString());
      }
      return;
    }
    CheckReport(before, *real, input);
    if (real->tx_data != speculative->tx_data) {
      Fail(
          "with and transact report different datoms", input,
          "with:\n" + DatomsText(speculative->tx_data) + "transact:\n" + DatomsText(real->tx_data));
    }
    if (++commits_ % 256 == 0) Reopen();
  }

 private:
  void Reopen() {
    if (conn_ != nullptr) {
      const std::string old_dir = conn_->path();
      conn_.reset();
      std::error_code ignored;
      std::filesystem::remove_all(old_dir, ignored);
    }
    conn_ = accrete::fuzz::OpenSmallDb("accrete-tx-fuzz", registry_);
  }

  accrete::Registry* registry_;
  std::unique_ptr<accrete::Connection> conn_;
  uint64_t inputs_ = 0;
  uint64_t commits_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture;
  fixture->Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
