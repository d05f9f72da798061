#ifndef QUERYGATE_SERVICE_CACHE_ADMIN_H_
#define QUERYGATE_SERVICE_CACHE_ADMIN_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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
  int64_t hits = 0;     // both tiers
  int64_t l1_hits = 0;  // in-process tier only
  int64_t stale = 0;
  int64_t misses = 0;
  int64_t bypasses = 0;
  int64_t fills = 0;
  int64_t coalesced = 0;  // misses answered by another call's load (single flight)
  int64_t invalidations_write = 0;
  int64_t invalidations_event = 0;
  int64_t invalidations_trigger = 0;

  // hits / (hits + misses + bypasses), 0 without reads.
  double HitRatio() const;
};

// The in-process tier of this instance (docs/caching.md, "The in-process tier").
struct LocalTierStats {
  bool enabled = false;
  bool serving = false;  // lease valid and subscription up
  int64_t budget_bytes = 0;
  int64_t bytes = 0;
  int64_t entries = 0;
  int64_t evictions = 0;
  int64_t rejections = 0;  // fills the admission policy turned away
  int64_t leases_granted = 0;
  int64_t lease_refusals = 0;
  int64_t acknowledgement_timeouts = 0;
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
  LocalTierStats local_tier;
};

// Read/write/bypass counters of models, supplied by the repository service.
using ModelStatsSource = std::function<std::vector<NameStats>()>;
// Figures of the in-process tier, supplied by main.
using LocalTierSource = std::function<LocalTierStats()>;

struct WarmOptions {
  std::vector<WarmSet> sets;  // the configured warm sets
  int concurrency = 4;
  bool on_startup = true;
  // Report NOT_SERVING until the startup warm finishes.
  bool block_readiness = false;
  // Caps on what a caller asks for.
  int max_concurrency = 16;        // warm.max_concurrency
  int64_t max_param_sets = 10000;  // warm.max_param_sets: per request, after expanding names
  // Rows one params_from may return; more fail its set.
  int64_t max_params_from_rows = 10000;  // warm.max_params_from_rows
  // statement_timeout of a params_from statement.
  absl::Duration params_from_timeout = absl::Seconds(30);
};

// Caps on an invalidation request.
struct InvalidateLimits {
  int max_names = 256;          // limits.max_invalidate_names: tables + queries + tags
  size_t max_name_bytes = 128;  // limits.max_invalidate_name_bytes
};

// The operator-facing side of the cache: invalidation requests, on-demand warming, stats.
class CacheAdmin {
 public:
  CacheAdmin(InvalidationHub* hub, Warmer* warmer, WarmOptions warm, const QueryService* queries,
             db::ConnectionPool* pool, const cache::QueryCache* redis, absl::Time started,
             ModelStatsSource model_stats, InvalidateLimits invalidate_limits = {})
      : hub_(hub),
        warmer_(warmer),
        warm_(std::move(warm)),
        queries_(queries),
        pool_(pool),
        redis_(redis),
        started_(started),
        model_stats_(std::move(model_stats)),
        invalidate_limits_(invalidate_limits) {}

  // Invalidates tables, queries and tags, for one tenant when the event names one (its
  // tenant-scoped tables only; see InvalidationHub::Invalidate), and returns what was
  // invalidated (tables in their cache spelling: "public.users" becomes "users"; the tenant
  // canonical), once durable in Redis. Fails with
  // INVALID_ARGUMENT naming the field for an empty request, too many or too long names, or a
  // name that is not a known table, query or tag; else like InvalidationHub::Invalidate.
  absl::StatusOr<cache::InvalidationEvent> Invalidate(const cache::InvalidationEvent& event);

  // Warms `sets` (every configured set when empty) with `concurrency` (the configured one when
  // zero), streaming progress. A requested set either names a configured set (`name`, and
  // optionally `tenants`, which replace the configured ones) or gives a query or model with
  // explicit `params` (and `tenants` for tenant-scoped data). Failures carry their parameter sets
  // and full errors only when `show_details`. Fails with INVALID_ARGUMENT naming the field for
  // params_from from a caller, a set mixing a name with anything else, a repeated name,
  // concurrency above warm.max_concurrency or more parameter sets than warm.max_param_sets;
  // NOT_FOUND for an unknown set name; else like Warmer::Run.
  absl::Status Warm(const std::vector<WarmSet>& sets, int concurrency, const CallContext& ctx,
                    const std::function<void(const WarmProgress&)>& progress,
                    bool show_details = true);

  const WarmOptions& warm_options() const { return warm_; }

  // Returns the current figures.
  StatsSnapshot Stats() const;

  // Makes Stats report the in-process tier's figures from `source`. Call before serving.
  void SetLocalTierSource(LocalTierSource source) { local_tier_ = std::move(source); }

 private:
  InvalidationHub* hub_;
  Warmer* warmer_;
  const WarmOptions warm_;
  const QueryService* queries_;
  db::ConnectionPool* pool_;
  const cache::QueryCache* redis_;
  absl::Time started_;
  ModelStatsSource model_stats_;
  InvalidateLimits invalidate_limits_;
  LocalTierSource local_tier_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CACHE_ADMIN_H_
