// The querygate CLI, run as a separate process against an in-process server with real
// PostgreSQL and Redis.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "tests/support/test_server.h"

extern char** environ;

namespace querygate {
namespace {

using querygate::testing::TestServer;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSchema[] = R"json({
  "models": {
    "item": {
      "fields": {
        "id": "int64",
        "name": "string",
        "big": "int64",
        "ratio": "float64?",
        "seen_at": "datetime?",
        "blob": "bytes?"
      }
    }
  },
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name, big, ratio, seen_at, blob FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300,
      "description": "one item"
    },
    "items_by_ids": {
      "sql": "SELECT id, name FROM items WHERE id = ANY(:ids) ORDER BY id",
      "params": {"ids": "[int64]"}
    },
    "items_seen": {
      "sql": "SELECT id FROM items WHERE seen_at IS NOT DISTINCT FROM :at ORDER BY id",
      "params": {"at": "datetime?"}
    },
    "slow_item": {
      "sql": "SELECT id FROM items, pg_sleep(:seconds) WHERE id = :id",
      "params": {"id": "int64", "seconds": "float64"},
      "cache": false
    }
  }
})json";

constexpr char kSeed[] = R"sql(
INSERT INTO items (id, name, big, ratio, seen_at, blob)
VALUES (1, 'first', 9007199254740993, 0.1, '2024-02-29 12:34:56.789012+00', '\x00ff10'),
       (2, 'second', -1, NULL, NULL, NULL);
)sql";

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    if (querygate::testing::BinDir().empty()) GTEST_SKIP() << "QUERYGATE_BIN_DIR is not set";
    std::random_device random;
    channel_ = absl::StrFormat("qgtest:invalidate:%08x", random());
    ASSERT_EQ(server_.Start(kSchema, kSeed,
                            [&](server::ServerConfig& c) { c.invalidation_channel = channel_; }),
              "");
  }

  // Runs `querygate args...` with `env` added to the environment.
  CliRun Run(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::string binary = querygate::testing::BinDir() + "/querygate";
    std::string out_path = dir_.path() + "/out", err_path = dir_.path() + "/err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    std::vector<std::string> all = {binary};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (entry.rfind("QUERYGATE_TARGET=", 0) == 0 || entry.rfind("QUERYGATE_CONFIG=", 0) == 0) {
        continue;
      }
      environment.push_back(entry);
    }
    environment.insert(environment.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid;
    CliRun run;
    int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      ADD_FAILURE() << "cannot run " << binary;
      return run;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.out = querygate::testing::ReadFile(out_path);
    run.err = querygate::testing::ReadFile(err_path);
    return run;
  }

  // Runs with --target pointing at the test server.
  CliRun RunT(std::vector<std::string> args) {
    args.insert(args.begin(), {"--target", server_.Target()});
    return Run(args);
  }

  nlohmann::json Json(const CliRun& run) {
    EXPECT_EQ(run.exit_code, 0) << run.err;
    nlohmann::json json = nlohmann::json::parse(run.out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << run.out;
    return json;
  }

  std::string CacheStatusOfItem(int id) {
    nlohmann::json json =
        Json(RunT({"query", "item_by_id", "--param", absl::StrCat("id=", id), "--json"}));
    return json.is_discarded() ? "" : json["cache"]["status"].get<std::string>();
  }

  TestServer server_;
  querygate::testing::ScopedTempDir dir_;
  std::string channel_;
};

