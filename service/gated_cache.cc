#include "service/gated_cache.h"

namespace querygate::service {
namespace {

absl::Status Distrusted() {
  return absl::UnavailableError("the cache is not trusted until invalidation feeds recover");
}

}  // namespace

cache::CacheLookup GatedCache::Lookup(const std::string& key,
                                      const std::vector<std::string>& dependencies) {
  if (!hub_->CacheTrusted()) return cache::CacheLookup::Unavailable();
  return inner_->Lookup(key, dependencies);
}

void GatedCache::LookupAsync(const std::string& key, const std::vector<std::string>& dependencies,
                             std::function<void(cache::CacheLookup)> done) {
  if (!hub_->CacheTrusted()) {
    done(cache::CacheLookup::Unavailable());
    return;
  }
  inner_->LookupAsync(key, dependencies, std::move(done));
}

absl::StatusOr<cache::Generations> GatedCache::CurrentGenerations(
    const std::vector<std::string>& dependencies) {
  if (!hub_->CacheTrusted()) return Distrusted();
  return inner_->CurrentGenerations(dependencies);
}

absl::Status GatedCache::Fill(const std::string& key, const std::string& payload,
                              const cache::Generations& generations, const cache::FillSpec& spec) {
  if (!hub_->CacheTrusted()) return Distrusted();
  return inner_->Fill(key, payload, generations, spec);
}

absl::Status GatedCache::Invalidate(const std::vector<std::string>& dependencies) {
  return inner_->Invalidate(dependencies);
}

cache::CacheHealth GatedCache::Health() const {
  cache::CacheHealth health = inner_->Health();
  if (!hub_->CacheTrusted() && health.healthy) {
    health.healthy = false;
    health.last_error = "waiting for invalidation feeds";
  }
  return health;
}

}  // namespace querygate::service
