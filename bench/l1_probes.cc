#include "bench/l1_probes.h"

#include <grpcpp/client_context.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/async_calls.h"
#include "bench/l1_scenarios.h"
#include "bench/latency_recorder.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"

namespace querygate::bench {
namespace {

namespace v1 = ::querygate::v1;

constexpr double kMemBudgetFactor = 1.2;
constexpr double kMemOverheadMb = 60;
constexpr int64_t kMemTargetKeys = 1'000'000;
constexpr double kScanKeepsShare = 0.95;
constexpr double kLagP99Ms = 5;
constexpr double kAckP99Ms = 3;
constexpr int kAckWarmupCalls = 20;
constexpr absl::Duration kPollBound = absl::Seconds(2);
constexpr int kUsernameColumn = 1;
constexpr char kNumberParam[] = "n";

// A field of /proc/<pid>/status ("VmRSS", "VmHWM") in MiB, or -1.
double StatusMb(int pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, field + ":")) continue;
    int64_t kb = 0;
    std::string digits;
    for (char ch : line) {
      if (ch >= '0' && ch <= '9') digits += ch;
    }
    if (absl::SimpleAtoi(digits, &kb)) return static_cast<double>(kb) / 1024;
  }
  return -1;
}

std::string Mb(double mb) { return absl::StrFormat("%.1f MB", mb); }
std::string Ms(double ms) { return absl::StrFormat("%.3f ms", ms); }

void AddLatencyFigures(ProbeReport& report, const LatencySummary& s) {
  report.figures.push_back({"samples", absl::StrCat(s.count)});
  report.figures.push_back({"p50", Ms(s.p50_ms)});
  report.figures.push_back({"p90", Ms(s.p90_ms)});
  report.figures.push_back({"p99", Ms(s.p99_ms)});
  report.figures.push_back({"max", Ms(s.max_ms)});
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const GrpcTargetOptions& base,
                                                       const std::string& target) {
  GrpcTargetOptions options = base;
  options.target = target;
  auto channels = OpenChannels(options, 1);
  if (!channels.ok()) return channels.status();
  return channels->front();
}

std::chrono::system_clock::time_point Deadline(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(d);
}

// One Execute of user_by_id for `id`.
grpc::Status ReadUser(v1::QueryService::Stub& stub, int64_t id, v1::ExecuteResponse* response) {
  v1::ExecuteRequest request;
  request.set_query("user_by_id");
  (*request.mutable_params())["id"].set_int_value(id);
  grpc::ClientContext context;
  context.set_deadline(Deadline(kPollBound));
  return stub.Execute(&context, request, response);
}

// Reads user `id` through `stub` until it is a HIT from the in-process tier; false after
// kPollBound.
bool EnsureLocal(v1::QueryService::Stub& stub, int64_t id) {
  absl::Time give_up = absl::Now() + kPollBound;
  while (absl::Now() < give_up) {
    v1::ExecuteResponse response;
    if (ReadUser(stub, id, &response).ok() && response.cache().status() == v1::CACHE_STATUS_HIT &&
        response.cache().tier() == v1::CACHE_TIER_LOCAL) {
      return true;
    }
  }
  return false;
}

// "HIT LOCAL", "HIT SHARED", "MISS", ...
std::string Served(const v1::CacheInfo& cache) {
  std::string status = v1::CacheStatus_Name(cache.status()).substr(sizeof("CACHE_STATUS_") - 1);
  if (cache.tier() == v1::CACHE_TIER_UNSPECIFIED) return status;
  return absl::StrCat(status, " ",
                      v1::CacheTier_Name(cache.tier()).substr(sizeof("CACHE_TIER_") - 1));
}

// "HIT LOCAL 12, MISS 3", or "none".
std::string Tally(const std::map<std::string, int64_t>& counts) {
  std::string out;
  for (const auto& [name, n] : counts) absl::StrAppend(&out, out.empty() ? "" : ", ", name, " ", n);
  return out.empty() ? "none" : out;
}

