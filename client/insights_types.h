#ifndef QUERYGATE_CLIENT_INSIGHTS_TYPES_H_
#define QUERYGATE_CLIENT_INSIGHTS_TYPES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace querygate::client {

// One named query ("query") or repository statement shape ("repository") from
// pg_stat_statements, with its cache figures. p99_ms is approximated as
// min(max_ms, mean_ms + 2.326 * stddev_ms).
struct StatementInsight {
  std::string kind;
  std::string name;
  std::string sql;
  std::string query_id;
  int64_t calls = 0;
  double total_ms = 0;
  double mean_ms = 0;
  double stddev_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  double p99_ms = 0;
  int64_t rows = 0;
  int64_t cache_hits = 0;
  int64_t cache_misses = 0;
  double hit_ratio = 0;
};

struct TableInsight {
  std::string name;
  int64_t total_bytes = 0;
  int64_t seq_scans = 0;
  int64_t seq_rows_read = 0;
  int64_t index_scans = 0;
  int64_t live_rows = 0;
  int64_t dead_rows = 0;
};

struct UnusedIndexInsight {
  std::string table;
  std::string name;
  int64_t bytes = 0;
  std::string definition;
};

struct DatabaseInsights {
  std::string database;
  bool statements_available = false;
  std::string statements_note;
  std::vector<StatementInsight> statements;
  std::vector<TableInsight> tables;
  std::vector<UnusedIndexInsight> unused_indexes;
  std::vector<std::pair<std::string, int64_t>> connections;  // state, count
};

struct IndexProposal {
  std::string kind;
  std::string name;
  std::string table;
  std::vector<std::string> columns;
  std::string index_name;
  std::string create_sql;
  double cost_before = 0;
  double cost_after = 0;
  std::string reason;
};

struct IndexAdvice {
  bool hypopg_available = false;
  std::string note;
  double min_cost_reduction = 0;
  std::vector<IndexProposal> proposals;
  std::vector<std::string> considered;
};

}  // namespace querygate::client

#endif  // QUERYGATE_CLIENT_INSIGHTS_TYPES_H_
