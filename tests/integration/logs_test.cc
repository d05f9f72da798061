// The server's structured log, read from the stderr of a real querygate-server process: a
// dropped invalidation event, feed transitions, a slow call with its steps and request id, the
// x-request-id response metadata, and a startup line without secrets.
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache/redis_options.h"
#include "migrate/migrator.h"
#include "nlohmann/json.hpp"
#include "querygate/v1/query_service.grpc.pb.h"
#include "tests/support/poll.h"
#include "tests/support/server_process.h"
#include "tests/support/test_env.h"

namespace querygate {
namespace {

using Json = nlohmann::json;
using testing::PollUntil;
using testing::ReadFile;
using testing::ScopedDatabase;
using testing::ScopedTempDir;
using testing::ServerProcess;
using testing::WriteFile;

constexpr char kPgSecret[] = "pgPassw0rdLogsTest";
constexpr char kPageSecret[] = "pageTokenSecretLogsTest0123456789";
constexpr char kJwtSecret[] = "hs256SecretLogsTest0123456789abcdefghij";

class LogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    schema_dir_ = dir_.path() + "/schemas";
    WriteFile(schema_dir_ + "/logs.json",
              testing::ReadSourceFile("tests/integration/logs/schema.json"));
    migrate::MigratorOptions options;
    options.database_url = db_.url();
    options.schema_dir = schema_dir_;
    options.migrations_dir = schema_dir_ + "/migrations";
    migrate::Migrator migrator(options);
    ASSERT_TRUE(migrator.New("init", false).ok());
    ASSERT_TRUE(migrator.Up().ok());
    ASSERT_TRUE(db_.Connect()->Execute("INSERT INTO items VALUES (1, 'one')").ok());
    channel_ = absl::StrCat("qglogs:", db_.name());
    WriteFile(dir_.path() + "/page.secret", kPageSecret);
    WriteFile(dir_.path() + "/jwt.secret", kJwtSecret);
  }

  void TearDown() override {
    if (server_.running()) server_.Stop();
  }

  // Starts the server with the database password in its URL (PostgreSQL trusts loopback, so
  // any password works), secret files, and `extra` flags.
  void StartServer(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {
        "--database-url",
        WithPassword(db_.url()),
        "--redis-url",
        testing::RedisUrl(),
        "--schema-dir",
        schema_dir_,
        "--redis-key-prefix",
        channel_,
        "--invalidation-channel",
        channel_,
        "--page-token-secret-file",
        dir_.path() + "/page.secret",
        "--jwt-hs256-secret-file",
        dir_.path() + "/jwt.secret",
    };
    args.insert(args.end(), extra.begin(), extra.end());
    std::string failed = server_.Start(args, dir_.path() + "/server.log");
    ASSERT_EQ(failed, "") << Log();
  }

  // Returns `url` with kPgSecret as the password of its user.
  static std::string WithPassword(const std::string& url) {
    size_t scheme = url.find("://");
    size_t at = url.find('@', scheme + 3);
    if (scheme == std::string::npos || at == std::string::npos) return url;
    std::string user = url.substr(scheme + 3, at - scheme - 3);
    user = user.substr(0, user.find(':'));
    return absl::StrCat(url.substr(0, scheme + 3), user, ":", kPgSecret, url.substr(at));
  }

  std::string Log() const { return ReadFile(server_.log_path()); }

  // Returns the JSON lines of the log (other lines are skipped).
  std::vector<Json> Lines() const {
    std::vector<Json> out;
    for (absl::string_view line : absl::StrSplit(Log(), '\n')) {
      if (line.empty() || line.front() != '{') continue;
      Json parsed = Json::parse(line, nullptr, false);
      if (!parsed.is_discarded()) out.push_back(std::move(parsed));
    }
    return out;
  }

