// The C++ client library against an in-process server with real PostgreSQL and Redis.
#include "client/client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using client::Client;
using client::Params;
using querygate::testing::TestServer;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {
    "item": {
      "fields": {
        "id": "int64",
        "name": "string",
        "big": "int64",
        "ratio": "float64?",
        "tags": "string[]",
        "seen_at": "datetime?",
        "blob": "bytes?"
      }
    }
  },
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name, big, ratio, tags, seen_at, blob FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300
    },
    "items_by_ids": {
      "sql": "SELECT id, name FROM items WHERE id = ANY(:ids) ORDER BY id",
      "params": {"ids": "[int64]"}
    },
    "items_seen_after": {
      "sql": "SELECT id FROM items WHERE seen_at > :at ORDER BY id",
      "params": {"at": "datetime"}
    },
    "slow_item": {
      "sql": "SELECT id FROM items, pg_sleep(:seconds) WHERE id = :id",
      "params": {"id": "int64", "seconds": "float64"},
      "cache": false
    }
  }
})json";

constexpr char kSeed[] = R"sql(
INSERT INTO items (id, name, big, ratio, tags, seen_at, blob)
VALUES (1, 'first', 9007199254740993, 0.1, ARRAY['a', 'b,c'], '2024-02-29 12:34:56.789012+00',
        '\x00ff10'),
       (2, 'second', -1, NULL, '{}', NULL, NULL);
)sql";

// A TCP port that was free a moment ago.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  }

  void StartServer() {
    ASSERT_EQ(server_.Start(kSchema, kSeed), "");
    client::ClientOptions options;
    options.target = server_.Target();
    auto created = Client::Create(options);
    ASSERT_TRUE(created.ok()) << created.status();
    client_ = *std::move(created);
  }

  TestServer server_;
  std::unique_ptr<Client> client_;
};

TEST_F(ClientTest, ExecuteReturnsTypedRowsAndCacheStatus) {
  StartServer();
  auto miss = client_->Execute("item_by_id", Params().Set("id", 1));
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_EQ(miss->cache.status, client::CacheStatus::kMiss);
  auto hit = client_->Execute("item_by_id", Params().Set("id", 1));
  ASSERT_TRUE(hit.ok()) << hit.status();
  EXPECT_EQ(hit->cache.status, client::CacheStatus::kHit);
  EXPECT_GT(hit->cache.ttl.count(), 0);
  for (const client::Result* r : {&*miss, &*hit}) {
    ASSERT_EQ(r->rows.size(), 1u);
    ASSERT_EQ(r->columns.size(), 7u);
    EXPECT_EQ(r->columns[2].name, "big");
    EXPECT_EQ(r->columns[2].type, "bigint");
    EXPECT_EQ(*r->Get<int64_t>(0, "big"), 9007199254740993);
    EXPECT_EQ(*r->Get<std::string>(0, "name"), "first");
    EXPECT_EQ(*r->Get<std::optional<double>>(0, "ratio"), 0.1);
    EXPECT_EQ(*r->Get<std::vector<std::string>>(0, "tags"), (std::vector<std::string>{"a", "b,c"}));
    auto seen = r->Get<client::Timepoint>(0, "seen_at");
    ASSERT_TRUE(seen.ok()) << seen.status();
    EXPECT_EQ(client::ToTimestamp(*seen).micros, 1709210096789012);
    EXPECT_EQ(r->Get<client::Bytes>(0, "blob")->data, std::string("\x00\xff\x10", 3));
  }
}

TEST_F(ClientTest, ListAndTimeParameters) {
  StartServer();
  auto both = client_->Execute("items_by_ids", Params().Set("ids", std::vector<int64_t>{2, 1}));
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_EQ(both->rows.size(), 2u);
  EXPECT_EQ(*both->Get<int64_t>(1, "id"), 2);
  auto after = client_->Execute(
      "items_seen_after",
      Params().Set("at", std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))));
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->rows.size(), 1u);
  EXPECT_EQ(*after->Get<int64_t>(0, "id"), 1);
}

