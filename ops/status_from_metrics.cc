#include "ops/status_from_metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace querygate::ops {
namespace {

// Cumulative bucket counts keyed by their upper bound (+Inf included), summed over series.
using Cumulative = std::map<double, double>;

BucketCounts FromCumulative(const Cumulative& cumulative) {
  BucketCounts out;
  double below = 0;
  for (const auto& [bound, count] : cumulative) {
    if (std::isfinite(bound)) out.bounds.push_back(bound);
    out.counts.push_back(static_cast<uint64_t>(std::llround(std::max(count - below, 0.0))));
    below = std::max(below, count);
  }
  if (!cumulative.empty() && std::isfinite(cumulative.rbegin()->first)) out.counts.push_back(0);
  return out;
}

bool AddBucket(const PromSample& s, Cumulative& into) {
  double le = 0;
  std::string text = s.Label("le");
  if (text == "+Inf") {
    le = INFINITY;
  } else if (!absl::SimpleAtod(text, &le)) {
    return false;
  }
  into[le] += s.value;
  return true;
}

int64_t Int(double v) { return std::isfinite(v) ? static_cast<int64_t>(std::llround(v)) : 0; }

NameLookups& Lookups(std::map<std::string, NameLookups>& names, const std::string& name) {
  NameLookups& n = names[name];
  n.name = name;
  return n;
}

}  // namespace

StatusSample StatusFromMetrics(const std::vector<PromSample>& samples, absl::Time now) {
  StatusSample out;
  out.at = now;
  Cumulative latency, lag;
  std::map<std::string, NameLookups> queries, models;
  std::map<std::string, FeedFigures> feeds;
  bool pool_reported = false;
  bool warm_reported_running = false;
  bool warm_finished = true;
  for (const PromSample& s : samples) {
    const std::string& n = s.name;
    if (n == "querygate_calls_total") {
      if (absl::StartsWith(s.Label("service"), "grpc.")) continue;
      out.calls += Int(s.value);
      if (s.Label("code") != "OK") out.call_errors += Int(s.value);
    } else if (n == "querygate_call_duration_seconds_bucket") {
      if (absl::StartsWith(s.Label("service"), "grpc.")) continue;
      AddBucket(s, latency);
    } else if (n == "querygate_invalidation_lag_seconds_bucket") {
      AddBucket(s, lag);
    } else if (n == "querygate_cache_lookups_total") {
      std::string kind = s.Label("kind");
      if (kind != "query" && kind != "model") continue;
      NameLookups& l = Lookups(kind == "query" ? queries : models, s.Label("name"));
      std::string outcome = s.Label("outcome");
      int64_t v = Int(s.value);
      if (outcome == "hit") {
        l.hits += v;
        if (s.Label("tier") == "local") l.local_hits += v;
      } else if (outcome == "miss") {
        l.misses += v;
      } else if (outcome == "bypass") {
        l.bypasses += v;
      } else if (outcome == "stale") {
        l.stale += v;
      }
    } else if (n == "querygate_pool_connections") {
      pool_reported = true;
      if (s.Label("state") == "active") out.pool_active = Int(s.value);
      if (s.Label("state") == "idle") out.pool_idle = Int(s.value);
    } else if (n == "querygate_pool_max_connections") {
      out.pool_max = Int(s.value);
    } else if (n == "querygate_pool_waiting") {
      out.pool_waiting = Int(s.value);
    } else if (n == "querygate_redis_up") {
      out.redis_healthy = s.value > 0;
    } else if (n == "querygate_database_up") {
      out.database_healthy = s.value > 0;
    } else if (n == "querygate_cache_trusted") {
      out.cache_trusted = s.value > 0;
    } else if (n == "querygate_feed_up") {
      FeedFigures& f = feeds[s.Label("feed")];
      f.name = s.Label("feed");
      f.up = s.value > 0;
    } else if (n == "querygate_feed_last_event_age_seconds") {
      FeedFigures& f = feeds[s.Label("feed")];
      f.name = s.Label("feed");
      f.seconds_since_event = s.value;
    } else if (n == "querygate_warm_param_sets") {
      if (s.Label("state") == "total") out.warm_total = Int(s.value);
      if (s.Label("state") == "done") out.warm_done = Int(s.value);
      if (s.Label("state") == "failed") out.warm_failed = Int(s.value);
    } else if (n == "querygate_warm_finished") {
      warm_finished = s.value > 0;
    } else if (n == "querygate_warm_running") {
      warm_reported_running = s.value > 0;
    } else if (n == "querygate_build_info") {
      out.version = s.Label("version");
    } else if (n == "querygate_start_time_seconds") {
      out.uptime_seconds =
          std::max(absl::ToDoubleSeconds(now - absl::FromUnixMicros(Int(s.value * 1e6))), 0.0);
    }
  }
  // Without a database health gauge, the pool's test (as /readyz): any open connection.
  if (!out.database_healthy.has_value() && pool_reported) {
    out.database_healthy = out.pool_active + out.pool_idle > 0;
  }
  out.call_latency = FromCumulative(latency);
  out.invalidation_lag = FromCumulative(lag);
  for (auto& [name, l] : queries) out.queries.push_back(std::move(l));
  for (auto& [name, l] : models) out.models.push_back(std::move(l));
  for (auto& [name, f] : feeds) out.feeds.push_back(std::move(f));
  if (warm_reported_running || !warm_finished) {
    out.warm_status = "running";
  } else {
    out.warm_status = out.warm_total > 0 ? "done" : "none";
  }
  return out;
}

}  // namespace querygate::ops