// mem: a fresh server with a 64 MB budget reads mem_keys distinct keys once each.
ProbeReport Memory(const ProbeOptions& options) {
  ProbeReport report{kProbeMemory, "RSS after reading distinct keys once each", {}, {}, ""};
  if (options.mem_target.empty() || options.mem_server_pid <= 0) {
    report.problem = "needs --mem-target and --mem-server-pid";
    return report;
  }
  double before = StatusMb(options.mem_server_pid, "VmRSS");
  GrpcTargetOptions target = options.a;
  target.target = options.mem_target;
  int threads = std::max(1, std::min(options.async.threads, options.mem_concurrency));
  auto channels = OpenChannels(target, options.a.channels <= 0 ? threads : 1);
  if (!channels.ok()) {
    report.problem = channels.status().ToString();
    return report;
  }
  AsyncExecuteSpec spec;
  spec.query = kEchoQuery;
  spec.id_param = std::string(kNumberParam);
  spec.ids = {1, options.mem_keys, true};
  spec.any_status = true;
  spec.expected_rows = 1;
  LoopResult result = RunAsyncToCompletion(
      options.async,
      ExecuteCalls(*std::move(channels), spec, options.a.call_deadline, options.mem_concurrency),
      options.mem_concurrency);
  double after = StatusMb(options.mem_server_pid, "VmRSS");
  double peak = StatusMb(options.mem_server_pid, "VmHWM");
  double limit = kMemBudgetFactor * options.mem_budget_mb + kMemOverheadMb;
  report.figures = {
      {"keys read", absl::StrCat(result.calls)},
      {"errors",
       absl::StrCat(result.errors, result.errors ? " (" + result.first_problem + ")" : "")},
      {"reads/s", absl::StrFormat("%.0f", result.qps)},
      {"L1 budget", absl::StrCat(options.mem_budget_mb, " MB")},
      {"RSS before", Mb(before)},
      {"RSS after", Mb(after)},
      {"peak RSS (VmHWM)", Mb(peak)},
  };
  bool smoke = options.mem_keys < kMemTargetKeys;
  report.checks.push_back(
      MakeCheck(absl::StrFormat("(mem) RSS MB after %d keys", options.mem_keys),
                absl::StrFormat("%.1f MB vs 1.2 x %d + 60 MB%s", after, options.mem_budget_mb,
                                smoke ? "; fewer keys than the target's 1,000,000" : ""),
                after, limit, false, smoke || result.errors > 0));
  report.checks.push_back(
      MakeCheck("(mem) peak RSS MB (VmHWM)", Mb(peak), peak, limit, false, true));
  return report;
}

// The LOCAL share of the hot reads during one window, with a concurrent cold scan or not.
struct ScanWindow {
  double local_share = 0;
  int64_t hot_reads = 0;
  int64_t cold_reads = 0;
  std::string problem;
};

ScanWindow HotWindow(const ProbeOptions& options, const Channels& channels, bool with_scan) {
  auto hot_tally = std::make_shared<TierTally>();
  AsyncExecuteSpec hot;
  hot.query = kBlobQuery;
  hot.id_param = std::string(kNumberParam);
  hot.ids = {1, options.hot_keys, false};
  hot.any_status = true;
  hot.tiers = hot_tally;
  LoopOptions loop;
  loop.warmup = options.warmup;
  loop.duration = options.window;
  loop.on_window_start = [hot_tally] { hot_tally->counting = true; };
  loop.on_window_end = [hot_tally] { hot_tally->counting = false; };

  auto cold_tally = std::make_shared<TierTally>();
  cold_tally->counting = true;
  std::thread scanner;
  if (with_scan) {
    AsyncExecuteSpec cold = hot;
    cold.ids = {absl::ToUnixMicros(absl::Now()), int64_t{1} << 40, true};
    cold.tiers = cold_tally;
    LoopOptions scan_loop;
    scan_loop.warmup = options.warmup / 2;
    scan_loop.duration = options.warmup / 2 + options.window + absl::Milliseconds(100);
    scanner = std::thread([&, cold, scan_loop] {
      RunAsyncLoop(scan_loop, options.async,
                   ExecuteCalls(channels, cold, options.a.call_deadline, options.scan_concurrency),
                   options.scan_concurrency);
    });
  }
  LoopResult result =
      RunAsyncLoop(loop, options.async,
                   ExecuteCalls(channels, hot, options.a.call_deadline, options.scan_concurrency),
                   options.scan_concurrency);
  if (scanner.joinable()) scanner.join();
  ScanWindow window;
  int64_t local = hot_tally->local, shared = hot_tally->shared, other = hot_tally->other;
  window.hot_reads = local + shared + other;
  window.local_share =
      window.hot_reads > 0 ? static_cast<double>(local) / static_cast<double>(window.hot_reads) : 0;
  window.cold_reads = cold_tally->local + cold_tally->shared + cold_tally->other;
  if (result.errors > 0) window.problem = result.first_problem;
  return window;
}