TEST_F(ClientTest, ErrorsKeepTheServerCodeAndMessage) {
  StartServer();
  auto unknown = client_->Execute("nope");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "query: unknown query 'nope'");
  auto missing = client_->Execute("item_by_id");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("parameter id"));
  auto mistyped = client_->Execute("item_by_id", Params().Set("id", "one"));
  EXPECT_EQ(mistyped.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, CacheModes) {
  StartServer();
  client::CallOptions only_cached;
  only_cached.cache_mode = client::CacheMode::kOnlyCached;
  EXPECT_EQ(client_->Execute("item_by_id", Params().Set("id", 2), only_cached).status().code(),
            absl::StatusCode::kNotFound);
  client::CallOptions bypass;
  bypass.cache_mode = client::CacheMode::kBypass;
  auto bypassed = client_->Execute("item_by_id", Params().Set("id", 2), bypass);
  ASSERT_TRUE(bypassed.ok()) << bypassed.status();
  EXPECT_EQ(bypassed->cache.status, client::CacheStatus::kBypass);
}

TEST_F(ClientTest, InvalidateMakesTheNextReadAMiss) {
  StartServer();
  ASSERT_TRUE(client_->Execute("item_by_id", Params().Set("id", 1)).ok());
  EXPECT_EQ(client_->Execute("item_by_id", Params().Set("id", 1))->cache.status,
            client::CacheStatus::kHit);
  auto invalidated = client_->Invalidate({{"items"}, {}, {}});
  ASSERT_TRUE(invalidated.ok()) << invalidated.status();
  EXPECT_EQ(invalidated->tables, std::vector<std::string>{"items"});
  EXPECT_EQ(client_->Execute("item_by_id", Params().Set("id", 1))->cache.status,
            client::CacheStatus::kMiss);
}

TEST_F(ClientTest, ListQueriesReportsDeclaredTypes) {
  StartServer();
  auto queries = client_->ListQueries();
  ASSERT_TRUE(queries.ok()) << queries.status();
  const client::QueryInfo* by_ids = nullptr;
  for (const auto& q : *queries) {
    if (q.name == "items_by_ids") by_ids = &q;
  }
  ASSERT_NE(by_ids, nullptr);
  ASSERT_EQ(by_ids->params.size(), 1u);
  EXPECT_EQ(by_ids->params[0].name, "ids");
  EXPECT_THAT(by_ids->params[0].type, ::testing::AnyOf("[int64]", "int64[]"));
  EXPECT_TRUE(by_ids->params[0].required);
  EXPECT_EQ(by_ids->tables, std::vector<std::string>{"items"});
}

TEST_F(ClientTest, Health) {
  StartServer();
  auto health = client_->Health();
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, client::HealthStatus::kServing);
  EXPECT_EQ(client_->Health("no.such.service").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ClientTest, DeadlineExceeded) {
  StartServer();
  client::CallOptions call;
  call.deadline = std::chrono::milliseconds(200);
  auto slow = client_->Execute("slow_item", Params().Set("id", 1).Set("seconds", 3.0), call);
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kDeadlineExceeded) << slow.status();
}

TEST_F(ClientTest, ReadsRetryUnavailableUntilTheServerComesUp) {
  int port = FreePort();
  client::ClientOptions options;
  options.target = absl::StrCat("127.0.0.1:", port);
  options.default_deadline = std::chrono::seconds(60);
  options.retry.max_attempts = 200;
  options.retry.initial_backoff = std::chrono::milliseconds(50);
  options.retry.max_backoff = std::chrono::milliseconds(200);
  std::atomic<int> retries{0};
  options.on_retry = [&](int, const absl::Status& status) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
    ++retries;
  };
  auto client = Client::Create(options);
  ASSERT_TRUE(client.ok());
  std::string started = "not started";
  std::thread starter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    started = server_.Start(kSchema, kSeed, [&](server::ServerConfig& c) {
      c.server.listen = absl::StrCat("127.0.0.1:", port);
    });
  });
  auto result = (*client)->Execute("item_by_id", Params().Set("id", 1));
  starter.join();
  ASSERT_EQ(started, "");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result->Get<std::string>(0, "name"), "first");
  EXPECT_GT(retries.load(), 0);
}