  // Waits (bounded by the deadline) for a line that `match` accepts and returns it, or null.
  Json AwaitLine(const std::function<bool(const Json&)>& match, int seen_before = 0) const {
    Json found;
    PollUntil(absl::Now() + absl::Seconds(15), [&] {
      int seen = 0;
      for (const Json& line : Lines()) {
        if (match(line) && seen++ >= seen_before) {
          found = line;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  // Publishes `message` on the server's invalidation channel.
  void Publish(const std::string& message) {
    cache::RedisOptions redis;
    ASSERT_TRUE(cache::ApplyRedisUrl(testing::RedisUrl(), redis).ok());
    redisContext* c = redisConnect(redis.host.c_str(), redis.port);
    ASSERT_NE(c, nullptr);
    ASSERT_EQ(c->err, 0) << c->errstr;
    if (!redis.password.empty()) {
      auto* auth = static_cast<redisReply*>(
          redis.username.empty()
              ? redisCommand(c, "AUTH %s", redis.password.c_str())
              : redisCommand(c, "AUTH %s %s", redis.username.c_str(), redis.password.c_str()));
      if (auth != nullptr) freeReplyObject(auth);
    }
    auto* reply = static_cast<redisReply*>(redisCommand(
        c, "PUBLISH %b %b", channel_.data(), channel_.size(), message.data(), message.size()));
    ASSERT_NE(reply, nullptr);
    freeReplyObject(reply);
    redisFree(c);
  }

  ScopedDatabase db_;
  ScopedTempDir dir_;
  std::string schema_dir_;
  std::string channel_;
  ServerProcess server_;
};

bool Is(const Json& line, const std::string& msg) { return line.value("msg", "") == msg; }

TEST_F(LogsTest, StartupLineCarriesNoSecret) {
  StartServer();
  Json startup = AwaitLine([](const Json& line) { return Is(line, "starting"); });
  ASSERT_FALSE(startup.is_null()) << Log();
  EXPECT_EQ(startup["level"], "info");
  EXPECT_NE(startup.value("database_url", "").find(":***@"), std::string::npos) << startup;
  EXPECT_EQ(startup["page_token_secret"], "file " + dir_.path() + "/page.secret");
  // Every line has ts (RFC 3339 UTC, ms), level and msg; no line carries a secret.
  ASSERT_FALSE(AwaitLine([](const Json& l) {
                 return l.value("msg", "").find("listening on") == 0;
               }).is_null());
  std::string log = Log();
  for (const char* secret : {kPgSecret, kPageSecret, kJwtSecret}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " in:\n" << log;
  }
  for (const Json& line : Lines()) {
    if (line.contains("audit")) continue;
    ASSERT_TRUE(line.contains("ts") && line.contains("level") && line.contains("msg")) << line;
    EXPECT_EQ(line["ts"].get<std::string>().size(), 24u) << line;
  }
}

TEST_F(LogsTest, InvalidEventOnTheChannelIsLoggedAsDropped) {
  StartServer();
  ASSERT_FALSE(AwaitLine([](const Json& line) {
                 return Is(line, "invalidation feed up") && line["feed"] == "pubsub";
               }).is_null())
      << Log();
  Publish("not json \"\n\x01");
  Json dropped = AwaitLine([](const Json& line) { return Is(line, "invalidation event dropped"); });
  ASSERT_FALSE(dropped.is_null()) << Log();
  EXPECT_EQ(dropped["level"], "warn");
  EXPECT_EQ(dropped["feed"], "pubsub");
  EXPECT_EQ(dropped["payload"], "not json \"\n\x01");
  EXPECT_FALSE(dropped.value("reason", "").empty());
  // An event the hub refuses (an unknown query) is dropped too.
  Publish(R"({"queries":["no_such_query"]})");
  Json refused =
      AwaitLine([](const Json& line) { return Is(line, "invalidation event dropped"); }, 1);
  ASSERT_FALSE(refused.is_null()) << Log();
  EXPECT_NE(refused.value("reason", "").find("no_such_query"), std::string::npos) << refused;
}

TEST_F(LogsTest, FeedTransitionsAreLogged) {
  StartServer();
  auto feed_line = [](const std::string& msg) {
    return [msg](const Json& line) { return Is(line, msg) && line["feed"] == "database"; };
  };
  ASSERT_FALSE(AwaitLine(feed_line("invalidation feed up")).is_null()) << Log();
  // Cut every session the server holds on its database: the LISTEN session goes down and is
  // replaced; the pooled connections break.
  auto admin = db_.Connect();
  ASSERT_TRUE(admin
                  ->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                  .ok());
  Json down =
      AwaitLine(feed_line("invalidation feed down: reads bypass the cache until it is back"));
  ASSERT_FALSE(down.is_null()) << Log();
  EXPECT_EQ(down["level"], "warn");
  EXPECT_FALSE(AwaitLine(feed_line("invalidation feed up"), 1).is_null()) << Log();
}

TEST_F(LogsTest, SlowCallWarnsWithNameStepsAndTheCallersRequestId) {
  StartServer({"--log-slow-call-ms", "200", "--log-level", "debug"});
  auto channel = grpc::CreateChannel(server_.target(), grpc::InsecureChannelCredentials());
  auto stub = v1::QueryService::NewStub(channel);
  v1::ExecuteRequest request;
  request.set_query("slow_item_name");
  (*request.mutable_params())["id"].set_int_value(1);
  (*request.mutable_params())["seconds"].set_double_value(0.3);
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "logs-test:slow-1");
  v1::ExecuteResponse response;
  grpc::Status status = stub->Execute(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << Log();
  auto sent = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(sent, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(sent->second.data(), sent->second.size()), "logs-test:slow-1");

  Json slow = AwaitLine([](const Json& line) {
    return Is(line, "slow call") && line.value("request_id", "") == "logs-test:slow-1";
  });
  ASSERT_FALSE(slow.is_null()) << Log();
  EXPECT_EQ(slow["level"], "warn");
  EXPECT_EQ(slow["name"], "slow_item_name");
  EXPECT_EQ(slow["service"], "querygate.v1.QueryService");
  EXPECT_EQ(slow["method"], "Execute");
  EXPECT_EQ(slow["code"], "OK");
  EXPECT_GE(slow["duration_ms"].get<double>(), 300.0) << slow;
  EXPECT_GE(slow["database_ms"].get<double>(), 290.0) << slow;
  for (const char* step : {"pool_wait_ms", "redis_ms", "encode_ms"}) {
    ASSERT_TRUE(slow.contains(step) && slow[step].is_number()) << step << " " << slow;
  }

  // Without (or with an unusable) x-request-id, the server makes one up and returns it; the
  // debug call line carries it.
  grpc::ClientContext plain;
  plain.AddMetadata("x-request-id", "has spaces");
  request.mutable_params()->at("seconds").set_double_value(0);
  ASSERT_TRUE(stub->Execute(&plain, request, &response).ok());
  auto made = plain.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(made, plain.GetServerInitialMetadata().end());
  std::string id(made->second.data(), made->second.size());
  EXPECT_EQ(id.size(), 32u) << id;
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  Json call = AwaitLine(
      [&](const Json& line) { return Is(line, "call") && line.value("request_id", "") == id; });
  ASSERT_FALSE(call.is_null()) << Log();
  EXPECT_EQ(call["level"], "debug");
  EXPECT_EQ(call["method"], "Execute");
}

}  // namespace
}  // namespace querygate
