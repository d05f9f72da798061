#include "cache/l1_store.h"

#include <algorithm>
#include <mutex>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace querygate::cache {
namespace {

// Charged per entry on top of its key and payload: the slot, the index entry, allocations.
constexpr int64_t kEntryOverhead = 160;

// A count-min sketch of 4-bit-ish saturating counters (bytes capped at 15), halved after
// `10 * width` increments so that old popularity fades (TinyLFU's reset).
class FrequencySketch {
 public:
  explicit FrequencySketch(size_t width) : width_(width), counters_(4 * width, 0) {}

  void Increment(uint64_t hash) {
    for (int row = 0; row < 4; ++row) {
      uint8_t& c = counters_[Index(hash, row)];
      if (c < 15) ++c;
    }
    if (++additions_ >= 10 * width_) {
      for (uint8_t& c : counters_) c >>= 1;
      additions_ = 0;
    }
  }

  int Estimate(uint64_t hash) const {
    int out = 15;
    for (int row = 0; row < 4; ++row) out = std::min<int>(out, counters_[Index(hash, row)]);
    return out;
  }

 private:
  size_t Index(uint64_t hash, int row) const {
    static constexpr uint64_t kSeeds[4] = {0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull,
                                           0x94d049bb133111ebull, 0xd6e8feb86659fd93ull};
    uint64_t h = (hash ^ kSeeds[row]) * 0x2545f4914f6cdd1dull;
    return row * width_ + ((h >> 32) & (width_ - 1));
  }

  const size_t width_;
  std::vector<uint8_t> counters_;
  size_t additions_ = 0;
};

size_t NextPowerOfTwo(size_t n) {
  size_t out = 1;
  while (out < n) out <<= 1;
  return out;
}

}  // namespace

struct L1Store::Shard {
  struct Slot {
    std::string key;
    uint64_t hash = 0;
    uint64_t version = 0;
    int64_t bytes = 0;
    bool referenced = false;
    L1Found entry;
  };

  explicit Shard(int64_t budget_bytes)
      : budget(budget_bytes),
        sketch(NextPowerOfTwo(std::clamp<size_t>(budget_bytes / 64, 1024, 1 << 20))) {}

  void Remove(uint32_t at) {
    Slot& slot = *slots[at];
    index.erase(absl::string_view(slot.key));
    bytes -= slot.bytes;
    slots[at].reset();
    free.push_back(at);
  }

  // The next entry CLOCK would evict (clearing reference bits on the way), or -1 when empty.
  int64_t NextVictim() {
    if (index.empty()) return -1;
    for (size_t step = 0; step < 2 * slots.size() + 1; ++step) {
      hand = (hand + 1) % slots.size();
      Slot* slot = slots[hand].get();
      if (slot == nullptr) continue;
      if (!slot->referenced) return static_cast<int64_t>(hand);
      slot->referenced = false;
    }
    return -1;
  }

  std::mutex mu;
  const int64_t budget;
  int64_t bytes = 0;
  int64_t evictions = 0;
  int64_t rejections = 0;
  absl::flat_hash_map<absl::string_view, uint32_t> index;  // views into slots' keys
  std::vector<std::unique_ptr<Slot>> slots;
  std::vector<uint32_t> free;
  size_t hand = 0;
  FrequencySketch sketch;
};

L1Store::L1Store(L1Options options) : options_(options) {
  int shards = std::max(1, options_.shards);
  for (int i = 0; i < shards; ++i) {
    shards_.push_back(
        std::make_unique<Shard>(std::max<int64_t>(0, options_.budget_bytes) / shards));
  }
}

L1Store::~L1Store() = default;

L1Store::Shard& L1Store::ShardFor(const std::string& key, uint64_t& hash) const {
  hash = absl::HashOf(key);
  return *shards_[(hash >> 48) % shards_.size()];
}

