#ifndef QUERYGATE_OPS_METRICS_H_
#define QUERYGATE_OPS_METRICS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace querygate::ops {

// Cache figures of one named query or model, totals since start.
struct NameFigures {
  std::string kind;  // "query" or "model"
  std::string name;
  int64_t hits = 0;        // both tiers
  int64_t local_hits = 0;  // the in-process tier's share of hits
  int64_t stale = 0;
  int64_t misses = 0;
  int64_t bypasses = 0;
  int64_t fills = 0;
  int64_t coalesced = 0;  // misses that waited for another call's load
  int64_t invalidations_write = 0;
  int64_t invalidations_event = 0;
  int64_t invalidations_trigger = 0;
};

// Connection pool figures (db::PoolFigures); created and broken are totals since start.
struct PoolSnapshot {
  int64_t active = 0;
  int64_t idle = 0;
  int64_t connecting = 0;
  int64_t waiting = 0;
  int64_t created = 0;
  int64_t broken = 0;
  int64_t max = 0;
};

// Redis health; errors and timeouts are totals since start.
struct RedisSnapshot {
  bool healthy = true;
  int64_t consecutive_failures = 0;
  int64_t errors_total = 0;
  int64_t timeouts_total = 0;
  // The backoff period in force while failing; zero when healthy.
  absl::Duration backoff;
};

// The in-process cache tier; evictions is a total since start.
struct LocalTierFigures {
  int64_t bytes = 0;
  int64_t entries = 0;
  int64_t evictions = 0;
};

// Figures that already exist elsewhere, read at scrape time.
struct ScrapeSnapshot {
  std::vector<NameFigures> names;
  std::optional<PoolSnapshot> pool;
  std::optional<RedisSnapshot> redis;
  // Unset until the in-process tier reports its figures.
  std::optional<LocalTierFigures> l1;
  bool cache_trusted = false;
  bool warm_running = false;
  // The startup warm finished (or there is none).
  bool warm_finished = true;
};

// Labels of querygate_build_info.
struct BuildInfo {
  std::string version;
  std::string build_type;
  std::string compiler;
};

// The server's Prometheus metrics: counters and histograms fed by the server's parts as events
// happen, plus figures pulled from a snapshot source at scrape time. Every method is
// thread-safe. Label values come from bounded sets (methods, codes, query and model names,
// fixed sources and feeds); unknown sources and feeds are counted as "other".
class Metrics {
 public:
  explicit Metrics(BuildInfo build);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished gRPC call: `code` is a grpc::StatusCode as an int.
  void ObserveCall(std::string_view service, std::string_view method, int code,
                   absl::Duration elapsed);

  // One pool acquire that waited `waited`; `timed_out` when it ended for lack of a connection
  // (RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED).
  void ObservePoolAcquire(absl::Duration waited, bool timed_out);

  // One invalidation applied; `source` is write, event, trigger or operator.
  void CountInvalidation(std::string_view source);
  // The time from a database commit to its generation bump; a negative lag (clocks apart) is
  // counted as clock skew and observed as zero.
  void ObserveInvalidationLag(absl::Duration lag, std::string_view source);

  // Feed transitions and events; `feed` is "pubsub" or "database".
  void FeedUp(std::string_view feed);
  void FeedDown(std::string_view feed);
  void FeedEvent(std::string_view feed);
  // The feeds reported, and last reported down, sorted.
  std::vector<std::string> FeedsDown() const;

  // Startup warm progress: parameter sets in all, done and failed so far.
  void SetWarmProgress(int64_t total, int64_t done, int64_t failed);

  // The source of scrape-time figures; called on every Render.
  void SetSnapshotSource(std::function<ScrapeSnapshot()> source);

  // Every metric in the Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The content type of Metrics::Render's output.
inline constexpr char kPrometheusTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_METRICS_H_