// scan: the hot set's LOCAL share on instance B, alone and under a scan of cold keys.
ProbeReport Scan(const ProbeOptions& options) {
  ProbeReport report{kProbeScan, "hot set's LOCAL share under a cold scan", {}, {}, ""};
  if (options.second_target.empty()) {
    report.problem = "needs --second-target";
    return report;
  }
  GrpcTargetOptions target = options.a;
  target.target = options.second_target;
  auto channels = OpenChannels(target, 1);
  if (!channels.ok()) {
    report.problem = channels.status().ToString();
    return report;
  }
  // The first window also fills the hot set and gives it its frequency.
  HotWindow(options, *channels, false);
  ScanWindow alone = HotWindow(options, *channels, false);
  ScanWindow scanned = HotWindow(options, *channels, true);
  constexpr double kBlobKb = 4;
  report.figures = {
      {"hot keys (4 KB each)", absl::StrCat(options.hot_keys)},
      {"L1 budget of the instance",
       options.scan_budget_mb > 0 ? absl::StrCat(options.scan_budget_mb, " MB") : "not given"},
      {"hot LOCAL share alone",
       absl::StrFormat("%.4f of %d reads", alone.local_share, alone.hot_reads)},
      {"hot LOCAL share with scan",
       absl::StrFormat("%.4f of %d reads", scanned.local_share, scanned.hot_reads)},
      {"cold keys read during the scan",
       absl::StrFormat("%d (about %.1f MB)", scanned.cold_reads,
                       static_cast<double>(scanned.cold_reads) * kBlobKb / 1024)},
  };
  if (!alone.problem.empty() || !scanned.problem.empty()) {
    report.figures.push_back({"first error", alone.problem + scanned.problem});
  }
  if (alone.local_share > 0) {
    report.checks.push_back(
        MakeCheck("(scan) hot LOCAL share, with / without",
                  absl::StrFormat("%.4f / %.4f", scanned.local_share, alone.local_share),
                  scanned.local_share / alone.local_share, kScanKeepsShare, true, true));
  }
  return report;
}

