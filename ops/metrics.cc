#include "ops/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace querygate::ops {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr std::array<const char*, 17> kCodeNames = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

std::string CodeName(int code) {
  if (code >= 0 && code < static_cast<int>(kCodeNames.size())) return kCodeNames[code];
  return absl::StrCat(code);
}

// `value` when it is one of `allowed`, else "other": keeps label sets bounded.
std::string OneOf(std::string_view value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return a;
  }
  return "other";
}

const std::vector<double> kCallBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
const std::vector<double> kAcquireBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
const std::vector<double> kLagBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                         0.25,   0.5,   1,      2.5,   5,    10,    30};

// One labelled child per key of a family, found under a reader lock; the labels (and the
// child) are built only the first time a key is seen.
template <typename T>
class Children {
 public:
  explicit Children(prometheus::Family<T>& family) : family_(family) {}

  template <typename MakeLabels, typename... Args>
  T& Get(const std::string& key, const MakeLabels& make_labels, Args&&... args) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = children_.find(key);
      if (it != children_.end()) return *it->second;
    }
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = children_.try_emplace(key, nullptr);
    if (inserted) it->second = &family_.Add(make_labels(), std::forward<Args>(args)...);
    return *it->second;
  }

 private:
  prometheus::Family<T>& family_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, T*> children_;
};

struct FeedState {
  bool up = false;
  int64_t events = 0;
  int64_t downs = 0;
  std::optional<absl::Time> last_event;
};

ClientMetric Labelled(std::vector<ClientMetric::Label> labels, double value, MetricType type) {
  ClientMetric m;
  m.label = std::move(labels);
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return m;
}

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void AppendNameFamilies(const std::vector<NameFigures>& names, std::vector<MetricFamily>& out) {
  MetricFamily lookups = Family("querygate_cache_lookups_total",
                                "Cache lookups by query or model, outcome, and for hits the tier "
                                "that answered (local: in-process, shared: Redis).",
                                MetricType::Counter);
  MetricFamily fills =
      Family("querygate_cache_fills_total", "Entries written to the cache after a database read.",
             MetricType::Counter);
  MetricFamily coalesced = Family("querygate_cache_coalesced_waiters_total",
                                  "Misses answered by another call's database read of the same "
                                  "entry (single flight) instead of their own.",
                                  MetricType::Counter);
  MetricFamily invalidated =
      Family("querygate_cache_invalidations_total",
             "Invalidations that reached a query or model, by source (operator requests count "
             "as event).",
             MetricType::Counter);
  for (const NameFigures& n : names) {
    auto labels = [&](std::vector<ClientMetric::Label> more) {
      std::vector<ClientMetric::Label> l = {{"kind", n.kind}, {"name", n.name}};
      l.insert(l.end(), more.begin(), more.end());
      return l;
    };
    const MetricType c = MetricType::Counter;
    lookups.metric.push_back(Labelled(labels({{"outcome", "hit"}, {"tier", "local"}}),
                                      static_cast<double>(n.local_hits), c));
    lookups.metric.push_back(Labelled(labels({{"outcome", "hit"}, {"tier", "shared"}}),
                                      static_cast<double>(n.hits - n.local_hits), c));
    lookups.metric.push_back(
        Labelled(labels({{"outcome", "miss"}, {"tier", ""}}), static_cast<double>(n.misses), c));
    lookups.metric.push_back(
        Labelled(labels({{"outcome", "stale"}, {"tier", ""}}), static_cast<double>(n.stale), c));
    lookups.metric.push_back(Labelled(labels({{"outcome", "bypass"}, {"tier", ""}}),
                                      static_cast<double>(n.bypasses), c));
    fills.metric.push_back(Labelled(labels({}), static_cast<double>(n.fills), c));
    coalesced.metric.push_back(Labelled(labels({}), static_cast<double>(n.coalesced), c));
    invalidated.metric.push_back(
        Labelled(labels({{"source", "write"}}), static_cast<double>(n.invalidations_write), c));
    invalidated.metric.push_back(
        Labelled(labels({{"source", "event"}}), static_cast<double>(n.invalidations_event), c));
    invalidated.metric.push_back(
        Labelled(labels({{"source", "trigger"}}), static_cast<double>(n.invalidations_trigger), c));
  }
  out.push_back(std::move(lookups));
  out.push_back(std::move(fills));
  out.push_back(std::move(coalesced));
  out.push_back(std::move(invalidated));
}

