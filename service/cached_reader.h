#ifndef QUERYGATE_SERVICE_CACHED_READER_H_
#define QUERYGATE_SERVICE_CACHED_READER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cache/query_cache.h"
#include "service/cache_key.h"
#include "service/call_context.h"
#include "service/query_result.h"
#include "service/refresher.h"
#include "service/result_codec.h"
#include "service/single_flight.h"

namespace querygate::service {

// One cacheable read: its full cache key, what it depends on, and how long it may live.
struct CachedRead {
  std::string key;
  std::vector<std::string> dependencies;
  absl::Duration ttl;
  CacheMode mode = CacheMode::kDefault;
  bool local = true;  // may be kept in the in-process tier
  // How long after its ttl an entry may be served STALE: while a background refresh runs,
  // and when the load fails with UNAVAILABLE or RESOURCE_EXHAUSTED. Never an invalidated one.
  absl::Duration stale_while_revalidate = absl::ZeroDuration();
  absl::Duration stale_if_error = absl::ZeroDuration();
};

using ResultLoader = std::function<absl::StatusOr<SharedResult>()>;

struct CachedResult {
  SharedResult result;  // null only in TryHit's answer, which carries `encoded` instead
  CacheInfo cache;
  bool filled = false;  // this call stored the result
  // The result in the codec's format, when this call read it from the cache or stored it.
  std::optional<std::string> encoded;
  bool coalesced = false;  // this call waited for another call's load of the same entry
};

// The read-through protocol shared by named queries and repository reads: look the entry
// and its dependencies' generations up in one round trip; on a miss load once per key and
// generation set in this process, and stamp the fill with the generations read before the
// load, so that a fill racing an invalidation is never served.
class CachedReader {
 public:
  // Stores results in `codec`'s format; `codec` and `refresher` (null: no background
  // revalidation) must outlive the reader.
  CachedReader(cache::QueryCache* cache, const ResultCodec* codec, bool stale_fill_guard,
               Refresher* refresher = nullptr)
      : cache_(cache), codec_(codec), stale_fill_guard_(stale_fill_guard), refresher_(refresher) {}

  // Returns the full cache key for `input`, with the codec's format folded in.
  std::string Key(CacheKeyInput input) const;

  // Returns the cached or loaded result with its cache status: HIT, MISS (loaded and stored),
  // BYPASS (requested, or the cache is unreachable) or STALE (read.stale_*; `refresh`, which
  // must own everything it uses, then revalidates in the background; without it the stale
  // window serves only errors). Fails with NOT_FOUND on a miss under ONLY_CACHED, UNAVAILABLE
  // when ONLY_CACHED meets an unreachable cache, or load's error.
  absl::StatusOr<CachedResult> Read(const CachedRead& read, const CallContext& ctx,
                                    const ResultLoader& load, ResultLoader refresh = nullptr);

  // Calls `done` once, possibly on another thread, with the cached result in `encoded` form
  // only when `read` is a HIT right now; with nullopt otherwise (a miss, an unreachable cache,
  // or a mode other than kDefault). Never touches the database and never waits on the network.
  void TryHit(const CachedRead& read, std::function<void(std::optional<CachedResult>)> done);

  cache::QueryCache* cache() const { return cache_; }
  const ResultCodec& codec() const { return *codec_; }

 private:
  absl::StatusOr<SharedResult> LoadAndFill(const CachedRead& read,
                                           const cache::Generations& generations,
                                           uint64_t local_version, const ResultLoader& load,
                                           bool& filled, std::optional<std::string>& encoded);
  // Queues a background reload of `read` (a no-op when one is queued or running).
  void Revalidate(const CachedRead& read, ResultLoader refresh);

  cache::QueryCache* cache_;
  const ResultCodec* codec_;
  const bool stale_fill_guard_;
  Refresher* refresher_;
  SingleFlight flights_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CACHED_READER_H_
