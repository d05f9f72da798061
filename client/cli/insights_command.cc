#include "client/cli/insights_command.h"

#include <ostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/cli/output.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

constexpr char kInsightsHelp[] =
    R"(usage: querygate insights [--limit N] [--json] [--target HOST:PORT] [--deadline DURATION]

Reports the database as the server uses it (CacheService.Insights):
  - per named query and repository statement shape: calls, mean and p99 time, rows from
    pg_stat_statements, beside the cache hit ratio (a repository shape shows its model's);
    p99 is approximated as min(max, mean + 2.326 * stddev), since pg_stat_statements keeps
    no percentiles;
  - per table of the schema: size, sequential against index scans, live and dead rows;
  - unused indexes (never scanned since the statistics were reset; unique and primary keys
    excepted);
  - connections to this database by state.
When pg_stat_statements is not enabled, the report says how to enable it.

Options:
  --limit N              statements to list, slowest by total time first (default 50, at
                         most 500)
  --json                 print the report as one JSON object

Exit status: 0 on success, 1 when the call fails (error: CODE: message), 2 on bad usage.
)";

constexpr char kAdviseHelp[] =
    R"(usage: querygate advise [--limit N] [--min-reduction F] [--json] [--target HOST:PORT]

Proposes indexes for the named queries and the slowest repository statement shapes
(CacheService.Advise). For each sequential scan with a filter in a statement's generic plan
it proposes an index on the columns the filter compares for equality, then one range column
or else the ORDER BY columns sorted above the scan. The server checks each proposal with a
hypothetical index (hypopg) and keeps it only when the planner's estimated cost falls by at
least the threshold. Without hypopg it says how to install it.

Options:
  --limit N              repository shapes to consider (default 10, at most 100); every
                         named query is considered
  --min-reduction F      keep proposals that cut the estimated cost by at least F (0 < F < 1;
                         default 0.5, i.e. at least half)
  --json                 print the advice as JSON; `querygate migrate new NAME
                         --from-advice FILE` turns that file into a migration

Exit status: 0 on success, 1 when the call fails (error: CODE: message), 2 on bad usage.
)";

std::string Millis(double ms) { return absl::StrFormat("%.3f", ms); }

std::string Bytes(int64_t bytes) {
  if (bytes >= 1 << 30) return absl::StrFormat("%.1f GiB", bytes / double(1 << 30));
  if (bytes >= 1 << 20) return absl::StrFormat("%.1f MiB", bytes / double(1 << 20));
  if (bytes >= 1 << 10) return absl::StrFormat("%.1f KiB", bytes / double(1 << 10));
  return absl::StrCat(bytes, " B");
}

nlohmann::json InsightsJson(const client::DatabaseInsights& in) {
  nlohmann::json statements = nlohmann::json::array();
  for (const auto& s : in.statements) {
    statements.push_back({{"kind", s.kind},
                          {"name", s.name},
                          {"sql", s.sql},
                          {"query_id", s.query_id},
                          {"calls", s.calls},
                          {"total_ms", s.total_ms},
                          {"mean_ms", s.mean_ms},
                          {"stddev_ms", s.stddev_ms},
                          {"min_ms", s.min_ms},
                          {"max_ms", s.max_ms},
                          {"p99_ms", s.p99_ms},
                          {"rows", s.rows},
                          {"cache_hits", s.cache_hits},
                          {"cache_misses", s.cache_misses},
                          {"hit_ratio", s.hit_ratio}});
  }
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : in.tables) {
    tables.push_back({{"name", t.name},
                      {"total_bytes", t.total_bytes},
                      {"seq_scans", t.seq_scans},
                      {"seq_rows_read", t.seq_rows_read},
                      {"index_scans", t.index_scans},
                      {"live_rows", t.live_rows},
                      {"dead_rows", t.dead_rows}});
  }
  nlohmann::json unused = nlohmann::json::array();
  for (const auto& i : in.unused_indexes) {
    unused.push_back(
        {{"table", i.table}, {"name", i.name}, {"bytes", i.bytes}, {"definition", i.definition}});
  }
  nlohmann::json connections = nlohmann::json::object();
  for (const auto& [state, count] : in.connections) connections[state] = count;
  return {{"database", in.database},
          {"statements_available", in.statements_available},
          {"statements_note", in.statements_note},
          {"statements", statements},
          {"tables", tables},
          {"unused_indexes", unused},
          {"connections", connections}};
}

