#include "bench/cpu_usage.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace querygate::bench {
namespace {

struct ProcStat {
  int ppid = 0;
  double cpu_seconds = 0;
};

// Parses /proc/PID/stat: the parent and user+system time. False when the process is gone.
bool ReadProcStat(int pid, ProcStat& out) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 2));
  // Fields from the third on: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime stime.
  std::string state;
  long long ignored = 0, utime = 0, stime = 0;
  fields >> state >> out.ppid;
  for (int i = 0; i < 9; ++i) fields >> ignored;
  fields >> utime >> stime;
  if (!fields) return false;
  out.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return true;
}

// Adds the CPU time of every process whose parent is `parent`.
double ChildrenSeconds(int parent) {
  double total = 0;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return 0;
  while (dirent* entry = readdir(dir)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    ProcStat stat;
    if (ReadProcStat(pid, stat) && stat.ppid == parent) total += stat.cpu_seconds;
  }
  closedir(dir);
  return total;
}

double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  if (!in || cpu != "cpu") return 0;
  return static_cast<double>(user + nice + system + irq + softirq + steal) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

CpuSample CpuSampler::Take() const {
  CpuSample sample;
  for (const ProcessGroup& group : groups_) {
    double seconds = 0;
    ProcStat stat;
    if (group.pid > 0 && ReadProcStat(group.pid, stat)) seconds = stat.cpu_seconds;
    if (group.pid > 0 && group.with_children) seconds += ChildrenSeconds(group.pid);
    sample.group_seconds.push_back(seconds);
  }
  sample.machine_busy_seconds = MachineBusySeconds();
  return sample;
}

std::vector<std::pair<std::string, double>> CpuSampler::Between(const CpuSample& before,
                                                                const CpuSample& after) const {
  std::vector<std::pair<std::string, double>> used;
  double ours = 0;
  for (size_t i = 0; i < groups_.size(); ++i) {
    // A backend that exits between the samples takes its time away; never report below zero.
    double seconds = std::max(0.0, after.group_seconds[i] - before.group_seconds[i]);
    ours += seconds;
    used.emplace_back(groups_[i].name, seconds);
  }
  double machine = after.machine_busy_seconds - before.machine_busy_seconds;
  used.emplace_back("other", std::max(0.0, machine - ours));
  used.emplace_back("machine", machine);
  return used;
}

}  // namespace querygate::bench
