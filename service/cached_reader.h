#ifndef QUERYGATE_SERVICE_CACHED_READER_H_
#define QUERYGATE_SERVICE_CACHED_READER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cache/query_cache.h"
#include "service/call_context.h"
#include "service/query_result.h"
#include "service/single_flight.h"

namespace querygate::service {

// One cacheable read: its full cache key, what it depends on, and how long it may live.
struct CachedRead {
  std::string key;
  std::vector<std::string> dependencies;
  absl::Duration ttl;
  CacheMode mode = CacheMode::kDefault;
};

struct CachedResult {
  SharedResult result;
  CacheInfo cache;
  bool filled = false;  // this call stored the result
};

// The read-through protocol shared by named queries and repository reads: look the entry
// and its dependencies' generations up in one round trip; on a miss load once per key and
// generation set in this process, and stamp the fill with the generations read before the
// load, so that a fill racing an invalidation is never served.
class CachedReader {
 public:
  CachedReader(cache::QueryCache* cache, bool stale_fill_guard)
      : cache_(cache), stale_fill_guard_(stale_fill_guard) {}

  // Returns the cached or loaded result with its cache status: HIT, MISS (loaded and stored),
  // or BYPASS (requested, or the cache is unreachable). Fails with NOT_FOUND on a miss under
  // ONLY_CACHED, UNAVAILABLE when ONLY_CACHED meets an unreachable cache, or load's error.
  absl::StatusOr<CachedResult> Read(const CachedRead& read, const CallContext& ctx,
                                    const std::function<absl::StatusOr<SharedResult>()>& load);

  // Returns the cached result when `read` is a HIT right now, nullopt otherwise (a miss, an
  // unreachable cache, or a mode other than kDefault). Never touches the database.
  std::optional<CachedResult> TryHit(const CachedRead& read);

  cache::QueryCache* cache() const { return cache_; }

 private:
  absl::StatusOr<SharedResult> LoadAndFill(
      const CachedRead& read, const cache::Generations& generations,
      const std::function<absl::StatusOr<SharedResult>()>& load, bool& filled);

  cache::QueryCache* cache_;
  const bool stale_fill_guard_;
  SingleFlight flights_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CACHED_READER_H_