void AppendPool(const PoolSnapshot& pool, std::vector<MetricFamily>& out) {
  MetricFamily connections =
      Family("querygate_pool_connections", "PostgreSQL connections of the pool by state.",
             MetricType::Gauge);
  for (auto [state, value] : {std::pair{"active", pool.active}, std::pair{"idle", pool.idle},
                              std::pair{"connecting", pool.connecting}}) {
    connections.metric.push_back(
        Labelled({{"state", state}}, static_cast<double>(value), MetricType::Gauge));
  }
  out.push_back(std::move(connections));
  auto single = [&](const char* name, const char* help, MetricType type, int64_t value) {
    MetricFamily f = Family(name, help, type);
    f.metric.push_back(Labelled({}, static_cast<double>(value), type));
    out.push_back(std::move(f));
  };
  single("querygate_pool_max_connections", "The pool's connection limit.", MetricType::Gauge,
         pool.max);
  single("querygate_pool_waiting", "Callers waiting for a free connection.", MetricType::Gauge,
         pool.waiting);
  single("querygate_pool_connections_created_total", "Connections the pool opened.",
         MetricType::Counter, pool.created);
  single("querygate_pool_connections_broken_total",
         "Connections dropped because they broke while leased.", MetricType::Counter, pool.broken);
}

void AppendRedis(const RedisSnapshot& redis, std::vector<MetricFamily>& out) {
  auto single = [&](const char* name, const char* help, MetricType type, double value) {
    MetricFamily f = Family(name, help, type);
    f.metric.push_back(Labelled({}, value, type));
    out.push_back(std::move(f));
  };
  single("querygate_redis_up", "1 while Redis answers, 0 while it is failing (backing off).",
         MetricType::Gauge, redis.healthy ? 1 : 0);
  single("querygate_redis_consecutive_failures", "Redis failures since the last success.",
         MetricType::Gauge, static_cast<double>(redis.consecutive_failures));
  single("querygate_redis_errors_total",
         "Failed Redis commands and connection attempts (health probes included).",
         MetricType::Counter, static_cast<double>(redis.errors_total));
  single("querygate_redis_timeouts_total",
         "Redis failures that were timeouts (a subset of querygate_redis_errors_total).",
         MetricType::Counter, static_cast<double>(redis.timeouts_total));
  single("querygate_redis_backoff_seconds",
         "The backoff period in force while Redis fails (calls fail fast); 0 when healthy.",
         MetricType::Gauge, absl::ToDoubleSeconds(redis.backoff));
}

void AppendLocalTier(const LocalTierFigures& l1, std::vector<MetricFamily>& out) {
  auto single = [&](const char* name, const char* help, MetricType type, int64_t value) {
    MetricFamily f = Family(name, help, type);
    f.metric.push_back(Labelled({}, static_cast<double>(value), type));
    out.push_back(std::move(f));
  };
  single("querygate_cache_local_bytes", "Bytes held by the in-process cache tier.",
         MetricType::Gauge, l1.bytes);
  single("querygate_cache_local_entries", "Entries held by the in-process cache tier.",
         MetricType::Gauge, l1.entries);
  single("querygate_cache_local_evictions_total",
         "Entries the in-process cache tier evicted to stay within its size.", MetricType::Counter,
         l1.evictions);
}

}  // namespace

struct Metrics::Impl {
  explicit Impl(const BuildInfo& build)
      : registry(std::make_shared<prometheus::Registry>()),
        calls_family(prometheus::BuildCounter()
                         .Name("querygate_calls_total")
                         .Help("Finished gRPC calls by service, method and status code.")
                         .Register(*registry)),
        duration_family(prometheus::BuildHistogram()
                            .Name("querygate_call_duration_seconds")
                            .Help("Time from a call's arrival to its status, by method.")
                            .Register(*registry)),
        invalidations_family(prometheus::BuildCounter()
                                 .Name("querygate_invalidations_total")
                                 .Help("Invalidations applied, by source: write (through the "
                                       "service), event (pub/sub), trigger (database NOTIFY), "
                                       "operator (CacheService.Invalidate).")
                                 .Register(*registry)),
        lag_family(prometheus::BuildHistogram()
                       .Name("querygate_invalidation_lag_seconds")
                       .Help("Time from a database commit to its generation bump, by source.")
                       .Register(*registry)),
        skew_family(prometheus::BuildCounter()
                        .Name("querygate_invalidation_lag_clock_skew_total")
                        .Help("Lag observations that came out negative (the database's clock "
                              "ahead of querygate's), observed as 0.")
                        .Register(*registry)),
        acquire_family(prometheus::BuildHistogram()
                           .Name("querygate_pool_acquire_wait_seconds")
                           .Help("Time spent obtaining a pooled PostgreSQL connection (waiting "
                                 "for a free one, or opening a new one).")
                           .Register(*registry)),
        acquire_timeouts_family(prometheus::BuildCounter()
                                    .Name("querygate_pool_acquire_timeouts_total")
                                    .Help("Acquires that gave up without a connection "
                                          "(acquire timeout or the call's deadline).")
                                    .Register(*registry)),
        build_family(prometheus::BuildGauge()
                         .Name("querygate_build_info")
                         .Help("Always 1; the labels describe the running build.")
                         .Register(*registry)),
        start_family(prometheus::BuildGauge()
                         .Name("querygate_start_time_seconds")
                         .Help("Unix time the server started.")
                         .Register(*registry)),
        calls(calls_family),
        durations(duration_family),
        invalidations(invalidations_family),
        lags(lag_family),
        skews(skew_family),
        acquire(acquire_family.Add({}, kAcquireBuckets)),
        acquire_timeouts(acquire_timeouts_family.Add({})) {
    build_family
        .Add({{"version", build.version},
              {"build_type", build.build_type},
              {"compiler", build.compiler}})
        .Set(1);
    start_family.Add({}).Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  }

