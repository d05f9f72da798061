// Redis losing its data with the L1 tier on in both instances (a Redis of the test's own):
// after a FLUSHALL, and after a restart without persistence, a write through A is seen by
// the immediately following read through B, which held the pre-write row in its L1. The
// leases and the lease set's birth are lost with the data; A must wait out the leases it can
// no longer see, and B must drop its tier.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cache/redis_options.h"
#include "tests/support/l1_calls.h"
#include "tests/support/poll.h"
#include "tests/support/redis_command.h"
#include "tests/support/redis_process.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::InstanceCalls;
using querygate::testing::IsLocalHit;
using querygate::testing::PollUntil;
using querygate::testing::Read;
using querygate::testing::Str;
using querygate::testing::TestServer;

constexpr char kSeed[] = "INSERT INTO posts (id, title) VALUES (1, 'one'), (2, 'two');";

class L1RedisLossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    std::string schema = querygate::testing::ReadSourceFile("tests/integration/l1/coherence.json");
    ASSERT_FALSE(schema.empty());
    ASSERT_TRUE(redis_.Start());
    std::string url = redis_.url();
    ASSERT_EQ(server_.Start(schema, kSeed,
                            [url](server::ServerConfig& c) {
                              std::string prefix = c.redis.key_prefix;
                              ASSERT_TRUE(cache::ApplyRedisUrl(url, c.redis).ok());
                              c.redis.key_prefix = prefix;
                            }),
              "");
    ASSERT_EQ(server_.StartAnother(), "");
    a_ = std::make_unique<InstanceCalls>(server_.Channel(0));
    b_ = std::make_unique<InstanceCalls>(server_.Channel(1));
  }

  // Reads row `id` through B until the named query and the Get are both LOCAL hits.
  void FillB(int id) {
    ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(15),
                          [&] {
                            return IsLocalHit(b_->Execute("post_title", id)) &&
                                   IsLocalHit(b_->Get("post", id, "title"));
                          }))
        << "B does not serve row " << id << " from L1";
  }

  // B's first successful read of row `id` (query, then Get); failed reads (Redis or the
  // database briefly unreachable) are retried, they are not stale.
  std::pair<Read, Read> FirstReadsThroughB(int id) {
    Read query, get;
    PollUntil(absl::Now() + absl::Seconds(10), [&] {
      query = b_->Execute("post_title", id);
      return query.status.ok();
    });
    PollUntil(absl::Now() + absl::Seconds(10), [&] {
      get = b_->Get("post", id, "title");
      return get.status.ok();
    });
    return {query, get};
  }

  // Writes `title` through A, retrying a failed write (not acknowledged, so not checked).
  void WriteThroughA(int id, const std::string& title) {
    grpc::Status status;
    ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(10), [&] {
      status = a_->Update("post", id, "title", Str(title));
      return status.ok();
    })) << status.error_message();
  }

  querygate::testing::RedisProcess redis_;
  TestServer server_;
  std::unique_ptr<InstanceCalls> a_;
  std::unique_ptr<InstanceCalls> b_;
};

TEST_F(L1RedisLossTest, FlushallThenWriteIsSeenByTheNextReadElsewhere) {
  for (int round = 0; round < 3; ++round) {
    std::string title = absl::StrCat("after flush ", round);
    FillB(1);
    ASSERT_EQ(querygate::testing::RedisCommand(redis_.port(), {"FLUSHALL"}), "OK");
    absl::Time sent = absl::Now();
    WriteThroughA(1, title);
    absl::Duration took = absl::Now() - sent;
    auto [query, get] = FirstReadsThroughB(1);
    std::cout << "[flushall] round " << round << ": write took " << absl::FormatDuration(took)
              << "; B's next read: " << query.value << " (status " << query.cache.status()
              << ", tier " << query.cache.tier() << ")\n";
    EXPECT_EQ(query.value, title) << "round " << round << ": stale read after FLUSHALL";
    EXPECT_EQ(get.value, title) << "round " << round << ": stale Get after FLUSHALL";
  }
}

TEST_F(L1RedisLossTest, RestartWithoutPersistenceThenWriteIsSeenByTheNextReadElsewhere) {
  for (int round = 0; round < 2; ++round) {
    std::string title = absl::StrCat("after restart ", round);
    FillB(2);
    ASSERT_TRUE(redis_.Restart());
    absl::Time sent = absl::Now();
    WriteThroughA(2, title);
    absl::Duration took = absl::Now() - sent;
    auto [query, get] = FirstReadsThroughB(2);
    std::cout << "[restart] round " << round << ": write took " << absl::FormatDuration(took)
              << "; B's next read: " << query.value << " (status " << query.cache.status()
              << ", tier " << query.cache.tier() << ")\n";
    EXPECT_EQ(query.value, title) << "round " << round << ": stale read after the restart";
    EXPECT_EQ(get.value, title) << "round " << round << ": stale Get after the restart";
  }
  // Coherence resumes: B serves from L1 again and a write through A reaches it.
  FillB(2);
  WriteThroughA(2, "settled");
  EXPECT_EQ(b_->Execute("post_title", 2).value, "settled");
}

}  // namespace
}  // namespace querygate
