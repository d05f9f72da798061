#ifndef QUERYGATE_CACHE_TIERED_CACHE_H_
#define QUERYGATE_CACHE_TIERED_CACHE_H_

#include <string>
#include <vector>

#include "cache/l1_coherence.h"
#include "cache/l1_store.h"
#include "cache/query_cache.h"
#include "cache/redis_query_cache.h"

namespace querygate::cache {

// The two tiers as one QueryCache: the in-process L1Store (served only while `coherence`
// says so) in front of Redis. A shared-tier hit that may be kept in process is copied into
// the local tier, stamped with the local version taken before Redis was read, so an
// invalidation applied meanwhile makes it unservable. Invalidate returns once Redis and every
// lease holder applied it.
class TieredCache : public QueryCache {
 public:
  // `local` may be null (no in-process tier on this instance); `coherence` may not.
  TieredCache(RedisQueryCache* shared, L1Store* local, L1Coherence* coherence)
      : shared_(shared), local_(local), coherence_(coherence) {}

  CacheLookup Lookup(const std::string& key, const std::vector<std::string>& dependencies) override;
  void LookupAsync(const std::string& key, const std::vector<std::string>& dependencies,
                   std::function<void(CacheLookup)> done) override;
  absl::StatusOr<Generations> CurrentGenerations(
      const std::vector<std::string>& dependencies) override {
    return shared_->CurrentGenerations(dependencies);
  }
  absl::Status Fill(const std::string& key, const std::string& payload,
                    const Generations& generations, const FillSpec& spec) override;
  absl::Status Invalidate(const std::vector<std::string>& dependencies) override;
  absl::StatusOr<std::string> DataIdentity() override { return shared_->DataIdentity(); }
  CacheHealth Health() const override { return shared_->Health(); }
  std::string Key(const std::string& suffix) const override { return shared_->Key(suffix); }

 private:
  // The local tier's answer for `key`, when it is serving and holds it.
  std::optional<CacheLookup> LocalLookup(const std::string& key,
                                         const std::vector<std::string>& dependencies);
  // Copies a shared-tier hit or stale entry into the local tier when allowed.
  void Keep(const std::string& key, const CacheLookup& lookup);

  RedisQueryCache* shared_;
  L1Store* local_;
  L1Coherence* coherence_;
};

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_TIERED_CACHE_H_
