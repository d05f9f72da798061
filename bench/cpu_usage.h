#ifndef QUERYGATE_BENCH_CPU_USAGE_H_
#define QUERYGATE_BENCH_CPU_USAGE_H_

#include <string>
#include <utility>
#include <vector>

namespace querygate::bench {

// Processes whose CPU time is reported together.
struct ProcessGroup {
  std::string name;
  int pid = 0;
  // Also count every process whose parent is `pid` (a postmaster's backends).
  bool with_children = false;
};

// CPU seconds used so far, per group and by the whole machine.
struct CpuSample {
  std::vector<double> group_seconds;
  // All CPUs together, from /proc/stat: time not idle and not waiting for I/O.
  double machine_busy_seconds = 0;
};

// Reads the CPU time of process groups from /proc. A process that has gone counts as zero.
class CpuSampler {
 public:
  explicit CpuSampler(std::vector<ProcessGroup> groups) : groups_(std::move(groups)) {}

  // Returns the CPU time used so far by each group (in the order given) and by the machine.
  CpuSample Take() const;

  // Returns (name, CPU seconds) per group between two samples, then ("other", what the rest of
  // the machine used) and ("machine", the total).
  std::vector<std::pair<std::string, double>> Between(const CpuSample& before,
                                                      const CpuSample& after) const;

 private:
  std::vector<ProcessGroup> groups_;
};

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_CPU_USAGE_H_
