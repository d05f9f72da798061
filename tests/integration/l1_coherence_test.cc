// The in-process L1 tier across two in-process instances sharing PostgreSQL and Redis: reads
// are served LOCAL once repeated, a write or an Invalidate through one instance reaches the
// other's tier before it is acknowledged, local_cache: false and cache.l1.enabled=false keep
// reads SHARED, and a fill racing an invalidation is kept in no tier.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/l1_calls.h"
#include "tests/support/poll.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::InstanceCalls;
using querygate::testing::IsLocalHit;
using querygate::testing::IsSharedHit;
using querygate::testing::PollUntil;
using querygate::testing::Read;
using querygate::testing::Str;
using querygate::testing::TestServer;

constexpr char kSeed[] = R"sql(
INSERT INTO posts (id, title) VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four');
INSERT INTO notes (id, body) VALUES (1, 'note');
)sql";

class L1CoherenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    schema_ = querygate::testing::ReadSourceFile("tests/integration/l1/coherence.json");
    ASSERT_FALSE(schema_.empty()) << "cannot read tests/integration/l1/coherence.json";
  }

  // Starts instances A (0) and B (1) with `tweak` applied to both.
  void StartTwo(const std::function<void(server::ServerConfig&)>& tweak = nullptr) {
    ASSERT_EQ(server_.Start(schema_, kSeed, tweak), "");
    ASSERT_EQ(server_.StartAnother(), "");
    a_ = std::make_unique<InstanceCalls>(server_.Channel(0));
    b_ = std::make_unique<InstanceCalls>(server_.Channel(1));
  }

  // Reads `read` until it is a LOCAL hit (the lease is granted and the entry kept); returns
  // the last answer.
  static Read UntilLocal(const std::function<Read()>& read) {
    Read last;
    PollUntil(absl::Now() + absl::Seconds(10), [&] {
      last = read();
      return IsLocalHit(last);
    });
    return last;
  }

  std::string schema_;
  TestServer server_;
  std::unique_ptr<InstanceCalls> a_;
  std::unique_ptr<InstanceCalls> b_;
};

TEST_F(L1CoherenceTest, RepeatedReadIsServedLocal) {
  StartTwo();
  Read first = a_->Execute("post_title", 1);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.value, "one");
  Read local = UntilLocal([&] { return a_->Execute("post_title", 1); });
  EXPECT_TRUE(IsLocalHit(local)) << "status " << local.cache.status() << " tier "
                                 << local.cache.tier();
  EXPECT_EQ(local.value, "one");
  Read get = UntilLocal([&] { return a_->Get("post", 1, "title"); });
  EXPECT_TRUE(IsLocalHit(get)) << "a repository Get is kept in L1 too";
  EXPECT_EQ(get.value, "one");
}

// B holds the row in its tier; an Update through A is acknowledged only once B applied it,
// so B's very next read returns the new row, for the named query and the repository Get.
TEST_F(L1CoherenceTest, WriteThroughOneInstanceIsSeenByTheOthersNextRead) {
  StartTwo();
  for (int round = 0; round < 20; ++round) {
    std::string title = absl::StrCat("title ", round);
    ASSERT_TRUE(IsLocalHit(UntilLocal([&] { return b_->Execute("post_title", 2); })));
    ASSERT_TRUE(IsLocalHit(UntilLocal([&] { return b_->Get("post", 2, "title"); })));
    InstanceCalls& writer = round % 2 == 0 ? *a_ : *b_;
    grpc::Status updated = writer.Update("post", 2, "title", Str(title));
    ASSERT_TRUE(updated.ok()) << updated.error_message();
    Read query = b_->Execute("post_title", 2);
    Read get = b_->Get("post", 2, "title");
    ASSERT_TRUE(query.status.ok() && get.status.ok());
    EXPECT_EQ(query.value, title) << "round " << round << ": B served the pre-write row (tier "
                                  << query.cache.tier() << ")";
    EXPECT_EQ(get.value, title) << "round " << round << ": B's Get served the pre-write row";
  }
}

// CacheService.Invalidate of a query through A: B's next read of it is a MISS, not a LOCAL
// hit of the entry it held.
TEST_F(L1CoherenceTest, InvalidateThroughOneInstanceEmptiesTheOthersTier) {
  StartTwo();
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(IsLocalHit(UntilLocal([&] { return b_->Execute("post_title", 3); })));
    InstanceCalls& invalidator = round % 2 == 0 ? *a_ : *b_;
    grpc::Status invalidated = invalidator.Invalidate({}, {"post_title"});
    ASSERT_TRUE(invalidated.ok()) << invalidated.error_message();
    Read after = b_->Execute("post_title", 3);
    ASSERT_TRUE(after.status.ok());
    EXPECT_EQ(after.cache.status(), v1::CACHE_STATUS_MISS)
        << "round " << round << ": tier " << after.cache.tier();
  }
  // The same through a table.
  ASSERT_TRUE(IsLocalHit(UntilLocal([&] { return b_->Get("post", 3, "title"); })));
  ASSERT_TRUE(a_->Invalidate({"posts"}, {}).ok());
  EXPECT_EQ(b_->Get("post", 3, "title").cache.status(), v1::CACHE_STATUS_MISS);
}

