// The server's config loader: every documented setting applies, unknown keys are errors.
#include "server/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "tests/support/test_env.h"

namespace querygate::server {
namespace {

using querygate::testing::ScopedTempDir;
using querygate::testing::WriteFile;
using ::testing::HasSubstr;

class ServerConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name :
         {"QUERYGATE_CONFIG", "QUERYGATE_WARM_CONCURRENCY", "QUERYGATE_INVALIDATION_CHANNEL",
          "QUERYGATE_AUTH_MODE", "QUERYGATE_TENANCY_HEADER",
          "QUERYGATE_TENANCY_ALLOW_PRIVILEGED_ROLE", "QUERYGATE_INVALIDATION_FEED_TIMEOUT_MS"}) {
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

TEST_F(ServerConfigTest, FeedTimeoutDefaultsToFiveSecondsAndApplies) {
  auto defaults = Load("{}");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->feed_timeout, absl::Milliseconds(5000));
  auto file = Load(R"json({"invalidation": {"feed_timeout_ms": 2500}})json");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->feed_timeout, absl::Milliseconds(2500));
  setenv("QUERYGATE_INVALIDATION_FEED_TIMEOUT_MS", "1200", 1);
  auto env = Load(R"json({"invalidation": {"feed_timeout_ms": 2500}})json");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->feed_timeout, absl::Milliseconds(1200));
  auto flag = Load("{}", {"--invalidation-feed-timeout-ms", "800"});
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->feed_timeout, absl::Milliseconds(800));
  auto tiny = Load("{}", {"--invalidation-feed-timeout-ms", "20"});
  EXPECT_EQ(tiny.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tiny.status().message(), HasSubstr("invalidation.feed_timeout_ms"));
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

TEST_F(ServerConfigTest, TenancySettingsComeFromFileEnvironmentAndFlags) {
  auto defaults = Load("{}");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->tenancy.header, "");
  EXPECT_FALSE(defaults->tenancy.allow_privileged_role);

  auto file = Load(R"json({"tenancy": {"header": "x-org", "allow_privileged_role": true}})json");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->tenancy.header, "x-org");
  EXPECT_TRUE(file->tenancy.allow_privileged_role);

  setenv("QUERYGATE_TENANCY_HEADER", "x-env-org", 1);
  setenv("QUERYGATE_TENANCY_ALLOW_PRIVILEGED_ROLE", "true", 1);
  auto env = Load(R"json({"tenancy": {"header": "x-org"}})json");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->tenancy.header, "x-env-org");
  EXPECT_TRUE(env->tenancy.allow_privileged_role);

  auto flags =
      Load("{}", {"--tenancy-header", "x-flag-org", "--tenancy-allow-privileged-role", "false"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->tenancy.header, "x-flag-org");
  EXPECT_FALSE(flags->tenancy.allow_privileged_role);

  auto not_bool = Load("{}", {"--tenancy-allow-privileged-role", "yes"});
  EXPECT_EQ(not_bool.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_bool.status().message(), HasSubstr("--tenancy-allow-privileged-role"));
  auto typo = Load(R"json({"tenancy": {"headers": "x-org"}})json");
  EXPECT_THAT(typo.status().message(), HasSubstr("unknown config key tenancy.headers"));
}

TEST_F(ServerConfigTest, TheTenancyHeaderIsForServersWithoutAuthenticationOnly) {
  WriteFile(dir_.path() + "/secret", "s3cret-of-enough-length\n");
  auto jwt = Load(R"json({"tenancy": {"header": "x-org"},
                          "auth": {"mode": "jwt", "jwt": {"algorithms": ["HS256"],
                                   "hs256_secret_file": ")json" +
                  dir_.path() + R"json(/secret"}}})json");
  EXPECT_EQ(jwt.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(jwt.status().message(), HasSubstr("tenancy.header: only with auth.mode none"));

  for (const char* bad : {"X-Org", "grpc-tenant", "x-org-bin", "authorization", "x org", "x:org"}) {
    auto refused = Load("{}", {"--tenancy-header", bad});
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(refused.status().message(), HasSubstr("tenancy.header")) << bad;
  }
  EXPECT_TRUE(CheckTenancyHeader("x-querygate-tenant").ok());
  EXPECT_TRUE(CheckTenancyHeader("tenant_id.v1").ok());
}