// lag: a commit outside the service to the first fresh read on instance B.
ProbeReport Lag(const ProbeOptions& options) {
  ProbeReport report{kProbeLag,
                     "COMMIT outside the service -> first fresh read (on B; on A for comparison)",
                     {},
                     {},
                     ""};
  if (options.second_target.empty() || options.database_url.empty()) {
    report.problem = "needs --second-target and --database-url";
    return report;
  }
  auto a = Connect(options.a, options.a.target);
  auto b = Connect(options.a, options.second_target);
  if (!a.ok() || !b.ok()) {
    report.problem = (a.ok() ? b.status() : a.status()).ToString();
    return report;
  }
  auto stub_a = v1::QueryService::NewStub(*a);
  auto stub_b = v1::QueryService::NewStub(*b);
  // Index 0: reads on B (the target); 1: reads on A, where the same commits are polled on the
  // other turns, for comparison.
  v1::QueryService::Stub* readers[] = {stub_b.get(), stub_a.get()};
  LatencyRecorder lag_on[2];
  int64_t timeouts[2] = {0, 0}, stale_reads[2] = {0, 0}, not_cached = 0;
  // Older answers by how they were served, and the first fresh answers by cache status.
  std::map<std::string, int64_t> stale_by[2], fresh_by[2];
  std::map<int64_t, std::string> original;
  try {
    pqxx::connection db(options.database_url);
    {
      pqxx::nontransaction tx(db);
      for (const auto& row : tx.exec_params(
               "SELECT id, username FROM users WHERE id BETWEEN 1 AND $1", options.lag_ids)) {
        original[row[0].as<int64_t>()] = row[1].as<std::string>();
      }
    }
    if (original.empty()) {
      report.problem = "no users with ids 1..lag_ids";
      return report;
    }
    int64_t run = absl::ToUnixMicros(absl::Now());
    auto id_at = original.begin();
    for (int i = 0; i < 2 * options.lag_commits; ++i) {
      int side = i % 2;
      if (id_at == original.end()) id_at = original.begin();
      int64_t id = (id_at++)->first;
      if (!EnsureLocal(*stub_a, id) || !EnsureLocal(*stub_b, id)) {
        ++not_cached;
        continue;
      }
      std::string name = absl::StrCat("lag-", run, "-", i);
      {
        pqxx::nontransaction tx(db);
        tx.exec_params("UPDATE users SET username = $1 WHERE id = $2", name, id);
      }
      absl::Time committed = absl::Now();
      bool fresh = false;
      while (absl::Now() - committed < kPollBound) {
        v1::ExecuteResponse response;
        if (!ReadUser(*readers[side], id, &response).ok() || response.rows_size() != 1) continue;
        if (response.rows(0).values(kUsernameColumn).string_value() == name) {
          lag_on[side].Record(absl::ToInt64Nanoseconds(absl::Now() - committed));
          ++fresh_by[side][Served(response.cache())];
          fresh = true;
          break;
        }
        ++stale_reads[side];
        ++stale_by[side][Served(response.cache())];
      }
      if (!fresh) ++timeouts[side];
    }
    pqxx::work tx(db);
    for (const auto& [id, username] : original) {
      tx.exec_params("UPDATE users SET username = $1 WHERE id = $2", username, id);
    }
    tx.commit();
  } catch (const std::exception& e) {
    report.problem = absl::StrCat("PostgreSQL: ", e.what());
    return report;
  }
  report.figures.push_back({"skipped (entry not in both L1s)", absl::StrCat(not_cached)});
  const char* names[] = {"B", "A"};
  for (int side : {0, 1}) {
    int64_t measured = lag_on[side].count();
    LatencySummary s = lag_on[side].Summarize();
    report.figures.push_back(
        {absl::StrCat("read on ", names[side]),
         absl::StrFormat("p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms over %d commits",
                         s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms, measured)});
    report.figures.push_back({absl::StrCat("  ", names[side], ": older answers read first"),
                              absl::StrCat(stale_reads[side], ": ", Tally(stale_by[side]))});
    report.figures.push_back(
        {absl::StrCat("  ", names[side], ": first fresh reads"), Tally(fresh_by[side])});
    report.figures.push_back({absl::StrCat("  ", names[side], ": no fresh read within 2 s"),
                              absl::StrCat(timeouts[side])});
    if (measured == 0) continue;
    TargetCheck check =
        MakeCheck(absl::StrCat("(lag) p99 ms, L1 on, read on ", names[side]),
                  absl::StrFormat("%.3f ms over %d commits, %d without a fresh read in 2 s",
                                  s.p99_ms, measured, timeouts[side]),
                  s.p99_ms, kLagP99Ms, false, side == 1);
    check.pass = check.pass && timeouts[side] == 0;
    report.checks.push_back(std::move(check));
  }
  return report;
}

// Holders of a lease in <prefix>:l1:leases, or -1 when Redis cannot tell.
int64_t LeaseHolders(const ProbeOptions& options) {
  constexpr char kScheme[] = "redis://";
  if (!absl::StartsWith(options.redis_url, kScheme)) return -1;
  std::string rest = options.redis_url.substr(sizeof(kScheme) - 1);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  int port = 6379;
  if (colon != std::string::npos) {
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &port)) return -1;
    rest.resize(colon);
  }
  redisContext* c = redisConnectWithTimeout(rest.c_str(), port, absl::ToTimeval(kPollBound));
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return -1;
  }
  std::string key = absl::StrCat(options.server_key_prefix, ":l1:leases");
  auto* reply = static_cast<redisReply*>(redisCommand(c, "ZCARD %b", key.data(), key.size()));
  int64_t holders = reply != nullptr && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return holders;
}

