#include "ops/status_json.h"

#include <algorithm>
#include <map>
#include <vector>

#include "nlohmann/json.hpp"
#include "ops/status_window.h"

namespace querygate::ops {
namespace {

using nlohmann::json;

json Ratio(int64_t part, int64_t whole) {
  if (whole <= 0) return nullptr;
  return static_cast<double>(part) / static_cast<double>(whole);
}

json Flag(const std::optional<bool>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

json Quantile(const BucketCounts& counts, double q) {
  std::optional<double> value = BucketQuantile(counts, q);
  return value.has_value() ? json(*value) : json(nullptr);
}

struct TierCounts {
  int64_t lookups = 0;
  int64_t hits = 0;
  int64_t local_hits = 0;

  json Ratios() const {
    return {{"local", Ratio(local_hits, lookups)},
            {"shared", Ratio(hits - local_hits, lookups - local_hits)},
            {"overall", Ratio(hits, lookups)}};
  }
};

TierCounts operator-(const TierCounts& a, const TierCounts& b) {
  return {a.lookups - b.lookups, a.hits - b.hits, a.local_hits - b.local_hits};
}

TierCounts Tiers(const NameLookups& n) { return {n.Lookups(), n.hits, n.local_hits}; }

TierCounts SumTiers(const StatusSample& s) {
  TierCounts sum;
  for (const auto* names : {&s.queries, &s.models}) {
    for (const NameLookups& n : *names) {
      TierCounts t = Tiers(n);
      sum.lookups += t.lookups;
      sum.hits += t.hits;
      sum.local_hits += t.local_hits;
    }
  }
  return sum;
}

// The busiest `top` names, by lookups in the window, then since start.
json TopNames(const std::vector<NameLookups>& current, const std::vector<NameLookups>* earlier,
              double window_seconds, int top) {
  std::map<std::string, const NameLookups*> before;
  if (earlier != nullptr) {
    for (const NameLookups& n : *earlier) before[n.name] = &n;
  }
  struct Row {
    const NameLookups* figures;
    TierCounts window;
  };
  std::vector<Row> rows;
  for (const NameLookups& n : current) {
    if (n.Lookups() == 0) continue;
    TierCounts window = Tiers(n);
    if (auto it = before.find(n.name); it != before.end()) window = window - Tiers(*it->second);
    rows.push_back({&n, window});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.window.lookups != b.window.lookups) return a.window.lookups > b.window.lookups;
    if (a.figures->Lookups() != b.figures->Lookups()) {
      return a.figures->Lookups() > b.figures->Lookups();
    }
    return a.figures->name < b.figures->name;
  });
  if (rows.size() > static_cast<size_t>(std::max(top, 0))) rows.resize(std::max(top, 0));
  json out = json::array();
  for (const Row& row : rows) {
    const NameLookups& n = *row.figures;
    out.push_back(
        {{"name", n.name},
         {"calls", n.Lookups()},
         {"calls_per_second", window_seconds > 0 ? row.window.lookups / window_seconds : 0.0},
         {"hits", n.hits},
         {"local_hits", n.local_hits},
         {"stale", n.stale},
         {"misses", n.misses},
         {"bypasses", n.bypasses},
         {"hit_ratio", Tiers(n).Ratios()}});
  }
  return out;
}

}  // namespace

std::string StatusJson(const StatusSample& current, const std::optional<StatusSample>& baseline,
                       int top) {
  StatusSample start;
  start.at = current.at - absl::Seconds(current.uptime_seconds);
  const StatusSample& earlier = baseline.has_value() ? *baseline : start;
  double window = std::max(absl::ToDoubleSeconds(current.at - earlier.at), 0.0);
  auto per_second = [window](int64_t delta) {
    return window > 0 ? static_cast<double>(delta) / window : 0.0;
  };

  BucketCounts latency = SubtractBuckets(current.call_latency, earlier.call_latency);
  BucketCounts lag = SubtractBuckets(current.invalidation_lag, earlier.invalidation_lag);
  TierCounts total = SumTiers(current);
  TierCounts in_window = total - SumTiers(earlier);

  json feeds = json::array();
  for (const FeedFigures& f : current.feeds) {
    feeds.push_back(
        {{"name", f.name},
         {"up", f.up},
         {"seconds_since_event",
          f.seconds_since_event.has_value() ? json(*f.seconds_since_event) : json(nullptr)}});
  }
  const std::vector<NameLookups>* earlier_queries = baseline ? &baseline->queries : nullptr;
  const std::vector<NameLookups>* earlier_models = baseline ? &baseline->models : nullptr;
  json doc = {
      {"version", current.version},
      {"time", absl::FormatTime(absl::RFC3339_sec, current.at, absl::UTCTimeZone())},
      {"uptime_seconds", current.uptime_seconds},
      {"window_seconds", window},
      {"calls",
       {{"total", current.calls},
        {"errors_total", current.call_errors},
        {"per_second", per_second(current.calls - earlier.calls)},
        {"errors_per_second", per_second(current.call_errors - earlier.call_errors)}}},
      {"latency_seconds",
       {{"p50", Quantile(latency, 0.5)},
        {"p99", Quantile(latency, 0.99)},
        {"count", latency.Total()}}},
      {"cache",
       {{"lookups_total", total.lookups},
        {"lookups_per_second", per_second(in_window.lookups)},
        {"hit_ratio", in_window.Ratios()},
        {"hit_ratio_total", total.Ratios()}}},
      {"invalidation_lag_seconds",
       {{"p50", Quantile(lag, 0.5)}, {"p99", Quantile(lag, 0.99)}, {"count", lag.Total()}}},
      {"pool",
       {{"active", current.pool_active},
        {"idle", current.pool_idle},
        {"waiting", current.pool_waiting},
        {"max", current.pool_max},
        {"usage", current.pool_max > 0 ? json(static_cast<double>(current.pool_active) /
                                              static_cast<double>(current.pool_max))
                                       : json(nullptr)}}},
      {"backends",
       {{"database_healthy", Flag(current.database_healthy)},
        {"redis_healthy", Flag(current.redis_healthy)},
        {"cache_trusted", Flag(current.cache_trusted)}}},
      {"feeds", feeds},
      {"warm",
       {{"status", current.warm_status},
        {"done", current.warm_done},
        {"failed", current.warm_failed},
        {"total", current.warm_total}}},
      {"queries", TopNames(current.queries, earlier_queries, window, top)},
      {"models", TopNames(current.models, earlier_models, window, top)},
  };
  return doc.dump();
}

}  // namespace querygate::ops
