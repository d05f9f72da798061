// Frozen instances: two querygate-server processes on one database and Redis prefix, L1 on.
// B holds a row in its L1 and is frozen (SIGSTOP); a write through A completes (A waits for
// B's acknowledgement or the end of B's lease); B resumes (SIGCONT) and its first read returns
// the new row. Also with B frozen past the end of its lease before the write.
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "migrate/migrator.h"
#include "tests/support/l1_calls.h"
#include "tests/support/poll.h"
#include "tests/support/redis_command.h"
#include "tests/support/server_process.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_env.h"

namespace querygate {
namespace {

using querygate::testing::InstanceCalls;
using querygate::testing::IsLocalHit;
using querygate::testing::PollUntil;
using querygate::testing::Read;
using querygate::testing::ServerProcess;
using querygate::testing::Str;

constexpr char kSeed[] = "INSERT INTO posts (id, title) VALUES (1, 'one'), (2, 'two');";
constexpr int kLeaseMs = 1000;

class L1FrozenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    if (querygate::testing::BinDir().empty()) GTEST_SKIP() << "QUERYGATE_BIN_DIR is not set";
    ASSERT_TRUE(db_.ok());
    std::string schema = querygate::testing::ReadSourceFile("tests/integration/l1/coherence.json");
    ASSERT_FALSE(schema.empty());
    schema_dir_ = dir_.path() + "/schemas";
    querygate::testing::WriteFile(schema_dir_ + "/test.json", schema);
    migrate::MigratorOptions options;
    options.database_url = db_.url();
    options.schema_dir = schema_dir_;
    options.migrations_dir = schema_dir_ + "/migrations";
    migrate::Migrator migrator(options);
    ASSERT_TRUE(migrator.New("init", false).ok());
    ASSERT_TRUE(migrator.Up().ok());
    ASSERT_TRUE(db_.Connect()->Execute(kSeed).ok());
    std::random_device random;
    prefix_ = absl::StrFormat("qgtest:%08x%08x", random(), random());
    for (int i = 0; i < 2; ++i) {
      std::vector<std::string> args = {"--schema-dir",
                                       schema_dir_,
                                       "--database-url",
                                       db_.url(),
                                       "--redis-url",
                                       querygate::testing::RedisUrl(),
                                       "--redis-key-prefix",
                                       prefix_,
                                       "--invalidation-channel",
                                       prefix_ + ":invalidate",
                                       "--db-min-connections",
                                       "1",
                                       "--db-max-connections",
                                       "4",
                                       "--cache-l1-lease-ms",
                                       absl::StrCat(kLeaseMs)};
      std::string log = absl::StrCat(dir_.path(), "/server", i, ".log");
      ASSERT_EQ(servers_[i].Start(args, log), "");
      auto channel = grpc::CreateChannel(servers_[i].target(), grpc::InsecureChannelCredentials());
      calls_[i] = std::make_unique<InstanceCalls>(channel);
      health_[i] = grpc::health::v1::Health::NewStub(channel);
      ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(30), [&] { return CacheServing(i); }))
          << "instance " << i
          << " never reported querygate.cache SERVING: " << querygate::testing::ReadFile(log);
    }
  }

  bool CacheServing(int i) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("querygate.cache");
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    return health_[i]->Check(&context, request, &response).ok() &&
           response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  // Reads row `id` through B until both the named query and the Get are LOCAL hits.
  void FillB(int id) {
    ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(10), [&] {
      return IsLocalHit(b().Execute("post_title", id));
    })) << "B never served the query from L1";
    ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(10), [&] {
      return IsLocalHit(b().Get("post", id, "title"));
    })) << "B never served the Get from L1";
  }

  InstanceCalls& a() { return *calls_[0]; }
  InstanceCalls& b() { return *calls_[1]; }

  querygate::testing::ScopedDatabase db_;
  querygate::testing::ScopedTempDir dir_;
  std::string schema_dir_;
  std::string prefix_;
  ServerProcess servers_[2];
  std::unique_ptr<InstanceCalls> calls_[2];
  std::unique_ptr<grpc::health::v1::Health::Stub> health_[2];
};

