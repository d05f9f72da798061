// InvalidationHub bookkeeping against a fake cache (pure logic): owed invalidations are
// versioned, so one owed again while Tick is bumping is never dropped, and a new data identity
// owes an epoch bump.

#include "service/invalidation_hub.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "service/query_registry.h"

namespace querygate::service {
namespace {

// A cache whose Invalidate can fail, or block once until released; lookups are not used.
class FakeCache : public cache::QueryCache {
 public:
  cache::CacheLookup Lookup(const std::string&, const std::vector<std::string>&) override {
    return cache::CacheLookup::Unavailable();
  }
  absl::StatusOr<cache::Generations> CurrentGenerations(const std::vector<std::string>&) override {
    return absl::UnavailableError("fake");
  }
  absl::Status Fill(const std::string&, const std::string&, const cache::Generations&,
                    const cache::FillSpec&) override {
    return absl::UnavailableError("fake");
  }
  absl::Status Invalidate(const std::vector<std::string>& dependencies) override {
    std::unique_lock<std::mutex> lock(mu_);
    calls_.push_back(dependencies);
    if (fail_) return absl::UnavailableError("fake: redis unreachable");
    if (block_next_) {
      block_next_ = false;
      blocked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
      blocked_ = false;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> DataIdentity() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (identity_.empty()) return absl::UnavailableError("fake: redis unreachable");
    return identity_;
  }
  cache::CacheHealth Health() const override { return {}; }
  std::string Key(const std::string& suffix) const override { return "fake:" + suffix; }

  // Makes every Invalidate fail (true) or succeed (false).
  void SetFailing(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
  }
  // Makes the next succeeding Invalidate block until Release.
  void BlockNext() {
    std::lock_guard<std::mutex> lock(mu_);
    block_next_ = true;
    released_ = false;
  }
  // Waits until an Invalidate is blocked.
  void AwaitBlocked() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return blocked_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // Sets what DataIdentity returns; empty makes it fail with UNAVAILABLE.
  void SetIdentity(std::string identity) {
    std::lock_guard<std::mutex> lock(mu_);
    identity_ = std::move(identity);
  }
  std::vector<std::vector<std::string>> Calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool fail_ = false;
  bool block_next_ = false;
  bool blocked_ = false;
  bool released_ = false;
  std::string identity_;
  std::vector<std::vector<std::string>> calls_;
};

cache::InvalidationEvent TableEvent(const std::string& table) {
  cache::InvalidationEvent event;
  event.tables = {table};
  return event;
}

class InvalidationHubTest : public ::testing::Test {
 protected:
  FakeCache cache_;
  QueryRegistry registry_;
  schema::Schema schema_;
};

TEST_F(InvalidationHubTest, FailedInvalidationIsOwedUntilTickLandsIt) {
  InvalidationHub hub(&cache_, &registry_, &schema_, {});
  EXPECT_TRUE(hub.CacheTrusted());
  cache_.SetFailing(true);
  EXPECT_EQ(hub.Invalidate(TableEvent("users"), InvalidationSource::kWrite).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(hub.OwedDependencies(), std::vector<std::string>{"t:users"});
  EXPECT_FALSE(hub.CacheTrusted());
  hub.Tick();
  EXPECT_FALSE(hub.CacheTrusted());
  cache_.SetFailing(false);
  hub.Tick();
  EXPECT_TRUE(hub.OwedDependencies().empty());
  EXPECT_TRUE(hub.CacheTrusted());
  EXPECT_EQ(cache_.Calls().back(), std::vector<std::string>{"t:users"});
}

TEST_F(InvalidationHubTest, InvalidationOwedAgainDuringTickStaysOwed) {
  InvalidationHub hub(&cache_, &registry_, &schema_, {});
  cache_.SetFailing(true);
  ASSERT_FALSE(hub.Invalidate(TableEvent("users"), InvalidationSource::kWrite).ok());

  // Tick starts bumping t:users and stalls inside Redis.
  cache_.SetFailing(false);
  cache_.BlockNext();
  std::thread ticker([&hub] { hub.Tick(); });
  cache_.AwaitBlocked();

  // A new write's bump fails meanwhile: t:users is owed again, for an invalidation the
  // stalled bump may have been applied before.
  cache_.SetFailing(true);
  EXPECT_FALSE(hub.Invalidate(TableEvent("users"), InvalidationSource::kWrite).ok());
  cache_.Release();
  ticker.join();

  EXPECT_EQ(hub.OwedDependencies(), std::vector<std::string>{"t:users"});
  EXPECT_FALSE(hub.CacheTrusted());

  cache_.SetFailing(false);
  hub.Tick();
  EXPECT_TRUE(hub.OwedDependencies().empty());
  EXPECT_TRUE(hub.CacheTrusted());
}

TEST_F(InvalidationHubTest, EpochOwedAgainDuringTickStaysOwed) {
  InvalidationHub hub(&cache_, &registry_, &schema_, {Feed::kPubSub});
  EXPECT_FALSE(hub.CacheTrusted());
  cache_.SetFailing(true);
  hub.FeedUp(Feed::kPubSub);  // its own Tick fails: the epoch stays owed
  EXPECT_EQ(hub.OwedDependencies(), std::vector<std::string>{kEpochDependency});
  EXPECT_FALSE(hub.CacheTrusted());

  cache_.SetFailing(false);
  cache_.BlockNext();
  std::thread ticker([&hub] { hub.Tick(); });
  cache_.AwaitBlocked();

  // The feed drops and comes back while the epoch bump is in flight: events lost in between
  // need a bump made after the reconnect.
  cache_.SetFailing(true);
  hub.FeedDown(Feed::kPubSub);
  hub.FeedUp(Feed::kPubSub);
  cache_.Release();
  ticker.join();

  EXPECT_EQ(hub.OwedDependencies(), std::vector<std::string>{kEpochDependency});
  EXPECT_FALSE(hub.CacheTrusted());

  cache_.SetFailing(false);
  hub.Tick();
  EXPECT_TRUE(hub.OwedDependencies().empty());
  EXPECT_TRUE(hub.CacheTrusted());
}

TEST_F(InvalidationHubTest, NewDataIdentityOwesAnEpochBump) {
  InvalidationHub hub(&cache_, &registry_, &schema_, {});
  // Unreachable: nothing is learned, nothing owed.
  hub.Tick();
  EXPECT_EQ(hub.DataIdentityChanges(), 0);
  EXPECT_TRUE(cache_.Calls().empty());

  // The first identity is only remembered: a start does not empty the shared cache.
  cache_.SetIdentity("run-1/sentinel-a");
  hub.Tick();
  EXPECT_EQ(hub.DataIdentityChanges(), 0);
  EXPECT_TRUE(cache_.Calls().empty());
  EXPECT_TRUE(hub.CacheTrusted());

  hub.Tick();  // unchanged: no bump
  EXPECT_TRUE(cache_.Calls().empty());

  // The data was lost, and the bump cannot land yet: distrusted until it does.
  cache_.SetIdentity("run-2/sentinel-b");
  cache_.SetFailing(true);
  hub.Tick();
  EXPECT_EQ(hub.DataIdentityChanges(), 1);
  EXPECT_FALSE(hub.CacheTrusted());
  EXPECT_EQ(hub.OwedDependencies(), std::vector<std::string>{kEpochDependency});
  cache_.SetFailing(false);
  hub.Tick();
  EXPECT_EQ(hub.DataIdentityChanges(), 1);
  EXPECT_TRUE(hub.CacheTrusted());
  EXPECT_EQ(cache_.Calls().back(), std::vector<std::string>{kEpochDependency});
}

}  // namespace
}  // namespace querygate::service