TEST_F(CliTest, QueryPrintsAnAlignedTable) {
  CliRun run = RunT({"query", "items_by_ids", "--param", "ids=1,2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "id  name\n"
            "--  ------\n"
            " 1  first\n"
            " 2  second\n"
            "(2 rows, cache MISS, ttl 5m)\n");
  EXPECT_EQ(run.err, "");
}

TEST_F(CliTest, QueryJsonParsesBackWithExactTypes) {
  nlohmann::json miss = Json(RunT({"query", "item_by_id", "-p", "id=1", "--json"}));
  nlohmann::json hit = Json(RunT({"--json", "query", "item_by_id", "--param=id=1"}));
  EXPECT_EQ(miss["cache"]["status"], "MISS");
  EXPECT_EQ(hit["cache"]["status"], "HIT");
  EXPECT_EQ(hit["cache"]["ttl_ms"].get<int64_t>() > 0, true);
  for (const nlohmann::json* j : {&miss, &hit}) {
    EXPECT_EQ((*j)["query"], "item_by_id");
    ASSERT_EQ((*j)["rows"].size(), 1u);
    const nlohmann::json& row = (*j)["rows"][0];
    EXPECT_EQ(row["id"].get<int64_t>(), 1);
    EXPECT_EQ(row["big"].get<int64_t>(), 9007199254740993);
    EXPECT_EQ(row["ratio"].get<double>(), 0.1);
    EXPECT_EQ(row["seen_at"], "2024-02-29T12:34:56.789012Z");
    EXPECT_EQ(row["blob"], "AP8Q");
    EXPECT_EQ((*j)["columns"][2]["name"], "big");
    EXPECT_EQ((*j)["columns"][2]["type"], "bigint");
  }
}

TEST_F(CliTest, ValuesAreParsedByDeclaredType) {
  nlohmann::json json_list = Json(RunT({"query", "items_by_ids", "--param", "ids=[2]", "--json"}));
  ASSERT_EQ(json_list["rows"].size(), 1u);
  EXPECT_EQ(json_list["rows"][0]["name"], "second");
  nlohmann::json at = Json(
      RunT({"query", "items_seen", "--param", "at=2024-02-29T13:34:56.789012+01:00", "--json"}));
  ASSERT_EQ(at["rows"].size(), 1u);
  EXPECT_EQ(at["rows"][0]["id"], 1);
  nlohmann::json null_at = Json(RunT({"query", "items_seen", "--param", "at=null", "--json"}));
  ASSERT_EQ(null_at["rows"].size(), 1u);
  EXPECT_EQ(null_at["rows"][0]["id"], 2);
  nlohmann::json params =
      Json(RunT({"query", "items_by_ids", "--params", R"({"ids": [1, "2"]})", "--json"}));
  EXPECT_EQ(params["rows"].size(), 2u);
}

TEST_F(CliTest, ErrorsShowTheStatusCodeAndExitNonZero) {
  CliRun unknown = RunT({"query", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "error: NOT_FOUND: query: unknown query 'nope'\n");
  EXPECT_EQ(unknown.out, "");

  CliRun missing = RunT({"query", "item_by_id"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, StartsWith("error: INVALID_ARGUMENT: parameter id: missing"));

  CliRun mistyped = RunT({"query", "item_by_id", "--param", "id=x"});
  EXPECT_EQ(mistyped.exit_code, 2);
  EXPECT_THAT(mistyped.err, HasSubstr("parameter id: \"x\" is not an integer"));

  CliRun bad_usage = RunT({"query"});
  EXPECT_EQ(bad_usage.exit_code, 2);
  EXPECT_THAT(bad_usage.err, HasSubstr("querygate query --help"));

  CliRun unknown_command = Run({"frobnicate"});
  EXPECT_EQ(unknown_command.exit_code, 2);

  CliRun slow = RunT(
      {"--deadline", "200ms", "query", "slow_item", "--param", "id=1", "--param", "seconds=3"});
  EXPECT_EQ(slow.exit_code, 1);
  EXPECT_THAT(slow.err, StartsWith("error: DEADLINE_EXCEEDED: "));

  CliRun down = Run({"--target", "127.0.0.1:1", "--deadline", "2s", "queries"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, StartsWith("error: UNAVAILABLE: "));
}

TEST_F(CliTest, TargetFromTheEnvironment) {
  CliRun run = Run({"queries"}, {"QUERYGATE_TARGET=" + server_.Target()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("item_by_id"));
}

TEST_F(CliTest, QueriesTableAndJson) {
  CliRun table = RunT({"queries"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, StartsWith("QUERY "));
  EXPECT_THAT(table.out, ::testing::AnyOf(HasSubstr("ids [int64]"), HasSubstr("ids int64[]")));
  EXPECT_THAT(table.out, HasSubstr("one item"));
  nlohmann::json json = Json(RunT({"queries", "item_by_id", "--json"}));
  ASSERT_EQ(json["queries"].size(), 1u);
  const nlohmann::json& q = json["queries"][0];
  EXPECT_EQ(q["name"], "item_by_id");
  EXPECT_EQ(q["params"][0]["type"], "int64");
  EXPECT_EQ(q["ttl_ms"], 300000);
  EXPECT_EQ(q["tables"][0], "items");
  EXPECT_EQ(RunT({"queries", "nope"}).exit_code, 1);
}

TEST_F(CliTest, InvalidateMakesTheNextReadAMiss) {
  EXPECT_EQ(CacheStatusOfItem(1), "MISS");
  EXPECT_EQ(CacheStatusOfItem(1), "HIT");
  CliRun run = RunT({"invalidate", "--table", "items"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "invalidated tables: items; queries: -\n");
  EXPECT_EQ(CacheStatusOfItem(1), "MISS");
  nlohmann::json json = Json(RunT({"invalidate", "-q", "item_by_id", "--json"}));
  EXPECT_EQ(json["queries"][0], "item_by_id");
  EXPECT_EQ(CacheStatusOfItem(1), "MISS");
  EXPECT_EQ(RunT({"invalidate"}).exit_code, 2);
}

TEST_F(CliTest, PublishInvalidatesThroughRedis) {
  EXPECT_EQ(CacheStatusOfItem(1), "MISS");
  EXPECT_EQ(CacheStatusOfItem(1), "HIT");
  CliRun run = Run({"publish", "--table", "items", "--channel", channel_, "--redis-url",
                    querygate::testing::RedisUrl(), "--json"});
  nlohmann::json json = Json(run);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json["channel"], channel_);
  EXPECT_EQ(json["event"]["tables"][0], "items");
  EXPECT_EQ(json["event"]["source"], "cli");
  if (json["receivers"].get<int64_t>() == 0) {
    GTEST_SKIP() << "no server subscribed to " << channel_
                 << ": the invalidation subscriber is not wired into the server yet";
  }
  std::string status;
  for (int i = 0; i < 50 && status != "MISS"; ++i) {
    status = CacheStatusOfItem(1);
    if (status != "MISS") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, "MISS");
}

TEST_F(CliTest, PublishFailsWithoutRedis) {
  CliRun run = Run({"publish", "items", "--redis-url", "redis://127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, StartsWith("error: UNAVAILABLE: "));
}

TEST_F(CliTest, Health) {
  CliRun run = RunT({"health"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("(server)"));
  EXPECT_THAT(run.out, HasSubstr("SERVING"));
  nlohmann::json json = Json(RunT({"health", "--service", "", "--json"}));
  EXPECT_EQ(json["status"], "SERVING");
  CliRun unknown = RunT({"health", "--service", "no.such.service"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, StartsWith("error: NOT_FOUND"));
}

TEST_F(CliTest, WarmAndStats) {
  CliRun warm = RunT(
      {"warm", "--query", "item_by_id", "--params", R"({"id": 1})", "--params", R"({"id": "2"})"});
  if (warm.err.find("UNIMPLEMENTED") != std::string::npos) {
    GTEST_SKIP() << "the server does not implement Warm yet: " << warm.err;
  }
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  EXPECT_THAT(warm.err, HasSubstr("warm: "));  // plain progress lines: not a terminal
  EXPECT_THAT(warm.out, StartsWith("warmed 2 of 2 entries in "));
  EXPECT_EQ(CacheStatusOfItem(2), "HIT");

  CliRun stats = RunT({"stats"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, StartsWith("QUERY "));
  EXPECT_THAT(stats.out, HasSubstr("item_by_id"));
  nlohmann::json json = Json(RunT({"stats", "--json"}));
  EXPECT_TRUE(json["database_healthy"].get<bool>());
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (const char* command : {"query", "queries", "get", "list", "create", "update", "delete",
                              "invalidate", "publish", "warm", "stats", "health"}) {
    CliRun run = Run({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_THAT(run.out, StartsWith(absl::StrCat("usage: querygate ", command))) << command;
    EXPECT_THAT(run.out, HasSubstr("Exit status")) << command;
  }
  CliRun top = Run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command :
       {"query NAME", "queries", "get MODEL", "list MODEL", "create MODEL", "update MODEL",
        "delete MODEL", "invalidate", "publish", "warm", "stats", "health", "migrate", "schema"}) {
    EXPECT_THAT(top.out, HasSubstr(absl::StrCat("  ", command))) << command;
  }
}

TEST_F(CliTest, RepositoryCommands) {
  CliRun created =
      RunT({"create", "item", "--set", "id=10", "--set", "name=ten", "--set", "big=10", "--json"});
  if (created.err.find("UNIMPLEMENTED") != std::string::npos) {
    GTEST_SKIP() << "the server does not serve RepositoryService yet: " << created.err;
  }
  nlohmann::json record = Json(created);
  EXPECT_EQ(record["record"]["name"], "ten");
  nlohmann::json got = Json(RunT({"get", "item", "10", "--json"}));
  EXPECT_EQ(got["record"]["big"], 10);
  nlohmann::json listed =
      Json(RunT({"list", "item", "--where", "big>=10", "--order", "-id", "--json"}));
  ASSERT_EQ(listed["records"].size(), 2u);
  EXPECT_EQ(listed["records"][0]["id"], 10);
  CliRun table = RunT({"list", "item", "--where", "name=ten"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, StartsWith("id  "));
  EXPECT_THAT(table.out, HasSubstr("(1 row)"));
  nlohmann::json updated = Json(RunT({"update", "item", "10", "--set", "name=TEN", "--json"}));
  EXPECT_EQ(updated["record"]["name"], "TEN");
  EXPECT_EQ(RunT({"delete", "item", "10"}).exit_code, 0);
  CliRun again = RunT({"delete", "item", "10"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, StartsWith("error: NOT_FOUND"));
  CliRun gone = RunT({"get", "item", "10"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_THAT(gone.err, StartsWith("error: NOT_FOUND"));
}

}  // namespace
}  // namespace querygate
