#ifndef QUERYGATE_CACHE_REDIS_QUERY_CACHE_H_
#define QUERYGATE_CACHE_REDIS_QUERY_CACHE_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cache/query_cache.h"
#include "cache/redis_options.h"

namespace querygate::cache {

// An instance holding an in-process tier, and when its lease ends (Redis clock, ms).
struct LeaseHolder {
  std::string id;
  int64_t expiry_ms = 0;
};

// What an invalidation's bump told: its coherence sequence number, Redis's clock, when the
// lease set was (re)born (recently: leases granted before a data loss may be out there), and
// the instances that must apply it before it is acknowledged.
struct Announcement {
  uint64_t sequence = 0;
  int64_t now_ms = 0;
  int64_t born_ms = 0;
  std::vector<LeaseHolder> holders;
};

struct LeaseGrant {
  // kBehind: not extended, the holder has not applied messages it must have by now;
  // kExtended: the live lease runs on; kGranted: a new lease (drop everything held before).
  enum class Outcome { kBehind = 0, kExtended = 1, kGranted = 2 };
  Outcome outcome = Outcome::kBehind;
  uint64_t sequence = 0;  // the current coherence sequence number
};

struct LeaseState {
  int64_t now_ms = 0;
  int64_t expiry_ms = 0;  // 0: no live lease
  uint64_t applied = 0;   // the sequence number the holder last reported
  uint64_t sequence = 0;  // the current coherence sequence number
};

namespace internal {
class RedisMultiplexer;
}  // namespace internal

// QueryCache on Redis through a bounded pool of hiredis connections, plus one pipelined
// connection for LookupAsync. After a failure the cache is considered down for a backoff
// period (doubling up to max_backoff) during which calls fail fast; a prober thread PINGs to
// notice recovery.
class RedisQueryCache : public QueryCache {
 public:
  explicit RedisQueryCache(RedisOptions options);
  ~RedisQueryCache() override;

  CacheLookup Lookup(const std::string& key, const std::vector<std::string>& dependencies) override;
  // Sends the lookup over one pipelined connection shared by all callers; `done` runs on
  // that connection's I/O thread.
  void LookupAsync(const std::string& key, const std::vector<std::string>& dependencies,
                   std::function<void(CacheLookup)> done) override;
  absl::StatusOr<Generations> CurrentGenerations(
      const std::vector<std::string>& dependencies) override;
  absl::Status Fill(const std::string& key, const std::string& payload,
                    const Generations& generations, const FillSpec& spec) override;
  // Announce without waiting for lease holders: an instance keeping an in-process tier
  // invalidates through TieredCache, which waits.
  absl::Status Invalidate(const std::vector<std::string>& dependencies) override;

  // Bumps `dependencies` and announces them on the coherence channel to the instances that
  // hold a lease (listed in the result). Fails with UNAVAILABLE.
  absl::StatusOr<Announcement> Announce(const std::vector<std::string>& dependencies);
  // Renews (or grants) `holder`'s lease for `lease`, reporting the last coherence sequence
  // number it applied. Fails with UNAVAILABLE.
  absl::StatusOr<LeaseGrant> RenewLease(const std::string& holder, absl::Duration lease,
                                        uint64_t applied);
  // Returns `holder`'s lease as Redis sees it now. Fails with UNAVAILABLE.
  absl::StatusOr<LeaseState> ReadLease(const std::string& holder);
  // PUBLISHes `message` on `channel`. Fails with UNAVAILABLE.
  absl::Status Publish(const std::string& channel, const std::string& message);
  // The pub/sub channel carrying invalidations to, and acknowledgements from, lease holders.
  std::string CoherenceChannel() const;
  const RedisOptions& options() const { return options_; }
  // Returns "<run_id>/<sentinel>": the server's INFO run_id (new after every restart or
  // failover) and the value of "<prefix>:epoch-sentinel", which this call first creates with
  // a random value if it is missing (so after a FLUSHALL or a rewind to a snapshot without it
  // the value is new, and every instance sharing the Redis sees the change once).
  absl::StatusOr<std::string> DataIdentity() override;
  CacheHealth Health() const override;
  std::string Key(const std::string& suffix) const override;

 private:
  class Borrowed;
  struct Pool;

  std::vector<std::string> GenerationKeys(const std::vector<std::string>& dependencies) const;
  std::vector<std::string> LookupCommand(const std::string& key,
                                         const std::vector<std::string>& dependencies) const;
  void RecordSuccess();
  void RecordFailure(const absl::Status& status);
  void ProbeLoop();

  const RedisOptions options_;
  std::unique_ptr<Pool> pool_;
  std::atomic<int64_t> down_until_ns_{0};
  std::atomic<int64_t> backoff_ns_{0};
  std::atomic<int64_t> consecutive_failures_{0};
  std::atomic<int64_t> failures_total_{0};
  std::atomic<int64_t> timeouts_total_{0};
  mutable std::mutex error_mu_;
  std::string last_error_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread prober_;
  std::unique_ptr<internal::RedisMultiplexer> multiplexer_;
};

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_REDIS_QUERY_CACHE_H_
