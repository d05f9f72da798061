#include "service/cached_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/call_trace.h"
#include "service/result_codec.h"

namespace querygate::service {
namespace {

CacheTier TierOf(const cache::CacheLookup& lookup) {
  return lookup.tier == cache::Tier::kLocal ? CacheTier::kLocal : CacheTier::kShared;
}

// True when a failed load may be answered from a stale entry (stale-if-error): the database
// or the pool could not serve it, not the caller's input.
bool BackendFailure(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kResourceExhausted;
}

}  // namespace

absl::StatusOr<SharedResult> CachedReader::LoadAndFill(const CachedRead& read,
                                                       const cache::Generations& generations,
                                                       uint64_t local_version,
                                                       const ResultLoader& load, bool& filled,
                                                       std::optional<std::string>& encoded) {
  QG_ASSIGN_OR_RETURN(SharedResult result, load());
  cache::Generations stamp = generations;
  if (!stale_fill_guard_) {
    auto after = cache_->CurrentGenerations(read.dependencies);
    if (!after.ok()) return result;
    stamp = *after;
  }
  encoded = codec_->Encode(*result);
  cache::FillSpec spec;
  spec.ttl = read.ttl;
  spec.stale_for = std::max(read.stale_while_revalidate, read.stale_if_error);
  spec.local = read.local;
  spec.local_version = stale_fill_guard_ ? local_version : 0;
  filled = cache_->Fill(read.key, *encoded, stamp, spec).ok();
  return result;
}

std::string CachedReader::Key(CacheKeyInput input) const {
  input.format = std::string(codec_->format());
  return cache_->Key(CacheKeySuffix(input));
}

void CachedReader::TryHit(const CachedRead& read,
                          std::function<void(std::optional<CachedResult>)> done) {
  if (read.mode != CacheMode::kDefault) {
    done(std::nullopt);
    return;
  }
  cache_->LookupAsync(
      read.key, read.dependencies, [done = std::move(done)](cache::CacheLookup lookup) {
        if (lookup.outcome != cache::CacheLookup::Outcome::kHit) {
          done(std::nullopt);
          return;
        }
        done(CachedResult{nullptr,
                          {CacheStatus::kHit, lookup.age_ms, lookup.ttl_ms, TierOf(lookup)},
                          false,
                          std::move(lookup.payload)});
      });
}

void CachedReader::Revalidate(const CachedRead& read, ResultLoader refresh) {
  if (refresher_ == nullptr || !refresh) return;
  refresher_->Submit(read.key, [this, read, refresh = std::move(refresh)] {
    cache::CacheLookup lookup = cache_->Lookup(read.key, read.dependencies);
    if (lookup.outcome == cache::CacheLookup::Outcome::kHit ||
        lookup.outcome == cache::CacheLookup::Outcome::kUnavailable) {
      return;
    }
    cache::Generations generations = std::move(lookup.generations);
    if (generations.empty()) {
      auto current = cache_->CurrentGenerations(read.dependencies);
      if (!current.ok()) return;
      generations = *std::move(current);
    }
    bool filled = false;
    std::optional<std::string> encoded;
    (void)LoadAndFill(read, generations, lookup.local_version, refresh, filled, encoded);
  });
}

absl::StatusOr<CachedResult> CachedReader::Read(const CachedRead& read, const CallContext& ctx,
                                                const ResultLoader& load, ResultLoader refresh) {
  auto bypass = [&]() -> absl::StatusOr<CachedResult> {
    QG_ASSIGN_OR_RETURN(SharedResult result, load());
    return CachedResult{std::move(result), {CacheStatus::kBypass, 0, 0}, false, std::nullopt};
  };
  if (read.mode == CacheMode::kBypass) return bypass();
  cache::Generations generations;
  uint64_t local_version = 0;
  std::optional<CachedResult> stale;  // servable if the load fails (stale-if-error)
  if (read.mode != CacheMode::kRefresh) {
    cache::CacheLookup lookup = [&] {
      StepTimer redis(ctx.trace.get(), &CallTrace::redis_ns);
      return cache_->Lookup(read.key, read.dependencies);
    }();
    using Outcome = cache::CacheLookup::Outcome;
    if (lookup.outcome == Outcome::kHit || lookup.outcome == Outcome::kStale) {
      auto decoded = codec_->Decode(lookup.payload);
      if (decoded.ok()) {
        bool hit = lookup.outcome == Outcome::kHit;
        CachedResult found{std::make_shared<const QueryResult>(*std::move(decoded)),
                           {hit ? CacheStatus::kHit : CacheStatus::kStale, lookup.age_ms,
                            hit ? lookup.ttl_ms : 0, TierOf(lookup)},
                           false,
                           std::move(lookup.payload)};
        if (hit) return found;
        absl::Duration expired = absl::Milliseconds(lookup.expired_ms);
        if (refresher_ != nullptr && refresh && expired < read.stale_while_revalidate &&
            read.mode == CacheMode::kDefault) {
          Revalidate(read, std::move(refresh));
          return found;
        }
        if (expired < read.stale_if_error) stale = std::move(found);
      }
      lookup.outcome = Outcome::kMiss;
    }
    if (lookup.outcome == Outcome::kUnavailable) {
      if (read.mode == CacheMode::kOnlyCached) {
        return absl::UnavailableError("the cache is unavailable");
      }
      return bypass();
    }
    if (read.mode == CacheMode::kOnlyCached) {
      return absl::NotFoundError("no cached result for this request");
    }
    generations = std::move(lookup.generations);
    local_version = lookup.local_version;
  }
  if (stale_fill_guard_ && generations.empty()) {
    auto current = cache_->CurrentGenerations(read.dependencies);
    if (!current.ok()) return bypass();
    generations = *std::move(current);
  }
  std::string flight = absl::StrCat(read.key, "@", absl::StrJoin(generations, "."));
  bool leader = false;
  bool filled = false;
  std::optional<std::string> encoded;
  auto run = [&] { return LoadAndFill(read, generations, local_version, load, filled, encoded); };
  absl::StatusOr<SharedResult> result = flights_.Do(flight, ctx.deadline, run, &leader);
  if (!result.ok() && !leader &&
      (result.status().code() == absl::StatusCode::kDeadlineExceeded ||
       result.status().code() == absl::StatusCode::kCancelled) &&
      absl::Now() < ctx.deadline && !(ctx.cancelled && ctx.cancelled())) {
    result = run();
  }
  if (!result.ok()) {
    if (stale && BackendFailure(result.status())) return *std::move(stale);
    return result.status();
  }
  CachedResult out{*std::move(result),
                   {CacheStatus::kMiss, 0, absl::ToInt64Milliseconds(read.ttl)},
                   filled,
                   std::move(encoded)};
  out.coalesced = !leader;
  return out;
}

}  // namespace querygate::service
