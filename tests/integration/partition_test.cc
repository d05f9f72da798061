// Freshness under network faults, across two instances sharing PostgreSQL and Redis, with TCP
// proxies (socat) that the test cuts or freezes: a writer cut off from Redis, and a silent
// partition of the LISTEN session.
#include <arpa/inet.h>
#include <grpcpp/client_context.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cache/redis_options.h"
#include "db/connection_url.h"
#include "db/session.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/poll.h"
#include "tests/support/redis_process.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::Int;
using querygate::testing::Str;
using querygate::testing::TestServer;

std::string BlogSchema() { return querygate::testing::ReadSourceFile("schemas/blog.json"); }

constexpr char kSeed[] = R"sql(
INSERT INTO users (id, username, email) VALUES (1, 'user1', 'user1@x.org');
INSERT INTO posts (id, author_id, title, content, status, view_count)
  VALUES (9, 1, 'before', 'c', 'published', 0);
)sql";

using querygate::testing::PortOfUrl;
using querygate::testing::TcpProxy;

class PartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    schema_ = BlogSchema();
    ASSERT_FALSE(schema_.empty()) << "cannot read schemas/blog.json";
  }

  std::unique_ptr<v1::RepositoryService::Stub> Stub(int instance) {
    return v1::RepositoryService::NewStub(server_.Channel(instance));
  }

  static grpc::Status Get(v1::RepositoryService::Stub& stub, v1::GetResponse* response,
                          v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED) {
    v1::GetRequest request;
    request.set_model("post");
    *request.mutable_id() = Int(9);
    request.set_cache_mode(mode);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return stub.Get(&context, request, response);
  }

  static std::string Title(const v1::GetResponse& response) {
    return response.record().fields().at("title").string_value();
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus CacheHealth(int instance) {
    auto health = grpc::health::v1::Health::NewStub(server_.Channel(instance));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("querygate.cache");
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    if (!health->Check(&context, request, &response).ok()) {
      return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    }
    return response.status();
  }

  std::string schema_;
  TestServer server_;
};

