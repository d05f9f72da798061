#include "service/insights.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "service/internal/generic_plan.h"
#include "service/statement_shapes.h"

namespace querygate::service {
namespace {

// Rows of one query (the same queryid) are summed over the roles that ran it; the combined
// standard deviation follows from each row's mean and stddev.
constexpr char kStatementsSql[] = R"sql(
SELECT s.queryid::text, min(s.query), sum(s.calls)::bigint, sum(s.total_exec_time),
       min(s.min_exec_time), max(s.max_exec_time), sum(s.rows)::bigint,
       sqrt(greatest(sum(s.calls * (s.stddev_exec_time ^ 2 + s.mean_exec_time ^ 2))
                       / nullif(sum(s.calls), 0)
                     - (sum(s.total_exec_time) / nullif(sum(s.calls), 0)) ^ 2, 0))
FROM pg_stat_statements s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.toplevel
GROUP BY s.queryid
ORDER BY sum(s.total_exec_time) DESC
LIMIT 10000)sql";

constexpr char kExtensionSql[] =
    "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'";

constexpr char kTablesSql[] = R"sql(
SELECT t.relname, pg_total_relation_size(t.relid), t.seq_scan, t.seq_tup_read,
       coalesce(t.idx_scan, 0), t.n_live_tup, t.n_dead_tup
FROM pg_stat_user_tables t
WHERE t.schemaname = current_schema()
ORDER BY 1)sql";

constexpr char kUnusedIndexesSql[] = R"sql(
SELECT s.relname, s.indexrelname, pg_relation_size(s.indexrelid), pg_get_indexdef(s.indexrelid)
FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.schemaname = current_schema() AND s.idx_scan = 0
  AND NOT i.indisunique AND NOT i.indisprimary
ORDER BY 1, 2)sql";

constexpr char kConnectionsSql[] = R"sql(
SELECT coalesce(state, 'unknown'), count(*)
FROM pg_stat_activity
WHERE datname = current_database()
GROUP BY 1
ORDER BY 1)sql";

constexpr char kDatabaseSql[] = "SELECT current_database()";

constexpr char kHowToEnable[] =
    "To enable it: set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf (or "
    "start PostgreSQL with -c shared_preload_libraries=pg_stat_statements), restart "
    "PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database as its owner "
    "or a superuser. Grant pg_read_all_stats to the server's role to see every role's "
    "statements.";

int64_t ToInt(const std::string& text) {
  int64_t out = 0;
  return absl::SimpleAtoi(text, &out) ? out : 0;
}

double ToDouble(const std::string& text) {
  double out = 0;
  return absl::SimpleAtod(text, &out) ? out : 0;
}

const NameStats* FindStats(const std::vector<NameStats>& all, const std::string& name) {
  for (const NameStats& s : all) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void AddCacheFigures(const NameStats* stats, StatementFigures& out) {
  if (stats == nullptr) return;
  out.cache_hits = stats->hits;
  out.cache_misses = stats->misses;
  out.hit_ratio = stats->HitRatio();
}

// The queryid of each named query, keyed by queryid, from EXPLAIN VERBOSE of its generic plan
// on `session`. Queries that fail to plan are left out.
std::map<std::string, std::string> NamedQueryIds(const QueryRegistry& registry,
                                                 db::Session& session) {
  std::map<std::string, std::string> out;
  internal::PlanExplainer explainer(&session);
  if (!explainer.Start().ok()) return out;
  for (const RegisteredQuery& q : registry.queries()) {
    auto plan = explainer.Explain(q.sql, true);
    if (!plan.ok()) continue;
    std::string id = QueryIdInPlan(*plan);
    if (!id.empty()) out.emplace(id, q.def.name);
  }
  return out;
}

std::string Unavailable(const std::string& why) {
  return absl::StrCat("pg_stat_statements is not available: ", why, ". ", kHowToEnable);
}

}  // namespace

double ApproximateP99(double mean_ms, double stddev_ms, double max_ms) {
  return std::min(max_ms, mean_ms + 2.326 * stddev_ms);
}

std::string QueryIdInPlan(const std::string& json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].is_object()) return "";
  auto it = doc[0].find("Query Identifier");
  if (it == doc[0].end() || !it->is_number_integer()) return "";
  return it->is_number_unsigned() ? absl::StrCat(it->get<uint64_t>())
                                  : absl::StrCat(it->get<int64_t>());
}

