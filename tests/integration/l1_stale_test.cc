// Stale-while-revalidate and stale-if-error (issue 11, section 3), on queries with ttl 1 over
// a table without change triggers (notify_changes: false), so that rows change outside the
// cache's knowledge. Expired entries are served STALE within their window; an invalidated
// entry never is; a query without the window, or a parameter set never cached, gets the
// error.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "db/connection_url.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/l1_calls.h"
#include "tests/support/poll.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::InstanceCalls;
using querygate::testing::PollUntil;
using querygate::testing::Read;
using querygate::testing::TcpProxy;
using querygate::testing::TestServer;

constexpr char kSeed[] = "INSERT INTO quotes (id, price) VALUES (1, 'p0'), (2, 'q0');";
constexpr int64_t kTtlMs = 1000;

class L1StaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    schema_ = querygate::testing::ReadSourceFile("tests/integration/l1/stale.json");
    ASSERT_FALSE(schema_.empty()) << "cannot read tests/integration/l1/stale.json";
  }

  // Changes the row with plain SQL: no trigger on the table, so no invalidation.
  void ChangeBehindTheCache(int id, const std::string& price) {
    ASSERT_TRUE(
        server_.database()
            .Connect()
            ->Execute(absl::StrCat("UPDATE quotes SET price = '", price, "' WHERE id = ", id))
            .ok());
  }

  // Polls ONLY_CACHED reads (which neither refresh nor serve stale) until the entry is past
  // its ttl: NOT_FOUND.
  bool UntilExpired(InstanceCalls& calls, const std::string& query, int id) {
    return PollUntil(absl::Now() + absl::Seconds(10), [&] {
      return calls.Execute(query, id, 1, v1::CACHE_MODE_ONLY_CACHED).status.error_code() ==
             grpc::StatusCode::NOT_FOUND;
    });
  }

  std::string schema_;
  TestServer server_;
};

TEST_F(L1StaleTest, StaleWhileRevalidateServesTheOldValueThenTheRefreshedOne) {
  ASSERT_EQ(server_.Start(schema_, kSeed), "");
  InstanceCalls calls(server_.Channel());
  Read first = calls.Execute("quote_revalidated", 1);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.cache.status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(first.value, "p0");
  ChangeBehindTheCache(1, "p1");

  // Within the ttl: HIT p0. Past it: STALE p0, aged beyond the ttl (the read that finds it
  // expired queues the refresh).
  Read stale;
  ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] {
                          stale = calls.Execute("quote_revalidated", 1);
                          EXPECT_TRUE(stale.status.ok()) << stale.status.error_message();
                          if (stale.cache.status() == v1::CACHE_STATUS_HIT) {
                            EXPECT_EQ(stale.value, "p0");
                          }
                          return stale.cache.status() == v1::CACHE_STATUS_STALE;
                        }))
      << "never served STALE; last status " << stale.cache.status();
  EXPECT_EQ(stale.value, "p0");
  EXPECT_GT(stale.cache.age_ms(), kTtlMs) << "a STALE entry is older than its ttl";
  std::cout << "[swr] STALE served, age " << stale.cache.age_ms() << " ms, tier "
            << stale.cache.tier() << "\n";

  // The background refresh lands: a HIT with the new value, without a MISS.
  Read refreshed;
  ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] {
                          refreshed = calls.Execute("quote_revalidated", 1);
                          EXPECT_NE(refreshed.cache.status(), v1::CACHE_STATUS_MISS)
                              << "the refresh did not fill";
                          return refreshed.cache.status() == v1::CACHE_STATUS_HIT &&
                                 refreshed.value == "p1";
                        }))
      << "the refresh never landed; last " << refreshed.value << " status "
      << refreshed.cache.status();
  EXPECT_LT(refreshed.cache.age_ms(), kTtlMs);
}