  std::vector<MetricFamily> SnapshotFamilies() const;

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& calls_family;
  prometheus::Family<prometheus::Histogram>& duration_family;
  prometheus::Family<prometheus::Counter>& invalidations_family;
  prometheus::Family<prometheus::Histogram>& lag_family;
  prometheus::Family<prometheus::Counter>& skew_family;
  prometheus::Family<prometheus::Histogram>& acquire_family;
  prometheus::Family<prometheus::Counter>& acquire_timeouts_family;
  prometheus::Family<prometheus::Gauge>& build_family;
  prometheus::Family<prometheus::Gauge>& start_family;
  Children<prometheus::Counter> calls;
  Children<prometheus::Histogram> durations;
  Children<prometheus::Counter> invalidations;
  Children<prometheus::Histogram> lags;
  Children<prometheus::Counter> skews;
  prometheus::Histogram& acquire;
  prometheus::Counter& acquire_timeouts;

  mutable std::mutex mu;
  std::map<std::string, FeedState> feeds;
  struct {
    int64_t total = 0, done = 0, failed = 0;
  } warm;
  std::function<ScrapeSnapshot()> source;
};

std::vector<MetricFamily> Metrics::Impl::SnapshotFamilies() const {
  std::vector<MetricFamily> out;
  std::function<ScrapeSnapshot()> snapshot_source;
  {
    std::lock_guard<std::mutex> lock(mu);
    snapshot_source = source;
    MetricFamily up =
        Family("querygate_feed_up",
               "1 while an invalidation feed is connected, 0 while it is down.", MetricType::Gauge);
    MetricFamily age = Family("querygate_feed_last_event_age_seconds",
                              "Seconds since a feed delivered its last event (absent before the "
                              "first).",
                              MetricType::Gauge);
    MetricFamily events =
        Family("querygate_feed_events_total", "Events a feed delivered.", MetricType::Counter);
    MetricFamily downs = Family("querygate_feed_down_total",
                                "Times a feed went down after being up.", MetricType::Counter);
    const absl::Time now = absl::Now();
    for (const auto& [name, feed] : feeds) {
      up.metric.push_back(Labelled({{"feed", name}}, feed.up ? 1 : 0, MetricType::Gauge));
      events.metric.push_back(
          Labelled({{"feed", name}}, static_cast<double>(feed.events), MetricType::Counter));
      downs.metric.push_back(
          Labelled({{"feed", name}}, static_cast<double>(feed.downs), MetricType::Counter));
      if (feed.last_event.has_value()) {
        age.metric.push_back(Labelled(
            {{"feed", name}}, absl::ToDoubleSeconds(now - *feed.last_event), MetricType::Gauge));
      }
    }
    for (MetricFamily* f : {&up, &age, &events, &downs}) {
      if (!f->metric.empty()) out.push_back(std::move(*f));
    }
    MetricFamily warm_sets =
        Family("querygate_warm_param_sets", "Startup warm: parameter sets in all, done and failed.",
               MetricType::Gauge);
    for (auto [state, value] : {std::pair{"total", warm.total}, std::pair{"done", warm.done},
                                std::pair{"failed", warm.failed}}) {
      warm_sets.metric.push_back(
          Labelled({{"state", state}}, static_cast<double>(value), MetricType::Gauge));
    }
    out.push_back(std::move(warm_sets));
  }
  if (!snapshot_source) return out;
  ScrapeSnapshot snapshot = snapshot_source();
  AppendNameFamilies(snapshot.names, out);
  if (snapshot.pool.has_value()) AppendPool(*snapshot.pool, out);
  if (snapshot.redis.has_value()) AppendRedis(*snapshot.redis, out);
  if (snapshot.l1.has_value()) AppendLocalTier(*snapshot.l1, out);
  MetricFamily trusted = Family("querygate_cache_trusted",
                                "1 while cached entries may be served (every feed up, no "
                                "invalidation owed to Redis), else 0: reads bypass the cache.",
                                MetricType::Gauge);
  trusted.metric.push_back(Labelled({}, snapshot.cache_trusted ? 1 : 0, MetricType::Gauge));
  out.push_back(std::move(trusted));
  MetricFamily warm_running = Family(
      "querygate_warm_running", "1 while a warm (startup or requested) runs.", MetricType::Gauge);
  warm_running.metric.push_back(Labelled({}, snapshot.warm_running ? 1 : 0, MetricType::Gauge));
  out.push_back(std::move(warm_running));
  MetricFamily finished =
      Family("querygate_warm_finished",
             "1 once the startup warm finished (or when there is none), 0 while it runs.",
             MetricType::Gauge);
  finished.metric.push_back(Labelled({}, snapshot.warm_finished ? 1 : 0, MetricType::Gauge));
  out.push_back(std::move(finished));
  return out;
}

