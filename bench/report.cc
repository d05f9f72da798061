#include "bench/report.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace querygate::bench {
namespace {

constexpr int kTitleWidth = 56;

std::string Header(const RunDescription& run) {
  const MachineInfo& m = run.machine;
  return absl::StrFormat(
      "machine: %d CPUs, %s, %.1f GiB, %s; load average at start: %s\n"
      "target %s, %s, %d x (%d ms warm-up + %d ms measured) per cell, ids 1..%d\n",
      m.cpus, m.cpu_model, static_cast<double>(m.memory_bytes) / (1 << 30), m.kernel,
      m.load_average, run.target,
      run.channels <= 0 ? std::string("one channel per worker")
                        : absl::StrFormat("%d shared channel(s)", run.channels),
      run.repeat, run.warmup_ms, run.duration_ms, run.id_range);
}

nlohmann::json LatencyJson(const LatencySummary& l) {
  return {{"count", l.count},   {"mean_ms", l.mean_ms}, {"p50_ms", l.p50_ms}, {"p90_ms", l.p90_ms},
          {"p99_ms", l.p99_ms}, {"p999_ms", l.p999_ms}, {"max_ms", l.max_ms}};
}

std::string Title(const ScenarioInfo& s) { return absl::StrFormat("(%s) %s", s.id, s.title); }

void PrintMedians(std::ostream& out, const RunDescription& run,
                  const std::vector<ScenarioInfo>& scenarios, const ResultTable& table) {
  out << absl::StrFormat("%-*s %4s %10s %9s %9s %9s %10s %7s\n", kTitleWidth, "scenario", "c",
                         "QPS", "p50 ms", "p99 ms", "calls", "unexpected", "errors");
  for (const ScenarioInfo& s : scenarios) {
    for (int c : run.concurrencies) {
      auto cell = table.Median(s.id, c);
      if (!cell) continue;
      out << absl::StrFormat("%-*s %4d %10.0f %9.3f %9.3f %9d %10d %7d\n", kTitleWidth, Title(s), c,
                             cell->qps, cell->p50_ms, cell->p99_ms, cell->calls, cell->unexpected,
                             cell->errors);
    }
  }
  out << "QPS, p50 and p99 are medians over the repeats; calls, unexpected and errors are sums.\n";
  std::vector<std::string> legend;
  for (const ScenarioInfo& s : scenarios) {
    legend.push_back(absl::StrFormat("(%s) %s", s.id, s.expects));
  }
  out << "unexpected: " << absl::StrJoin(legend, "; ") << ".\n";
}

void PrintCpu(std::ostream& out, const RunDescription& run,
              const std::vector<ScenarioInfo>& scenarios, const ResultTable& table) {
  if (table.runs().empty()) return;
  out << "CPU microseconds per call (medians; other = the rest of the machine), and how busy\n"
         "all CPUs were during the window:\n";
  out << absl::StrFormat("%-*s %4s", kTitleWidth, "scenario", "c");
  for (const auto& [name, seconds] : table.runs().front().cpu_seconds) {
    if (name != "machine") out << absl::StrFormat(" %9s", name);
  }
  out << absl::StrFormat(" %6s\n", "busy");
  for (const ScenarioInfo& s : scenarios) {
    for (int c : run.concurrencies) {
      auto cell = table.Median(s.id, c);
      if (!cell) continue;
      out << absl::StrFormat("%-*s %4d", kTitleWidth, Title(s), c);
      for (const auto& [name, us] : cell->cpu_us_per_call) out << absl::StrFormat(" %9.1f", us);
      out << absl::StrFormat(" %5.0f%%\n", cell->machine_busy * 100);
    }
  }
}

void PrintTargets(std::ostream& out, const std::vector<TargetCheck>& checks) {
  out << "targets:\n";
  for (const TargetCheck& check : checks) {
    const char* verdict = check.informational ? "info" : (check.pass ? "PASS" : "FAIL");
    if (!check.has_limit) {
      out << absl::StrFormat("  %-4s %-42s %8.3f %-9s (%s)\n", verdict, check.name, check.value, "",
                             check.detail);
      continue;
    }
    out << absl::StrFormat("  %-4s %-42s %8.3f %s %-6.3g (%s)\n", verdict, check.name, check.value,
                           check.at_least ? ">=" : "<=", check.limit, check.detail);
  }
}

}  // namespace

