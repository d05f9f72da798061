#ifndef QUERYGATE_CACHE_L1_STORE_H_
#define QUERYGATE_CACHE_L1_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace querygate::cache {

struct L1Options {
  int64_t budget_bytes = 64 << 20;  // keys, payloads and per-entry overhead, all shards
  int shards = 16;
  // Distinct dependencies whose versions are remembered; past this, everything is dropped.
  size_t max_tracked_dependencies = 100000;
};

struct L1Figures {
  int64_t bytes = 0;
  int64_t entries = 0;
  int64_t evictions = 0;
  int64_t rejections = 0;  // fills the admission policy turned away
};

// What Get returns: the entry's bytes and timing, fresh or within its stale window.
struct L1Found {
  std::string payload;
  int64_t filled_at_ms = 0;
  int64_t ttl_ms = 0;
  int64_t stale_ms = 0;
};

// The in-process result tier: a byte-bounded, sharded map with CLOCK eviction and TinyLFU
// admission (a fill that would evict is admitted only when its key was asked for more often
// than the victim's, so a scan of cold keys does not flush a hot set).
//
// Freshness is versioned: every invalidation takes the next value of one counter and records
// it for each dependency it names; an entry remembers the counter's value taken before its
// data was read (Capture) and is served only while none of its dependencies was invalidated
// since. InvalidateAll raises a floor below which every entry is dead.
class L1Store {
 public:
  explicit L1Store(L1Options options);
  ~L1Store();

  // Returns the version to stamp a fill with; take it before reading the data.
  uint64_t Capture() const { return counter_.load(std::memory_order_acquire); }

  // Returns the entry under `key` when it is still valid for `dependencies` (the same list,
  // in the same order, as every read of this key) and not past its stale window at `now_ms`.
  std::optional<L1Found> Get(const std::string& key, const std::vector<std::string>& dependencies,
                             int64_t now_ms);

  // Stores an entry read at `version` (Capture). Returns false when it is dead already (an
  // InvalidateAll since), too large, or not admitted.
  bool Put(const std::string& key, uint64_t version, L1Found entry);

  // Removes the entry under `key`, if any.
  void Erase(const std::string& key);

  // Makes every entry depending on any of `dependencies` unservable.
  void Invalidate(const std::vector<std::string>& dependencies);

  // Makes every entry unservable.
  void InvalidateAll();

  L1Figures Figures() const;

 private:
  struct Shard;

  Shard& ShardFor(const std::string& key, uint64_t& hash) const;
  // True when no dependency was invalidated after `version`.
  bool Current(uint64_t version, const std::vector<std::string>& dependencies) const;

  const L1Options options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  mutable std::atomic<uint64_t> counter_{1};
  std::atomic<uint64_t> floor_{0};
  std::atomic<uint64_t> last_invalidation_{0};
  mutable std::shared_mutex versions_mu_;
  absl::flat_hash_map<std::string, uint64_t> versions_;
};

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_L1_STORE_H_