TEST_F(ServerConfigTest, WarmSetsNameTheirTenants) {
  auto config = Load(R"json({"warm": {"sets": [
    {"query": "q", "params": [{}], "tenants": ["a", "b"]}, {"query": "r"}]}})json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->warm.sets.at(0).tenants, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(config->warm.sets.at(1).tenants.empty());

  auto mistyped = Load(R"json({"warm": {"sets": [{"query": "q", "tenants": "a"}]}})json");
  EXPECT_THAT(mistyped.status().message(), HasSubstr("warm.sets[0].tenants"));
  auto numbers = Load(R"json({"warm": {"sets": [{"query": "q", "tenants": [1]}]}})json");
  EXPECT_THAT(numbers.status().message(), HasSubstr("warm.sets[0].tenants"));
  auto empty = Load(R"json({"warm": {"sets": [{"query": "q", "tenants": [""]}]}})json");
  EXPECT_THAT(empty.status().message(), HasSubstr("warm.sets[0].tenants[0]"));
  std::string long_tenant(257, 'a');
  auto too_long = Load(R"json({"warm": {"sets": [{"query": "q", "tenants": ["ok", ")json" +
                       long_tenant + R"json("]}]}})json");
  EXPECT_THAT(too_long.status().message(), HasSubstr("warm.sets[0].tenants[1]"));
  std::string many = "[";
  for (int i = 0; i < 1001; ++i) absl::StrAppend(&many, i == 0 ? "" : ",", "\"t", i, "\"");
  many += "]";
  auto too_many =
      Load(absl::StrCat(R"json({"warm": {"sets": [{"query": "q", "tenants": )json", many, "}]}}"));
  EXPECT_THAT(too_many.status().message(), HasSubstr("at most 1000 tenants"));
}

TEST_F(ServerConfigTest, MetricsListenIsOffByDefaultAndApplies) {
  auto defaults = Load("{}");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->metrics_listen, "");
  auto file = Load(R"json({"metrics": {"listen": "127.0.0.1:9464"}})json");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->metrics_listen, "127.0.0.1:9464");
  setenv("QUERYGATE_METRICS_LISTEN", "[::1]:0", 1);
  auto env = Load(R"json({"metrics": {"listen": "127.0.0.1:9464"}})json");
  unsetenv("QUERYGATE_METRICS_LISTEN");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->metrics_listen, "[::1]:0");
  auto flag = Load("{}", {"--metrics-listen", "0.0.0.0:9464"});
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->metrics_listen, "0.0.0.0:9464");
  for (const char* bad : {"9464", "localhost", "127.0.0.1:x", "127.0.0.1:70000", ":9464"}) {
    auto rejected = Load("{}", {"--metrics-listen", bad});
    EXPECT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(rejected.status().message(), HasSubstr("--metrics-listen")) << bad;
  }
  EXPECT_THAT(ServerUsage(), HasSubstr("--metrics-listen"));
  EXPECT_THAT(ServerUsage(), HasSubstr("QUERYGATE_METRICS_LISTEN"));
}

TEST_F(ServerConfigTest, LogSettingsComeFromFileEnvironmentAndFlags) {
  auto defaults = Load("{}");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->log.format, LogFormat::kJson);
  EXPECT_EQ(defaults->log.level, LogLevel::kInfo);
  EXPECT_EQ(defaults->slow_call, absl::Milliseconds(500));
  auto file = Load(R"json({"log": {"format": "logfmt", "level": "warn", "slow_call_ms": 0}})json");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->log.format, LogFormat::kLogfmt);
  EXPECT_EQ(file->log.level, LogLevel::kWarn);
  EXPECT_EQ(file->slow_call, absl::ZeroDuration());
  setenv("QUERYGATE_LOG_LEVEL", "debug", 1);
  setenv("QUERYGATE_LOG_SLOW_CALL_MS", "250", 1);
  auto env = Load(R"json({"log": {"level": "error"}})json");
  unsetenv("QUERYGATE_LOG_LEVEL");
  unsetenv("QUERYGATE_LOG_SLOW_CALL_MS");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->log.level, LogLevel::kDebug);
  EXPECT_EQ(env->slow_call, absl::Milliseconds(250));
  auto flag = Load(R"json({"log": {"format": "logfmt"}})json",
                   {"--log-format", "json", "--log-slow-call-ms", "1000"});
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->log.format, LogFormat::kJson);
  EXPECT_EQ(flag->slow_call, absl::Seconds(1));
  auto bad_level = Load("{}", {"--log-level", "verbose"});
  EXPECT_EQ(bad_level.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_level.status().message(), HasSubstr("--log-level"));
  auto bad_format = Load(R"json({"log": {"format": "xml"}})json");
  EXPECT_EQ(bad_format.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_format.status().message(), HasSubstr("log.format"));
  auto bad_ms = Load("{}", {"--log-slow-call-ms", "-1"});
  EXPECT_THAT(bad_ms.status().message(), HasSubstr("--log-slow-call-ms"));
  auto unknown = Load(R"json({"log": {"colour": true}})json");
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown config key log.colour"));
  for (const char* name : {"--log-format", "QUERYGATE_LOG_LEVEL", "log.slow_call_ms"}) {
    EXPECT_THAT(ServerUsage(), HasSubstr(name));
  }
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
