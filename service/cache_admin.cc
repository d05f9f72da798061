#include "service/cache_admin.h"

namespace querygate::service {
namespace {

void AddInvalidations(const InvalidationCounts* counts, NameStats& stats) {
  if (counts == nullptr) return;
  stats.invalidations_write = counts->write.load();
  stats.invalidations_event = counts->event.load();
  stats.invalidations_trigger = counts->trigger.load();
}

}  // namespace

double NameStats::HitRatio() const {
  int64_t reads = hits + misses + bypasses;
  return reads == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(reads);
}

absl::Status CacheAdmin::Invalidate(const cache::InvalidationEvent& event) {
  return hub_->Invalidate(event, InvalidationSource::kEvent);
}

absl::Status CacheAdmin::Warm(const std::vector<WarmSet>& sets, int concurrency,
                              const CallContext& ctx,
                              const std::function<void(const WarmProgress&)>& progress) {
  return warmer_->Run(sets.empty() ? warm_.sets : sets,
                      concurrency > 0 ? concurrency : warm_.concurrency, ctx, progress);
}

StatsSnapshot CacheAdmin::Stats() const {
  StatsSnapshot snapshot;
  for (const RegisteredQuery& q : queries_->registry().queries()) {
    NameStats stats;
    stats.name = q.def.name;
    if (const QueryCounters* c = queries_->Counters(q.def.name)) {
      stats.hits = c->hits.load();
      stats.misses = c->misses.load();
      stats.bypasses = c->bypasses.load();
      stats.fills = c->fills.load();
    }
    AddInvalidations(hub_->QueryCounts(q.def.name), stats);
    snapshot.queries.push_back(stats);
  }
  std::vector<NameStats> models;
  if (model_stats_) models = model_stats_();
  for (const schema::Model& model : queries_->registry().schema().models) {
    NameStats stats;
    stats.name = model.name;
    for (const NameStats& m : models) {
      if (m.name == model.name) stats = m;
    }
    AddInvalidations(hub_->ModelCounts(model.name), stats);
    snapshot.models.push_back(stats);
  }
  snapshot.database_pool = pool_->Figures();
  snapshot.database_healthy = snapshot.database_pool.idle + snapshot.database_pool.active > 0;
  snapshot.redis_healthy = redis_->Health().healthy;
  snapshot.cache_trusted = hub_->CacheTrusted();
  snapshot.uptime_ms = absl::ToInt64Milliseconds(absl::Now() - started_);
  snapshot.warm_status = warmer_->StatusText();
  return snapshot;
}

}  // namespace querygate::service
