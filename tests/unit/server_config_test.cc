// The server's config loader: every documented setting applies, unknown keys are errors.
#include "server/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "tests/support/test_env.h"

namespace querygate::server {
namespace {

using querygate::testing::ScopedTempDir;
using querygate::testing::WriteFile;
using ::testing::HasSubstr;

class ServerConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name : {"QUERYGATE_CONFIG", "QUERYGATE_WARM_CONCURRENCY",
                             "QUERYGATE_INVALIDATION_CHANNEL", "QUERYGATE_AUTH_MODE"}) {
      unsetenv(name);
    }
  }

  absl::StatusOr<ServerConfig> Load(const std::string& json, std::vector<std::string> args = {}) {
    std::string path = dir_.path() + "/config.json";
    WriteFile(path, json);
    args.insert(args.begin(), {"--config", path, "--database-url", "postgresql://x@127.0.0.1/x"});
    return LoadServerConfig(args);
  }

  ScopedTempDir dir_;
};

TEST_F(ServerConfigTest, TheOnceIgnoredSettingsApply) {
  auto config = Load(R"json({
    "invalidation": {"channel": "", "listen": false, "skip_own_writes": false},
    "warm": {"on_startup": false, "block_readiness": true, "concurrency": 7}
  })json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->invalidation_channel, "");
  EXPECT_FALSE(config->listen_for_changes);
  EXPECT_FALSE(config->skip_own_write_triggers);
  EXPECT_FALSE(config->warm.on_startup);
  EXPECT_TRUE(config->warm.block_readiness);
  EXPECT_EQ(config->warm.concurrency, 7);
}

TEST_F(ServerConfigTest, UnknownKeysAreErrorsNamingThem) {
  auto typo = Load(R"json({"database": {"max_conections": 3}})json");
  EXPECT_EQ(typo.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(typo.status().message(), HasSubstr("unknown config key database.max_conections"));
  auto top = Load(R"json({"lisen": "127.0.0.1:1"})json");
  EXPECT_THAT(top.status().message(), HasSubstr("unknown config key lisen"));
  auto object = Load(R"json({"listen": {"host": "x"}})json");
  EXPECT_THAT(object.status().message(), HasSubstr("listen: expected a value"));
  auto flag = LoadServerConfig({"--database-url", "x", "--no-such-flag", "1"});
  EXPECT_THAT(flag.status().message(), HasSubstr("unknown flag --no-such-flag"));
}

TEST_F(ServerConfigTest, FlagsBeatEnvironmentBeatFile) {
  setenv("QUERYGATE_WARM_CONCURRENCY", "5", 1);
  auto env = Load(R"json({"warm": {"concurrency": 3}})json");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->warm.concurrency, 5);
  auto flag = Load(R"json({"warm": {"concurrency": 3}})json", {"--warm-concurrency", "9"});
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->warm.concurrency, 9);
}

TEST_F(ServerConfigTest, AuthSettingsReadTheirKeyFiles) {
  WriteFile(dir_.path() + "/secret", "s3cret-of-enough-length\n");
  auto config = Load(R"json({
    "auth": {"mode": "jwt", "jwt": {"algorithms": ["HS256"], "hs256_secret_file": ")json" +
                     dir_.path() + R"json(/secret", "issuer": "me", "leeway_seconds": 5},
             "roles": {"auditor": ["QueryService.Execute"]}}
  })json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->auth.mode, auth::AuthMode::kJwt);
  EXPECT_EQ(config->auth.jwt.algorithms, std::vector<std::string>{"HS256"});
  EXPECT_EQ(config->auth.jwt.hs256_secret, "s3cret-of-enough-length");
  EXPECT_EQ(config->auth.jwt.issuer, "me");
  EXPECT_EQ(config->auth.jwt.leeway, absl::Seconds(5));
  EXPECT_EQ(config->role_permissions.at("auditor"),
            std::vector<std::string>{"QueryService.Execute"});

  auto missing = Load(R"json({"auth": {"jwt": {"hs256_secret_file": "/nonexistent/x"}}})json");
  EXPECT_THAT(missing.status().message(), HasSubstr("auth.jwt.hs256_secret_file"));
  auto mtls = Load(R"json({"auth": {"mode": "mtls"}})json");
  EXPECT_THAT(mtls.status().message(), HasSubstr("tls.client_ca_file"));
  auto bad_mode = Load(R"json({"auth": {"mode": "maybe"}})json");
  EXPECT_EQ(bad_mode.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ServerConfigTest, WarmConcurrencyIsBoundedByItsCap) {
  auto over = Load(R"json({"warm": {"concurrency": 17}})json");
  EXPECT_THAT(over.status().message(), HasSubstr("warm.max_concurrency"));
  auto raised = Load(R"json({"warm": {"concurrency": 17, "max_concurrency": 32,
                                      "params_from_timeout_ms": 1500}})json");
  ASSERT_TRUE(raised.ok()) << raised.status();
  EXPECT_EQ(raised->warm.params_from_timeout, absl::Milliseconds(1500));
}

TEST_F(ServerConfigTest, InsecureNoAuthIsABareFlag) {
  auto config = Load("{}", {"--insecure-no-auth", "--listen", "0.0.0.0:1"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->insecure_no_auth);
  EXPECT_EQ(config->server.listen, "0.0.0.0:1");
}

TEST_F(ServerConfigTest, WarmSetsWithSqlNeedAName) {
  auto unnamed = Load(R"json({"warm": {"sets": [{"query": "q", "params_from": "SELECT 1"}]}})json");
  EXPECT_THAT(unnamed.status().message(), HasSubstr("warm.sets[0].name"));
  auto named = Load(
      R"json({"warm": {"sets": [{"name": "top", "query": "q", "params_from": "SELECT 1"}]}})json");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->warm.sets.at(0).name, "top");
}

TEST(IsLoopbackListenTest, OnlyLoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackListen("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackListen("127.8.9.10:0"));
  EXPECT_TRUE(IsLoopbackListen("localhost:1"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:1"));
  EXPECT_FALSE(IsLoopbackListen("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackListen("[::]:50051"));
  EXPECT_FALSE(IsLoopbackListen("10.0.0.1:1"));
  EXPECT_FALSE(IsLoopbackListen("example.com:1"));
  EXPECT_FALSE(IsLoopbackListen(":50051"));
}

}  // namespace
}  // namespace querygate::server
