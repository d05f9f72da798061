#ifndef QUERYGATE_BENCH_RESULT_TABLE_H_
#define QUERYGATE_BENCH_RESULT_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/load_loop.h"

namespace querygate::bench {

// Medians over the repeated runs of one scenario at one concurrency.
struct CellSummary {
  int runs = 0;
  double qps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  // Sums over the runs.
  int64_t calls = 0;
  int64_t unexpected = 0;
  int64_t errors = 0;
  // Median CPU microseconds per call, per process group ("other" is the rest of the machine).
  std::vector<std::pair<std::string, double>> cpu_us_per_call;
  // Median share of all CPUs that the machine was busy during the window (0..1).
  double machine_busy = 0;
};

// One measured run of a scenario.
struct RunRecord {
  std::string scenario;
  int repeat = 0;
  LoopResult result;
  // CPU seconds per process group during the window, as CpuSampler::Between returns them;
  // empty when not measured.
  std::vector<std::pair<std::string, double>> cpu_seconds;
  int cpus = 1;
};

// Every run of the bench, in the order they ran.
class ResultTable {
 public:
  void Add(RunRecord record) { runs_.push_back(std::move(record)); }

  const std::vector<RunRecord>& runs() const { return runs_; }

  // Returns the medians of QPS, p50, p99 and CPU per call over the runs of `scenario` at
  // `concurrency` (each taken separately), or nullopt when there is no such run.
  std::optional<CellSummary> Median(const std::string& scenario, int concurrency) const;

 private:
  std::vector<RunRecord> runs_;
};

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_RESULT_TABLE_H_
