#ifndef QUERYGATE_BENCH_MACHINE_INFO_H_
#define QUERYGATE_BENCH_MACHINE_INFO_H_

#include <cstdint>
#include <string>

namespace querygate::bench {

struct MachineInfo {
  // Online CPUs.
  int cpus = 0;
  // "model name" of the first CPU in /proc/cpuinfo.
  std::string cpu_model;
  int64_t memory_bytes = 0;
  // uname: system, release, machine.
  std::string kernel;
  // /proc/loadavg when read.
  std::string load_average;
};

// Reads the machine description from /proc and uname; fields it cannot read stay empty.
MachineInfo ReadMachineInfo();

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_MACHINE_INFO_H_
