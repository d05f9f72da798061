#ifndef QUERYGATE_SERVICE_INVALIDATION_HUB_H_
#define QUERYGATE_SERVICE_INVALIDATION_HUB_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cache/invalidation_event.h"
#include "cache/query_cache.h"
#include "schema/model.h"
#include "service/query_registry.h"
#include "service/tenant_scope.h"

namespace querygate::service {

// Where an invalidation came from: a write made through the service, an event on the
// pub/sub channel or the CacheService API, or a database trigger (NOTIFY).
enum class InvalidationSource { kWrite, kEvent, kTrigger };

struct InvalidationCounts {
  std::atomic<int64_t> write{0};
  std::atomic<int64_t> event{0};
  std::atomic<int64_t> trigger{0};
};

// The invalidation feeds whose continuity the cache's trustworthiness rests on.
enum class Feed { kPubSub = 0, kDatabase = 1 };

// Turns invalidations from every source into generation bumps, counts them per named query
// and model, and decides whether cached entries may be served: only while every feed is up
// and no invalidation is still owed to Redis. A feed coming (back) up bumps the global epoch
// first, because events sent while it was down were lost.
class InvalidationHub {
 public:
  // `feeds` lists the feeds that must be up before the cache is trusted.
  InvalidationHub(cache::QueryCache* cache, const QueryRegistry* registry,
                  const schema::Schema* schema, std::vector<Feed> feeds);

  // Bumps the generations named by `event` and counts it. Returns once Redis applied it. With
  // a tenant, the tenant-scoped tables named are invalidated for that tenant only
  // (TenantTableDependency); global tables, queries and tags always for everyone. Fails with
  // NOT_FOUND for an unknown query, INVALID_ARGUMENT for an empty event or a tenant that is
  // malformed or given while the schema declares no tenancy, or UNAVAILABLE (the bump is then
  // retried by Tick and the cache is distrusted meanwhile).
  absl::Status Invalidate(const cache::InvalidationEvent& event, InvalidationSource source);

  // Records that `feed` lost its connection: cached entries stop being served.
  void FeedDown(Feed feed);
  // Records that `feed` is (re)connected: bumps the epoch, then trusts the feed again.
  void FeedUp(Feed feed);

  // Retries owed epoch bumps and invalidations. Call periodically.
  void Tick();

  // True when cached entries may be served.
  bool CacheTrusted() const { return trusted_.load(std::memory_order_acquire); }

  // Counters for a named query or a model (by model name); nullptr when unknown.
  const InvalidationCounts* QueryCounts(const std::string& query) const;
  const InvalidationCounts* ModelCounts(const std::string& model) const;

 private:
  void Count(const cache::InvalidationEvent& event, InvalidationSource source);
  void UpdateTrustLocked();

  cache::QueryCache* cache_;
  const QueryRegistry* registry_;
  const schema::Schema* schema_;
  TenantScope tenants_;
  std::map<std::string, std::unique_ptr<InvalidationCounts>> query_counts_;
  std::map<std::string, std::unique_ptr<InvalidationCounts>> model_counts_;
  std::map<std::string, std::vector<std::string>> models_by_table_;

  mutable std::mutex mu_;
  std::set<Feed> required_;
  std::set<Feed> up_;
  std::set<Feed> epoch_owed_;
  std::set<std::string> owed_dependencies_;
  std::atomic<bool> trusted_{false};
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_INVALIDATION_HUB_H_
