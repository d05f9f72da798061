#include "client/internal/insights_conversion.h"

namespace querygate::client {

DatabaseInsights FromProto(const v1::InsightsResponse& in) {
  DatabaseInsights out;
  out.database = in.database();
  out.statements_available = in.statements_available();
  out.statements_note = in.statements_note();
  for (const v1::StatementInsight& s : in.statements()) {
    out.statements.push_back({s.kind(), s.name(), s.sql(), s.query_id(), s.calls(), s.total_ms(),
                              s.mean_ms(), s.stddev_ms(), s.min_ms(), s.max_ms(), s.p99_ms(),
                              s.rows(), s.cache_hits(), s.cache_misses(), s.hit_ratio()});
  }
  for (const v1::TableInsight& t : in.tables()) {
    out.tables.push_back({t.name(), t.total_bytes(), t.seq_scans(), t.seq_rows_read(),
                          t.index_scans(), t.live_rows(), t.dead_rows()});
  }
  for (const v1::IndexInsight& i : in.unused_indexes()) {
    out.unused_indexes.push_back({i.table(), i.name(), i.bytes(), i.definition()});
  }
  for (const v1::ConnectionCount& c : in.connections()) {
    out.connections.emplace_back(c.state(), c.count());
  }
  return out;
}

IndexAdvice FromProto(const v1::AdviseResponse& in) {
  IndexAdvice out;
  out.hypopg_available = in.hypopg_available();
  out.note = in.note();
  out.min_cost_reduction = in.min_cost_reduction();
  for (const v1::IndexProposal& p : in.proposals()) {
    out.proposals.push_back({p.kind(), p.name(), p.table(),
                             std::vector<std::string>(p.columns().begin(), p.columns().end()),
                             p.index_name(), p.create_sql(), p.cost_before(), p.cost_after(),
                             p.reason()});
  }
  out.considered.assign(in.considered().begin(), in.considered().end());
  return out;
}

}  // namespace querygate::client
