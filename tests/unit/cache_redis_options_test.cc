// Redis URL parsing: ACL users, percent-decoding, and messages that never carry the password.
#include <gtest/gtest.h>

#include "cache/redis_options.h"

namespace querygate::cache {
namespace {

TEST(RedisUrl, UserAndPasswordAuthenticateAsThatAclUser) {
  RedisOptions options;
  ASSERT_TRUE(ApplyRedisUrl("redis://app:s3cret@cache.internal:6380/2", options).ok());
  EXPECT_EQ(options.username, "app");
  EXPECT_EQ(options.password, "s3cret");
  EXPECT_EQ(options.host, "cache.internal");
  EXPECT_EQ(options.port, 6380);
  EXPECT_EQ(options.database, 2);
}

TEST(RedisUrl, PasswordAloneUsesTheDefaultUser) {
  RedisOptions options;
  ASSERT_TRUE(ApplyRedisUrl("redis://:s3cret@h", options).ok());
  EXPECT_EQ(options.username, "");
  EXPECT_EQ(options.password, "s3cret");
  EXPECT_EQ(options.host, "h");
  EXPECT_EQ(options.port, 6379);
  RedisOptions bare;
  ASSERT_TRUE(ApplyRedisUrl("redis://s3cret@h", bare).ok());
  EXPECT_EQ(bare.username, "");
  EXPECT_EQ(bare.password, "s3cret");
}

TEST(RedisUrl, NoCredentialsLeavesThemEmpty) {
  RedisOptions options;
  ASSERT_TRUE(ApplyRedisUrl("redis://127.0.0.1:7000", options).ok());
  EXPECT_EQ(options.username, "");
  EXPECT_EQ(options.password, "");
  EXPECT_EQ(options.port, 7000);
}

TEST(RedisUrl, UserAndPasswordArePercentDecoded) {
  RedisOptions options;
  ASSERT_TRUE(ApplyRedisUrl("redis://svc%40team:p%40ss%3Aw%2Frd%25@h:1/0", options).ok());
  EXPECT_EQ(options.username, "svc@team");
  EXPECT_EQ(options.password, "p@ss:w/rd%");
  EXPECT_EQ(options.host, "h");
  EXPECT_EQ(options.port, 1);
}

TEST(RedisUrl, AnAtSignInThePasswordSplitsAtTheLastOne) {
  RedisOptions options;
  ASSERT_TRUE(ApplyRedisUrl("redis://u:a@b@h", options).ok());
  EXPECT_EQ(options.username, "u");
  EXPECT_EQ(options.password, "a@b");
  EXPECT_EQ(options.host, "h");
}

TEST(RedisUrl, RejectsBadFormsWithoutEchoingThePassword) {
  RedisOptions options;
  for (const char* url :
       {"redis://u:topsecret%zz@h", "redis://u:topsecret@h:port", "redis://u:topsecret@h/x",
        "http://u:topsecret@h", "redis://u:topsecret%4@h"}) {
    absl::Status status = ApplyRedisUrl(url, options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(std::string(status.message()).find("topsecret"), std::string::npos)
        << status.message();
  }
  absl::Status no_password = ApplyRedisUrl("redis://app:@h", options);
  EXPECT_EQ(no_password.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(no_password.message()).find("without a password"), std::string::npos);
}

TEST(RedisUrl, RedactionHidesOnlyThePassword) {
  EXPECT_EQ(RedactRedisUrl("redis://app:s3cret@h:1/2"), "redis://app:***@h:1/2");
  EXPECT_EQ(RedactRedisUrl("redis://:s3cret@h"), "redis://:***@h");
  EXPECT_EQ(RedactRedisUrl("redis://s3cret@h"), "redis://***@h");
  EXPECT_EQ(RedactRedisUrl("redis://h:1"), "redis://h:1");
}

}  // namespace
}  // namespace querygate::cache
