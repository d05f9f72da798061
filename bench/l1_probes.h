#ifndef QUERYGATE_BENCH_L1_PROBES_H_
#define QUERYGATE_BENCH_L1_PROBES_H_

#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bench/async_load.h"
#include "bench/grpc_workers.h"
#include "bench/targets.h"

namespace querygate::bench {

// The issue 11 rows that are not a closed-loop cell (docs/performance.md).
inline constexpr char kProbeMemory[] = "mem";
inline constexpr char kProbeScan[] = "scan";
inline constexpr char kProbeLag[] = "lag";
inline constexpr char kProbeAck[] = "ack";
inline constexpr const char* kL1ProbeIds[] = {kProbeMemory, kProbeScan, kProbeLag, kProbeAck};

struct ProbeOptions {
  // Instance A (the main --target) and instance B (--second-target), same database and Redis
  // prefix, both with the in-process tier on.
  GrpcTargetOptions a;
  std::string second_target;
  AsyncOptions async;
  std::string database_url;
  std::string redis_url;
  // The servers' redis.key_prefix (their lease set is <prefix>:l1:leases).
  std::string server_key_prefix = "qgbench:";
  // mem: a server of its own (--mem-target, --mem-server-pid) with cache.l1.budget_mb =
  // mem_budget_mb; mem_keys distinct bench_echo keys read once each, mem_concurrency in flight.
  std::string mem_target;
  int mem_server_pid = 0;
  int mem_budget_mb = 64;
  int64_t mem_keys = 1'000'000;
  int mem_concurrency = 64;
  // scan: on instance B (its L1 budget scan_budget_mb, for the report): hot_keys bench_blob
  // entries read by scan_concurrency calls, alone and beside as many reading cold keys once.
  int64_t hot_keys = 128;
  int scan_concurrency = 8;
  int scan_budget_mb = 0;
  absl::Duration warmup = absl::Milliseconds(500);
  absl::Duration window = absl::Seconds(3);
  // lag: commits measured, spread over lag_ids users; ack: Invalidate calls measured.
  int lag_commits = 300;
  int64_t lag_ids = 50;
  int ack_calls = 500;
};

struct ProbeReport {
  std::string id;
  std::string title;
  // Figures for the report, in order: name, value as text.
  std::vector<std::pair<std::string, std::string>> figures;
  std::vector<TargetCheck> checks;
  // Why the probe did not run or failed; empty when it ran.
  std::string problem;
};

// Runs the probes in `only` (every one whose targets were given when empty), in the order mem,
// scan, lag, ack. A probe that cannot run reports why instead.
std::vector<ProbeReport> RunL1Probes(const ProbeOptions& options,
                                     const std::set<std::string>& only);

// Prints the probes' figures and checks.
void PrintProbes(std::ostream& out, const std::vector<ProbeReport>& probes);

// The probes as a JSON array.
std::string ProbesJson(const std::vector<ProbeReport>& probes);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_L1_PROBES_H_
