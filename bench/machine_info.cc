#include "bench/machine_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace querygate::bench {
namespace {

// The text after "key:" on the first line of `path` that starts with `key`, trimmed.
std::string FieldOf(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, key)) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return "";
}

}  // namespace

MachineInfo ReadMachineInfo() {
  MachineInfo info;
  info.cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  info.cpu_model = FieldOf("/proc/cpuinfo", "model name");
  std::string mem = FieldOf("/proc/meminfo", "MemTotal");
  int64_t kib = 0;
  if (absl::SimpleAtoi(absl::StripSuffix(mem, " kB"), &kib)) info.memory_bytes = kib * 1024;
  utsname name{};
  if (uname(&name) == 0)
    info.kernel = absl::StrCat(name.sysname, " ", name.release, " ", name.machine);
  std::ifstream load("/proc/loadavg");
  std::getline(load, info.load_average);
  return info;
}

}  // namespace querygate::bench