absl::StatusOr<std::vector<StatementFigures>> Insights::Statements(db::Session& session) const {
  QG_ASSIGN_OR_RETURN(db::ResultSet installed, session.Query(kExtensionSql));
  if (installed.Text(0, 0) == "0") {
    return absl::FailedPreconditionError(
        Unavailable("the extension is not installed in this database"));
  }
  absl::StatusOr<db::ResultSet> rows = session.Query(kStatementsSql);
  if (!rows.ok()) {
    if (absl::StrContains(rows.status().message(), "shared_preload_libraries")) {
      return absl::FailedPreconditionError(
          Unavailable("the library is not loaded (shared_preload_libraries)"));
    }
    return absl::FailedPreconditionError(Unavailable(std::string(rows.status().message())));
  }
  std::map<std::string, std::string> named = NamedQueryIds(*registry_, session);
  RepositoryShapes shapes(*schema_);
  std::vector<StatementFigures> out;
  for (size_t r = 0; r < rows->rows.size(); ++r) {
    StatementFigures f;
    f.query_id = rows->Text(r, 0);
    f.sql = rows->Text(r, 1);
    if (auto it = named.find(f.query_id); it != named.end()) {
      f.kind = "query";
      f.name = it->second;
    } else if (std::string shape = shapes.Classify(f.sql); !shape.empty()) {
      f.kind = "repository";
      f.name = std::move(shape);
    } else {
      continue;
    }
    f.calls = ToInt(rows->Text(r, 2));
    f.total_ms = ToDouble(rows->Text(r, 3));
    f.min_ms = ToDouble(rows->Text(r, 4));
    f.max_ms = ToDouble(rows->Text(r, 5));
    f.rows = ToInt(rows->Text(r, 6));
    f.stddev_ms = ToDouble(rows->Text(r, 7));
    f.mean_ms = f.calls > 0 ? f.total_ms / static_cast<double>(f.calls) : 0;
    f.p99_ms = ApproximateP99(f.mean_ms, f.stddev_ms, f.max_ms);
    out.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<InsightsReport> Insights::Report(int limit) const {
  if (limit < 0 || limit > kMaxInsightsLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be between 0 and ", kMaxInsightsLimit));
  }
  if (limit == 0) limit = kDefaultInsightsLimit;
  QG_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, connect_());
  InsightsReport report;
  QG_ASSIGN_OR_RETURN(db::ResultSet database, session->Query(kDatabaseSql));
  report.database = database.Text(0, 0);

  absl::StatusOr<std::vector<StatementFigures>> statements = Statements(*session);
  if (statements.ok()) {
    report.statements_available = true;
    StatsSnapshot stats = admin_ != nullptr ? admin_->Stats() : StatsSnapshot{};
    for (StatementFigures& f : *statements) {
      if (static_cast<int>(report.statements.size()) >= limit) break;
      if (f.kind == "query") {
        AddCacheFigures(FindStats(stats.queries, f.name), f);
      } else {
        std::string model = f.name.substr(f.name.find(' ') + 1);
        AddCacheFigures(FindStats(stats.models, model), f);
      }
      report.statements.push_back(std::move(f));
    }
  } else if (statements.status().code() == absl::StatusCode::kFailedPrecondition) {
    report.statements_note = std::string(statements.status().message());
  } else {
    return statements.status();
  }

  std::set<std::string> tables;
  for (const schema::Model* model : schema_->AllTables()) tables.insert(model->table);
  QG_ASSIGN_OR_RETURN(db::ResultSet table_rows, session->Query(kTablesSql));
  for (size_t r = 0; r < table_rows.rows.size(); ++r) {
    if (!tables.count(table_rows.Text(r, 0))) continue;
    report.tables.push_back({table_rows.Text(r, 0), ToInt(table_rows.Text(r, 1)),
                             ToInt(table_rows.Text(r, 2)), ToInt(table_rows.Text(r, 3)),
                             ToInt(table_rows.Text(r, 4)), ToInt(table_rows.Text(r, 5)),
                             ToInt(table_rows.Text(r, 6))});
  }
  QG_ASSIGN_OR_RETURN(db::ResultSet index_rows, session->Query(kUnusedIndexesSql));
  for (size_t r = 0; r < index_rows.rows.size(); ++r) {
    if (!tables.count(index_rows.Text(r, 0))) continue;
    report.unused_indexes.push_back({index_rows.Text(r, 0), index_rows.Text(r, 1),
                                     ToInt(index_rows.Text(r, 2)), index_rows.Text(r, 3)});
  }
  QG_ASSIGN_OR_RETURN(db::ResultSet connection_rows, session->Query(kConnectionsSql));
  for (size_t r = 0; r < connection_rows.rows.size(); ++r) {
    report.connections.emplace_back(connection_rows.Text(r, 0), ToInt(connection_rows.Text(r, 1)));
  }
  return report;
}

}  // namespace querygate::service
