#include "cache/tiered_cache.h"

namespace querygate::cache {

std::optional<CacheLookup> TieredCache::LocalLookup(const std::string& key,
                                                    const std::vector<std::string>& dependencies) {
  if (local_ == nullptr || !coherence_->Serving()) return std::nullopt;
  int64_t now_ms = absl::ToUnixMillis(absl::Now());
  // Taken first, so that a reload after a stale answer (revalidation, stale-if-error) is kept.
  uint64_t version = local_->Capture();
  std::optional<L1Found> found = local_->Get(key, dependencies, now_ms);
  if (!found) return std::nullopt;
  CacheLookup out;
  out.local_version = version;
  int64_t age = std::max<int64_t>(0, now_ms - found->filled_at_ms);
  bool fresh = age < found->ttl_ms;
  out.outcome = fresh ? CacheLookup::Outcome::kHit : CacheLookup::Outcome::kStale;
  out.age_ms = age;
  out.ttl_ms = fresh ? found->ttl_ms - age : found->ttl_ms + found->stale_ms - age;
  out.expired_ms = fresh ? 0 : age - found->ttl_ms;
  out.tier = Tier::kLocal;
  out.local_allowed = true;
  out.payload = std::move(found->payload);
  return out;
}

void TieredCache::Keep(const std::string& key, const CacheLookup& lookup) {
  if (local_ == nullptr || lookup.local_version == 0 || !lookup.local_allowed) return;
  if (lookup.outcome != CacheLookup::Outcome::kHit &&
      lookup.outcome != CacheLookup::Outcome::kStale) {
    return;
  }
  if (!coherence_->Serving()) return;
  L1Found entry;
  entry.payload = lookup.payload;
  int64_t now_ms = absl::ToUnixMillis(absl::Now());
  entry.filled_at_ms = now_ms - lookup.age_ms;
  if (lookup.outcome == CacheLookup::Outcome::kHit) {
    entry.ttl_ms = lookup.age_ms + lookup.ttl_ms;
    entry.stale_ms = 0;  // unknown here; the shared tier still answers for the stale window
  } else {
    entry.ttl_ms = lookup.age_ms - lookup.expired_ms;
    entry.stale_ms = lookup.expired_ms + lookup.ttl_ms;
  }
  local_->Put(key, lookup.local_version, std::move(entry));
}

CacheLookup TieredCache::Lookup(const std::string& key,
                                const std::vector<std::string>& dependencies) {
  if (auto local = LocalLookup(key, dependencies)) return *std::move(local);
  uint64_t version = local_ == nullptr ? 0 : local_->Capture();
  CacheLookup lookup = shared_->Lookup(key, dependencies);
  lookup.local_version = version;
  Keep(key, lookup);
  return lookup;
}

void TieredCache::LookupAsync(const std::string& key, const std::vector<std::string>& dependencies,
                              std::function<void(CacheLookup)> done) {
  if (local_ == nullptr) {
    shared_->LookupAsync(key, dependencies, std::move(done));
    return;
  }
  if (auto local = LocalLookup(key, dependencies)) {
    done(*std::move(local));
    return;
  }
  uint64_t version = local_ == nullptr ? 0 : local_->Capture();
  shared_->LookupAsync(key, dependencies,
                       [this, key, version, done = std::move(done)](CacheLookup lookup) {
                         lookup.local_version = version;
                         Keep(key, lookup);
                         done(std::move(lookup));
                       });
}

absl::Status TieredCache::Fill(const std::string& key, const std::string& payload,
                               const Generations& generations, const FillSpec& spec) {
  absl::Status status = shared_->Fill(key, payload, generations, spec);
  if (local_ == nullptr) return status;
  if (!status.ok() || !spec.local || spec.local_version == 0 || !coherence_->Serving()) {
    // A fill the local tier cannot take (a REFRESH read no version) must not leave an older
    // local entry in front of the new shared one.
    local_->Erase(key);
    return status;
  }
  L1Found entry;
  entry.payload = payload;
  entry.filled_at_ms = absl::ToUnixMillis(absl::Now());
  entry.ttl_ms = absl::ToInt64Milliseconds(spec.ttl);
  entry.stale_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(spec.stale_for));
  local_->Put(key, spec.local_version, std::move(entry));
  return status;
}

absl::Status TieredCache::Invalidate(const std::vector<std::string>& dependencies) {
  absl::StatusOr<Announcement> announced = shared_->Announce(dependencies);
  if (!announced.ok()) return announced.status();
  coherence_->AwaitAcknowledged(*announced);
  return absl::OkStatus();
}

}  // namespace querygate::cache
