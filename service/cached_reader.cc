#include "service/cached_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/result_codec.h"

namespace querygate::service {

absl::StatusOr<SharedResult> CachedReader::LoadAndFill(
    const CachedRead& read, const cache::Generations& generations,
    const std::function<absl::StatusOr<SharedResult>()>& load, bool& filled,
    std::optional<std::string>& encoded) {
  QG_ASSIGN_OR_RETURN(SharedResult result, load());
  cache::Generations stamp = generations;
  if (!stale_fill_guard_) {
    auto after = cache_->CurrentGenerations(read.dependencies);
    if (!after.ok()) return result;
    stamp = *after;
  }
  encoded = codec_->Encode(*result);
  filled = cache_->Fill(read.key, *encoded, stamp, read.ttl).ok();
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
  cache_->LookupAsync(read.key, read.dependencies,
                      [done = std::move(done)](cache::CacheLookup lookup) {
                        if (lookup.outcome != cache::CacheLookup::Outcome::kHit) {
                          done(std::nullopt);
                          return;
                        }
                        done(CachedResult{nullptr,
                                          {CacheStatus::kHit, lookup.age_ms, lookup.ttl_ms},
                                          false,
                                          std::move(lookup.payload)});
                      });
}

absl::StatusOr<CachedResult> CachedReader::Read(
    const CachedRead& read, const CallContext& ctx,
    const std::function<absl::StatusOr<SharedResult>()>& load) {
  auto bypass = [&]() -> absl::StatusOr<CachedResult> {
    QG_ASSIGN_OR_RETURN(SharedResult result, load());
    return CachedResult{std::move(result), {CacheStatus::kBypass, 0, 0}, false, std::nullopt};
  };
  if (read.mode == CacheMode::kBypass) return bypass();
  cache::Generations generations;
  if (read.mode != CacheMode::kRefresh) {
    cache::CacheLookup lookup = cache_->Lookup(read.key, read.dependencies);
    if (lookup.outcome == cache::CacheLookup::Outcome::kHit) {
      auto decoded = codec_->Decode(lookup.payload);
      if (decoded.ok()) {
        return CachedResult{std::make_shared<const QueryResult>(*std::move(decoded)),
                            {CacheStatus::kHit, lookup.age_ms, lookup.ttl_ms},
                            false,
                            std::move(lookup.payload)};
      }
    }
    if (lookup.outcome == cache::CacheLookup::Outcome::kUnavailable) {
      if (read.mode == CacheMode::kOnlyCached) {
        return absl::UnavailableError("the cache is unavailable");
      }
      return bypass();
    }
    if (read.mode == CacheMode::kOnlyCached) {
      return absl::NotFoundError("no cached result for this request");
    }
    generations = std::move(lookup.generations);
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
  auto run = [&] { return LoadAndFill(read, generations, load, filled, encoded); };
  absl::StatusOr<SharedResult> result = flights_.Do(flight, ctx.deadline, run, &leader);
  if (!result.ok() && !leader &&
      (result.status().code() == absl::StatusCode::kDeadlineExceeded ||
       result.status().code() == absl::StatusCode::kCancelled) &&
      absl::Now() < ctx.deadline && !(ctx.cancelled && ctx.cancelled())) {
    result = run();
  }
  if (!result.ok()) return result.status();
  return CachedResult{*std::move(result),
                      {CacheStatus::kMiss, 0, absl::ToInt64Milliseconds(read.ttl)},
                      filled,
                      std::move(encoded)};
}

}  // namespace querygate::service
