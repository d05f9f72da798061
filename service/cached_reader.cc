#include "service/cached_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/result_codec.h"

namespace querygate::service {

absl::StatusOr<SharedResult> CachedReader::LoadAndFill(
    const CachedRead& read, const cache::Generations& generations,
    const std::function<absl::StatusOr<SharedResult>()>& load, bool& filled) {
  QG_ASSIGN_OR_RETURN(SharedResult result, load());
  cache::Generations stamp = generations;
  if (!stale_fill_guard_) {
    auto after = cache_->CurrentGenerations(read.dependencies);
    if (!after.ok()) return result;
    stamp = *after;
  }
  filled = cache_->Fill(read.key, EncodeResult(*result), stamp, read.ttl).ok();
  return result;
}

std::optional<CachedResult> CachedReader::TryHit(const CachedRead& read) {
  if (read.mode != CacheMode::kDefault) return std::nullopt;
  cache::CacheLookup lookup = cache_->Lookup(read.key, read.dependencies);
  if (lookup.outcome != cache::CacheLookup::Outcome::kHit) return std::nullopt;
  auto decoded = DecodeResult(lookup.payload);
  if (!decoded.ok()) return std::nullopt;
  return CachedResult{std::make_shared<const QueryResult>(*std::move(decoded)),
                      {CacheStatus::kHit, lookup.age_ms, lookup.ttl_ms},
                      false};
}

absl::StatusOr<CachedResult> CachedReader::Read(
    const CachedRead& read, const CallContext& ctx,
    const std::function<absl::StatusOr<SharedResult>()>& load) {
  auto bypass = [&]() -> absl::StatusOr<CachedResult> {
    QG_ASSIGN_OR_RETURN(SharedResult result, load());
    return CachedResult{std::move(result), {CacheStatus::kBypass, 0, 0}, false};
  };
  if (read.mode == CacheMode::kBypass) return bypass();
  cache::Generations generations;
  if (read.mode != CacheMode::kRefresh) {
    cache::CacheLookup lookup = cache_->Lookup(read.key, read.dependencies);
    if (lookup.outcome == cache::CacheLookup::Outcome::kHit) {
      auto decoded = DecodeResult(lookup.payload);
      if (decoded.ok()) {
        return CachedResult{std::make_shared<const QueryResult>(*std::move(decoded)),
                            {CacheStatus::kHit, lookup.age_ms, lookup.ttl_ms},
                            false};
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
  auto run = [&] { return LoadAndFill(read, generations, load, filled); };
  absl::StatusOr<SharedResult> result = flights_.Do(flight, ctx.deadline, run, &leader);
  if (!result.ok() && !leader &&
      (result.status().code() == absl::StatusCode::kDeadlineExceeded ||
       result.status().code() == absl::StatusCode::kCancelled) &&
      absl::Now() < ctx.deadline && !(ctx.cancelled && ctx.cancelled())) {
    result = run();
  }
  if (!result.ok()) return result.status();
  return CachedResult{
      *std::move(result), {CacheStatus::kMiss, 0, absl::ToInt64Milliseconds(read.ttl)}, filled};
}

}  // namespace querygate::service
