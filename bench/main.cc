// querygate-bench: closed-loop load against querygate-server, PostgreSQL and Redis. Runs every
// scenario at every concurrency, prints a table of medians with the issue's target ratios and
// writes the same as JSON. See docs/performance.md.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/cpu_usage.h"
#include "bench/l1_probes.h"
#include "bench/l1_scenarios.h"
#include "bench/load_loop.h"
#include "bench/machine_info.h"
#include "bench/report.h"
#include "bench/result_table.h"
#include "bench/scenarios.h"
#include "bench/targets.h"
#include "bench/vector_scenarios.h"
#include "nlohmann/json.hpp"

namespace {

using querygate::bench::BenchTargets;
using querygate::bench::LoopOptions;
using querygate::bench::ResultTable;
using querygate::bench::RunDescription;
using querygate::bench::Scenario;
using querygate::bench::ScenarioInfo;

constexpr char kUsage[] = R"(usage: querygate-bench [flags]

  --target HOST:PORT        querygate-server (default 127.0.0.1:50051)
  --database-url URL        PostgreSQL for the direct baselines (c, g_pq, l_pq, w_pq)
  --redis-url URL           Redis for the round-trip scenario (redis://host:port)
  --redis-key-prefix P      prefix of the bench's own Redis key (default querygate-bench:)
  --concurrency LIST        comma-separated worker counts (default 1,16,64)
  --duration-ms N           measured window per scenario and concurrency (default 3000)
  --warmup-ms N             unmeasured calls before each window (default 500)
  --repeat N                runs of every cell; the table shows medians (default 1)
  --id-range N              user ids (user_by_id, Get) and Create's author ids cycle over
                            1..N, all warmed first (default 1000)
  --channels N              gRPC channels shared by the workers; 0 = one per worker (default 1)
  --scenarios LIST          subset to run, e.g. a,d (default: all): a b c d e f rtt
                            g_hit g_bypass g_pq l_hit l_bypass l_pq w_create w_pq
                            typed_hit (typed UserService Get; ratio to g_hit)
                            tg_hit tg_plain_hit tg_bypass tg_plain_bypass
                            d_async a_l1 a_shared g_l1 a_node v_hit v_index v_exact_pg
                            v_exact, and the probes mem scan lag ack
  --client async|sync       client of a_l1, a_shared, g_l1 and v_*, whose ratios are taken
                            against the empty call of the same client: d_async (completion
                            queues) or d (one blocking call per thread) (default async)
  --client-threads N        threads of the asynchronous client; the calls in flight are
                            spread over them (default 2)
  --node-target HOST:PORT   bench/node/cache_aside.js (the a_node row; skipped without it)
  --vector-target HOST:PORT querygate-server on bench/vector/vector.json in a pgvector
                            database (v_hit, v_index, v_exact_pg: nearest k=10 HIT, BYPASS
                            with HNSW, BYPASS on an index-less copy)
  --vector-exact-target HOST:PORT
                            ... in a REAL[] database (migrate --vector-storage array): v_exact,
                            BYPASS exact search (and v_hit without --vector-target)
  --vector-queries N        query vectors the v_* rows cycle over (default 64)
  --second-target HOST:PORT instance B: same database and Redis prefix as --target (scan,
                            lag, ack)
  --second-server-pid PID   report the CPU time of instance B per call (column second)
  --server-key-prefix P     the servers' redis.key_prefix, to count L1 leases (qgbench:)
  --scan-budget-mb N        instance B's cache.l1.budget_mb, for the scan report
  --hot-keys N              scan: hot bench_blob keys of 4 KB (default 128)
  --mem-target HOST:PORT    a server of its own for mem (cache.l1.budget_mb = --mem-budget-mb)
  --mem-server-pid PID      its pid, for its RSS (/proc/PID/status)
  --mem-budget-mb N         its cache.l1.budget_mb (default 64)
  --mem-keys N              distinct keys mem reads once each (default 1000000)
  --lag-commits N           commits lag measures (default 300)
  --ack-calls N             Invalidate calls ack measures (default 500)
  --tenant-target HOST:PORT querygate-server on bench/tenancy/tenant.json, taking the tenant
                            from a metadata header (the tg_* rows)
  --plain-target HOST:PORT  querygate-server on bench/tenancy/plain.json (the tg_plain_* rows)
  --tenant-header NAME      the metadata header carrying the tenant (default x-querygate-tenant)
  --tenants N               organizations of bench/tenancy/seed.sql the workers spread over
                            (default 4)
  --diagnostics             also run c_srv: (c) in the statement form the server sends
  --server-pid PID          report the CPU time of querygate-server per call
  --tenant-server-pid PID   ... of the --tenant-target server (column tenantsrv)
  --plain-server-pid PID    ... of the --plain-target server (column plainsrv)
  --postgres-pid PID        ... of this postmaster's backends
  --redis-pid PID           ... of redis-server
  --json-out FILE           write the report as JSON
  --fail-on-target          exit 3 when a target fails or a call failed
)";

struct Flags {
  BenchTargets targets;
  querygate::bench::ClientChoice client;
  querygate::bench::ProbeOptions probes;
  querygate::bench::VectorTargets vector;
  int second_server_pid = 0;
  std::vector<int> concurrencies = {1, 16, 64};
  int duration_ms = 3000;
  int warmup_ms = 500;
  int repeat = 1;
  std::set<std::string> only;
  bool diagnostics = false;
  bool fail_on_target = false;
  std::string json_out;
  int server_pid = 0;
  int tenant_server_pid = 0;
  int plain_server_pid = 0;
  int postgres_pid = 0;
  int redis_pid = 0;
};

[[noreturn]] void Usage(const std::string& error) {
  std::cerr << "querygate-bench: " << error << "\n\n" << kUsage;
  std::exit(2);
}

template <typename T>
T Number(const std::string& flag, const std::string& text, T min) {
  T value{};
  if (!absl::SimpleAtoi(text, &value) || value < min) {
    Usage(flag + ": expected a number >= " + std::to_string(min) + ", got '" + text + "'");
  }
  return value;
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  flags.targets.grpc.target = "127.0.0.1:50051";
  std::map<std::string, std::string> values;
  const std::set<std::string> switches = {"--diagnostics", "--fail-on-target", "--help"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string name = arg.substr(0, arg.find('='));
    if (switches.count(name)) {
      values[name] = "";
      continue;
    }
    if (arg.find('=') != std::string::npos) {
      values[name] = arg.substr(name.size() + 1);
    } else if (i + 1 < argc) {
      values[name] = argv[++i];
    } else {
      Usage(name + " needs a value");
    }
  }
  for (const auto& [name, value] : values) {
    if (name == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (name == "--target") {
      flags.targets.grpc.target = value;
    } else if (name == "--database-url") {
      flags.targets.database_url = value;
    } else if (name == "--redis-url") {
      flags.targets.redis_url = value;
    } else if (name == "--tenant-target") {
      flags.targets.tenant_target = value;
    } else if (name == "--plain-target") {
      flags.targets.plain_target = value;
    } else if (name == "--tenant-header") {
      flags.targets.tenant_header = value;
    } else if (name == "--tenants") {
      flags.targets.tenants = Number<int>(name, value, 1);
    } else if (name == "--redis-key-prefix") {
      flags.targets.redis_key_prefix = value;
    } else if (name == "--concurrency") {
      flags.concurrencies.clear();
      for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        flags.concurrencies.push_back(Number<int>(name, std::string(part), 1));
      }
      if (flags.concurrencies.empty()) Usage("--concurrency: empty list");
    } else if (name == "--duration-ms") {
      flags.duration_ms = Number<int>(name, value, 100);
    } else if (name == "--warmup-ms") {
      flags.warmup_ms = Number<int>(name, value, 0);
    } else if (name == "--repeat") {
      flags.repeat = Number<int>(name, value, 1);
    } else if (name == "--id-range") {
      flags.targets.id_range = Number<int64_t>(name, value, 1);
    } else if (name == "--channels") {
      flags.targets.grpc.channels = Number<int>(name, value, 0);
    } else if (name == "--scenarios") {
      for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        flags.only.insert(std::string(part));
      }
    } else if (name == "--diagnostics") {
      flags.diagnostics = true;
    } else if (name == "--fail-on-target") {
      flags.fail_on_target = true;
    } else if (name == "--server-pid") {
      flags.server_pid = Number<int>(name, value, 1);
    } else if (name == "--tenant-server-pid") {
      flags.tenant_server_pid = Number<int>(name, value, 1);
    } else if (name == "--plain-server-pid") {
      flags.plain_server_pid = Number<int>(name, value, 1);
    } else if (name == "--postgres-pid") {
      flags.postgres_pid = Number<int>(name, value, 1);
    } else if (name == "--redis-pid") {
      flags.redis_pid = Number<int>(name, value, 1);
    } else if (name == "--json-out") {
      flags.json_out = value;
    } else if (name == "--client") {
      if (value != "async" && value != "sync") Usage("--client: async or sync");
      flags.client.async = value == "async";
    } else if (name == "--client-threads") {
      flags.client.async_options.threads = Number<int>(name, value, 1);
    } else if (name == "--node-target") {
      flags.targets.node_target = value;
    } else if (name == "--vector-target") {
      flags.vector.index_target = value;
    } else if (name == "--vector-exact-target") {
      flags.vector.exact_target = value;
    } else if (name == "--vector-queries") {
      flags.vector.queries = Number<int>(name, value, 1);
    } else if (name == "--second-target") {
      flags.probes.second_target = value;
    } else if (name == "--second-server-pid") {
      flags.second_server_pid = Number<int>(name, value, 1);
    } else if (name == "--server-key-prefix") {
      flags.probes.server_key_prefix = value;
    } else if (name == "--scan-budget-mb") {
      flags.probes.scan_budget_mb = Number<int>(name, value, 1);
    } else if (name == "--hot-keys") {
      flags.probes.hot_keys = Number<int64_t>(name, value, 1);
    } else if (name == "--mem-target") {
      flags.probes.mem_target = value;
    } else if (name == "--mem-server-pid") {
      flags.probes.mem_server_pid = Number<int>(name, value, 1);
    } else if (name == "--mem-budget-mb") {
      flags.probes.mem_budget_mb = Number<int>(name, value, 1);
    } else if (name == "--mem-keys") {
      flags.probes.mem_keys = Number<int64_t>(name, value, 1);
    } else if (name == "--lag-commits") {
      flags.probes.lag_commits = Number<int>(name, value, 1);
    } else if (name == "--ack-calls") {
      flags.probes.ack_calls = Number<int>(name, value, 1);
    } else {
      Usage("unknown flag " + name);
    }
  }
  return flags;
}

