#ifndef QUERYGATE_SERVICE_INSIGHTS_H_
#define QUERYGATE_SERVICE_INSIGHTS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/session.h"
#include "schema/model.h"
#include "service/cache_admin.h"
#include "service/query_registry.h"

namespace querygate::service {

// pg_stat_statements figures of one named query or repository statement shape.
struct StatementFigures {
  std::string kind;  // "query" or "repository"
  std::string name;  // the named query, or "<Op> <model>"
  std::string sql;   // normalized text
  std::string query_id;
  int64_t calls = 0;
  double total_ms = 0;
  double mean_ms = 0;
  double stddev_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  double p99_ms = 0;  // min(max, mean + 2.326 * stddev): pg_stat_statements has no percentiles
  int64_t rows = 0;
  int64_t cache_hits = 0;
  int64_t cache_misses = 0;
  double hit_ratio = 0;
};

struct TableFigures {
  std::string name;
  int64_t total_bytes = 0;
  int64_t seq_scans = 0;
  int64_t seq_rows_read = 0;
  int64_t index_scans = 0;
  int64_t live_rows = 0;
  int64_t dead_rows = 0;
};

struct UnusedIndex {
  std::string table;
  std::string name;
  int64_t bytes = 0;
  std::string definition;
};

struct InsightsReport {
  std::string database;
  bool statements_available = false;
  std::string statements_note;  // how to enable pg_stat_statements, when unavailable
  std::vector<StatementFigures> statements;
  std::vector<TableFigures> tables;
  std::vector<UnusedIndex> unused_indexes;
  std::vector<std::pair<std::string, int64_t>> connections;  // state, count
};

// Opens a PostgreSQL session of its own (outside the pool) for one report.
using InsightsSessionFactory = std::function<absl::StatusOr<std::unique_ptr<db::Session>>()>;

// Caps on what a caller asks for.
inline constexpr int kDefaultInsightsLimit = 50;
inline constexpr int kMaxInsightsLimit = 500;

// The database as querygate uses it: pg_stat_statements matched to named queries (by queryid)
// and repository statement shapes (by the text the repository generates), table and index
// usage, and connections. Every statement it sends is a constant; values are bound.
class Insights {
 public:
  Insights(const QueryRegistry* registry, const schema::Schema* schema, const CacheAdmin* admin,
           InsightsSessionFactory connect)
      : registry_(registry), schema_(schema), admin_(admin), connect_(std::move(connect)) {}

  // Returns the report with at most `limit` statements (0: kDefaultInsightsLimit). Fails with
  // INVALID_ARGUMENT naming "limit" outside [0, kMaxInsightsLimit], UNAVAILABLE when the
  // database cannot be reached, else the mapped database error.
  absl::StatusOr<InsightsReport> Report(int limit) const;

  // The pg_stat_statements rows of this database that are querygate's, slowest (by total
  // time) first, without cache figures, on `session`. Fails with FAILED_PRECONDITION and the
  // enabling instructions when pg_stat_statements is unavailable.
  absl::StatusOr<std::vector<StatementFigures>> Statements(db::Session& session) const;

  const QueryRegistry* registry() const { return registry_; }
  const schema::Schema* schema() const { return schema_; }
  const InsightsSessionFactory& connect() const { return connect_; }

 private:
  const QueryRegistry* registry_;
  const schema::Schema* schema_;
  const CacheAdmin* admin_;
  InsightsSessionFactory connect_;
};

// The approximate 99th percentile of pg_stat_statements figures: mean + 2.326 stddev (normal
// distribution), capped at max.
double ApproximateP99(double mean_ms, double stddev_ms, double max_ms);

// The query identifier ("Query Identifier") in an EXPLAIN (VERBOSE, FORMAT JSON) document, or
// "" when it has none (compute_query_id off).
std::string QueryIdInPlan(const std::string& json);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_INSIGHTS_H_
