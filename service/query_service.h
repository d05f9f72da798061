#ifndef QUERYGATE_SERVICE_QUERY_SERVICE_H_
#define QUERYGATE_SERVICE_QUERY_SERVICE_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cache/query_cache.h"
#include "common/value.h"
#include "db/cancel_watcher.h"
#include "db/connection_pool.h"
#include "service/cache_key.h"
#include "service/cached_reader.h"
#include "service/call_context.h"
#include "service/database_reader.h"
#include "service/query_registry.h"
#include "service/query_result.h"
#include "service/result_codec.h"
#include "service/single_flight.h"
#include "service/tenant_scope.h"

namespace querygate::service {

struct QueryServiceOptions {
  // Folded into every cache key; changes whenever the schema files change.
  std::string schema_version;
  // Most elements an array parameter may have (limits.max_array_elements).
  int max_array_elements = 1000;
};

struct ExecuteRequest {
  std::string query;
  std::map<std::string, Value> params;
  CacheMode cache_mode = CacheMode::kDefault;
};

struct ExecuteResponse {
  SharedResult result;  // null only when `encoded` holds the result (TryCached's hits)
  CacheInfo cache;
  // The result in codec() format, when the call read it from the cache or stored it there.
  std::optional<std::string> encoded;
};

// Counters of one named query since start.
struct QueryCounters {
  std::atomic<int64_t> hits{0};     // every hit, from either tier
  std::atomic<int64_t> l1_hits{0};  // the hits served from the in-process tier
  std::atomic<int64_t> stale{0};    // expired entries served (stale-while-revalidate, -if-error)
  std::atomic<int64_t> misses{0};
  std::atomic<int64_t> bypasses{0};
  std::atomic<int64_t> fills{0};
  std::atomic<int64_t> coalesced{0};  // misses answered by another call's load
};

// Counts a hit (and which tier served it) in `counters`.
void CountHit(QueryCounters& counters, const CacheInfo& cache);
// Counts a read's outcome, its fill, and whether it waited for another call's load.
void CountOutcome(QueryCounters& counters, const CacheInfo& cache, bool filled, bool coalesced);

// How long a background revalidation (stale-while-revalidate) may take.
inline constexpr absl::Duration kRevalidateTimeout = absl::Seconds(10);

// Serves named queries from the result cache, falling back to PostgreSQL.
class QueryService {
 public:
  QueryService(QueryServiceOptions options, const QueryRegistry* registry,
               const DatabaseReader* reader, CachedReader* cached);

  // Runs a named query, under the caller's tenant; results of tenant-scoped queries are cached
  // per tenant. Fails with NOT_FOUND for an unknown query (or a miss under ONLY_CACHED),
  // PERMISSION_DENIED when the caller holds none of the query's roles or has no tenant for a
  // tenant-scoped query,
  // INVALID_ARGUMENT naming a bad parameter, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED
  // past max_rows or when no connection frees up, or the database error.
  absl::StatusOr<ExecuteResponse> Execute(const ExecuteRequest& request, const CallContext& ctx);

  // Answers `request` from the cache when that needs no database work. `done` runs once,
  // possibly on another thread, with the response on a HIT (in `encoded` form only), nullopt
  // when Execute must run (a miss, BYPASS/REFRESH/ONLY_CACHED, an uncached query, an
  // unreachable cache), or Execute's error for an unknown query, a caller without the query's
  // roles or without a tenant for a tenant-scoped query (both checked before the cache is
  // read) or bad parameters.
  using TryCachedCallback = std::function<void(absl::StatusOr<std::optional<ExecuteResponse>>)>;
  void TryCached(const ExecuteRequest& request, const CallContext& ctx, TryCachedCallback done);

  const QueryRegistry& registry() const { return *registry_; }
  // Returns the format of ExecuteResponse::encoded.
  const ResultCodec& codec() const { return cached_->codec(); }
  // Returns the counters of `query`, or nullptr for an unknown query.
  const QueryCounters* Counters(const std::string& query) const;

 private:
  struct Bound {
    db::Params params;                // in $n order
    std::vector<BoundParam> for_key;  // in declared order
  };

  absl::StatusOr<Bound> Bind(const RegisteredQuery& query,
                             const std::map<std::string, Value>& params) const;
  CachedRead ReadFor(const RegisteredQuery& query, const Bound& bound, CacheMode mode,
                     const CallContext& ctx) const;
  // The access and tenant checks every call makes before it reads the cache.
  absl::Status Admit(const RegisteredQuery& query, const CallContext& ctx) const;

  const QueryServiceOptions options_;
  const QueryRegistry* registry_;
  const DatabaseReader* reader_;
  CachedReader* cached_;
  TenantScope tenants_;
  std::map<std::string, std::unique_ptr<QueryCounters>> counters_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_QUERY_SERVICE_H_