void PrintInsights(std::ostream& out, const client::DatabaseInsights& in) {
  out << "database: " << in.database << "\n\n";
  if (!in.statements_available) {
    out << in.statements_note << "\n\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : in.statements) {
      rows.push_back({s.name, s.kind, absl::StrCat(s.calls), Millis(s.mean_ms), Millis(s.p99_ms),
                      Millis(s.total_ms), absl::StrCat(s.rows),
                      absl::StrFormat("%.1f%%", 100 * s.hit_ratio)});
    }
    std::vector<Align> align(8, Align::kRight);
    align[0] = align[1] = Align::kLeft;
    out << FormatTable({"STATEMENT", "KIND", "CALLS", "MEAN MS", "P99~ MS", "TOTAL MS", "ROWS",
                        "HIT RATIO"},
                       rows, align)
        << "(p99~ = min(max, mean + 2.326 stddev): pg_stat_statements keeps no percentiles)\n\n";
  }
  std::vector<std::vector<std::string>> tables;
  for (const auto& t : in.tables) {
    tables.push_back({t.name, Bytes(t.total_bytes), absl::StrCat(t.seq_scans),
                      absl::StrCat(t.index_scans), absl::StrCat(t.live_rows),
                      absl::StrCat(t.dead_rows)});
  }
  std::vector<Align> align(6, Align::kRight);
  align[0] = Align::kLeft;
  out << FormatTable({"TABLE", "SIZE", "SEQ SCANS", "INDEX SCANS", "LIVE ROWS", "DEAD ROWS"},
                     tables, align)
      << "\n";
  if (in.unused_indexes.empty()) {
    out << "unused indexes: none\n\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& i : in.unused_indexes) {
      rows.push_back({i.name, i.table, Bytes(i.bytes), i.definition});
    }
    out << "unused indexes (never scanned since the statistics were reset):\n"
        << FormatTable({"INDEX", "TABLE", "SIZE", "DEFINITION"}, rows,
                       {Align::kLeft, Align::kLeft, Align::kRight, Align::kLeft})
        << "\n";
  }
  std::vector<std::string> states;
  for (const auto& [state, count] : in.connections)
    states.push_back(absl::StrCat(state, " ", count));
  out << "connections: " << (states.empty() ? "none" : absl::StrJoin(states, ", ")) << "\n";
}

void PrintAdvice(std::ostream& out, const client::IndexAdvice& advice) {
  if (!advice.note.empty()) out << advice.note << "\n\n";
  if (!advice.hypopg_available) return;
  if (advice.proposals.empty()) {
    out << "no index proposed (threshold: estimated cost at least "
        << absl::StrFormat("%.0f%%", 100 * advice.min_cost_reduction) << " lower)\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : advice.proposals) {
      rows.push_back({p.index_name, p.table, absl::StrJoin(p.columns, ", "),
                      absl::StrCat(p.kind, " ", p.name), absl::StrFormat("%.2f", p.cost_before),
                      absl::StrFormat("%.2f", p.cost_after)});
    }
    out << FormatTable({"INDEX", "TABLE", "COLUMNS", "FOR", "COST BEFORE", "COST AFTER"}, rows,
                       {Align::kLeft, Align::kLeft, Align::kLeft, Align::kLeft, Align::kRight,
                        Align::kRight})
        << "\n";
    for (const auto& p : advice.proposals) out << p.create_sql << ";\n";
    out << "\n(kept: estimated cost at least "
        << absl::StrFormat("%.0f%%", 100 * advice.min_cost_reduction)
        << " lower; write them as a migration with `querygate advise --json > advice.json && "
           "querygate migrate new NAME --from-advice advice.json`)\n";
  }
  if (!advice.considered.empty()) {
    out << "\nconsidered:\n";
    for (const auto& line : advice.considered) out << "  " << line << "\n";
  }
}

}  // namespace

nlohmann::json AdviceJson(const client::IndexAdvice& advice) {
  nlohmann::json proposals = nlohmann::json::array();
  for (const auto& p : advice.proposals) {
    proposals.push_back({{"kind", p.kind},
                         {"name", p.name},
                         {"table", p.table},
                         {"columns", p.columns},
                         {"index_name", p.index_name},
                         {"create_sql", p.create_sql},
                         {"cost_before", p.cost_before},
                         {"cost_after", p.cost_after},
                         {"reason", p.reason}});
  }
  return {{"hypopg_available", advice.hypopg_available},
          {"note", advice.note},
          {"min_cost_reduction", advice.min_cost_reduction},
          {"proposals", proposals},
          {"considered", advice.considered}};
}

int RunInsightsCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--limit"}});
  if (!parsed.ok()) return UsageError(ctx, "insights", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kInsightsHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return UsageError(ctx, "insights", "unexpected argument " + parsed->positional[0]);
  }
  int limit = 0;
  if (parsed->Has("--limit") && (!absl::SimpleAtoi(parsed->Last("--limit"), &limit) || limit < 1)) {
    return UsageError(ctx, "insights", "--limit needs a positive number");
  }
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  auto insights = (*client)->Insights(limit);
  if (!insights.ok()) return PrintError(*ctx.err, insights.status());
  if (ctx.json_output) {
    *ctx.out << InsightsJson(*insights).dump(2) << "\n";
  } else {
    PrintInsights(*ctx.out, *insights);
  }
  return kExitOk;
}

int RunAdviseCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--limit"}, {"--min-reduction"}});
  if (!parsed.ok()) return UsageError(ctx, "advise", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kAdviseHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return UsageError(ctx, "advise", "unexpected argument " + parsed->positional[0]);
  }
  int limit = 0;
  if (parsed->Has("--limit") && (!absl::SimpleAtoi(parsed->Last("--limit"), &limit) || limit < 1)) {
    return UsageError(ctx, "advise", "--limit needs a positive number");
  }
  double reduction = 0;
  if (parsed->Has("--min-reduction") &&
      (!absl::SimpleAtod(parsed->Last("--min-reduction"), &reduction) || !(reduction > 0) ||
       !(reduction < 1))) {
    return UsageError(ctx, "advise", "--min-reduction needs a fraction between 0 and 1");
  }
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  auto advice = (*client)->Advise(limit, reduction);
  if (!advice.ok()) return PrintError(*ctx.err, advice.status());
  if (ctx.json_output) {
    *ctx.out << AdviceJson(*advice).dump(2) << "\n";
  } else {
    PrintAdvice(*ctx.out, *advice);
  }
  return kExitOk;
}

}  // namespace querygate::cli
