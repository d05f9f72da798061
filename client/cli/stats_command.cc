#include "client/cli/stats_command.h"

#include <ostream>

#include "absl/strings/str_format.h"
#include "client/cli/output.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

constexpr char kStatsHelp[] =
    R"(usage: querygate stats [--json] [--target HOST:PORT] [--deadline DURATION]

Prints the server's figures as tables: cache counters per named query and per model (hits,
misses, bypasses, hit ratio, fills, invalidations by write, event and trigger), the
PostgreSQL and Redis pools (active, idle, waiting, created, broken, max), backend health,
uptime and warm-up status. --json prints them as one object with the same names.

Exit status: 0 on success, 1 when the call fails (error: CODE: message), 2 on bad usage.
)";

std::string CountersTable(const char* what, const std::vector<client::CacheCounters>& counters) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : counters) {
    rows.push_back({c.name, absl::StrCat(c.hits), absl::StrCat(c.misses), absl::StrCat(c.bypasses),
                    absl::StrFormat("%.1f%%", 100 * c.hit_ratio), absl::StrCat(c.fills),
                    absl::StrCat(c.invalidations_write), absl::StrCat(c.invalidations_event),
                    absl::StrCat(c.invalidations_trigger)});
  }
  std::vector<Align> align(9, Align::kRight);
  align[0] = Align::kLeft;
  return FormatTable({what, "HITS", "MISSES", "BYPASSES", "HIT RATIO", "FILLS", "INV WRITE",
                      "INV EVENT", "INV TRIGGER"},
                     rows, align);
}

std::vector<std::string> PoolRow(const char* name, const client::PoolFigures& p) {
  return {name,
          absl::StrCat(p.active),
          absl::StrCat(p.idle),
          absl::StrCat(p.waiting),
          absl::StrCat(p.created),
          absl::StrCat(p.broken),
          absl::StrCat(p.max)};
}

nlohmann::json CountersJson(const std::vector<client::CacheCounters>& counters) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : counters) {
    out.push_back({{"name", c.name},
                   {"hits", c.hits},
                   {"misses", c.misses},
                   {"bypasses", c.bypasses},
                   {"hit_ratio", c.hit_ratio},
                   {"fills", c.fills},
                   {"invalidations_write", c.invalidations_write},
                   {"invalidations_event", c.invalidations_event},
                   {"invalidations_trigger", c.invalidations_trigger}});
  }
  return out;
}

nlohmann::json PoolJson(const client::PoolFigures& p) {
  return {{"active", p.active},   {"idle", p.idle},     {"waiting", p.waiting},
          {"created", p.created}, {"broken", p.broken}, {"max", p.max}};
}

}  // namespace

int RunStatsCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {});
  if (!parsed.ok()) return UsageError(ctx, "stats", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kStatsHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return UsageError(ctx, "stats", "unexpected argument " + parsed->positional[0]);
  }
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  auto stats = (*client)->Stats();
  if (!stats.ok()) return PrintError(*ctx.err, stats.status());
  const client::ServerStats& s = *stats;
  if (ctx.json_output) {
    *ctx.out << nlohmann::json{{"queries", CountersJson(s.queries)},
                               {"models", CountersJson(s.models)},
                               {"database_pool", PoolJson(s.database_pool)},
                               {"redis_pool", PoolJson(s.redis_pool)},
                               {"redis_healthy", s.redis_healthy},
                               {"database_healthy", s.database_healthy},
                               {"uptime_ms", s.uptime.count()},
                               {"warm_status", s.warm_status}}
                    .dump(2)
             << "\n";
    return kExitOk;
  }
  *ctx.out << CountersTable("QUERY", s.queries) << "\n";
  if (!s.models.empty()) *ctx.out << CountersTable("MODEL", s.models) << "\n";
  std::vector<Align> align(7, Align::kRight);
  align[0] = Align::kLeft;
  *ctx.out << FormatTable({"POOL", "ACTIVE", "IDLE", "WAITING", "CREATED", "BROKEN", "MAX"},
                          {PoolRow("database", s.database_pool), PoolRow("redis", s.redis_pool)},
                          align)
           << "\n";
  *ctx.out << "database: " << (s.database_healthy ? "healthy" : "UNHEALTHY")
           << "   redis: " << (s.redis_healthy ? "healthy" : "UNHEALTHY")
           << "   uptime: " << FormatMillis(s.uptime.count())
           << "   warm: " << (s.warm_status.empty() ? "-" : s.warm_status) << "\n";
  return kExitOk;
}

}  // namespace querygate::cli
