// Redis ACL users: a redis://user:password@host URL authenticates as that user on every
// connection the cache opens (pooled and multiplexed), and a wrong password fails without the
// password showing up in any message.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <future>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cache/redis_options.h"
#include "cache/redis_query_cache.h"
#include "tests/support/redis_process.h"

namespace querygate::cache {
namespace {

using querygate::testing::RedisProcess;

constexpr char kPassword[] = "p@ss:w/rd";
constexpr char kEncodedPassword[] = "p%40ss%3Aw%2Frd";

// Runs one command on a fresh unauthenticated connection; returns the reply text or error.
std::string RawCommand(int port, const std::vector<std::string>& args) {
  redisContext* context = redisConnect("127.0.0.1", port);
  if (context == nullptr || context->err) return "connect failed";
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data()));
  std::string out = reply == nullptr ? "no reply" : std::string(reply->str, reply->len);
  if (reply != nullptr) freeReplyObject(reply);
  redisFree(context);
  return out;
}

class RedisAclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    ASSERT_EQ(RawCommand(redis_.port(), {"ACL", "SETUSER", "querygate", "on",
                                         absl::StrCat(">", kPassword), "~*", "&*", "+@all"}),
              "OK");
    // Nobody gets in without credentials from here on.
    ASSERT_EQ(RawCommand(redis_.port(), {"ACL", "SETUSER", "default", "off"}), "OK");
  }

  RedisOptions OptionsFor(const std::string& userinfo) {
    RedisOptions options;
    std::string url = absl::StrCat("redis://", userinfo, "127.0.0.1:", redis_.port());
    EXPECT_TRUE(ApplyRedisUrl(url, options).ok());
    options.key_prefix = "acl_test";
    options.command_timeout = absl::Seconds(2);
    return options;
  }

  RedisProcess redis_;
};

CacheLookup LookupAsync(RedisQueryCache& cache, const std::string& key,
                        const std::vector<std::string>& dependencies) {
  std::promise<CacheLookup> promise;
  cache.LookupAsync(key, dependencies, [&](CacheLookup lookup) { promise.set_value(lookup); });
  return promise.get_future().get();
}

TEST_F(RedisAclTest, UserAndPasswordMakeARoundTrip) {
  RedisQueryCache cache(OptionsFor(absl::StrCat("querygate:", kEncodedPassword, "@")));
  std::vector<std::string> deps = {"t:items"};
  auto generations = cache.CurrentGenerations(deps);
  ASSERT_TRUE(generations.ok()) << generations.status();
  ASSERT_TRUE(cache.Fill(cache.Key("k1"), "payload", *generations, {absl::Minutes(1)}).ok());
  CacheLookup pooled = cache.Lookup(cache.Key("k1"), deps);
  EXPECT_EQ(pooled.outcome, CacheLookup::Outcome::kHit);
  EXPECT_EQ(pooled.payload, "payload");
  CacheLookup multiplexed = LookupAsync(cache, cache.Key("k1"), deps);
  EXPECT_EQ(multiplexed.outcome, CacheLookup::Outcome::kHit);
  EXPECT_EQ(multiplexed.payload, "payload");
  ASSERT_TRUE(cache.Invalidate(deps).ok());
  EXPECT_EQ(cache.Lookup(cache.Key("k1"), deps).outcome, CacheLookup::Outcome::kMiss);
}

TEST_F(RedisAclTest, AWrongPasswordFailsAndIsNeverEchoed) {
  RedisQueryCache cache(OptionsFor("querygate:wrong-secret-123@"));
  auto generations = cache.CurrentGenerations({"t:items"});
  ASSERT_FALSE(generations.ok());
  EXPECT_EQ(generations.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(generations.status().message()).find("wrong-secret-123"), std::string::npos)
      << generations.status();
  EXPECT_EQ(cache.Lookup(cache.Key("k1"), {"t:items"}).outcome, CacheLookup::Outcome::kUnavailable);
  EXPECT_EQ(LookupAsync(cache, cache.Key("k1"), {"t:items"}).outcome,
            CacheLookup::Outcome::kUnavailable);
  EXPECT_EQ(cache.Health().last_error.find("wrong-secret-123"), std::string::npos);
}

TEST_F(RedisAclTest, ThePasswordAloneIsNotEnoughForAnAclUser) {
  RedisQueryCache cache(OptionsFor(absl::StrCat(":", kEncodedPassword, "@")));
  auto generations = cache.CurrentGenerations({"t:items"});
  EXPECT_EQ(generations.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace querygate::cache