// An expired entry that was invalidated is never served STALE: the next read is a MISS with
// the current row.
TEST_F(L1StaleTest, InvalidatedEntryIsNeverServedStale) {
  ASSERT_EQ(server_.Start(schema_, kSeed), "");
  InstanceCalls calls(server_.Channel());
  for (int round = 0; round < 3; ++round) {
    std::string price = absl::StrCat("invalidated ", round);
    ASSERT_TRUE(calls.Execute("quote_revalidated", 2).status.ok());
    ASSERT_TRUE(calls.Execute("quote_revalidated", 2, 1, v1::CACHE_MODE_ONLY_CACHED).status.ok())
        << "the entry is cached";
    ChangeBehindTheCache(2, price);
    ASSERT_TRUE(UntilExpired(calls, "quote_revalidated", 2));
    grpc::Status invalidated = round % 2 == 0 ? calls.Invalidate({}, {"quote_revalidated"})
                                              : calls.Invalidate({"quotes"}, {});
    ASSERT_TRUE(invalidated.ok()) << invalidated.error_message();
    Read next = calls.Execute("quote_revalidated", 2);
    ASSERT_TRUE(next.status.ok()) << next.status.error_message();
    EXPECT_EQ(next.cache.status(), v1::CACHE_STATUS_MISS) << "round " << round;
    EXPECT_EQ(next.value, price) << "round " << round << ": an invalidated entry was served";
  }
  // Also within the ttl: invalidated, then read at once.
  ASSERT_TRUE(calls.Execute("quote_revalidated", 2).status.ok());
  ChangeBehindTheCache(2, "fresh");
  ASSERT_TRUE(calls.Invalidate({"quotes"}, {}).ok());
  Read next = calls.Execute("quote_revalidated", 2);
  EXPECT_EQ(next.cache.status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(next.value, "fresh");
}

class L1StaleIfErrorTest : public L1StaleTest, public ::testing::WithParamInterface<bool> {};

// PostgreSQL is reached through a proxy the test cuts. An expired entry of a query with
// stale_if_error is served STALE instead of the error; a query without it, and a parameter
// set never cached, get UNAVAILABLE. Parameter: whether the server also LISTENs for change
// triggers (its LISTEN session goes through the same proxy and dies with it).
TEST_P(L1StaleIfErrorTest, ExpiredEntryIsServedStaleWhenPostgresIsCut) {
  bool listen = GetParam();
  TcpProxy proxy;
  ASSERT_EQ(server_.Start(schema_, kSeed,
                          [&](server::ServerConfig& c) {
                            ASSERT_TRUE(proxy.Start(querygate::testing::PortOfUrl(c.database.url)));
                            c.database.url = db::WithDefaultParam(c.database.url, "port",
                                                                  absl::StrCat(proxy.port()));
                            c.database.connect_timeout = absl::Seconds(1);
                            c.listen_for_changes = listen;
                          }),
            "");
  InstanceCalls calls(server_.Channel());
  for (const char* query : {"quote_if_error", "quote_plain"}) {
    ASSERT_TRUE(
        PollUntil(absl::Now() + absl::Seconds(10),
                  [&] {
                    return calls.Execute(query, 1, 1, v1::CACHE_MODE_ONLY_CACHED).status.ok() ||
                           calls.Execute(query, 1).cache.status() == v1::CACHE_STATUS_MISS;
                  }))
        << query << " never cached";
  }
  ASSERT_TRUE(UntilExpired(calls, "quote_if_error", 1));
  ASSERT_TRUE(UntilExpired(calls, "quote_plain", 1));

  proxy.Cut();
  Read stale = calls.Execute("quote_if_error", 1);
  Read plain = calls.Execute("quote_plain", 1);
  Read never = calls.Execute("quote_if_error", 2);
  std::cout << "[stale-if-error, listen=" << listen
            << "] with PostgreSQL cut: " << stale.status.error_code() << " "
            << stale.status.error_message() << " status " << stale.cache.status() << " age "
            << stale.cache.age_ms() << " ms; plain " << plain.status.error_code() << " "
            << plain.status.error_message() << "\n";
  ASSERT_TRUE(stale.status.ok()) << "an expired entry with stale_if_error was not served: "
                                 << stale.status.error_message();
  EXPECT_EQ(stale.cache.status(), v1::CACHE_STATUS_STALE);
  EXPECT_EQ(stale.value, "p0");
  EXPECT_GT(stale.cache.age_ms(), kTtlMs);
  EXPECT_EQ(plain.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << plain.status.error_message();
  EXPECT_EQ(never.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << never.status.error_message();

  ASSERT_TRUE(proxy.Start(querygate::testing::PortOfUrl(querygate::testing::AdminPgUrl())));
  Read healed;
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(20),
                        [&] {
                          healed = calls.Execute("quote_if_error", 1);
                          return healed.status.ok() &&
                                 healed.cache.status() != v1::CACHE_STATUS_STALE;
                        }))
      << "no fresh read after the proxy healed: " << healed.status.error_message();
}

// Only without LISTEN: a LISTEN session cut with PostgreSQL takes the database feed down,
// which distrusts the cache, stale entries included (docs/caching.md, "Stale entries").
INSTANTIATE_TEST_SUITE_P(Listen, L1StaleIfErrorTest, ::testing::Values(false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "ListenThroughTheProxy" : "NoListen";
                         });

}  // namespace
}  // namespace querygate
