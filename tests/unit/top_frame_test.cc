// `querygate top`: the frame rendered from a /status.json document, and the tiny HTTP client's
// parsing.
#include "client/cli/top_frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/http_get.h"
#include "client/cli/output.h"
#include "nlohmann/json.hpp"

namespace querygate::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

nlohmann::json Status() {
  return nlohmann::json::parse(R"json({
    "version": "0.1.0", "uptime_seconds": 3725.0, "window_seconds": 1.0,
    "calls": {"total": 12345, "errors_total": 3, "per_second": 812.5, "errors_per_second": 0.5},
    "latency_seconds": {"p50": 0.00095, "p99": 0.0032, "count": 812},
    "cache": {"lookups_total": 9000, "lookups_per_second": 700.0,
              "hit_ratio": {"local": 0.5, "shared": 0.8, "overall": 0.9},
              "hit_ratio_total": {"local": 0.25, "shared": null, "overall": 0.875}},
    "invalidation_lag_seconds": {"p50": 0.012, "p99": 0.04, "count": 7},
    "pool": {"active": 3, "idle": 5, "waiting": 2, "max": 16, "usage": 0.1875},
    "backends": {"database_healthy": true, "redis_healthy": false, "cache_trusted": true},
    "feeds": [{"name": "redis", "up": true, "seconds_since_event": 2.0},
              {"name": "postgres", "up": false, "seconds_since_event": null}],
    "warm": {"status": "running", "done": 1, "total": 3},
    "queries": [{"name": "user_by_email", "calls": 9000, "calls_per_second": 700.0,
                 "hits": 7875, "local_hits": 2250, "stale": 0, "misses": 1000, "bypasses": 125,
                 "hit_ratio": {"local": 0.25, "shared": 0.7, "overall": 0.875}},
                {"name": "cold_query", "calls": 2, "calls_per_second": 0.0, "hits": 0,
                 "local_hits": 0, "stale": 0, "misses": 2, "bypasses": 0,
                 "hit_ratio": {"local": 0.0, "shared": 0.0, "overall": 0.0}}],
    "models": []
  })json");
}

TEST(TopFrameTest, ShowsRatesRatiosPercentilesAndPool) {
  std::string frame = RenderTopFrame(Status(), 0);
  EXPECT_THAT(frame, HasSubstr("querygate 0.1.0  up 1h2m"));
  EXPECT_THAT(frame, HasSubstr("database healthy  redis UNHEALTHY  cache trusted"));
  EXPECT_THAT(frame, HasSubstr("warm running (1/3)"));
  // The figures under their headers, right-aligned.
  EXPECT_THAT(frame,
              HasSubstr("CALLS/S  ERRORS/S    P50     P99    HIT  LOCAL  SHARED  LAG P50  LAG P99"
                        "        POOL  WAITING\n"
                        "-------  --------  -----  ------  -----  -----  ------  -------  -------"
                        "  ----------  -------\n"
                        "  812.5       0.5  950us  3.20ms  90.0%  50.0%   80.0%   12.0ms   40.0ms"
                        "  3/16 18.8%        2\n"));
  EXPECT_THAT(frame, HasSubstr("since start: 12345 calls, 3 errors, 9000 lookups, hit ratio "
                               "87.5% (local 25.0%, shared -)"));
  EXPECT_THAT(frame, HasSubstr("feeds: redis up (last event 2.0s ago), postgres DOWN\n"));
  EXPECT_THAT(frame, Not(HasSubstr("\x1b")));
}

TEST(TopFrameTest, ListsTopNamesBusiestFirstUpToMaxRows) {
  std::string frame = RenderTopFrame(Status(), 0, 1);
  EXPECT_THAT(frame,
              HasSubstr("QUERY          CALLS  CALLS/S    HIT  LOCAL  SHARED  MISSES  BYPASSES\n"
                        "-------------  -----  -------  -----  -----  ------  ------  --------\n"
                        "user_by_email   9000    700.0  87.5%  25.0%   70.0%    1000       125\n"));
  EXPECT_THAT(frame, Not(HasSubstr("cold_query")));
  EXPECT_THAT(frame, HasSubstr("MODEL: none yet"));
  EXPECT_THAT(RenderTopFrame(Status(), 0, 10), HasSubstr("cold_query"));
}

TEST(TopFrameTest, MissingAndNullFiguresShowAsDashes) {
  std::string frame = RenderTopFrame(nlohmann::json::object(), 0);
  EXPECT_THAT(frame, HasSubstr("querygate -  up -  database -  redis -  cache -  warm -"));
  EXPECT_THAT(frame, HasSubstr("feeds: none"));
  EXPECT_THAT(frame, HasSubstr("QUERY: none yet"));
  // Wrong types are ignored rather than thrown on.
  nlohmann::json odd = {{"calls", "many"}, {"feeds", 3}, {"queries", {{"name", 1}}}};
  EXPECT_THAT(RenderTopFrame(odd, 0), HasSubstr("since start: - calls"));
}

TEST(TopFrameTest, ClipsLinesToTheWidth) {
  std::string frame = RenderTopFrame(Status(), 40);
  size_t start = 0;
  while (start < frame.size()) {
    size_t end = frame.find('\n', start);
    EXPECT_LE(DisplayWidth(frame.substr(start, end - start)), 40u);
    start = end + 1;
  }
  EXPECT_EQ(frame.back(), '\n');
}

TEST(HttpUrlTest, ParsesHostPortAndPath) {
  auto url = ParseHttpUrl("http://127.0.0.1:9464/status.json", "--metrics-url");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 9464);
  EXPECT_EQ(url->path, "/status.json");
  url = ParseHttpUrl("localhost:8080", "--metrics-url");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->path, "/");
  url = ParseHttpUrl("http://[::1]:81", "--metrics-url");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 81);
}

TEST(HttpUrlTest, RejectsOtherSchemesAndBadPortsNamingTheField) {
  for (const char* bad : {"https://h:1", "http://:80", "h:0", "h:99999", "h:x", "http://[::1"}) {
    auto url = ParseHttpUrl(bad, "--metrics-url");
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(url.status().message(), HasSubstr("--metrics-url")) << bad;
  }
}

TEST(HttpChunkedTest, DecodesAndRejectsCutBodies) {
  auto body =
      DecodeChunked("4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, "Wikipedia in \r\n\r\nchunks.");
  EXPECT_EQ(DecodeChunked("4\r\nWik").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecodeChunked("zz\r\n").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecodeChunked("4\r\nWiki\r\n").status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace querygate::cli
