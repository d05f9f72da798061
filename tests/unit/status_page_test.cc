// The status page's figures: histogram windows and quantiles, the sample window, reading
// /metrics text back, and the /status.json document.
#include "ops/status_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "ops/metrics.h"
#include "ops/prometheus_text.h"
#include "ops/status_from_metrics.h"
#include "ops/status_json.h"
#include "ops/status_page_html.h"
#include "ops/status_window.h"

namespace querygate::ops {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

BucketCounts Buckets(std::vector<uint64_t> counts) {
  return {{0.001, 0.01, 0.1}, std::move(counts), 0};
}

TEST(BucketQuantileTest, InterpolatesInsideTheBucketHoldingTheRank) {
  // 10 observations in (0, 1ms], 10 in (1ms, 10ms]: p50 is the top of the first bucket,
  // p75 halfway through the second.
  BucketCounts b = Buckets({10, 10, 0, 0});
  EXPECT_THAT(*BucketQuantile(b, 0.5), DoubleNear(0.001, 1e-12));
  EXPECT_THAT(*BucketQuantile(b, 0.75), DoubleNear(0.0055, 1e-12));
  EXPECT_THAT(*BucketQuantile(b, 0.25), DoubleNear(0.0005, 1e-12));
  EXPECT_THAT(*BucketQuantile(b, 1.0), DoubleNear(0.01, 1e-12));
}

TEST(BucketQuantileTest, OverflowAnswersTheHighestBoundAndEmptyAnswersNothing) {
  EXPECT_THAT(*BucketQuantile(Buckets({1, 0, 0, 99}), 0.99), DoubleNear(0.1, 1e-12));
  EXPECT_FALSE(BucketQuantile(Buckets({0, 0, 0, 0}), 0.5).has_value());
  EXPECT_FALSE(BucketQuantile(BucketCounts{}, 0.5).has_value());
}

TEST(SubtractBucketsTest, KeepsOnlyTheWindowsObservations) {
  BucketCounts delta = SubtractBuckets(Buckets({10, 5, 1, 0}), Buckets({8, 5, 0, 0}));
  EXPECT_THAT(delta.counts, ElementsAre(2, 0, 1, 0));
  // Different bounds or a counter that went down: the current counts, whole.
  EXPECT_THAT(SubtractBuckets(Buckets({1, 1, 1, 1}), BucketCounts{}).counts,
              ElementsAre(1, 1, 1, 1));
  EXPECT_THAT(SubtractBuckets(Buckets({1, 1, 1, 1}), Buckets({2, 0, 0, 0})).counts,
              ElementsAre(1, 1, 1, 1));
}

StatusSample At(double seconds, int64_t calls) {
  StatusSample s;
  s.at = absl::UnixEpoch() + absl::Seconds(seconds);
  s.calls = calls;
  return s;
}

TEST(StatusWindowTest, ComparesWithTheNewestSampleAtLeastMinWindowOlder) {
  StatusWindow window(absl::Milliseconds(500), absl::Seconds(30));
  EXPECT_FALSE(window.Baseline(At(100, 1)).has_value());
  EXPECT_EQ(window.Baseline(At(101, 2))->calls, 1);
  // Two viewers polling: the second request 100ms later still compares with t=101.
  EXPECT_EQ(window.Baseline(At(102, 3))->calls, 2);
  EXPECT_EQ(window.Baseline(At(102.1, 4))->calls, 2);
  // Too close to anything: the oldest kept sample.
  StatusWindow fresh;
  fresh.Baseline(At(100, 1));
  EXPECT_EQ(fresh.Baseline(At(100.2, 2))->calls, 1);
}

TEST(StatusWindowTest, ForgetsSamplesOlderThanKeep) {
  StatusWindow window(absl::Milliseconds(500), absl::Seconds(10));
  window.Baseline(At(100, 1));
  EXPECT_FALSE(window.Baseline(At(200, 2)).has_value());
}

StatusSample Rich(double seconds, int64_t calls, int64_t local, int64_t shared, int64_t misses) {
  StatusSample s = At(seconds, calls);
  s.uptime_seconds = seconds;
  s.version = "9.9.9";
  s.call_errors = 1;
  s.call_latency = Buckets({static_cast<uint64_t>(calls), 0, 0, 0});
  s.queries.push_back({"busy", local + shared, local, 0, misses, 0});
  s.queries.push_back({"quiet", 1, 0, 0, 1, 0});
  s.models.push_back({"user", 0, 0, 0, 0, 3});
  s.models.push_back({"unread", 0, 0, 0, 0, 0});
  s.pool_active = 2;
  s.pool_max = 8;
  s.redis_healthy = true;
  s.feeds.push_back({"pubsub", true, 1.5});
  s.warm_status = "done";
  return s;
}

TEST(StatusJsonTest, RatesRatiosAndPercentilesCoverTheWindow) {
  StatusSample before = Rich(10, 100, 10, 10, 80);
  StatusSample now = Rich(12, 300, 110, 30, 100);
  nlohmann::json doc = nlohmann::json::parse(StatusJson(now, before));
  EXPECT_EQ(doc["version"], "9.9.9");
  EXPECT_DOUBLE_EQ(doc["window_seconds"], 2.0);
  EXPECT_EQ(doc["calls"]["total"], 300);
  EXPECT_DOUBLE_EQ(doc["calls"]["per_second"], 100.0);
  EXPECT_DOUBLE_EQ(doc["calls"]["errors_per_second"], 0.0);
  // Window: 140 lookups, 100 local hits, 20 shared hits, 20 misses.
  EXPECT_DOUBLE_EQ(doc["cache"]["lookups_per_second"], 70.0);
  EXPECT_NEAR(doc["cache"]["hit_ratio"]["local"], 100.0 / 140, 1e-12);
  EXPECT_NEAR(doc["cache"]["hit_ratio"]["shared"], 20.0 / 40, 1e-12);
  EXPECT_NEAR(doc["cache"]["hit_ratio"]["overall"], 120.0 / 140, 1e-12);
  // Since start: busy 140 hits of 240, quiet 1 of 2, user 0 of 3.
  EXPECT_NEAR(doc["cache"]["hit_ratio_total"]["overall"], 141.0 / 245, 1e-12);
  EXPECT_EQ(doc["latency_seconds"]["count"], 200);
  EXPECT_NEAR(doc["latency_seconds"]["p50"], 0.0005, 1e-12);
  EXPECT_TRUE(doc["invalidation_lag_seconds"]["p99"].is_null());
  EXPECT_DOUBLE_EQ(doc["pool"]["usage"], 0.25);
  EXPECT_EQ(doc["backends"]["redis_healthy"], true);
  EXPECT_TRUE(doc["backends"]["database_healthy"].is_null());
  EXPECT_EQ(doc["feeds"][0]["name"], "pubsub");
  EXPECT_DOUBLE_EQ(doc["feeds"][0]["seconds_since_event"], 1.5);
  EXPECT_EQ(doc["warm"]["status"], "done");
}

TEST(StatusJsonTest, ListsTheBusiestNamesFirstUpToTop) {
  StatusSample before = Rich(10, 100, 10, 10, 80);
  StatusSample now = Rich(12, 300, 110, 30, 100);
  nlohmann::json doc = nlohmann::json::parse(StatusJson(now, before, 1));
  ASSERT_EQ(doc["queries"].size(), 1u);
  const nlohmann::json& busy = doc["queries"][0];
  EXPECT_EQ(busy["name"], "busy");
  EXPECT_EQ(busy["calls"], 240);
  EXPECT_DOUBLE_EQ(busy["calls_per_second"], 70.0);
  EXPECT_NEAR(busy["hit_ratio"]["overall"], 140.0 / 240, 1e-12);
  ASSERT_EQ(doc["models"].size(), 1u);  // "unread" was never read
  EXPECT_EQ(doc["models"][0]["name"], "user");
  EXPECT_DOUBLE_EQ(doc["models"][0]["hit_ratio"]["overall"], 0.0);
}

TEST(StatusJsonTest, WithoutBaselineTheWindowStartsAtStartup) {
  StatusSample now = Rich(4, 40, 0, 0, 0);
  nlohmann::json doc = nlohmann::json::parse(StatusJson(now, std::nullopt));
  EXPECT_DOUBLE_EQ(doc["window_seconds"], 4.0);
  EXPECT_DOUBLE_EQ(doc["calls"]["per_second"], 10.0);
  EXPECT_EQ(doc["latency_seconds"]["count"], 40);
  // Nothing for "busy", a hit and a miss of "quiet", three bypasses of "user".
  EXPECT_DOUBLE_EQ(doc["cache"]["hit_ratio"]["overall"], 0.2);
  EXPECT_DOUBLE_EQ(doc["cache"]["hit_ratio"]["local"], 0.0);
}

TEST(PrometheusTextTest, ParsesLabelsEscapesAndSpecialValues) {
  auto samples = ParsePrometheusText(
      "# HELP x help\n# TYPE x counter\nx 1\n"
      "y{a=\"q\\\"uote\",b=\"back\\\\slash\\n\"} +Inf 1700000000\n"
      "z_bucket{le=\"0.5\"} 3.5e2\n");
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ((*samples)[0].name, "x");
  EXPECT_EQ((*samples)[0].value, 1);
  EXPECT_EQ((*samples)[1].Label("a"), "q\"uote");
  EXPECT_EQ((*samples)[1].Label("b"), "back\\slash\n");
  EXPECT_TRUE(std::isinf((*samples)[1].value));
  EXPECT_EQ((*samples)[2].Label("le"), "0.5");
  EXPECT_EQ((*samples)[2].value, 350);
  for (const char* bad : {"x{a=\"1\" 2\n", "x\n", "x{a=1} 2\n", "{a=\"1\"} 2\n", "x one\n"}) {
    EXPECT_EQ(ParsePrometheusText(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// The page reads the real Metrics object's text: a rename there turns this red.
TEST(StatusFromMetricsTest, ReadsTheFiguresMetricsRenders) {
  Metrics metrics(BuildInfo{"1.2.3", "Asan", "gcc"});
  for (int i = 0; i < 9; ++i) {
    metrics.ObserveCall("querygate.v1.QueryService", "Execute", 0, absl::Microseconds(300));
  }
  metrics.ObserveCall("querygate.v1.QueryService", "Execute", 5, absl::Milliseconds(7));
  metrics.ObserveCall("grpc.health.v1.Health", "Check", 0, absl::Microseconds(10));
  metrics.ObserveInvalidationLag(absl::Milliseconds(3), "trigger");
  metrics.FeedUp("pubsub");
  metrics.FeedEvent("pubsub");
  metrics.FeedDown("database");
  metrics.SetWarmProgress(4, 1, 0);
  metrics.SetSnapshotSource([] {
    ScrapeSnapshot s;
    NameFigures q;
    q.kind = "query";
    q.name = "user_by_email";
    q.hits = 6;
    q.local_hits = 4;
    q.misses = 2;
    q.bypasses = 1;
    q.stale = 2;
    NameFigures m;
    m.kind = "model";
    m.name = "user";
    m.misses = 5;
    s.names = {q, m};
    s.pool = PoolSnapshot{3, 2, 0, 1, 5, 0, 10};
    s.redis = RedisSnapshot{};
    s.cache_trusted = true;
    s.warm_finished = false;
    return s;
  });
  auto samples = ParsePrometheusText(metrics.Render());
  ASSERT_TRUE(samples.ok()) << samples.status();
  StatusSample s = StatusFromMetrics(*samples, absl::Now());
  EXPECT_EQ(s.version, "1.2.3");
  EXPECT_GE(s.uptime_seconds, 0);
  EXPECT_LT(s.uptime_seconds, 600);
  EXPECT_EQ(s.calls, 10);  // the health check left out
  EXPECT_EQ(s.call_errors, 1);
  EXPECT_EQ(s.call_latency.Total(), 10u);
  EXPECT_THAT(*BucketQuantile(s.call_latency, 0.5), DoubleNear(0.0003, 0.0002));
  EXPECT_GE(*BucketQuantile(s.call_latency, 0.99), 0.005);
  EXPECT_EQ(s.invalidation_lag.Total(), 1u);
  EXPECT_THAT(*BucketQuantile(s.invalidation_lag, 1.0), DoubleNear(0.005, 1e-9));
  ASSERT_EQ(s.queries.size(), 1u);
  EXPECT_EQ(s.queries[0].name, "user_by_email");
  EXPECT_EQ(s.queries[0].hits, 6);
  EXPECT_EQ(s.queries[0].local_hits, 4);
  EXPECT_EQ(s.queries[0].misses, 2);
  EXPECT_EQ(s.queries[0].bypasses, 1);
  EXPECT_EQ(s.queries[0].stale, 2);
  EXPECT_EQ(s.queries[0].Lookups(), 11);
  ASSERT_EQ(s.models.size(), 1u);
  EXPECT_EQ(s.models[0].misses, 5);
  EXPECT_EQ(s.pool_active, 3);
  EXPECT_EQ(s.pool_idle, 2);
  EXPECT_EQ(s.pool_waiting, 1);
  EXPECT_EQ(s.pool_max, 10);
  EXPECT_EQ(s.redis_healthy, true);
  EXPECT_EQ(s.database_healthy, true);
  EXPECT_EQ(s.cache_trusted, true);
  ASSERT_EQ(s.feeds.size(), 2u);
  EXPECT_EQ(s.feeds[0].name, "database");
  EXPECT_FALSE(s.feeds[0].up);
  EXPECT_EQ(s.feeds[1].name, "pubsub");
  EXPECT_TRUE(s.feeds[1].up);
  EXPECT_TRUE(s.feeds[1].seconds_since_event.has_value());
  EXPECT_EQ(s.warm_status, "running");
  EXPECT_EQ(s.warm_total, 4);
  EXPECT_EQ(s.warm_done, 1);
}

TEST(StatusPageTest, ServesTheSelfContainedPageAndTheDocument) {
  HttpResponse page = StatusPage(nullptr).Page();
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.content_type, HasSubstr("text/html"));
  EXPECT_EQ(page.body, StatusPageHtml());
  EXPECT_THAT(page.body, HasSubstr("fetch(\"status.json\""));
  // Self-contained: nothing loaded from elsewhere.
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("src=\"http")));
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("href=\"http")));
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("@import")));
  EXPECT_THAT(page.body, HasSubstr("</html>"));

  Metrics metrics(BuildInfo{"1.2.3", "Asan", "gcc"});
  metrics.ObserveCall("querygate.v1.QueryService", "Execute", 0, absl::Microseconds(300));
  StatusPage status_page(&metrics);
  HttpResponse first = status_page.Status();
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.content_type, "application/json");
  nlohmann::json doc = nlohmann::json::parse(first.body);
  EXPECT_EQ(doc["calls"]["total"], 1);
  EXPECT_EQ(doc["latency_seconds"]["count"], 1);
}

}  // namespace
}  // namespace querygate::ops