// ack: CacheService.Invalidate latency with two live instances, alternating A and B.
ProbeReport Ack(const ProbeOptions& options) {
  ProbeReport report{kProbeAck, "CacheService.Invalidate with two live instances", {}, {}, ""};
  if (options.second_target.empty()) {
    report.problem = "needs --second-target";
    return report;
  }
  auto a = Connect(options.a, options.a.target);
  auto b = Connect(options.a, options.second_target);
  if (!a.ok() || !b.ok()) {
    report.problem = (a.ok() ? b.status() : a.status()).ToString();
    return report;
  }
  std::unique_ptr<v1::CacheService::Stub> cache[] = {v1::CacheService::NewStub(*a),
                                                     v1::CacheService::NewStub(*b)};
  std::unique_ptr<v1::QueryService::Stub> query[] = {v1::QueryService::NewStub(*a),
                                                     v1::QueryService::NewStub(*b)};
  int64_t holders = LeaseHolders(options);
  LatencyRecorder latencies;
  int64_t failures = 0;
  std::string first_failure;
  v1::InvalidateRequest request;
  request.add_queries(kAckQuery);
  v1::ExecuteRequest read;
  read.set_query(kAckQuery);
  for (int i = 0; i < kAckWarmupCalls + options.ack_calls; ++i) {
    // Both instances hold the entry, so each has something to apply.
    for (auto& stub : query) {
      grpc::ClientContext context;
      context.set_deadline(Deadline(kPollBound));
      v1::ExecuteResponse response;
      (void)stub->Execute(&context, read, &response);
    }
    grpc::ClientContext context;
    context.set_deadline(Deadline(absl::Seconds(5)));
    v1::InvalidateResponse response;
    auto start = std::chrono::steady_clock::now();
    grpc::Status status = cache[i % 2]->Invalidate(&context, request, &response);
    auto took = std::chrono::steady_clock::now() - start;
    if (!status.ok()) {
      ++failures;
      if (first_failure.empty()) first_failure = Describe(status);
      continue;
    }
    if (i >= kAckWarmupCalls) {
      latencies.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
    }
  }
  LatencySummary s = latencies.Summarize();
  AddLatencyFigures(report, s);
  report.figures.push_back(
      {"lease holders in Redis", holders < 0 ? "unknown" : absl::StrCat(holders)});
  report.figures.push_back(
      {"failed calls", absl::StrCat(failures, failures ? " (" + first_failure + ")" : "")});
  if (s.count > 0) {
    report.checks.push_back(MakeCheck(
        "(ack) Invalidate p99 ms, 2 instances",
        absl::StrFormat("%.3f ms over %d calls, lease holders %d", s.p99_ms, s.count, holders),
        s.p99_ms, kAckP99Ms, false, holders >= 0 && holders < 2));
  }
  return report;
}

}  // namespace

std::vector<ProbeReport> RunL1Probes(const ProbeOptions& options,
                                     const std::set<std::string>& only) {
  std::vector<ProbeReport> reports;
  auto wanted = [&only](const char* id) { return only.empty() || only.count(id) > 0; };
  using Probe = ProbeReport (*)(const ProbeOptions&);
  const std::pair<const char*, Probe> probes[] = {
      {kProbeMemory, Memory}, {kProbeScan, Scan}, {kProbeLag, Lag}, {kProbeAck, Ack}};
  for (const auto& [id, probe] : probes) {
    if (!wanted(id)) continue;
    std::cerr << "probe (" << id << ")\n";
    reports.push_back(probe(options));
    if (!reports.back().problem.empty()) {
      std::cerr << "probe (" << id << "): " << reports.back().problem << "\n";
    }
  }
  return reports;
}

void PrintProbes(std::ostream& out, const std::vector<ProbeReport>& probes) {
  if (probes.empty()) return;
  out << "issue 11 probes:\n";
  for (const ProbeReport& p : probes) {
    out << absl::StrFormat("  (%s) %s\n", p.id, p.title);
    if (!p.problem.empty()) out << "      not run: " << p.problem << "\n";
    for (const auto& [name, value] : p.figures) {
      out << absl::StrFormat("      %-40s %s\n", name, value);
    }
    for (const TargetCheck& check : p.checks) {
      const char* verdict = check.informational ? "info" : (check.pass ? "PASS" : "FAIL");
      out << absl::StrFormat("    %-4s %-40s %8.3f %s %-6.3g (%s)\n", verdict, check.name,
                             check.value, check.at_least ? ">=" : "<=", check.limit, check.detail);
    }
  }
}

std::string ProbesJson(const std::vector<ProbeReport>& probes) {
  nlohmann::json all = nlohmann::json::array();
  for (const ProbeReport& p : probes) {
    nlohmann::json figures = nlohmann::json::object();
    for (const auto& [name, value] : p.figures) figures[name] = value;
    nlohmann::json checks = nlohmann::json::array();
    for (const TargetCheck& t : p.checks) {
      checks.push_back({{"name", t.name},
                        {"detail", t.detail},
                        {"value", t.value},
                        {"limit", t.limit},
                        {"comparison", t.at_least ? ">=" : "<="},
                        {"pass", t.pass},
                        {"informational", t.informational}});
    }
    all.push_back({{"id", p.id},
                   {"title", p.title},
                   {"figures", figures},
                   {"checks", checks},
                   {"problem", p.problem}});
  }
  return all.dump(2);
}

}  // namespace querygate::bench
