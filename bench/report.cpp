// The table printed at the end of a run: every target of the foundation
// issue, what was measured, and whether it is met. Markdown, so that it can
// go into docs/benchmarks.md as printed. A row whose benchmarks did not run
// (filtered out) says so.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench_util.hpp"
#include "suite.hpp"

namespace accrete::bench {
namespace {

struct Row {
  std::string measure;
  std::string accrete;
  std::string baseline;
  std::string result;
  std::string target;
  std::string verdict;
};

std::string Rate(std::optional<double> per_second, const char* unit) {
  if (!per_second) return "-";
  if (*per_second >= 1e6) return absl::StrFormat("%.2fM %s/s", *per_second / 1e6, unit);
  if (*per_second >= 1e3) return absl::StrFormat("%.1fk %s/s", *per_second / 1e3, unit);
  return absl::StrFormat("%.0f %s/s", *per_second, unit);
}

std::string Verdict(std::optional<double> value, bool met) {
  if (!value) return "not run";
  return met ? "met" : "MISSED";
}

// A ratio a / b, or nullopt when either side did not run.
std::optional<double> Ratio(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || *b == 0) return std::nullopt;
  return *a / *b;
}

// `x` with `precision` decimals and `suffix`, or "-" when it did not run.
std::string Fixed(std::optional<double> x, int precision, std::string_view suffix) {
  return x ? absl::StrFormat("%.*f%s", precision, *x, suffix) : "-";
}

}  // namespace

void PrintReport() {
  std::vector<Row> rows;

  {
    const auto accrete = Metric("scan.datoms"), raw = Metric("scan.raw");
    const auto ratio = Ratio(accrete, raw);
    rows.push_back({"scan AEVT 1M datoms: datoms() / raw LMDB cursor", Rate(accrete, "datoms"),
                    Rate(raw, "keys"), Fixed(ratio, 2, "x"), ">= 0.5x",
                    Verdict(ratio, ratio && *ratio >= 0.5)});
  }
  {
    const auto large = Metric("import.large");
    rows.push_back({"import, one relaxed tx of 500k datoms", Rate(large, "datoms"), "", "",
                    ">= 500k datoms/s", Verdict(large, large && *large >= 500e3)});
    const auto small = Metric("import.small");
    rows.push_back({"import, relaxed 1k-datom txs", Rate(small, "datoms"), "", "", "(none)",
                    small ? "-" : "not run"});
  }
  {
    const auto one = Metric("commit.one"), raw = Metric("commit.raw");
    const auto slower = Ratio(raw, one);
    rows.push_back(
        {absl::StrFormat("durable 1-entity tx, 1 writer: accrete / raw LMDB median "
                         "latency, alternating (raw: %.0f puts, %.0f B per commit)",
                         Metric("commit.puts").value_or(0), Metric("commit.bytes").value_or(0)),
         Rate(one, "tx"), Rate(raw, "commits"), Fixed(slower, 2, "x"), "<= 1.5x",
         Verdict(slower, slower && *slower <= 1.5)});
    const auto eight = Metric("commit.eight"), beside = Metric("commit.one_beside_eight");
    const auto speedup = Ratio(eight, beside);
    rows.push_back({"durable 1-entity tx: 8 writers / 1 writer (alternating rounds)",
                    Rate(eight, "tx"), Rate(beside, "tx"), Fixed(speedup, 2, "x"), ">= 5x",
                    Verdict(speedup, speedup && *speedup >= 5)});
  }
  for (const char* history : {"other", "same"}) {
    for (const char* read : {"datoms_eavt", "touch"}) {
      const std::string base = absl::StrFormat("asof.%s.%s.", history, read);
      const auto latest = Metric(base + "latest"), as_of = Metric(base + "as_of");
      const auto slower = Ratio(latest, as_of);
      rows.push_back({absl::StrFormat("entity read (%s) as_of(t) / latest, 10k later txs "
                                      "touching %s",
                                      read,
                                      std::string(history) == "other" ? "other entities"
                                                                      : "this entity's attribute"),
                      Rate(as_of, "reads"), Rate(latest, "reads"), Fixed(slower, 2, "x"), "<= 3x",
                      Verdict(slower, slower && *slower <= 3)});
    }
  }
  for (const char* set : {"people", "mixed"}) {
    const std::string base = absl::StrFormat("space.%s.", set);
    const auto accrete = Metric(base + "accrete"), sqlite = Metric(base + "sqlite");
    rows.push_back(
        {absl::StrFormat("bytes/datom, %s (repacked backup; live pages %.1f, of which current "
                         "indexes %.1f at %.0f%% page fill, log %.1f)",
                         std::string(set) == "people" ? "20k people" : "1M mixed datoms",
                         Metric(base + "live").value_or(0), Metric(base + "current").value_or(0),
                         100 * Metric(base + "fill").value_or(0), Metric(base + "log").value_or(0)),
         Fixed(accrete, 1, " B"), Fixed(sqlite, 1, " B (SQLite)"),
         Fixed(Ratio(accrete, sqlite), 2, "x SQLite"), "<= 150 B",
         Verdict(accrete, accrete && *accrete <= 150)});
  }
  {
    const auto datoms = Metric("memory.datoms");
    for (const char* phase : {"import", "scan"}) {
      const auto kb = Metric(absl::StrFormat("memory.%s_peak_growth_kb", phase));
      const std::optional<double> mb = kb ? std::optional<double>(*kb / 1024) : std::nullopt;
      rows.push_back(
          {absl::StrFormat("peak RssAnon growth, %s %.0fM datoms", phase, datoms.value_or(0) / 1e6),
           Fixed(mb, 1, " MB"),
           Rate(Metric(absl::StrFormat("memory.%s_datoms_per_s", phase)), "datoms"), "", "< 64 MB",
           Verdict(mb, mb && *mb < 64)});
    }
  }

  std::printf("\n| measure | accrete | baseline | result | target | verdict |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf("| %s | %s | %s | %s | %s | %s |\n", r.measure.c_str(), r.accrete.c_str(),
                r.baseline.c_str(), r.result.c_str(), r.target.c_str(), r.verdict.c_str());
  }
}

}  // namespace accrete::bench
