#include "bench/result_table.h"

#include <algorithm>

namespace querygate::bench {
namespace {

// The median of `values` (the mean of the middle two for an even count); 0 when empty.
double MedianOf(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace

std::optional<CellSummary> ResultTable::Median(const std::string& scenario, int concurrency) const {
  CellSummary cell;
  std::vector<double> qps, p50, p99, busy;
  std::vector<std::string> groups;
  std::vector<std::vector<double>> per_call;
  for (const RunRecord& run : runs_) {
    if (run.scenario != scenario || run.result.concurrency != concurrency) continue;
    ++cell.runs;
    for (const auto& [name, seconds] : run.cpu_seconds) {
      if (name == "machine") {
        busy.push_back(seconds / absl::ToDoubleSeconds(run.result.elapsed) / run.cpus);
        continue;
      }
      size_t i = std::find(groups.begin(), groups.end(), name) - groups.begin();
      if (i == groups.size()) {
        groups.push_back(name);
        per_call.emplace_back();
      }
      if (run.result.calls > 0) per_call[i].push_back(seconds * 1e6 / run.result.calls);
    }
    qps.push_back(run.result.qps);
    p50.push_back(run.result.latency.p50_ms);
    p99.push_back(run.result.latency.p99_ms);
    cell.calls += run.result.calls;
    cell.unexpected += run.result.unexpected;
    cell.errors += run.result.errors;
  }
  if (cell.runs == 0) return std::nullopt;
  cell.qps = MedianOf(qps);
  cell.p50_ms = MedianOf(p50);
  cell.p99_ms = MedianOf(p99);
  cell.machine_busy = MedianOf(busy);
  for (size_t i = 0; i < groups.size(); ++i) {
    cell.cpu_us_per_call.emplace_back(groups[i], MedianOf(per_call[i]));
  }
  return cell;
}

}  // namespace querygate::bench
