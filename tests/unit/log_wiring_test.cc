#include "server/log_wiring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "rpc/call_guard.h"
#include "server/call_log.h"

namespace querygate::server {
namespace {

struct CapturedLogger {
  explicit CapturedLogger(LogLevel level = LogLevel::kDebug)
      : logger(
            Options(level), [this](absl::string_view line) { lines.emplace_back(line); },
            [] { return absl::FromUnixSeconds(1767323045); }) {}

  static LoggerOptions Options(LogLevel level) {
    LoggerOptions options;
    options.level = level;
    return options;
  }

  std::vector<nlohmann::json> Parsed() const {
    std::vector<nlohmann::json> out;
    for (const std::string& line : lines) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::vector<std::string> lines;
  Logger logger;
};

TEST(RedactUrlTest, HidesEveryPasswordForm) {
  EXPECT_EQ(RedactUrl("postgresql://app:pw1@db:5432/qg"), "postgresql://app:***@db:5432/qg");
  EXPECT_EQ(RedactUrl("postgresql://app:p/w?x@db/qg"), "postgresql://app:***@db/qg");
  EXPECT_EQ(RedactUrl("postgresql://app@db/qg?password=pw2&sslmode=disable"),
            "postgresql://app@db/qg?password=***&sslmode=disable");
  EXPECT_EQ(RedactUrl("host=db user=app password='p w\\'3' dbname=qg"),
            "host=db user=app password=*** dbname=qg");
  EXPECT_EQ(RedactUrl("host=db password=pw4"), "host=db password=***");
  EXPECT_EQ(RedactUrl("host=db sslpassword=pw5 user=app"), "host=db sslpassword=*** user=app");
  EXPECT_EQ(RedactUrl("redis://:pw6@127.0.0.1:6379/0"), "redis://:***@127.0.0.1:6379/0");
  EXPECT_EQ(RedactUrl("redis://user:pw7@h"), "redis://user:***@h");
  EXPECT_EQ(RedactUrl("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
  EXPECT_EQ(RedactUrl("postgresql://app@db/qg"), "postgresql://app@db/qg");
}

TEST(StartupFieldsTest, NoSecretAppearsInTheStartupLine) {
  ServerConfig config;
  config.database.url = "postgresql://app:SECRETpg1@db/qg?sslpassword=SECRETpg2";
  config.redis_url = "redis://qg:SECRETredis@cache:6379";
  config.page_token_secret = "SECRETpagetoken0123456789";
  config.files.page_token_secret = "/run/secrets/page";
  config.auth.mode = auth::AuthMode::kJwt;
  config.auth.jwt.algorithms = {"HS256"};
  config.auth.jwt.hs256_secret = "SECREThs256-0123456789abcdef0123456789";
  config.auth.jwt.public_keys = {{"k1", "-----BEGIN PUBLIC KEY-----SECRETpub"}};
  config.auth.jwt.jwks_json = "{\"keys\":[\"SECRETjwks\"]}";
  config.server.tls.cert_chain_pem = "-----BEGIN CERTIFICATE-----SECRETcert";
  config.server.tls.private_key_pem = "-----BEGIN PRIVATE KEY-----SECRETkey";
  config.files.tls_key = "/run/secrets/tls.key";
  CapturedLogger log;
  LogStartup(&log.logger, config);
  ASSERT_EQ(log.lines.size(), 1u);
  const std::string& line = log.lines[0];
  EXPECT_EQ(line.find("SECRET"), std::string::npos) << line;
  nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "starting");
  EXPECT_EQ(parsed["database_url"], "postgresql://app:***@db/qg?sslpassword=***");
  EXPECT_EQ(parsed["redis_url"], "redis://qg:***@cache:6379");
  EXPECT_EQ(parsed["page_token_secret"], "file /run/secrets/page");
  EXPECT_EQ(parsed["jwt_hs256_secret"], "set");
  EXPECT_EQ(parsed["tls_key"], "file /run/secrets/tls.key");
  EXPECT_EQ(parsed["auth_mode"], "jwt");
  EXPECT_EQ(parsed["log_slow_call_ms"], 500);
}

TEST(LogWiringTest, FeedTransitionsAndDroppedEvents) {
  CapturedLogger log;
  LogFeedTransition(&log.logger, "pubsub", false);
  LogFeedTransition(&log.logger, "pubsub", true);
  LogDroppedEvent(&log.logger, "pubsub", "not JSON", std::string(1000, 'x') + "\n\"");
  LogFeedTransition(nullptr, "pubsub", true);
  auto lines = log.Parsed();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["feed"], "pubsub");
  EXPECT_EQ(lines[1]["msg"], "invalidation feed up");
  EXPECT_EQ(lines[2]["msg"], "invalidation event dropped");
  EXPECT_EQ(lines[2]["reason"], "not JSON");
  EXPECT_EQ(lines[2]["payload"], std::string(256, 'x'));
  EXPECT_EQ(lines[2]["payload_bytes"], 1002);
}

TEST(LogWiringTest, BackendTransitionsAreLoggedOnce) {
  CapturedLogger log;
  BackendLog backends(&log.logger);
  cache::CacheHealth redis;
  db::PoolFigures pool;
  pool.idle = 2;
  backends.Observe(redis, pool);
  backends.Observe(redis, pool);
  EXPECT_TRUE(log.lines.empty());
  redis.healthy = false;
  redis.last_error = "connection refused";
  pool.idle = 0;
  pool.broken = 2;
  backends.Observe(redis, pool);
  backends.Observe(redis, pool);
  pool.idle = 1;
  pool.broken = 3;
  redis.healthy = true;
  backends.Observe(redis, pool);
  backends.Observe(redis, pool);
  std::vector<std::string> messages;
  for (const auto& line : log.Parsed()) messages.push_back(line["msg"]);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "redis unavailable: reads bypass the cache",
                          "postgresql unavailable: no pooled connection is usable",
                          "broken database connections dropped; the pool opens new ones",
                          "redis recovered",
                          "postgresql recovered",
                          "broken database connections dropped; the pool opens new ones",
                      }));
  EXPECT_EQ(log.Parsed()[2]["broken"], 2);
  EXPECT_EQ(log.Parsed()[5]["broken"], 1);
}