// local_cache: false on a query and on a model: HITs come from Redis, never from L1, while
// the same data through a query that may be kept is served LOCAL (so the tier is up).
TEST_F(L1CoherenceTest, LocalCacheFalseKeepsQueriesAndModelsShared) {
  StartTwo();
  ASSERT_TRUE(IsLocalHit(UntilLocal([&] { return a_->Execute("post_title", 4); })));
  ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] { return IsSharedHit(a_->Execute("post_title_shared", 4)); }));
  ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] { return IsSharedHit(a_->Get("note", 1, "body")); }));
  for (int i = 0; i < 20; ++i) {
    Read query = a_->Execute("post_title_shared", 4);
    Read get = a_->Get("note", 1, "body");
    EXPECT_TRUE(IsSharedHit(query))
        << "read " << i << ": status " << query.cache.status() << " tier " << query.cache.tier();
    EXPECT_TRUE(IsSharedHit(get)) << "read " << i << ": status " << get.cache.status() << " tier "
                                  << get.cache.tier();
  }
  EXPECT_TRUE(IsLocalHit(a_->Execute("post_title", 4))) << "the tier is serving meanwhile";
}

// cache.l1.enabled=false on B: its hits are SHARED, while A (L1 on, same data) serves LOCAL.
TEST_F(L1CoherenceTest, L1DisabledServesNothingLocal) {
  ASSERT_EQ(server_.Start(schema_, kSeed), "");
  ASSERT_EQ(server_.StartAnother([](server::ServerConfig& c) { c.l1.enabled = false; }), "");
  a_ = std::make_unique<InstanceCalls>(server_.Channel(0));
  b_ = std::make_unique<InstanceCalls>(server_.Channel(1));
  ASSERT_TRUE(IsLocalHit(UntilLocal([&] { return a_->Execute("post_title", 1); })));
  ASSERT_TRUE(IsLocalHit(UntilLocal([&] { return a_->Get("post", 1, "title"); })));
  for (int i = 0; i < 30; ++i) {
    Read query = b_->Execute("post_title", 1);
    Read get = b_->Get("post", 1, "title");
    EXPECT_TRUE(IsSharedHit(query))
        << "read " << i << ": status " << query.cache.status() << " tier " << query.cache.tier();
    EXPECT_TRUE(IsSharedHit(get)) << "read " << i << ": status " << get.cache.status() << " tier "
                                  << get.cache.tier();
  }
  // B still waits for A's acknowledgement: a write through B is seen by A's next read.
  ASSERT_TRUE(b_->Update("post", 1, "title", Str("written by B")).ok());
  EXPECT_EQ(a_->Execute("post_title", 1).value, "written by B");
  EXPECT_EQ(a_->Get("post", 1, "title").value, "written by B");
}

// A read through B misses and loads: its statement takes its snapshot, then waits for an
// advisory lock the test holds. An Update through A lands meanwhile; then the lock is released.
// The loaded pre-write row is answered to that read (it started before the write) but kept in
// neither tier: B's next read returns the new row.
TEST_F(L1CoherenceTest, FillRacingAnInvalidationIsNotKept) {
  StartTwo();
  for (int round = 0; round < 3; ++round) {
    std::string title = absl::StrCat("raced ", round);
    ASSERT_TRUE(a_->Invalidate({}, {"slow_post_title"}).ok());
    auto lock = server_.database().Connect();
    ASSERT_TRUE(lock->Execute("SELECT pg_advisory_lock(4242)").ok());
    Read slow;
    std::thread reader([&] { slow = b_->Execute("slow_post_title", 1); });
    bool waiting = PollUntil(absl::Now() + absl::Seconds(10), [&] {
      auto rows = lock->Query(
          "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND "
          "NOT granted");
      return rows.ok() && !rows->rows.empty() && rows->Text(0, 0) == "1";
    });
    grpc::Status updated = a_->Update("post", 1, "title", Str(title));
    ASSERT_TRUE(lock->Execute("SELECT pg_advisory_unlock(4242)").ok());
    reader.join();
    ASSERT_TRUE(waiting) << "the slow read never waited on the lock: "
                         << slow.status.error_message();
    ASSERT_TRUE(updated.ok()) << updated.error_message();
    ASSERT_TRUE(slow.status.ok()) << slow.status.error_message();
    ASSERT_EQ(slow.cache.status(), v1::CACHE_STATUS_MISS);
    ASSERT_NE(slow.value, title) << "the load was meant to read the pre-write row";
    Read next = b_->Execute("slow_post_title", 1);
    EXPECT_EQ(next.value, title) << "round " << round << ": the racing fill was kept (status "
                                 << next.cache.status() << ", tier " << next.cache.tier() << ")";
    EXPECT_EQ(next.cache.status(), v1::CACHE_STATUS_MISS);
    EXPECT_TRUE(IsLocalHit(UntilLocal([&] { return b_->Execute("slow_post_title", 1); })));
  }
}

}  // namespace
}  // namespace querygate
