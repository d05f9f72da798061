#ifndef QUERYGATE_OPS_STATUS_SAMPLE_H_
#define QUERYGATE_OPS_STATUS_SAMPLE_H_

// The figures behind the status page and `querygate top`: one reading of the server's
// cumulative counters, histograms and gauges, taken when /status.json is asked for.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace querygate::ops {

// A histogram's cumulative state: counts[i] observations fell in (bounds[i-1], bounds[i]]
// (seconds), and counts.back() above the last bound (counts has bounds.size() + 1 entries).
struct BucketCounts {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;
  double sum = 0;

  uint64_t Total() const;
};

// Cache lookups of one named query or model, since the server started.
struct NameLookups {
  std::string name;
  int64_t hits = 0;        // from either tier
  int64_t local_hits = 0;  // from the in-process tier
  int64_t stale = 0;
  int64_t misses = 0;
  int64_t bypasses = 0;

  // hits + stale + misses + bypasses: every read of this name.
  int64_t Lookups() const { return hits + stale + misses + bypasses; }
};

struct FeedFigures {
  std::string name;
  bool up = false;
  // Since the feed's last event; nullopt before its first.
  std::optional<double> seconds_since_event;
};

struct StatusSample {
  absl::Time at = absl::UnixEpoch();
  double uptime_seconds = 0;
  std::string version;
  int64_t calls = 0;        // gRPC calls finished, any status
  int64_t call_errors = 0;  // those that did not end OK
  BucketCounts call_latency;
  BucketCounts invalidation_lag;
  std::vector<NameLookups> queries;
  std::vector<NameLookups> models;
  int64_t pool_active = 0;
  int64_t pool_idle = 0;
  int64_t pool_waiting = 0;
  int64_t pool_max = 0;
  // nullopt when the server does not report it.
  std::optional<bool> database_healthy;
  std::optional<bool> redis_healthy;
  std::optional<bool> cache_trusted;
  std::vector<FeedFigures> feeds;
  std::string warm_status;  // "running", "done", "none" (no warm sets)
  int64_t warm_done = 0;    // parameter sets of the startup warm
  int64_t warm_failed = 0;
  int64_t warm_total = 0;
};

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_STATUS_SAMPLE_H_
