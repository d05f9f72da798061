#include "rpc/cache_info_conversion.h"

namespace querygate::rpc {

service::CacheMode CacheModeFromProto(v1::CacheMode mode) {
  switch (mode) {
    case v1::CACHE_MODE_BYPASS:
      return service::CacheMode::kBypass;
    case v1::CACHE_MODE_REFRESH:
      return service::CacheMode::kRefresh;
    case v1::CACHE_MODE_ONLY_CACHED:
      return service::CacheMode::kOnlyCached;
    default:
      return service::CacheMode::kDefault;
  }
}

void CacheInfoToProto(const service::CacheInfo& in, v1::CacheInfo& out) {
  switch (in.status) {
    case service::CacheStatus::kHit:
      out.set_status(v1::CACHE_STATUS_HIT);
      break;
    case service::CacheStatus::kMiss:
      out.set_status(v1::CACHE_STATUS_MISS);
      break;
    case service::CacheStatus::kBypass:
      out.set_status(v1::CACHE_STATUS_BYPASS);
      break;
    case service::CacheStatus::kStale:
      out.set_status(v1::CACHE_STATUS_STALE);
      break;
    default:
      out.set_status(v1::CACHE_STATUS_UNSPECIFIED);
      break;
  }
  out.set_age_ms(in.age_ms);
  out.set_ttl_ms(in.ttl_ms);
  switch (in.tier) {
    case service::CacheTier::kLocal:
      out.set_tier(v1::CACHE_TIER_LOCAL);
      break;
    case service::CacheTier::kShared:
      out.set_tier(v1::CACHE_TIER_SHARED);
      break;
    default:
      out.set_tier(v1::CACHE_TIER_UNSPECIFIED);
      break;
  }
}

}  // namespace querygate::rpc