// Instance A reaches Redis only through a proxy. With the proxy cut, an Update through A still
// answers OK (its generation bump fails); instance B must learn of the write from PostgreSQL
// (the write's own NOTIFY) and stop serving the pre-write row.
TEST_F(PartitionTest, WriterCutOffFromRedisDoesNotLeaveOthersStale) {
  ASSERT_EQ(server_.Start(schema_, kSeed), "");  // instance 0: B, direct to Redis
  TcpProxy proxy;
  ASSERT_TRUE(proxy.Start(PortOfUrl(querygate::testing::RedisUrl())));
  ASSERT_EQ(server_.StartAnother([&](server::ServerConfig& c) {  // instance 1: A
    ASSERT_TRUE(
        cache::ApplyRedisUrl(absl::StrCat("redis://127.0.0.1:", proxy.port()), c.redis).ok());
    c.redis.key_prefix = server_.key_prefix();
    c.redis.command_timeout = absl::Milliseconds(100);
    c.redis.connect_timeout = absl::Milliseconds(100);
  }),
            "");
  auto b = Stub(0);
  auto a = Stub(1);
  v1::GetResponse read;
  ASSERT_TRUE(Get(*b, &read).ok());
  ASSERT_TRUE(Get(*b, &read).ok());
  ASSERT_EQ(read.cache().status(), v1::CACHE_STATUS_HIT);
  ASSERT_EQ(Title(read), "before");

  proxy.Cut();
  v1::UpdateRequest update;
  update.set_model("post");
  *update.mutable_id() = Int(9);
  (*update.mutable_record()->mutable_fields())["title"] = Str("after");
  v1::UpdateResponse updated;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Status status = a->Update(&context, update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  absl::Time acknowledged = absl::Now();

  // Poll B until it serves the written row; the deadline bounds the wait, not the window.
  int stale = 0;
  bool fresh = false;
  absl::Time first_fresh;
  absl::Time deadline = acknowledged + absl::Seconds(10);
  while (!fresh && absl::Now() < deadline) {
    v1::GetResponse response;
    ASSERT_TRUE(Get(*b, &response).ok());
    if (Title(response) == "after") {
      fresh = true;
      first_fresh = absl::Now();
    } else {
      ++stale;
    }
  }
  ASSERT_TRUE(fresh) << "instance B still serves the pre-write row after 10 s (" << stale
                     << " stale reads)";
  std::cout << "[partitioned writer] window from A's OK to B's first fresh read: "
            << absl::FormatDuration(first_fresh - acknowledged) << ", " << stale
            << " stale read(s) after the acknowledgement\n";
  // Once fresh, B stays fresh.
  for (int i = 0; i < 20; ++i) {
    v1::GetResponse response;
    ASSERT_TRUE(Get(*b, &response).ok());
    EXPECT_EQ(Title(response), "after");
  }
}

// The server's database connections (the LISTEN session included) go through a proxy that
// is frozen: TCP stays open, nothing flows. The database feed must be reported down within
// the feed timeout, the cache distrusted from then on (a write made meanwhile is never served
// stale), and the feed must come back after the partition heals.
TEST_F(PartitionTest, SilentPartitionOfTheListenSessionTakesTheFeedDown) {
  TcpProxy proxy;
  const absl::Duration kFeedTimeout = absl::Milliseconds(1500);
  ASSERT_EQ(server_.Start(schema_, kSeed,
                          [&](server::ServerConfig& c) {
                            ASSERT_TRUE(proxy.Start(PortOfUrl(c.database.url)));
                            c.database.url = db::WithDefaultParam(c.database.url, "port",
                                                                  absl::StrCat(proxy.port()));
                            c.feed_timeout = kFeedTimeout;
                          }),
            "");
  auto stub = Stub(0);
  auto health_is = [&](grpc::health::v1::HealthCheckResponse::ServingStatus want) {
    return [&, want] { return CacheHealth(0) == want; };
  };
  ASSERT_TRUE(querygate::testing::PollUntil(
      absl::Now() + absl::Seconds(10), health_is(grpc::health::v1::HealthCheckResponse::SERVING)));
  v1::GetResponse read;
  ASSERT_TRUE(Get(*stub, &read).ok());
  ASSERT_TRUE(Get(*stub, &read).ok());
  ASSERT_EQ(read.cache().status(), v1::CACHE_STATUS_HIT);

  proxy.Freeze();
  absl::Time frozen = absl::Now();
  // A write made outside the service (psql) during the partition: its NOTIFY cannot reach the
  // server.
  auto admin = db::Session::Connect(server_.database().url(), absl::Seconds(5));
  ASSERT_TRUE(admin.ok()) << admin.status();
  ASSERT_TRUE((*admin)->Execute("UPDATE posts SET title = 'during' WHERE id = 9").ok());

  bool went_down = querygate::testing::PollUntil(
      frozen + absl::Seconds(15), health_is(grpc::health::v1::HealthCheckResponse::NOT_SERVING));
  absl::Time down = absl::Now();
  if (!went_down) proxy.Thaw();
  ASSERT_TRUE(went_down) << "the feed is still reported up 15 s into a silent partition";
  std::cout << "[silent LISTEN partition] feed reported down "
            << absl::FormatDuration(down - frozen) << " after the freeze (feed timeout "
            << absl::FormatDuration(kFeedTimeout) << ", health published every 200ms)\n";
  // From now on nothing is served from the cache: the pre-write row cannot come back.
  v1::GetResponse cached;
  grpc::Status status = Get(*stub, &cached, v1::CACHE_MODE_ONLY_CACHED);
  EXPECT_FALSE(status.ok() && Title(cached) == "before") << "served stale during the partition";

  proxy.Thaw();
  ASSERT_TRUE(querygate::testing::PollUntil(
      absl::Now() + absl::Seconds(15), health_is(grpc::health::v1::HealthCheckResponse::SERVING)));
  for (int i = 0; i < 10; ++i) {
    v1::GetResponse response;
    ASSERT_TRUE(Get(*stub, &response).ok());
    EXPECT_EQ(Title(response), "during") << "read " << i << " after the partition healed";
  }
}

}  // namespace
}  // namespace querygate