// Drops the scenarios not named in `only` (none when it is empty) and those whose backend URL
// was not given; says which were dropped.
std::vector<Scenario> Select(std::vector<Scenario> all, const Flags& flags) {
  std::set<std::string> known;
  for (const Scenario& s : all) known.insert(s.info.id);
  for (const char* probe : querygate::bench::kL1ProbeIds) known.insert(probe);
  for (const std::string& id : flags.only) {
    if (!known.count(id)) {
      std::cerr << "--scenarios: no scenario '" << id << "'"
                << (id == querygate::bench::kDirectPkServerForm ? " without --diagnostics" : "")
                << "\n";
    }
  }
  std::vector<Scenario> kept;
  for (Scenario& s : all) {
    const std::string& id = s.info.id;
    if (!flags.only.empty() && !flags.only.count(id)) continue;
    if (s.needs_database && flags.targets.database_url.empty()) {
      std::cerr << "skipping (" << id << "): no --database-url\n";
      continue;
    }
    if (s.needs_redis && flags.targets.redis_url.empty()) {
      std::cerr << "skipping (" << id << "): no --redis-url\n";
      continue;
    }
    if (s.needs_tenancy &&
        (flags.targets.tenant_target.empty() || flags.targets.plain_target.empty())) {
      // Only worth a word when the rows were asked for by name.
      if (!flags.only.empty()) {
        std::cerr << "skipping (" << id << "): needs --tenant-target and --plain-target\n";
      }
      continue;
    }
    kept.push_back(std::move(s));
  }
  return kept;
}

