// ops::Metrics rendering and ops::HttpListener routing, without a server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ops/http_listener.h"
#include "ops/metrics.h"
#include "tests/integration/metrics/http_client.h"

namespace querygate::ops {
namespace {

using querygate::testing::HttpGet;
using querygate::testing::ParsePrometheusText;
using querygate::testing::Sample;
using querygate::testing::SumOf;
using ::testing::HasSubstr;

std::vector<Sample> Parse(const Metrics& metrics) {
  std::string error;
  std::vector<Sample> samples = ParsePrometheusText(metrics.Render(), &error);
  EXPECT_EQ(error, "");
  return samples;
}

TEST(MetricsTest, CallsAreCountedByServiceMethodAndCodeAndTimedByMethod) {
  Metrics metrics(BuildInfo{"1.2.3", "Asan", "GNU-12"});
  metrics.ObserveCall("querygate.v1.QueryService", "Execute", 0, absl::Milliseconds(3));
  metrics.ObserveCall("querygate.v1.QueryService", "Execute", 0, absl::Milliseconds(30));
  metrics.ObserveCall("querygate.v1.QueryService", "Execute", 5, absl::Milliseconds(1));
  auto samples = Parse(metrics);
  EXPECT_EQ(SumOf(samples, "querygate_calls_total", {{"method", "Execute"}, {"code", "OK"}}), 2);
  EXPECT_EQ(SumOf(samples, "querygate_calls_total", {{"code", "NOT_FOUND"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_call_duration_seconds_count", {{"method", "Execute"}}), 3);
  EXPECT_EQ(SumOf(samples, "querygate_call_duration_seconds_bucket",
                  {{"method", "Execute"}, {"le", "0.005"}}),
            2);
  EXPECT_NEAR(SumOf(samples, "querygate_call_duration_seconds_sum"), 0.034, 1e-9);
  EXPECT_EQ(SumOf(samples, "querygate_build_info", {{"version", "1.2.3"}}), 1);
}

TEST(MetricsTest, UnknownSourcesAndFeedsAreCountedAsOther) {
  Metrics metrics(BuildInfo{});
  metrics.CountInvalidation("write");
  metrics.CountInvalidation("user-supplied-text");
  metrics.ObserveInvalidationLag(absl::Milliseconds(-5), "trigger");
  metrics.FeedEvent("whatever");
  auto samples = Parse(metrics);
  EXPECT_EQ(SumOf(samples, "querygate_invalidations_total", {{"source", "write"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_invalidations_total", {{"source", "other"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_invalidation_lag_clock_skew_total", {{"source", "trigger"}}),
            1);
  EXPECT_EQ(SumOf(samples, "querygate_invalidation_lag_seconds_bucket",
                  {{"source", "trigger"}, {"le", "0.0005"}}),
            1);
  EXPECT_EQ(SumOf(samples, "querygate_feed_events_total", {{"feed", "other"}}), 1);
}

TEST(MetricsTest, FeedsReportStateTransitionsAndEventAge) {
  Metrics metrics(BuildInfo{});
  metrics.FeedDown("pubsub");  // declared, never up: no transition
  metrics.FeedUp("database");
  metrics.FeedEvent("database");
  EXPECT_EQ(metrics.FeedsDown(), std::vector<std::string>{"pubsub"});
  auto samples = Parse(metrics);
  EXPECT_EQ(SumOf(samples, "querygate_feed_up", {{"feed", "pubsub"}}), 0);
  EXPECT_EQ(SumOf(samples, "querygate_feed_up", {{"feed", "database"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_feed_down_total", {{"feed", "pubsub"}}), 0);
  EXPECT_GE(SumOf(samples, "querygate_feed_last_event_age_seconds", {{"feed", "database"}}), 0);
  EXPECT_EQ(SumOf(samples, "querygate_feed_last_event_age_seconds", {{"feed", "pubsub"}}), -1);
  metrics.FeedDown("database");
  samples = Parse(metrics);
  EXPECT_EQ(SumOf(samples, "querygate_feed_down_total", {{"feed", "database"}}), 1);
}

TEST(MetricsTest, SnapshotFiguresAreReadAtScrapeTime) {
  Metrics metrics(BuildInfo{});
  int64_t hits = 5;
  metrics.SetSnapshotSource([&hits] {
    ScrapeSnapshot s;
    NameFigures q;
    q.kind = "query";
    q.name = "user_by_email";
    q.hits = hits;
    q.local_hits = 2;
    q.misses = 4;
    q.invalidations_trigger = 7;
    s.names.push_back(q);
    s.pool = PoolSnapshot{3, 1, 0, 2, 9, 1, 4};
    s.redis = RedisSnapshot{false, 3, 11, 4, absl::Milliseconds(400)};
    s.l1 = LocalTierFigures{1024, 10, 2};
    s.cache_trusted = true;
    s.warm_finished = false;
    return s;
  });
  auto samples = Parse(metrics);
  EXPECT_EQ(SumOf(samples, "querygate_cache_lookups_total",
                  {{"name", "user_by_email"}, {"outcome", "hit"}, {"tier", "local"}}),
            2);
  EXPECT_EQ(
      SumOf(samples, "querygate_cache_lookups_total", {{"outcome", "hit"}, {"tier", "shared"}}), 3);
  EXPECT_EQ(SumOf(samples, "querygate_cache_lookups_total", {{"outcome", "miss"}}), 4);
  EXPECT_EQ(SumOf(samples, "querygate_cache_invalidations_total", {{"source", "trigger"}}), 7);
  EXPECT_EQ(SumOf(samples, "querygate_pool_connections", {{"state", "active"}}), 3);
  EXPECT_EQ(SumOf(samples, "querygate_pool_waiting"), 2);
  EXPECT_EQ(SumOf(samples, "querygate_pool_max_connections"), 4);
  EXPECT_EQ(SumOf(samples, "querygate_redis_up"), 0);
  EXPECT_EQ(SumOf(samples, "querygate_redis_errors_total"), 11);
  EXPECT_EQ(SumOf(samples, "querygate_redis_timeouts_total"), 4);
  EXPECT_DOUBLE_EQ(SumOf(samples, "querygate_redis_backoff_seconds"), 0.4);
  EXPECT_EQ(SumOf(samples, "querygate_cache_local_bytes"), 1024);
  EXPECT_EQ(SumOf(samples, "querygate_cache_trusted"), 1);
  EXPECT_EQ(SumOf(samples, "querygate_warm_finished"), 0);
  hits = 50;
  samples = Parse(metrics);
  EXPECT_EQ(
      SumOf(samples, "querygate_cache_lookups_total", {{"outcome", "hit"}, {"tier", "shared"}}),
      48);
}

TEST(MetricsTest, PoolAcquiresAndTimeouts) {
  Metrics metrics(BuildInfo{});
  metrics.ObservePoolAcquire(absl::Microseconds(50), false);
  metrics.ObservePoolAcquire(absl::Seconds(2), true);
  auto samples = Parse(metrics);
  EXPECT_EQ(SumOf(samples, "querygate_pool_acquire_wait_seconds_count"), 2);
  EXPECT_EQ(SumOf(samples, "querygate_pool_acquire_wait_seconds_bucket", {{"le", "1"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_pool_acquire_timeouts_total"), 1);
}

TEST(HttpListenerTest, ServesRegisteredPathsOnly) {
  auto listener = HttpListener::Start({"127.0.0.1:0"});
  ASSERT_TRUE(listener.ok()) << listener.status();
  ASSERT_GT((*listener)->port(), 0);
  (*listener)->Handle("/hello", [](const HttpRequest& request) {
    return HttpResponse{200, "text/plain", "hi " + request.query};
  });
  int port = (*listener)->port();
  auto hello = HttpGet(port, "/hello?x=1");
  EXPECT_EQ(hello.status, 200) << hello.error;
  EXPECT_EQ(hello.body, "hi x=1");
  EXPECT_EQ(hello.content_type, "text/plain");
  EXPECT_EQ(HttpGet(port, "/hello/more").status, 404);
  EXPECT_EQ(HttpGet(port, "/").status, 404);
  EXPECT_EQ(querygate::testing::HttpRequest(port, "POST", "/hello").status, 405);
  auto head = querygate::testing::HttpRequest(port, "HEAD", "/hello");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  (*listener)->Handle("/hello", [](const HttpRequest&) {
    return HttpResponse{503, "text/plain", "later"};
  });
  EXPECT_EQ(HttpGet(port, "/hello").status, 503);
  (*listener)->Stop();
  EXPECT_EQ(HttpGet(port, "/hello").status, 0);
}

TEST(HttpListenerTest, RefusesBadAndTakenAddresses) {
  EXPECT_EQ(HttpListener::Start({"127.0.0.1"}).status().code(), absl::StatusCode::kInvalidArgument);
  auto first = HttpListener::Start({"127.0.0.1:0"});
  ASSERT_TRUE(first.ok());
  auto second = HttpListener::Start({absl::StrCat("127.0.0.1:", (*first)->port())});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("cannot listen on"));
}

}  // namespace
}  // namespace querygate::ops
