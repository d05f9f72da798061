#include "cache/l1_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace querygate::cache {
namespace {

constexpr int64_t kNow = 1'000'000;

L1Found Entry(const std::string& payload, int64_t ttl_ms = 60'000, int64_t stale_ms = 0) {
  L1Found e;
  e.payload = payload;
  e.filled_at_ms = kNow;
  e.ttl_ms = ttl_ms;
  e.stale_ms = stale_ms;
  return e;
}

L1Options Small(int64_t budget) {
  L1Options o;
  o.budget_bytes = budget;
  o.shards = 1;
  return o;
}

const std::vector<std::string> kUsers = {"t:users", "epoch"};
const std::vector<std::string> kOrders = {"t:orders", "epoch"};

TEST(L1StoreTest, ServesAnEntryUntilOneOfItsDependenciesIsInvalidated) {
  L1Store store(Small(1 << 20));
  ASSERT_TRUE(store.Put("a", store.Capture(), Entry("users")));
  ASSERT_TRUE(store.Put("b", store.Capture(), Entry("orders")));
  ASSERT_TRUE(store.Get("a", kUsers, kNow).has_value());
  EXPECT_EQ(store.Get("a", kUsers, kNow)->payload, "users");

  store.Invalidate({"t:users"});
  EXPECT_FALSE(store.Get("a", kUsers, kNow).has_value());
  ASSERT_TRUE(store.Get("b", kOrders, kNow).has_value());
}

TEST(L1StoreTest, AFillReadBeforeAnInvalidationIsNeverServed) {
  L1Store store(Small(1 << 20));
  uint64_t before = store.Capture();  // the data is read after this...
  store.Invalidate({"t:users"});      // ...and an invalidation lands before the fill
  store.Put("a", before, Entry("old"));
  EXPECT_FALSE(store.Get("a", kUsers, kNow).has_value());

  ASSERT_TRUE(store.Put("a", store.Capture(), Entry("new")));
  EXPECT_EQ(store.Get("a", kUsers, kNow)->payload, "new");
}

TEST(L1StoreTest, InvalidateAllDropsEverythingAndRefusesOlderFills) {
  L1Store store(Small(1 << 20));
  uint64_t before = store.Capture();
  ASSERT_TRUE(store.Put("a", before, Entry("a")));
  store.InvalidateAll();
  EXPECT_FALSE(store.Get("a", kUsers, kNow).has_value());
  EXPECT_FALSE(store.Put("b", before, Entry("b")));
  EXPECT_FALSE(store.Get("b", kOrders, kNow).has_value());
}

TEST(L1StoreTest, ExpiresAfterTtlPlusStaleWindow) {
  L1Store store(Small(1 << 20));
  ASSERT_TRUE(store.Put("a", store.Capture(), Entry("a", 1000, 500)));
  EXPECT_TRUE(store.Get("a", kUsers, kNow + 999).has_value());
  EXPECT_TRUE(store.Get("a", kUsers, kNow + 1499).has_value());
  EXPECT_FALSE(store.Get("a", kUsers, kNow + 1500).has_value());
}

TEST(L1StoreTest, StaysWithinItsBudget) {
  const int64_t budget = 64 << 10;
  L1Store store(Small(budget));
  for (int i = 0; i < 5000; ++i) {
    std::string key = absl::StrCat("key-", i);
    store.Get(key, kUsers, kNow);
    store.Put(key, store.Capture(), Entry(std::string(100, 'x')));
    ASSERT_LE(store.Figures().bytes, budget);
  }
  L1Figures figures = store.Figures();
  EXPECT_GT(figures.entries, 0);
  EXPECT_GT(figures.evictions + figures.rejections, 0);
}

TEST(L1StoreTest, AHotSetSurvivesAScanOfColdKeys) {
  L1Store store(Small(256 << 10));
  const int hot = 200;
  auto read = [&](const std::string& key) {
    if (store.Get(key, kUsers, kNow)) return true;
    store.Put(key, store.Capture(), Entry(std::string(200, 'h')));
    return false;
  };
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < hot; ++i) read(absl::StrCat("hot-", i));
  }
  // A scan of 50,000 cold keys, each read once, interleaved with the hot set's own traffic:
  // the hot set keeps its hit ratio.
  int hot_reads = 0;
  int hot_hits = 0;
  for (int i = 0; i < 50'000; ++i) {
    read(absl::StrCat("cold-", i));
    ++hot_reads;
    hot_hits += read(absl::StrCat("hot-", i % hot)) ? 1 : 0;
  }
  EXPECT_GE(hot_hits, hot_reads * 95 / 100);
}

TEST(L1StoreTest, TooManyTrackedDependenciesDropEverything) {
  L1Options options = Small(1 << 20);
  options.max_tracked_dependencies = 4;
  L1Store store(options);
  ASSERT_TRUE(store.Put("a", store.Capture(), Entry("a")));
  store.Invalidate({"t:x1", "t:x2", "t:x3"});
  ASSERT_TRUE(store.Get("a", kUsers, kNow).has_value());
  store.Invalidate({"t:x4", "t:x5"});
  EXPECT_FALSE(store.Get("a", kUsers, kNow).has_value());
}

}  // namespace
}  // namespace querygate::cache