// The probes to run: those named in --scenarios, or, when none is named, every probe whose
// servers were given.
std::set<std::string> L1Probes(const Flags& flags) {
  std::set<std::string> probes;
  for (const char* id : querygate::bench::kL1ProbeIds) {
    if (flags.only.count(id)) probes.insert(id);
  }
  if (!flags.only.empty()) return probes;
  const auto& p = flags.probes;
  if (!p.mem_target.empty() && p.mem_server_pid > 0) probes.insert(querygate::bench::kProbeMemory);
  if (!p.second_target.empty()) {
    probes.insert(querygate::bench::kProbeScan);
    probes.insert(querygate::bench::kProbeAck);
    if (!flags.targets.database_url.empty()) probes.insert(querygate::bench::kProbeLag);
  }
  return probes;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  std::vector<Scenario> all = querygate::bench::MakeScenarios(flags.targets, flags.diagnostics);
  querygate::bench::AddL1Scenarios(flags.targets, flags.client, all);
  querygate::bench::AddVectorScenarios(flags.targets.grpc, flags.vector, flags.client, all);
  std::vector<Scenario> scenarios = Select(std::move(all), flags);
  std::set<std::string> probes = L1Probes(flags);
  if (scenarios.empty() && probes.empty()) Usage("no scenario to run");

  RunDescription run;
  run.machine = querygate::bench::ReadMachineInfo();
  std::vector<std::string> words(argv, argv + argc);
  run.command_line = absl::StrJoin(words, " ");
  run.target = flags.targets.grpc.target;
  run.channels = flags.targets.grpc.channels;
  run.repeat = flags.repeat;
  run.duration_ms = flags.duration_ms;
  run.warmup_ms = flags.warmup_ms;
  run.id_range = flags.targets.id_range;
  run.concurrencies = flags.concurrencies;

  std::vector<querygate::bench::ProcessGroup> groups = {{"bench", getpid(), false}};
  if (flags.server_pid > 0) groups.push_back({"server", flags.server_pid, false});
  if (flags.tenant_server_pid > 0) groups.push_back({"tenantsrv", flags.tenant_server_pid, false});
  if (flags.second_server_pid > 0) groups.push_back({"second", flags.second_server_pid, false});
  if (flags.plain_server_pid > 0) groups.push_back({"plainsrv", flags.plain_server_pid, false});
  if (flags.postgres_pid > 0) groups.push_back({"postgres", flags.postgres_pid, true});
  if (flags.redis_pid > 0) groups.push_back({"redis", flags.redis_pid, false});
  querygate::bench::CpuSampler sampler(std::move(groups));
  querygate::bench::CpuSample cpu_before, cpu_after;

  LoopOptions loop;
  loop.duration = absl::Milliseconds(flags.duration_ms);
  loop.warmup = absl::Milliseconds(flags.warmup_ms);
  loop.on_window_start = [&] { cpu_before = sampler.Take(); };
  loop.on_window_end = [&] { cpu_after = sampler.Take(); };
  int cells = flags.repeat * static_cast<int>(flags.concurrencies.size() * scenarios.size());
  std::cerr << "running " << cells << " cells of " << flags.warmup_ms + flags.duration_ms
            << " ms (about " << cells * (flags.warmup_ms + flags.duration_ms) / 1000
            << " s plus set-up)\n";

  ResultTable table;
  for (int repeat = 1; repeat <= flags.repeat; ++repeat) {
    for (int c : flags.concurrencies) {
      for (const Scenario& s : scenarios) {
        if (s.prepare) {
          absl::Status prepared = s.prepare();
          if (!prepared.ok()) {
            std::cerr << "(" << s.info.id << ") set-up failed: " << prepared << "\n";
            return 1;
          }
        }
        absl::StatusOr<querygate::bench::LoopResult> ran;
        if (s.run) {
          ran = s.run(loop, c);
        } else if (auto workers = s.workers(c); workers.ok()) {
          ran = querygate::bench::RunClosedLoop(loop, *std::move(workers));
        } else {
          ran = workers.status();
        }
        if (!ran.ok()) {
          std::cerr << "(" << s.info.id << ") c=" << c << ": " << ran.status() << "\n";
          return 1;
        }
        querygate::bench::LoopResult result = *std::move(ran);
        if (s.cleanup) {
          absl::Status cleaned = s.cleanup();
          if (!cleaned.ok()) {
            std::cerr << "(" << s.info.id << ") clean-up failed: " << cleaned << "\n";
            return 1;
          }
        }
        std::cerr << "repeat " << repeat << " (" << s.info.id << ") c=" << c << ": "
                  << static_cast<int64_t>(result.qps) << " QPS, p50 " << result.latency.p50_ms
                  << " ms, p99 " << result.latency.p99_ms << " ms";
        if (result.unexpected + result.errors > 0) {
          std::cerr << ", " << result.unexpected << " unexpected, " << result.errors
                    << " errors (first: " << result.first_problem << ")";
        }
        std::cerr << "\n";
        table.Add({s.info.id, repeat, std::move(result), sampler.Between(cpu_before, cpu_after),
                   run.machine.cpus});
      }
    }
  }

  std::vector<ScenarioInfo> infos;
  for (const Scenario& s : scenarios) infos.push_back(s.info);
  auto checks = querygate::bench::EvaluateTargets(table, flags.concurrencies);
  for (auto& check :
       querygate::bench::EvaluateL1Targets(table, flags.concurrencies, flags.client)) {
    checks.push_back(std::move(check));
  }
  for (auto& check :
       querygate::bench::EvaluateVectorTargets(table, flags.concurrencies, flags.client)) {
    checks.push_back(std::move(check));
  }
  flags.probes.a = flags.targets.grpc;
  flags.probes.async = flags.client.async_options;
  flags.probes.database_url = flags.targets.database_url;
  flags.probes.redis_url = flags.targets.redis_url;
  flags.probes.warmup = absl::Milliseconds(flags.warmup_ms);
  flags.probes.window = absl::Milliseconds(flags.duration_ms);
  std::vector<querygate::bench::ProbeReport> probe_reports;
  if (!probes.empty()) probe_reports = querygate::bench::RunL1Probes(flags.probes, probes);
  querygate::bench::PrintReport(std::cout, run, infos, table, checks);
  std::cout << "\n";
  querygate::bench::PrintProbes(std::cout, probe_reports);
  for (const auto& probe : probe_reports) {
    for (const auto& check : probe.checks) checks.push_back(check);
  }
  if (!flags.json_out.empty()) {
    std::ofstream out(flags.json_out);
    nlohmann::json doc =
        nlohmann::json::parse(querygate::bench::ReportJson(run, infos, table, checks));
    doc["l1_probes"] = nlohmann::json::parse(querygate::bench::ProbesJson(probe_reports));
    out << doc.dump(2) << "\n";
    if (!out) {
      std::cerr << "cannot write " << flags.json_out << "\n";
      return 1;
    }
  }
  if (flags.fail_on_target) {
    for (const auto& check : checks) {
      if (!check.informational && !check.pass) return 3;
    }
    for (const auto& record : table.runs()) {
      if (record.result.errors > 0) return 3;
    }
  }
  return 0;
}
