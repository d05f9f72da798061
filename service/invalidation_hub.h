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
// first, because events sent while it was down were lost; so does a change of the cache's
// data identity (Redis lost or rewound its data), noticed by Tick.
//
// Owed invalidations are versioned: each dependency owed (the epoch included) carries the
// sequence number of the latest failure that owed it, and Tick forgets an entry only when the
// number is unchanged after its bump landed, so an invalidation owed again while Tick was
// bumping is never dropped.
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

  // Checks the cache's data identity (QueryCache::DataIdentity): the first one seen, or one
  // that differs from the last seen, owes an epoch bump and distrusts the cache until it
  // landed. Then retries every owed bump (epoch and invalidations) in one call. Call
  // periodically: the period bounds how long lost Redis data goes unnoticed.
  void Tick();

  // The dependencies (kEpochDependency included) whose bumps are still owed, sorted.
  std::vector<std::string> OwedDependencies() const;

  // How many times Tick found a new data identity (the first one included).
  int64_t DataIdentityChanges() const { return identity_changes_.load(); }

  // True when cached entries may be served.
  bool CacheTrusted() const { return trusted_.load(std::memory_order_acquire); }

  // Counters for a named query or a model (by model name); nullptr when unknown.
  const InvalidationCounts* QueryCounts(const std::string& query) const;
  const InvalidationCounts* ModelCounts(const std::string& model) const;

 private:
  void Count(const cache::InvalidationEvent& event, InvalidationSource source);
  // Owes a bump of each of `dependencies` under a fresh sequence number.
  void OweLocked(const std::vector<std::string>& dependencies);
  void CheckDataIdentity();
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
  // Owed dependency -> sequence number of the latest time it was owed.
  std::map<std::string, uint64_t> owed_;
  uint64_t owe_sequence_ = 0;
  bool identity_known_ = false;
  std::string identity_;
  std::atomic<int64_t> identity_changes_{0};
  std::atomic<bool> trusted_{false};
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_INVALIDATION_HUB_H_
