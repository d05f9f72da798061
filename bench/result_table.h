#ifndef QUERYGATE_BENCH_RESULT_TABLE_H_
#define QUERYGATE_BENCH_RESULT_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
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
};

// One measured run of a scenario.
struct RunRecord {
  std::string scenario;
  int repeat = 0;
  LoopResult result;
};

// Every run of the bench, in the order they ran.
class ResultTable {
 public:
  void Add(RunRecord record) { runs_.push_back(std::move(record)); }

  const std::vector<RunRecord>& runs() const { return runs_; }

  // Returns the medians of QPS, p50 and p99 over the runs of `scenario` at `concurrency`
  // (each taken separately), or nullopt when there is no such run.
  std::optional<CellSummary> Median(const std::string& scenario, int concurrency) const;

 private:
  std::vector<RunRecord> runs_;
};

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_RESULT_TABLE_H_
