#include "bench/targets.h"

#include <optional>
#include <utility>

#include "absl/strings/str_format.h"
#include "bench/scenarios.h"

namespace querygate::bench {

TargetCheck MakeCheck(std::string name, std::string detail, double value, double limit,
                      bool at_least, bool informational) {
  TargetCheck check;
  check.name = std::move(name);
  check.detail = std::move(detail);
  check.value = value;
  check.limit = limit;
  check.at_least = at_least;
  check.informational = informational;
  check.pass = at_least ? value >= limit : value <= limit;
  return check;
}

std::optional<TargetCheck> QpsRatio(const ResultTable& table, const char* over, const char* under,
                                    int c, double limit, bool informational) {
  auto a = table.Median(over, c);
  auto b = table.Median(under, c);
  if (!a || !b || b->qps <= 0) return std::nullopt;
  return MakeCheck(absl::StrFormat("(%s)/(%s) QPS, c=%d", over, under, c),
                   absl::StrFormat("%.0f / %.0f", a->qps, b->qps), a->qps / b->qps, limit, true,
                   informational);
}

std::optional<TargetCheck> P50Ratio(const ResultTable& table, const char* over, const char* under,
                                    int c, double factor, bool informational) {
  auto a = table.Median(over, c);
  auto b = table.Median(under, c);
  if (!a || !b || b->p50_ms <= 0) return std::nullopt;
  return MakeCheck(absl::StrFormat("(%s)/(%s) p50, c=%d", over, under, c),
                   absl::StrFormat("%.3f / %.3f ms", a->p50_ms, b->p50_ms), a->p50_ms / b->p50_ms,
                   factor, false, informational);
}

namespace {

std::optional<TargetCheck> WithoutLimit(std::optional<TargetCheck> check) {
  if (check) {
    check->has_limit = false;
    check->pass = true;
  }
  return check;
}

}  // namespace

std::optional<TargetCheck> InfoQpsRatio(const ResultTable& table, const char* over,
                                        const char* under, int c) {
  return WithoutLimit(QpsRatio(table, over, under, c, 0, true));
}

std::optional<TargetCheck> InfoP50Ratio(const ResultTable& table, const char* over,
                                        const char* under, int c) {
  return WithoutLimit(P50Ratio(table, over, under, c, 0, true));
}

namespace {

constexpr int kTargetConcurrency = 16;
constexpr double kHitOverEmptyCall = 0.45;
constexpr double kHitP50Ms = 1.0;
constexpr double kBypassOverhead = 1.3;
constexpr double kHeavyHitOverBypass = 20;
// Issue 10: row-level security and the per-transaction tenant cost less than 15% on BYPASS
// (tenant QPS >= plain QPS / 1.15) and nothing measurable on a hit (within 5%, the run-to-run
// spread of one cell on this machine).
constexpr double kTenantBypassOverPlain = 1 / 1.15;
constexpr double kTenantHitOverPlain = 0.95;

// (b) latency against 1.3 x (c) + one Redis round trip, on p50 or p99.
std::optional<TargetCheck> BypassOverhead(const ResultTable& table, int c, bool p99) {
  auto b = table.Median(kBypassPk, c);
  auto direct = table.Median(kDirectPk, c);
  auto rtt = table.Median(kRedisRtt, c);
  if (!b || !direct || !rtt) return std::nullopt;
  double b_ms = p99 ? b->p99_ms : b->p50_ms;
  double c_ms = p99 ? direct->p99_ms : direct->p50_ms;
  double rtt_ms = p99 ? rtt->p99_ms : rtt->p50_ms;
  const char* which = p99 ? "p99" : "p50";
  return MakeCheck(absl::StrFormat("(b) %s <= 1.3 x (c) + Redis RTT, c=%d", which, c),
                   absl::StrFormat("%.3f ms vs 1.3 x %.3f + %.3f ms", b_ms, c_ms, rtt_ms), b_ms,
                   kBypassOverhead * c_ms + rtt_ms, false, p99);
}

// (b) p50 minus the empty call's p50 against the same budget: the server's own share.
std::optional<TargetCheck> BypassOverheadNetOfTransport(const ResultTable& table, int c) {
  auto b = table.Median(kBypassPk, c);
  auto direct = table.Median(kDirectPk, c);
  auto rtt = table.Median(kRedisRtt, c);
  auto empty = table.Median(kEmptyCall, c);
  if (!b || !direct || !rtt || !empty) return std::nullopt;
  return MakeCheck(absl::StrFormat("(b)-(d) p50 <= 1.3 x (c) + Redis RTT, c=%d", c),
                   absl::StrFormat("%.3f - %.3f ms vs 1.3 x %.3f + %.3f ms", b->p50_ms,
                                   empty->p50_ms, direct->p50_ms, rtt->p50_ms),
                   b->p50_ms - empty->p50_ms, kBypassOverhead * direct->p50_ms + rtt->p50_ms, false,
                   true);
}

// CPU microseconds per call spent by the server side (querygate, PostgreSQL and Redis), or
// nullopt when the server's CPU was not measured.
std::optional<double> ServerSideCpuUs(const CellSummary& cell) {
  double sum = 0;
  bool has_server = false;
  for (const auto& [group, us] : cell.cpu_us_per_call) {
    if (group == "server" || group == "postgres" || group == "redis") sum += us;
    has_server = has_server || group == "server";
  }
  if (!has_server) return std::nullopt;
  return sum;
}

// (f)'s server-side CPU per call over (e)'s: the (e)/(f) ratio with the client's own CPU left
// out, for context.
std::optional<TargetCheck> HeavyServerSideRatio(const ResultTable& table, int c) {
  auto e = table.Median(kHitHeavy, c);
  auto f = table.Median(kBypassHeavy, c);
  if (!e || !f) return std::nullopt;
  auto e_us = ServerSideCpuUs(*e);
  auto f_us = ServerSideCpuUs(*f);
  if (!e_us || !f_us || *e_us <= 0) return std::nullopt;
  TargetCheck check =
      MakeCheck(absl::StrFormat("(f)/(e) server-side CPU per call, c=%d", c),
                absl::StrFormat("%.0f / %.0f us, server + postgres + redis", *f_us, *e_us),
                *f_us / *e_us, 0, true, true);
  check.has_limit = false;
  check.pass = true;
  return check;
}

// The tenancy rows' server-side CPU per call (their own querygate-server, PostgreSQL and Redis)
// of `over` divided by that of `under`, for context; nullopt unless both servers were measured.
std::optional<TargetCheck> TenancyCpuRatio(const ResultTable& table, const char* over,
                                           const char* under, int c) {
  auto a = table.Median(over, c);
  auto b = table.Median(under, c);
  if (!a || !b) return std::nullopt;
  auto side = [](const CellSummary& cell) -> std::optional<double> {
    double sum = 0;
    int servers = 0;
    for (const auto& [group, us] : cell.cpu_us_per_call) {
      if (group == "tenantsrv" || group == "plainsrv") ++servers;
      if (group == "tenantsrv" || group == "plainsrv" || group == "postgres" || group == "redis") {
        sum += us;
      }
    }
    if (servers < 2) return std::nullopt;
    return sum;
  };
  auto a_us = side(*a);
  auto b_us = side(*b);
  if (!a_us || !b_us || *b_us <= 0) return std::nullopt;
  TargetCheck check =
      MakeCheck(absl::StrFormat("(%s)/(%s) server-side CPU per call, c=%d", over, under, c),
                absl::StrFormat("%.0f / %.0f us, querygate + postgres + redis", *a_us, *b_us),
                *a_us / *b_us, 0, false, true);
  check.has_limit = false;
  check.pass = true;
  return check;
}

}  // namespace

std::vector<TargetCheck> EvaluateTargets(const ResultTable& table,
                                         const std::vector<int>& concurrencies) {
  std::vector<TargetCheck> checks;
  auto add = [&checks](std::optional<TargetCheck> check) {
    if (check) checks.push_back(*std::move(check));
  };
  for (int c : concurrencies) {
    add(QpsRatio(table, kHitPk, kEmptyCall, c, kHitOverEmptyCall, c != kTargetConcurrency));
  }
  if (auto a = table.Median(kHitPk, kTargetConcurrency)) {
    checks.push_back(MakeCheck(absl::StrFormat("(a) p50 ms, c=%d", kTargetConcurrency),
                               absl::StrFormat("%.3f ms", a->p50_ms), a->p50_ms, kHitP50Ms, false));
  }
  for (int c : concurrencies) add(BypassOverhead(table, c, false));
  for (int c : concurrencies) add(BypassOverhead(table, c, true));
  for (int c : concurrencies) add(BypassOverheadNetOfTransport(table, c));
  for (int c : concurrencies) {
    add(QpsRatio(table, kHitHeavy, kBypassHeavy, c, kHeavyHitOverBypass, false));
  }
  for (int c : concurrencies) add(HeavyServerSideRatio(table, c));
  const std::pair<const char*, const char*> repository_ratios[] = {
      {kRepoGetHit, kRepoGetDirect},    {kTypedGetHit, kRepoGetHit},
      {kRepoGetBypass, kRepoGetDirect}, {kRepoListHit, kRepoListBypass},
      {kRepoListHit, kRepoListDirect},  {kRepoListBypass, kRepoListDirect},
      {kRepoCreate, kRepoCreateDirect},
  };
  for (const auto& [over, under] : repository_ratios) {
    for (int c : concurrencies) add(InfoQpsRatio(table, over, under, c));
  }
  for (int c : concurrencies) {
    bool info = c != kTargetConcurrency;
    add(QpsRatio(table, kTenantGetBypass, kPlainGetBypass, c, kTenantBypassOverPlain, info));
    add(QpsRatio(table, kTenantGetHit, kPlainGetHit, c, kTenantHitOverPlain, info));
    add(InfoP50Ratio(table, kTenantGetBypass, kPlainGetBypass, c));
    add(InfoP50Ratio(table, kTenantGetHit, kPlainGetHit, c));
    add(TenancyCpuRatio(table, kTenantGetBypass, kPlainGetBypass, c));
    add(TenancyCpuRatio(table, kTenantGetHit, kPlainGetHit, c));
  }
  return checks;
}

}  // namespace querygate::bench