Metrics::Metrics(BuildInfo build) : impl_(std::make_unique<Impl>(build)) {}

Metrics::~Metrics() = default;

void Metrics::ObserveCall(std::string_view service, std::string_view method, int code,
                          absl::Duration elapsed) {
  std::string key;
  key.reserve(service.size() + method.size() + 4);
  key.append(service).append("/").append(method);
  impl_->durations
      .Get(
          key,
          [&]() -> prometheus::Labels {
            return {{"service", std::string(service)}, {"method", std::string(method)}};
          },
          kCallBuckets)
      .Observe(absl::ToDoubleSeconds(elapsed));
  key.append("/").append(std::to_string(code));
  impl_->calls
      .Get(key,
           [&]() -> prometheus::Labels {
             return {{"service", std::string(service)},
                     {"method", std::string(method)},
                     {"code", CodeName(code)}};
           })
      .Increment();
}

void Metrics::ObservePoolAcquire(absl::Duration waited, bool timed_out) {
  impl_->acquire.Observe(absl::ToDoubleSeconds(waited));
  if (timed_out) impl_->acquire_timeouts.Increment();
}

void Metrics::CountInvalidation(std::string_view source) {
  std::string s = OneOf(source, {"write", "event", "trigger", "operator"});
  impl_->invalidations.Get(s, [&]() -> prometheus::Labels { return {{"source", s}}; }).Increment();
}

void Metrics::ObserveInvalidationLag(absl::Duration lag, std::string_view source) {
  std::string s = OneOf(source, {"write", "event", "trigger", "operator"});
  if (lag < absl::ZeroDuration()) {
    impl_->skews.Get(s, [&]() -> prometheus::Labels { return {{"source", s}}; }).Increment();
    lag = absl::ZeroDuration();
  }
  impl_->lags
      .Get(
          s,
          [&]() -> prometheus::Labels {
            return {{"source", s}};
          },
          kLagBuckets)
      .Observe(absl::ToDoubleSeconds(lag));
}

void Metrics::FeedUp(std::string_view feed) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  FeedState& state = impl_->feeds[OneOf(feed, {"pubsub", "database"})];
  state.up = true;
}

void Metrics::FeedDown(std::string_view feed) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  FeedState& state = impl_->feeds[OneOf(feed, {"pubsub", "database"})];
  if (state.up) ++state.downs;
  state.up = false;
}

void Metrics::FeedEvent(std::string_view feed) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  FeedState& state = impl_->feeds[OneOf(feed, {"pubsub", "database"})];
  ++state.events;
  state.last_event = absl::Now();
}

std::vector<std::string> Metrics::FeedsDown() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [name, feed] : impl_->feeds) {
    if (!feed.up) out.push_back(name);
  }
  return out;
}

void Metrics::SetWarmProgress(int64_t total, int64_t done, int64_t failed) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->warm.total = total;
  impl_->warm.done = done;
  impl_->warm.failed = failed;
}

void Metrics::SetSnapshotSource(std::function<ScrapeSnapshot()> source) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->source = std::move(source);
}

std::string Metrics::Render() const {
  std::vector<MetricFamily> families = impl_->registry->Collect();
  std::vector<MetricFamily> snapshot = impl_->SnapshotFamilies();
  families.insert(families.end(), std::make_move_iterator(snapshot.begin()),
                  std::make_move_iterator(snapshot.end()));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace querygate::ops