TEST(LogWiringTest, WarmSummary) {
  CapturedLogger log;
  service::WarmProgress last;
  last.total = 10;
  last.done = 10;
  last.failed = 1;
  last.elapsed = absl::Milliseconds(1500);
  LogWarmSummary(&log.logger, absl::OkStatus(), last);
  auto lines = log.Parsed();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["failed"], 1);
  EXPECT_EQ(lines[0]["elapsed_ms"], 1500);
}

rpc::CallRecord Record(const std::string& id, absl::Duration elapsed) {
  rpc::CallRecord record;
  record.service = "querygate.v1.QueryService";
  record.method = "Execute";
  record.code = 0;
  record.elapsed = elapsed;
  record.request_id = id;
  return record;
}

TEST(CallLogObserverTest, SlowCallCarriesNameAndSteps) {
  CapturedLogger log(LogLevel::kInfo);
  CallLogObserver observer(&log.logger, absl::Milliseconds(100));
  auto trace = observer.StartTrace("req-1");
  ASSERT_NE(trace, nullptr);
  trace->SetName("slow_report");
  trace->pool_wait_ns += 2'000'000;
  trace->database_ns += 150'000'000;
  trace->encode_ns += 500'000;
  observer.OnCallDone(Record("req-1", absl::Milliseconds(99)));  // fast: nothing at info
  EXPECT_TRUE(log.lines.empty());
  EXPECT_EQ(observer.traces().size(), 0u);
  trace = observer.StartTrace("req-2");
  trace->SetName("slow_report");
  trace->database_ns += 150'000'000;
  observer.OnCallDone(Record("req-2", absl::Milliseconds(160)));
  auto lines = log.Parsed();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["msg"], "slow call");
  EXPECT_EQ(lines[0]["request_id"], "req-2");
  EXPECT_EQ(lines[0]["name"], "slow_report");
  EXPECT_EQ(lines[0]["code"], "OK");
  EXPECT_EQ(lines[0]["database_ms"], 150.0);
  EXPECT_EQ(lines[0]["pool_wait_ms"], 0.0);
  EXPECT_EQ(lines[0]["duration_ms"], 160.0);
  EXPECT_TRUE(lines[0].contains("redis_ms"));
  EXPECT_TRUE(lines[0].contains("encode_ms"));
}

TEST(CallLogObserverTest, EveryCallAtDebugAndNothingTracedWhenOff) {
  CapturedLogger log(LogLevel::kDebug);
  CallLogObserver observer(&log.logger, absl::ZeroDuration());
  EXPECT_EQ(observer.StartTrace("req-1"), nullptr);
  rpc::CallRecord record = Record("req-1", absl::Seconds(5));
  record.code = 5;
  observer.OnCallDone(record);
  auto lines = log.Parsed();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "debug");
  EXPECT_EQ(lines[0]["msg"], "call");
  EXPECT_EQ(lines[0]["code"], "NOT_FOUND");
  EXPECT_EQ(lines[0]["method"], "Execute");
}

TEST(CallTraceTableTest, StaysBoundedAndKeepsInFlightIdsApart) {
  CallTraceTable table(4);
  for (int i = 0; i < 100; ++i) table.Open("id-" + std::to_string(i));
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table.Take("id-0"), nullptr);
  EXPECT_NE(table.Take("id-99"), nullptr);
  EXPECT_EQ(table.Take("id-99"), nullptr);
  auto first = table.Open("same");
  auto second = table.Open("same");
  EXPECT_EQ(table.Take("same"), first);
  EXPECT_NE(first, second);
}

TEST(RequestIdTest, OnlyShortPlainIdsAreKept) {
  EXPECT_TRUE(rpc::IsUsableRequestId("a"));
  EXPECT_TRUE(rpc::IsUsableRequestId("Trace-1.2_3:4"));
  EXPECT_TRUE(rpc::IsUsableRequestId(std::string(128, 'x')));
  EXPECT_FALSE(rpc::IsUsableRequestId(""));
  EXPECT_FALSE(rpc::IsUsableRequestId(std::string(129, 'x')));
  for (const char* bad : {"has space", "quote\"", "new\nline", "slash/", "caf\xc3\xa9"}) {
    EXPECT_FALSE(rpc::IsUsableRequestId(bad)) << bad;
  }
}

}  // namespace
}  // namespace querygate::server
