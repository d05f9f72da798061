#include "rpc/insights_conversion.h"

namespace querygate::rpc {

void InsightsToProto(const service::InsightsReport& in, v1::InsightsResponse& out) {
  out.set_database(in.database);
  out.set_statements_available(in.statements_available);
  out.set_statements_note(in.statements_note);
  for (const service::StatementFigures& f : in.statements) {
    v1::StatementInsight* s = out.add_statements();
    s->set_kind(f.kind);
    s->set_name(f.name);
    s->set_sql(f.sql);
    s->set_calls(f.calls);
    s->set_total_ms(f.total_ms);
    s->set_mean_ms(f.mean_ms);
    s->set_stddev_ms(f.stddev_ms);
    s->set_min_ms(f.min_ms);
    s->set_max_ms(f.max_ms);
    s->set_p99_ms(f.p99_ms);
    s->set_rows(f.rows);
    s->set_cache_hits(f.cache_hits);
    s->set_cache_misses(f.cache_misses);
    s->set_hit_ratio(f.hit_ratio);
    s->set_query_id(f.query_id);
  }
  for (const service::TableFigures& t : in.tables) {
    v1::TableInsight* o = out.add_tables();
    o->set_name(t.name);
    o->set_total_bytes(t.total_bytes);
    o->set_seq_scans(t.seq_scans);
    o->set_seq_rows_read(t.seq_rows_read);
    o->set_index_scans(t.index_scans);
    o->set_live_rows(t.live_rows);
    o->set_dead_rows(t.dead_rows);
  }
  for (const service::UnusedIndex& i : in.unused_indexes) {
    v1::IndexInsight* o = out.add_unused_indexes();
    o->set_table(i.table);
    o->set_name(i.name);
    o->set_bytes(i.bytes);
    o->set_definition(i.definition);
  }
  for (const auto& [state, count] : in.connections) {
    v1::ConnectionCount* o = out.add_connections();
    o->set_state(state);
    o->set_count(count);
  }
}

void AdviceToProto(const service::AdviceReport& in, v1::AdviseResponse& out) {
  out.set_hypopg_available(in.hypopg_available);
  out.set_note(in.note);
  out.set_min_cost_reduction(in.min_cost_reduction);
  for (const service::IndexProposal& p : in.proposals) {
    v1::IndexProposal* o = out.add_proposals();
    o->set_kind(p.kind);
    o->set_name(p.name);
    o->set_table(p.table);
    for (const std::string& c : p.columns) o->add_columns(c);
    o->set_index_name(p.index_name);
    o->set_create_sql(p.create_sql);
    o->set_cost_before(p.cost_before);
    o->set_cost_after(p.cost_after);
    o->set_reason(p.reason);
  }
  for (const std::string& line : in.considered) out.add_considered(line);
}

}  // namespace querygate::rpc