bool L1Store::Current(uint64_t version, const std::vector<std::string>& dependencies) const {
  if (version < floor_.load(std::memory_order_acquire)) return false;
  if (version >= last_invalidation_.load(std::memory_order_acquire)) return true;
  std::shared_lock<std::shared_mutex> lock(versions_mu_);
  for (const std::string& d : dependencies) {
    auto it = versions_.find(d);
    if (it != versions_.end() && it->second > version) return false;
  }
  return true;
}

std::optional<L1Found> L1Store::Get(const std::string& key,
                                    const std::vector<std::string>& dependencies, int64_t now_ms) {
  uint64_t hash = 0;
  Shard& shard = ShardFor(key, hash);
  std::lock_guard<std::mutex> lock(shard.mu);
  shard.sketch.Increment(hash);
  auto it = shard.index.find(absl::string_view(key));
  if (it == shard.index.end()) return std::nullopt;
  Shard::Slot& slot = *shard.slots[it->second];
  const L1Found& e = slot.entry;
  if (!Current(slot.version, dependencies) || now_ms >= e.filled_at_ms + e.ttl_ms + e.stale_ms) {
    shard.Remove(it->second);
    return std::nullopt;
  }
  slot.referenced = true;
  return e;
}

bool L1Store::Put(const std::string& key, uint64_t version, L1Found entry) {
  int64_t bytes = kEntryOverhead + static_cast<int64_t>(key.size() + entry.payload.size());
  uint64_t hash = 0;
  Shard& shard = ShardFor(key, hash);
  if (bytes > shard.budget / 4 || version < floor_.load(std::memory_order_acquire)) return false;
  std::lock_guard<std::mutex> lock(shard.mu);
  auto existing = shard.index.find(absl::string_view(key));
  if (existing != shard.index.end()) shard.Remove(existing->second);
  while (shard.bytes + bytes > shard.budget) {
    int64_t victim = shard.NextVictim();
    if (victim < 0) return false;
    Shard::Slot& v = *shard.slots[victim];
    bool dead = v.version < floor_.load(std::memory_order_acquire);
    if (!dead && shard.sketch.Estimate(hash) <= shard.sketch.Estimate(v.hash)) {
      ++shard.rejections;
      return false;
    }
    shard.Remove(static_cast<uint32_t>(victim));
    ++shard.evictions;
  }
  auto slot = std::make_unique<Shard::Slot>();
  slot->key = key;
  slot->hash = hash;
  slot->version = version;
  slot->bytes = bytes;
  slot->entry = std::move(entry);
  uint32_t at;
  if (!shard.free.empty()) {
    at = shard.free.back();
    shard.free.pop_back();
    shard.slots[at] = std::move(slot);
  } else {
    at = static_cast<uint32_t>(shard.slots.size());
    shard.slots.push_back(std::move(slot));
  }
  shard.index.emplace(absl::string_view(shard.slots[at]->key), at);
  shard.bytes += bytes;
  return true;
}

void L1Store::Erase(const std::string& key) {
  uint64_t hash = 0;
  Shard& shard = ShardFor(key, hash);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.index.find(absl::string_view(key));
  if (it != shard.index.end()) shard.Remove(it->second);
}

void L1Store::Invalidate(const std::vector<std::string>& dependencies) {
  std::unique_lock<std::shared_mutex> lock(versions_mu_);
  uint64_t version = counter_.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (versions_.size() + dependencies.size() > options_.max_tracked_dependencies) {
    versions_.clear();
    floor_.store(version, std::memory_order_release);
    return;
  }
  for (const std::string& d : dependencies) versions_[d] = version;
  last_invalidation_.store(version, std::memory_order_release);
}

void L1Store::InvalidateAll() {
  uint64_t version = counter_.fetch_add(1, std::memory_order_acq_rel) + 1;
  floor_.store(version, std::memory_order_release);
}

L1Figures L1Store::Figures() const {
  L1Figures out;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    out.bytes += shard->bytes;
    out.entries += static_cast<int64_t>(shard->index.size());
    out.evictions += shard->evictions;
    out.rejections += shard->rejections;
  }
  return out;
}

}  // namespace querygate::cache
