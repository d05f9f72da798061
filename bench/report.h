#ifndef QUERYGATE_BENCH_REPORT_H_
#define QUERYGATE_BENCH_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include "bench/machine_info.h"
#include "bench/result_table.h"
#include "bench/scenarios.h"
#include "bench/targets.h"

namespace querygate::bench {

// What the report says about how the bench was run.
struct RunDescription {
  MachineInfo machine;
  std::string command_line;
  std::string target;
  int channels = 0;
  int repeat = 1;
  int duration_ms = 0;
  int warmup_ms = 0;
  int64_t id_range = 0;
  std::vector<int> concurrencies;
};

// Prints the table of medians (one row per scenario and concurrency), the CPU time per call of
// each process group, and the target checks, each with PASS, FAIL or info.
void PrintReport(std::ostream& out, const RunDescription& run,
                 const std::vector<ScenarioInfo>& scenarios, const ResultTable& table,
                 const std::vector<TargetCheck>& checks);

// Returns the whole report, every single run included, as pretty-printed JSON.
std::string ReportJson(const RunDescription& run, const std::vector<ScenarioInfo>& scenarios,
                       const ResultTable& table, const std::vector<TargetCheck>& checks);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_REPORT_H_