TEST_F(ClientTest, WritesAreNotRetried) {
  client::ClientOptions options;
  options.target = absl::StrCat("127.0.0.1:", FreePort());
  options.retry.max_attempts = 5;
  int retries = 0;
  options.on_retry = [&](int, const absl::Status&) { ++retries; };
  auto client = Client::Create(options);
  ASSERT_TRUE(client.ok());
  auto invalidated = (*client)->Invalidate({{"items"}, {}, {}});
  EXPECT_EQ(invalidated.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(retries, 0);
  auto read = (*client)->ListQueries();
  EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(retries, 4);
}

TEST(ClientCreateTest, RejectsBadOptions) {
  client::ClientOptions empty;
  empty.target = "";
  EXPECT_EQ(Client::Create(empty).status().code(), absl::StatusCode::kInvalidArgument);
  client::ClientOptions half_tls;
  half_tls.tls.enabled = true;
  half_tls.tls.cert_chain_pem = "x";
  EXPECT_EQ(Client::Create(half_tls).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, WarmAndStats) {
  StartServer();
  client::WarmRequest request;
  request.sets.push_back({"item_by_id", "", {Params().Set("id", 1), Params().Set("id", 2)}, ""});
  std::vector<client::WarmProgress> seen;
  auto warmed = client_->Warm(request, [&](const client::WarmProgress& p) { seen.push_back(p); });
  if (warmed.status().code() == absl::StatusCode::kUnimplemented) {
    GTEST_SKIP() << "the server does not implement Warm yet";
  }
  ASSERT_TRUE(warmed.ok()) << warmed.status();
  EXPECT_TRUE(warmed->finished);
  EXPECT_EQ(warmed->total, 2);
  EXPECT_EQ(warmed->done, 2);
  EXPECT_FALSE(seen.empty());
  EXPECT_EQ(client_->Execute("item_by_id", Params().Set("id", 2))->cache.status,
            client::CacheStatus::kHit);
  auto stats = client_->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_TRUE(stats->database_healthy);
  bool found = false;
  for (const auto& q : stats->queries) {
    if (q.name == "item_by_id") {
      found = true;
      EXPECT_GE(q.hits, 1);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ClientTest, RepositoryRoundTrip) {
  StartServer();
  client::Record record;
  record.Set("id", 10).Set("name", "ten").Set("big", 10).Set("tags", std::vector<std::string>{});
  auto created = client_->Create("item", record);
  if (created.status().code() == absl::StatusCode::kUnimplemented) {
    GTEST_SKIP() << "the server does not serve RepositoryService yet";
  }
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created->Get<std::string>("name"), "ten");
  auto got = client_->Get("item", Value::Int(10));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got->record.Get<int64_t>("big"), 10);
  client::ListOptions list;
  list.filter = client::Filter::Where("big", client::Operator::kGe, Value::Int(10));
  list.order_by = {{"id", true}};
  auto listed = client_->List("item", list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->records.size(), 2u);
  EXPECT_EQ(*listed->records[0].Get<int64_t>("id"), 10);
  EXPECT_EQ(*listed->records[1].Get<int64_t>("id"), 1);
  client::Record change;
  change.Set("name", "TEN");
  auto updated = client_->Update("item", Value::Int(10), change);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(*updated->Get<std::string>("name"), "TEN");
  EXPECT_EQ(*client_->Delete("item", Value::Int(10)), true);
  EXPECT_EQ(*client_->Delete("item", Value::Int(10)), false);
  EXPECT_EQ(client_->Get("item", Value::Int(10)).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace querygate