// B is frozen while it holds a valid lease: A's write must wait for B's lease to end (B
// cannot acknowledge), and must still succeed within the RPC's deadline of several leases.
TEST_F(L1FrozenTest, WriteWhileAHolderIsFrozenCompletesAndTheHolderResumesFresh) {
  for (int round = 0; round < 2; ++round) {
    std::string title = absl::StrCat("while frozen ", round);
    FillB(1);
    servers_[1].Pause();
    absl::Time sent = absl::Now();
    grpc::Status updated =
        a().Update("post", 1, "title", Str(title), absl::Milliseconds(5 * kLeaseMs));
    absl::Duration took = absl::Now() - sent;
    servers_[1].Resume();
    ASSERT_TRUE(updated.ok()) << "the write through A failed while B was frozen: "
                              << updated.error_message();
    Read query = b().Execute("post_title", 1);
    Read get = b().Get("post", 1, "title");
    std::cout << "[frozen holder] round " << round << ": write through A took "
              << absl::FormatDuration(took) << " (lease " << kLeaseMs
              << "ms); B's first read: " << query.value << " (status " << query.cache.status()
              << ", tier " << query.cache.tier() << ")\n";
    ASSERT_TRUE(query.status.ok()) << query.status.error_message();
    EXPECT_EQ(query.value, title) << "round " << round << ": the resumed B served the old row";
    EXPECT_EQ(get.value, title) << "round " << round << ": the resumed B's Get served the old row";
  }
}

// B is frozen until its lease has lapsed in Redis (A no longer counts it as a holder); the
// write through A then does not wait for B, and B, resumed, still serves no old entry.
TEST_F(L1FrozenTest, HolderFrozenPastItsLeaseResumesFresh) {
  int redis_port = querygate::testing::PortOfUrl(querygate::testing::RedisUrl());
  for (int round = 0; round < 2; ++round) {
    std::string title = absl::StrCat("after lapse ", round);
    FillB(2);
    ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(5), [&] {
      return querygate::testing::LiveLeases(redis_port, prefix_) == 2;
    })) << "both instances hold a lease";
    servers_[1].Pause();
    absl::Time frozen = absl::Now();
    bool lapsed = PollUntil(absl::Now() + absl::Seconds(10), [&] {
      return querygate::testing::LiveLeases(redis_port, prefix_) == 1;
    });
    absl::Duration until_lapse = absl::Now() - frozen;
    if (!lapsed) servers_[1].Resume();
    ASSERT_TRUE(lapsed) << "B's lease did not lapse within 10 s of freezing it";
    absl::Time sent = absl::Now();
    grpc::Status updated =
        a().Update("post", 2, "title", Str(title), absl::Milliseconds(5 * kLeaseMs));
    absl::Duration took = absl::Now() - sent;
    servers_[1].Resume();
    ASSERT_TRUE(updated.ok()) << updated.error_message();
    Read query = b().Execute("post_title", 2);
    Read get = b().Get("post", 2, "title");
    std::cout << "[lapsed holder] round " << round << ": lease lapsed "
              << absl::FormatDuration(until_lapse) << " after the freeze; write took "
              << absl::FormatDuration(took) << "; B's first read: " << query.value << " (status "
              << query.cache.status() << ", tier " << query.cache.tier() << ")\n";
    ASSERT_TRUE(query.status.ok()) << query.status.error_message();
    EXPECT_EQ(query.value, title) << "round " << round << ": the resumed B served the old row";
    EXPECT_EQ(get.value, title) << "round " << round << ": the resumed B's Get served the old row";
    // B takes a lease again and serves from L1: the next round starts from the same state.
  }
}

}  // namespace
}  // namespace querygate
