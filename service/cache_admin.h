#ifndef QUERYGATE_SERVICE_CACHE_ADMIN_H_
#define QUERYGATE_SERVICE_CACHE_ADMIN_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cache/query_cache.h"
#include "db/connection_pool.h"
#include "service/invalidation_hub.h"
#include "service/query_service.h"
#include "service/warmer.h"

namespace querygate::service {

// Cache figures of one named query or model.
struct NameStats {
  std::string name;
  int64_t hits = 0;
  int64_t misses = 0;
  int64_t bypasses = 0;
  int64_t fills = 0;
  int64_t invalidations_write = 0;
  int64_t invalidations_event = 0;
  int64_t invalidations_trigger = 0;

  // hits / (hits + misses + bypasses), 0 without reads.
  double HitRatio() const;
};

struct StatsSnapshot {
  std::vector<NameStats> queries;
  std::vector<NameStats> models;
  db::PoolFigures database_pool;
  bool redis_healthy = false;
  bool database_healthy = false;
  bool cache_trusted = false;
  int64_t uptime_ms = 0;
  std::string warm_status;
};

// Read/write/bypass counters of models, supplied by the repository service.
using ModelStatsSource = std::function<std::vector<NameStats>()>;

struct WarmOptions {
  std::vector<WarmSet> sets;  // the configured warm sets
  int concurrency = 4;
  bool on_startup = true;
  // Report NOT_SERVING until the startup warm finishes.
  bool block_readiness = false;
};

// The operator-facing side of the cache: invalidation requests, on-demand warming, stats.
class CacheAdmin {
 public:
  CacheAdmin(InvalidationHub* hub, Warmer* warmer, WarmOptions warm, const QueryService* queries,
             db::ConnectionPool* pool, const cache::QueryCache* redis, absl::Time started,
             ModelStatsSource model_stats)
      : hub_(hub),
        warmer_(warmer),
        warm_(std::move(warm)),
        queries_(queries),
        pool_(pool),
        redis_(redis),
        started_(started),
        model_stats_(std::move(model_stats)) {}

  // Invalidates tables, queries and tags; returns once durable in Redis. Fails like
  // InvalidationHub::Invalidate.
  absl::Status Invalidate(const cache::InvalidationEvent& event);

  // Warms `sets` (the configured sets when empty) with `concurrency` (the configured one when
  // not positive), streaming progress. Fails like Warmer::Run.
  absl::Status Warm(const std::vector<WarmSet>& sets, int concurrency, const CallContext& ctx,
                    const std::function<void(const WarmProgress&)>& progress);

  const WarmOptions& warm_options() const { return warm_; }

  // Returns the current figures.
  StatsSnapshot Stats() const;

 private:
  InvalidationHub* hub_;
  Warmer* warmer_;
  const WarmOptions warm_;
  const QueryService* queries_;
  db::ConnectionPool* pool_;
  const cache::QueryCache* redis_;
  absl::Time started_;
  ModelStatsSource model_stats_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CACHE_ADMIN_H_
