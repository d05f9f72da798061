#include "service/index_advisor.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/internal/generic_plan.h"
#include "service/internal/plan_filters.h"
#include "service/repository_fields.h"

namespace querygate::service {
namespace {

constexpr char kCreateHypopgSql[] = "CREATE EXTENSION IF NOT EXISTS hypopg";
constexpr char kHypopgPackagedSql[] =
    "SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'";
constexpr char kCurrentSchemaSql[] = "SELECT current_schema()";
constexpr char kColumnsSql[] =
    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 "
    "AND NOT attisdropped";
constexpr char kHypotheticalSql[] = "SELECT indexrelid FROM hypopg_create_index($1)";
constexpr char kResetSql[] = "SELECT hypopg_reset()";

struct Candidate {
  std::string kind;
  std::string name;
  std::string sql;
};

std::string QuotedColumns(const std::vector<std::string>& columns) {
  std::vector<std::string> quoted;
  for (const std::string& c : columns) quoted.push_back(QuoteIdent(c));
  return absl::StrJoin(quoted, ", ");
}

// The statements to consider: named queries (slowest first when pg_stat_statements ranks them,
// the rest in registry order), then the `limit` slowest repository shapes.
std::vector<Candidate> Candidates(const QueryRegistry& registry,
                                  const absl::StatusOr<std::vector<StatementFigures>>& figures,
                                  int limit) {
  std::vector<Candidate> out;
  std::set<std::string> named;
  if (figures.ok()) {
    for (const StatementFigures& f : *figures) {
      if (f.kind != "query" || !named.insert(f.name).second) continue;
      if (const RegisteredQuery* q = registry.Find(f.name)) out.push_back({f.kind, f.name, q->sql});
    }
  }
  for (const RegisteredQuery& q : registry.queries()) {
    if (named.insert(q.def.name).second) out.push_back({"query", q.def.name, q.sql});
  }
  if (figures.ok()) {
    int shapes = 0;
    for (const StatementFigures& f : *figures) {
      if (f.kind != "repository" || shapes >= limit) continue;
      out.push_back({f.kind, f.name, f.sql});
      ++shapes;
    }
  }
  return out;
}

std::string HypopgMissingNote(db::Session& session, const absl::Status& why) {
  auto packaged = session.Query(kHypopgPackagedSql);
  if (packaged.ok() && packaged->Text(0, 0) == "0") {
    return "hypopg is not installed on the database server: install the package "
           "postgresql-15-hypopg (Debian, Ubuntu and the PGDG repositories; match your "
           "PostgreSQL version) or build it from https://github.com/HypoPG/hypopg, then run "
           "CREATE EXTENSION hypopg; in this database";
  }
  return absl::StrCat(
      "hypopg is installed on the database server but could not be enabled in this database (",
      why.message(), "): run CREATE EXTENSION hypopg; as the database owner or a superuser");
}

}  // namespace

absl::StatusOr<AdviceReport> IndexAdvisor::Advise(int limit, double min_cost_reduction) const {
  if (limit < 0 || limit > kMaxAdviseLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be between 0 and ", kMaxAdviseLimit));
  }
  if (!(min_cost_reduction >= 0 && min_cost_reduction < 1)) {
    return absl::InvalidArgumentError("min_cost_reduction: must be in [0, 1)");
  }
  if (limit == 0) limit = kDefaultAdviseLimit;
  if (min_cost_reduction == 0) min_cost_reduction = kDefaultMinCostReduction;
  QG_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, insights_->connect()());
  AdviceReport report;
  report.min_cost_reduction = min_cost_reduction;
  absl::Status created = session->Execute(kCreateHypopgSql);
  if (!created.ok()) {
    report.note = HypopgMissingNote(*session, created);
    return report;
  }
  report.hypopg_available = true;
  QG_ASSIGN_OR_RETURN(db::ResultSet current, session->Query(kCurrentSchemaSql));
  const std::string schema = current.Text(0, 0);
  absl::StatusOr<std::vector<StatementFigures>> figures = insights_->Statements(*session);
  if (!figures.ok()) {
    report.note = absl::StrCat(figures.status().message(),
                               " Without it, named queries are considered in registry order and "
                               "repository statement shapes are not considered.");
  }
  internal::PlanExplainer explainer(session.get());
  QG_RETURN_IF_ERROR(explainer.Start());
  std::set<std::string> proposed;
  for (const Candidate& c : Candidates(*insights_->registry(), figures, limit)) {
    std::string label = absl::StrCat(c.kind, " ", c.name, ": ");
    auto plan = explainer.Explain(c.sql, true);
    if (!plan.ok()) {
      report.considered.push_back(
          absl::StrCat(label, "cannot be planned: ", plan.status().message()));
      continue;
    }
    QG_ASSIGN_OR_RETURN(double before, internal::PlanTotalCost(*plan));
    QG_ASSIGN_OR_RETURN(std::vector<internal::FilteredScan> scans, internal::FilteredScans(*plan));
    bool any = false;
    for (const internal::FilteredScan& scan : scans) {
      if (!scan.schema.empty() && scan.schema != schema) continue;
      std::string table = absl::StrCat(QuoteIdent(schema), ".", QuoteIdent(scan.table));
      QG_ASSIGN_OR_RETURN(db::ResultSet column_rows, session->Query(kColumnsSql, {table}));
      std::set<std::string> columns;
      for (size_t r = 0; r < column_rows.rows.size(); ++r) columns.insert(column_rows.Text(r, 0));
      std::vector<std::string> proposal_columns = internal::ProposedColumns(scan, columns);
      if (proposal_columns.empty()) continue;
      any = true;
      std::string index_name = internal::ProposedIndexName(scan.table, proposal_columns);
      std::string where = absl::StrCat("Seq Scan on ", scan.table, " with Filter ", scan.filter);
      if (proposed.count(index_name)) {
        report.considered.push_back(
            absl::StrCat(label, where, ": same index as proposed above, ", index_name));
        continue;
      }
      auto hypothetical = session->Query(
          kHypotheticalSql,
          {absl::StrCat("CREATE INDEX ON ", table, " (", QuotedColumns(proposal_columns), ")")});
      if (!hypothetical.ok()) {
        report.considered.push_back(absl::StrCat(
            label, where, ": hypothetical index failed: ", hypothetical.status().message()));
        continue;
      }
      auto after_plan = explainer.Explain(c.sql, true);
      QG_RETURN_IF_ERROR(session->Query(kResetSql).status());
      if (!after_plan.ok()) return after_plan.status();
      QG_ASSIGN_OR_RETURN(double after, internal::PlanTotalCost(*after_plan));
      std::string costs = absl::StrFormat("estimated cost %.2f -> %.2f", before, after);
      if (after > before * (1 - min_cost_reduction)) {
        report.considered.push_back(absl::StrCat(label, where, ": index on (",
                                                 absl::StrJoin(proposal_columns, ", "), ") ", costs,
                                                 ", not enough"));
        continue;
      }
      proposed.insert(index_name);
      IndexProposal p;
      p.kind = c.kind;
      p.name = c.name;
      p.table = scan.table;
      p.columns = proposal_columns;
      p.index_name = index_name;
      p.create_sql =
          absl::StrCat("CREATE INDEX CONCURRENTLY IF NOT EXISTS ", QuoteIdent(index_name), " ON ",
                       QuoteIdent(scan.table), " (", QuotedColumns(proposal_columns), ")");
      p.cost_before = before;
      p.cost_after = after;
      p.reason = where;
      report.considered.push_back(
          absl::StrCat(label, where, ": ", costs, ", proposed ", index_name));
      report.proposals.push_back(std::move(p));
    }
    if (!any) {
      report.considered.push_back(absl::StrCat(label,
                                               "no sequential scan filtering on a column (cost ",
                                               absl::StrFormat("%.2f", before), ")"));
    }
  }
  return report;
}

}  // namespace querygate::service
