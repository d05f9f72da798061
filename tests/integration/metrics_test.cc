// The operators' HTTP listener of a real server: /metrics in the Prometheus text format
// (checked by promtool and parsed here), counters that move with calls, invalidations and pool
// exhaustion, the invalidation-lag histogram for a write made outside the service, and
// /readyz following the feeds and a blocking startup warm.
#include <arpa/inet.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <future>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cache/redis_options.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "server/ops_wiring.h"
#include "tests/integration/metrics/http_client.h"
#include "tests/support/poll.h"
#include "tests/support/redis_process.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::HttpGet;
using querygate::testing::ParsePrometheusText;
using querygate::testing::PollUntil;
using querygate::testing::Sample;
using querygate::testing::SumOf;
using querygate::testing::TestServer;

// `locked` and `locked_cached` wait for the shared advisory lock kLock, which a test holds
// exclusively to keep calls (or the startup warm) in the database for as long as it needs.
constexpr int kLock = 741852;
constexpr char kSchema[] = R"json({
  "models": {
    "item": {"fields": {"id": "int64", "name": "string"}}
  },
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300
    },
    "locked": {
      "sql": "SELECT count(*) AS n FROM (SELECT pg_advisory_xact_lock_shared(741852)) AS l",
      "cache": false
    },
    "locked_cached": {
      "sql": "SELECT count(*) + :k AS n FROM (SELECT pg_advisory_xact_lock_shared(741852)) AS l",
      "params": {"k": "int64"},
      "ttl": 300
    }
  }
})json";

constexpr char kSeed[] =
    "INSERT INTO items (id, name) SELECT g, 'name' || g FROM generate_series(1, 20) g;";

std::string Shell(const std::string& command, int* exit_code = nullptr) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  int status = pclose(pipe);
  if (exit_code != nullptr) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

bool HavePromtool() { return Shell("command -v promtool") != ""; }

using querygate::testing::TcpProxy;

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    ASSERT_TRUE(cache::ApplyRedisUrl(querygate::testing::RedisUrl(), redis_).ok());
    metrics_port_ = querygate::testing::FreeLoopbackPort();
  }

  void TearDown() override { ReleaseLock(); }

  void StartServer(const std::function<void(server::ServerConfig&)>& tweak = nullptr) {
    ASSERT_EQ(server_.Start(kSchema, kSeed,
                            [&](server::ServerConfig& config) {
                              config.metrics_listen = absl::StrCat("127.0.0.1:", metrics_port_);
                              if (tweak) tweak(config);
                            }),
              "");
    query_ = v1::QueryService::NewStub(server_.Channel());
    cache_ = v1::CacheService::NewStub(server_.Channel());
  }

  grpc::Status Execute(const std::string& query, std::map<std::string, int64_t> params = {},
                       v1::ExecuteResponse* out = nullptr) {
    v1::ExecuteRequest request;
    request.set_query(query);
    for (const auto& [name, value] : params) (*request.mutable_params())[name].set_int_value(value);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::ExecuteResponse response;
    grpc::Status status = query_->Execute(&context, request, &response);
    if (out != nullptr) *out = response;
    return status;
  }

  std::vector<Sample> Scrape() {
    auto reply = HttpGet(metrics_port_, "/metrics");
    EXPECT_EQ(reply.status, 200) << reply.error;
    std::string error;
    std::vector<Sample> samples = ParsePrometheusText(reply.body, &error);
    EXPECT_EQ(error, "");
    return samples;
  }

  // Polls /metrics until `done` holds for the samples or 15 s pass; returns the last scrape.
  std::vector<Sample> ScrapeUntil(const std::function<bool(const std::vector<Sample>&)>& done) {
    std::vector<Sample> samples;
    PollUntil(absl::Now() + absl::Seconds(15), [&] {
      samples = Scrape();
      return done(samples);
    });
    return samples;
  }

  void Sql(const std::string& sql) {
    auto session = server_.database().Connect();
    ASSERT_TRUE(session->Execute(sql).ok()) << sql;
  }

  // Holds kLock exclusively on a session of the test's own until ReleaseLock.
  void TakeLock() {
    lock_session_ = server_.database().Connect();
    ASSERT_TRUE(lock_session_->Execute(absl::StrCat("SELECT pg_advisory_lock(", kLock, ")")).ok());
  }
  void ReleaseLock() { lock_session_.reset(); }

  // Backends of the server's database waiting for kLock.
  int LockWaiters() {
    auto session = server_.database().Connect();
    auto rows = session->Query(absl::StrCat(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ",
        kLock));
    return rows.ok() ? std::atoi(rows->Text(0, 0).c_str()) : -1;
  }

  cache::RedisOptions redis_;
  int metrics_port_ = 0;
  TestServer server_;
  std::unique_ptr<db::Session> lock_session_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
};