void PrintReport(std::ostream& out, const RunDescription& run,
                 const std::vector<ScenarioInfo>& scenarios, const ResultTable& table,
                 const std::vector<TargetCheck>& checks) {
  out << Header(run) << "\n";
  PrintMedians(out, run, scenarios, table);
  out << "\n";
  PrintCpu(out, run, scenarios, table);
  out << "\n";
  PrintTargets(out, checks);
}

std::string ReportJson(const RunDescription& run, const std::vector<ScenarioInfo>& scenarios,
                       const ResultTable& table, const std::vector<TargetCheck>& checks) {
  nlohmann::json doc;
  const MachineInfo& m = run.machine;
  doc["machine"] = {{"cpus", m.cpus},
                    {"cpu_model", m.cpu_model},
                    {"memory_bytes", m.memory_bytes},
                    {"kernel", m.kernel},
                    {"load_average_at_start", m.load_average}};
  doc["config"] = {{"command_line", run.command_line}, {"target", run.target},
                   {"channels", run.channels},         {"repeat", run.repeat},
                   {"duration_ms", run.duration_ms},   {"warmup_ms", run.warmup_ms},
                   {"id_range", run.id_range},         {"concurrency", run.concurrencies}};
  nlohmann::json titles = nlohmann::json::object();
  for (const ScenarioInfo& s : scenarios) titles[s.id] = s.title;
  doc["scenarios"] = titles;
  nlohmann::json medians = nlohmann::json::array();
  for (const ScenarioInfo& s : scenarios) {
    for (int c : run.concurrencies) {
      auto cell = table.Median(s.id, c);
      if (!cell) continue;
      nlohmann::json cpu = nlohmann::json::object();
      for (const auto& [name, us] : cell->cpu_us_per_call) cpu[name] = us;
      medians.push_back({{"scenario", s.id},
                         {"concurrency", c},
                         {"runs", cell->runs},
                         {"qps", cell->qps},
                         {"p50_ms", cell->p50_ms},
                         {"p99_ms", cell->p99_ms},
                         {"calls", cell->calls},
                         {"unexpected", cell->unexpected},
                         {"errors", cell->errors},
                         {"cpu_us_per_call", cpu},
                         {"machine_busy", cell->machine_busy}});
    }
  }
  doc["medians"] = medians;
  nlohmann::json runs = nlohmann::json::array();
  for (const RunRecord& r : table.runs()) {
    nlohmann::json cpu = nlohmann::json::object();
    for (const auto& [name, seconds] : r.cpu_seconds) cpu[name] = seconds;
    runs.push_back({{"cpu_seconds", cpu},
                    {"scenario", r.scenario},
                    {"repeat", r.repeat},
                    {"concurrency", r.result.concurrency},
                    {"elapsed_s", absl::ToDoubleSeconds(r.result.elapsed)},
                    {"calls", r.result.calls},
                    {"qps", r.result.qps},
                    {"unexpected", r.result.unexpected},
                    {"errors", r.result.errors},
                    {"first_problem", r.result.first_problem},
                    {"latency", LatencyJson(r.result.latency)}});
  }
  doc["runs"] = runs;
  nlohmann::json targets = nlohmann::json::array();
  for (const TargetCheck& t : checks) {
    nlohmann::json target = {{"name", t.name},
                             {"detail", t.detail},
                             {"value", t.value},
                             {"limit", t.limit},
                             {"comparison", t.at_least ? ">=" : "<="},
                             {"pass", t.pass},
                             {"informational", t.informational}};
    if (!t.has_limit) {
      target["limit"] = nullptr;
      target["comparison"] = nullptr;
      target["pass"] = nullptr;
    }
    targets.push_back(std::move(target));
  }
  doc["targets"] = targets;
  return doc.dump(2) + "\n";
}

}  // namespace querygate::bench
