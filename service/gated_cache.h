#ifndef QUERYGATE_SERVICE_GATED_CACHE_H_
#define QUERYGATE_SERVICE_GATED_CACHE_H_

#include <string>
#include <vector>

#include "cache/query_cache.h"
#include "service/invalidation_hub.h"

namespace querygate::service {

// A QueryCache that behaves as unreachable (so reads bypass it and nothing is filled) while
// the invalidation hub does not trust cached entries; otherwise it forwards to `inner`.
class GatedCache : public cache::QueryCache {
 public:
  GatedCache(cache::QueryCache* inner, const InvalidationHub* hub) : inner_(inner), hub_(hub) {}

  cache::CacheLookup Lookup(const std::string& key,
                            const std::vector<std::string>& dependencies) override;
  void LookupAsync(const std::string& key, const std::vector<std::string>& dependencies,
                   std::function<void(cache::CacheLookup)> done) override;
  absl::StatusOr<cache::Generations> CurrentGenerations(
      const std::vector<std::string>& dependencies) override;
  absl::Status Fill(const std::string& key, const std::string& payload,
                    const cache::Generations& generations, const cache::FillSpec& spec) override;
  absl::Status Invalidate(const std::vector<std::string>& dependencies) override;
  cache::CacheHealth Health() const override;
  std::string Key(const std::string& suffix) const override { return inner_->Key(suffix); }

 private:
  cache::QueryCache* inner_;
  const InvalidationHub* hub_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_GATED_CACHE_H_
