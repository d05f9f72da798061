#ifndef QUERYGATE_CACHE_QUERY_CACHE_H_
#define QUERYGATE_CACHE_QUERY_CACHE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace querygate::cache {

// Generation numbers of an entry's dependencies (tables, the query, the epoch), in the order
// the dependencies were named. A cached entry is served only while they are all unchanged.
using Generations = std::vector<int64_t>;

// Which tier answered a lookup.
enum class Tier { kShared, kLocal };

struct CacheLookup {
  // kStale: the entry's generations are current but its ttl has run out; it is still within
  // the stale window it was filled with (FillSpec::stale_for). Never an invalidated entry.
  enum class Outcome { kHit, kStale, kMiss, kUnavailable };
  Outcome outcome = Outcome::kMiss;
  std::string payload;     // on a hit or stale
  int64_t age_ms = 0;      // on a hit or stale
  int64_t ttl_ms = 0;      // on a hit: time left; on stale: how long it may still be served stale
  int64_t expired_ms = 0;  // on stale: how long ago the ttl ran out
  Tier tier = Tier::kShared;
  // The entry may be kept in the in-process tier (FillSpec::local at fill time).
  bool local_allowed = false;
  // The dependencies' current generations, read in the same round trip as the entry; on a
  // miss, stamp a fill with these. Empty when some dependency has no generation yet.
  Generations generations;
  // The in-process tier's version, taken before the shared tier was read; pass it back in
  // FillSpec so that a fill racing an invalidation is never kept in process. 0: none.
  uint64_t local_version = 0;

  // Returns the answer for a cache that cannot be reached.
  static CacheLookup Unavailable() {
    CacheLookup lookup;
    lookup.outcome = Outcome::kUnavailable;
    return lookup;
  }
};

// How a result is stored.
struct FillSpec {
  absl::Duration ttl;                               // served as fresh for this long
  absl::Duration stale_for = absl::ZeroDuration();  // then kept this long, servable as stale
  bool local = true;                                // may be kept in the in-process tier too
  uint64_t local_version = 0;  // CacheLookup::local_version of the lookup before the load
};

struct CacheHealth {
  bool healthy = true;
  int64_t consecutive_failures = 0;
  std::string last_error;
  // Failures since start (commands, connects and health probes), and those that timed out.
  int64_t failures_total = 0;
  int64_t timeouts_total = 0;
  // The backoff period in force while failing; zero when healthy.
  absl::Duration backoff;
};

// A result cache with generation-validated entries. Dependencies are short names ("t:users",
// "q:user_by_email"); an invalidation bumps their generations, which makes every entry stamped
// with older generations unservable at once.
class QueryCache {
 public:
  virtual ~QueryCache() = default;

  // Reads the entry `key` and the current generations of `dependencies` in one round trip.
  // Returns kUnavailable (never an error) when the cache cannot be reached in time.
  virtual CacheLookup Lookup(const std::string& key,
                             const std::vector<std::string>& dependencies) = 0;

  // Like Lookup, but never waits on the network: `done` runs exactly once, possibly on
  // another thread, and must not block. The default runs Lookup and then `done` inline.
  virtual void LookupAsync(const std::string& key, const std::vector<std::string>& dependencies,
                           std::function<void(CacheLookup)> done) {
    done(Lookup(key, dependencies));
  }

  // Returns the current generations of `dependencies`, creating missing ones. Fails with
  // UNAVAILABLE when the cache cannot be reached.
  virtual absl::StatusOr<Generations> CurrentGenerations(
      const std::vector<std::string>& dependencies) = 0;

  // Stores `payload` under `key` as `spec` says, stamped with `generations` (read before the
  // database read that produced the payload). Fails with UNAVAILABLE.
  virtual absl::Status Fill(const std::string& key, const std::string& payload,
                            const Generations& generations, const FillSpec& spec) = 0;

  // Bumps the generations of `dependencies` to values never used before. Returns once Redis
  // applied it and every instance holding an in-process tier applied it too (or lost its
  // lease). Fails with UNAVAILABLE.
  virtual absl::Status Invalidate(const std::vector<std::string>& dependencies) = 0;

  // Returns a string that stays the same while the cache keeps its data, and changes when the
  // data was lost or rewound (a restart without persistence, FLUSHALL, a promoted replica).
  // Fails with UNAVAILABLE when the cache cannot be reached, or UNIMPLEMENTED (the default)
  // when the cache cannot tell.
  virtual absl::StatusOr<std::string> DataIdentity() {
    return absl::UnimplementedError("this cache has no data identity");
  }

  // Returns the cache's reachability as last observed.
  virtual CacheHealth Health() const = 0;

  // Returns "<prefix>:" + suffix, the full key for a suffix.
  virtual std::string Key(const std::string& suffix) const = 0;
};

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_QUERY_CACHE_H_