TEST_F(MetricsTest, MetricsPassPromtoolAndCountHitsMissesAndCalls) {
  StartServer();
  ASSERT_TRUE(Execute("item_by_id", {{"id", 1}}).ok());  // miss, fill
  v1::ExecuteResponse second;
  ASSERT_TRUE(Execute("item_by_id", {{"id", 1}}, &second).ok());
  ASSERT_EQ(second.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(Execute("no_such_query").error_code(), grpc::StatusCode::NOT_FOUND);

  auto reply = HttpGet(metrics_port_, "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_TRUE(absl::StartsWith(reply.content_type, "text/plain; version=0.0.4"))
      << reply.content_type;
  if (HavePromtool()) {
    querygate::testing::ScopedTempDir dir;
    std::string path = dir.path() + "/scrape.txt";
    querygate::testing::WriteFile(path, reply.body);
    int code = -1;
    std::string out = Shell(absl::StrCat("promtool check metrics < ", path, " 2>&1"), &code);
    EXPECT_EQ(code, 0) << out;
  } else {
    std::cout << "[ SKIPPED  ] promtool check metrics: promtool is not installed\n";
  }
  std::string error;
  std::vector<Sample> samples = ParsePrometheusText(reply.body, &error);
  ASSERT_EQ(error, "");
  const std::map<std::string, std::string> item = {{"kind", "query"}, {"name", "item_by_id"}};
  auto with = [](std::map<std::string, std::string> labels,
                 std::map<std::string, std::string> more) {
    labels.insert(more.begin(), more.end());
    return labels;
  };
  EXPECT_EQ(SumOf(samples, "querygate_cache_lookups_total", with(item, {{"outcome", "hit"}})), 1);
  EXPECT_EQ(SumOf(samples, "querygate_cache_lookups_total", with(item, {{"outcome", "miss"}})), 1);
  EXPECT_EQ(SumOf(samples, "querygate_cache_fills_total", item), 1);
  // One miss, alone: it read the database itself.
  EXPECT_EQ(SumOf(samples, "querygate_cache_coalesced_waiters_total", item), 0);
  EXPECT_TRUE(
      absl::StrContains(reply.body, "# TYPE querygate_cache_coalesced_waiters_total counter"));
  EXPECT_EQ(
      SumOf(samples, "querygate_calls_total",
            {{"service", "querygate.v1.QueryService"}, {"method", "Execute"}, {"code", "OK"}}),
      2);
  EXPECT_EQ(SumOf(samples, "querygate_calls_total", {{"method", "Execute"}, {"code", "NOT_FOUND"}}),
            1);
  EXPECT_EQ(SumOf(samples, "querygate_call_duration_seconds_count", {{"method", "Execute"}}), 3);
  EXPECT_EQ(SumOf(samples, "querygate_build_info"), 1);
  EXPECT_GE(SumOf(samples, "querygate_pool_connections", {{"state", "idle"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_redis_up"), 1);
  EXPECT_EQ(SumOf(samples, "querygate_feed_up", {{"feed", "pubsub"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_feed_up", {{"feed", "database"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_cache_trusted"), 1);
  EXPECT_EQ(SumOf(samples, "querygate_warm_finished"), 1);
  EXPECT_EQ(HttpGet(metrics_port_, "/healthz").status, 200);
  auto ready = HttpGet(metrics_port_, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST_F(MetricsTest, InvalidationsAreCountedBySourceAndOutsideWritesHaveALag) {
  StartServer();
  // write: through the repository (its trigger stays silent).
  auto repository = v1::RepositoryService::NewStub(server_.Channel());
  v1::CreateRequest create;
  create.set_model("item");
  (*create.mutable_record()->mutable_fields())["id"].set_int_value(100);
  (*create.mutable_record()->mutable_fields())["name"].set_string_value("created");
  v1::CreateResponse created;
  grpc::ClientContext create_context;
  ASSERT_TRUE(repository->Create(&create_context, create, &created).ok());
  // event: published on the pub/sub channel by someone else.
  Shell(absl::StrCat("redis-cli -h ", redis_.host, " -p ", redis_.port, " PUBLISH ",
                     server_.config().invalidation_channel, " '{\"queries\":[\"item_by_id\"]}'"));
  // operator: CacheService.Invalidate.
  v1::InvalidateRequest invalidate;
  invalidate.add_queries("item_by_id");
  v1::InvalidateResponse invalidated;
  grpc::ClientContext invalidate_context;
  ASSERT_TRUE(cache_->Invalidate(&invalidate_context, invalidate, &invalidated).ok());
  // trigger: a write by psql, outside the service.
  const absl::Time before_write = absl::Now();
  Sql("UPDATE items SET name = 'by psql' WHERE id = 2");

  auto samples = ScrapeUntil([](const std::vector<Sample>& s) {
    for (const char* source : {"write", "event", "operator", "trigger"}) {
      if (SumOf(s, "querygate_invalidations_total", {{"source", source}}) < 1) return false;
    }
    return SumOf(s, "querygate_invalidation_lag_seconds_count", {{"source", "trigger"}}) >= 1;
  });
  const absl::Duration observed_within = absl::Now() - before_write;
  for (const char* source : {"write", "event", "operator", "trigger"}) {
    EXPECT_EQ(SumOf(samples, "querygate_invalidations_total", {{"source", source}}), 1) << source;
  }
  EXPECT_EQ(SumOf(samples, "querygate_invalidation_lag_seconds_count", {{"source", "trigger"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_invalidation_lag_seconds_count", {{"source", "write"}}), 1);
  // The trigger's timestamp is taken inside the UPDATE, after before_write, and the bump is
  // done before the scrape that saw it: the lag lies between 0 and what this test waited.
  double lag = SumOf(samples, "querygate_invalidation_lag_seconds_sum", {{"source", "trigger"}});
  std::cout << "[ lag      ] trigger: " << lag * 1000 << " ms observed; the test saw it within "
            << absl::FormatDuration(observed_within) << "\n";
  EXPECT_GE(lag, 0);
  EXPECT_LE(lag, absl::ToDoubleSeconds(observed_within));
  EXPECT_EQ(SumOf(samples, "querygate_invalidation_lag_clock_skew_total"), -1)
      << "no lag came out negative";
  EXPECT_GE(SumOf(samples, "querygate_feed_events_total", {{"feed", "database"}}), 1);
  EXPECT_GE(SumOf(samples, "querygate_feed_events_total", {{"feed", "pubsub"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_cache_invalidations_total",
                  {{"name", "item_by_id"}, {"source", "trigger"}}),
            1);
}

TEST_F(MetricsTest, PoolWaitsAndTimeoutsUnderExhaustion) {
  StartServer([](server::ServerConfig& config) {
    config.database.min_connections = 1;
    config.database.max_connections = 1;
    config.database.acquire_timeout = absl::Milliseconds(300);
  });
  TakeLock();
  // The first call holds the only connection, waiting for the lock.
  auto holder = std::async(std::launch::async, [this] { return Execute("locked"); });
  ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(15), [&] { return LockWaiters() == 1; }));
  // The second waits for a connection, and gives up after the acquire timeout.
  EXPECT_EQ(Execute("locked").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ReleaseLock();
  EXPECT_TRUE(holder.get().ok());

  auto samples = Scrape();
  EXPECT_EQ(SumOf(samples, "querygate_pool_acquire_timeouts_total"), 1);
  EXPECT_EQ(SumOf(samples, "querygate_pool_max_connections"), 1);
  double waits = SumOf(samples, "querygate_pool_acquire_wait_seconds_count");
  double quick = SumOf(samples, "querygate_pool_acquire_wait_seconds_bucket", {{"le", "0.25"}});
  EXPECT_GE(waits, 2);
  EXPECT_EQ(waits - quick, 1) << "exactly the timed-out acquire waited longer than 0.25 s";
  EXPECT_GE(SumOf(samples, "querygate_pool_acquire_wait_seconds_sum"), 0.3);
  EXPECT_EQ(SumOf(samples, "querygate_calls_total",
                  {{"method", "Execute"}, {"code", "RESOURCE_EXHAUSTED"}}),
            1);
}

TEST_F(MetricsTest, ReadyzFollowsTheFeeds) {
  TcpProxy proxy;
  ASSERT_TRUE(proxy.Start(redis_.port));
  int proxy_port = proxy.port();
  StartServer([proxy_port](server::ServerConfig& config) {
    config.redis.port = proxy_port;
    config.feed_timeout = absl::Milliseconds(1500);
  });
  auto ready = HttpGet(metrics_port_, "/readyz");
  ASSERT_EQ(ready.status, 200) << ready.body;

  proxy.Cut();
  querygate::testing::HttpReply reply;
  ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(15),
                        [&] {
                          reply = HttpGet(metrics_port_, "/readyz");
                          return reply.status == 503;
                        }))
      << reply.status << " " << reply.body;
  EXPECT_EQ(reply.body, "not ready: feeds down: pubsub\n");
  EXPECT_EQ(HttpGet(metrics_port_, "/healthz").status, 200) << "still live";
  auto samples = Scrape();
  EXPECT_EQ(SumOf(samples, "querygate_feed_up", {{"feed", "pubsub"}}), 0);
  EXPECT_EQ(SumOf(samples, "querygate_feed_down_total", {{"feed", "pubsub"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_feed_up", {{"feed", "database"}}), 1);
  EXPECT_EQ(SumOf(samples, "querygate_cache_trusted"), 0);

  ASSERT_TRUE(proxy.Start(redis_.port));  // on its previous port
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(15),
                        [&] {
                          reply = HttpGet(metrics_port_, "/readyz");
                          return reply.status == 200;
                        }))
      << reply.status << " " << reply.body;
  samples = Scrape();
  EXPECT_EQ(SumOf(samples, "querygate_feed_up", {{"feed", "pubsub"}}), 1);
  EXPECT_GE(SumOf(samples, "querygate_redis_errors_total"), 1);
}

TEST_F(MetricsTest, ReadyzWaitsForABlockingStartupWarm) {
  TakeLock();  // before the server starts warming
  StartServer([](server::ServerConfig& config) {
    service::WarmSet set;
    set.query = "locked_cached";
    set.params = {{{"k", Value::Int(1)}}, {{"k", Value::Int(2)}}};
    config.warm.sets = {set};
    config.warm.on_startup = true;
    config.warm.block_readiness = true;
    config.warm.concurrency = 1;
  });
  auto reply = HttpGet(metrics_port_, "/readyz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.body, "not ready: startup warm running\n");
  // The warm thread starts after the server: wait until it runs (it then holds on the lock).
  std::vector<Sample> samples;
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(15), [&] {
    samples = Scrape();
    return SumOf(samples, "querygate_warm_running") == 1;
  }));
  EXPECT_EQ(SumOf(samples, "querygate_warm_finished"), 0);
  EXPECT_EQ(HttpGet(metrics_port_, "/readyz").status, 503);
  EXPECT_EQ(HttpGet(metrics_port_, "/healthz").status, 200);

  ReleaseLock();
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(15), [&] {
    reply = HttpGet(metrics_port_, "/readyz");
    return reply.status == 200;
  })) << reply.body;
  samples = Scrape();
  EXPECT_EQ(SumOf(samples, "querygate_warm_finished"), 1);
  EXPECT_EQ(SumOf(samples, "querygate_warm_param_sets", {{"state", "total"}}), 2);
  EXPECT_EQ(SumOf(samples, "querygate_warm_param_sets", {{"state", "done"}}), 2);
  EXPECT_EQ(SumOf(samples, "querygate_warm_param_sets", {{"state", "failed"}}), 0);
}

TEST(NotifyTimestampTest, ReadsTheTriggersTimestampOnly) {
  EXPECT_EQ(server::NotifyTimestamp(R"({"tables":["items"],"ts_us":1700000000123456})"),
            absl::FromUnixMicros(1700000000123456));
  EXPECT_EQ(server::NotifyTimestamp("items"), std::nullopt);
  EXPECT_EQ(server::NotifyTimestamp(R"({"tables":["items"],"source":"write:ab"})"), std::nullopt);
  EXPECT_EQ(server::NotifyTimestamp(R"({"tables":["items"],"ts_us":"soon"})"), std::nullopt);
  EXPECT_EQ(server::NotifyTimestamp("{not json"), std::nullopt);
}

TEST(AlertRulesTest, PromtoolAcceptsTheRulesTheirUnitTestsAndTheScrapeConfig) {
  if (!HavePromtool()) GTEST_SKIP() << "promtool is not installed (Debian: prometheus)";
  std::string dir = querygate::testing::SourceDir() + "/deploy/prometheus";
  int code = -1;
  std::string out = Shell(absl::StrCat("promtool check rules ", dir, "/alerts.yml 2>&1"), &code);
  EXPECT_EQ(code, 0) << out;
  out = Shell(absl::StrCat("cd ", dir, " && promtool check config prometheus.yml 2>&1"), &code);
  EXPECT_EQ(code, 0) << out;
  // Each alert fires on the series it is about (and the lag alert not on fast invalidations).
  out = Shell(absl::StrCat("cd ", dir, " && promtool test rules alerts_test.yml 2>&1"), &code);
  EXPECT_EQ(code, 0) << out;
  if (Shell("command -v jq") != "") {
    out = Shell(absl::StrCat("jq -e '.panels | length > 0' ", querygate::testing::SourceDir(),
                             "/deploy/grafana/querygate.json 2>&1"),
                &code);
    EXPECT_EQ(code, 0) << out;
  }
}

}  // namespace
}  // namespace querygate
