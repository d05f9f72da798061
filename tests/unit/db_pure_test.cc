#include <gtest/gtest.h>

#include "common/sha256.h"
#include "db/connection_url.h"
#include "db/internal/error_mapping.h"

namespace querygate::db {
namespace {

TEST(ConnectionUrl, ReplacesDatabaseInUris) {
  EXPECT_EQ(*WithDatabase("postgresql://u:p@h:5/old?sslmode=disable", "new"),
            "postgresql://u:p@h:5/new?sslmode=disable");
  EXPECT_EQ(*WithDatabase("postgres://h:5", "new"), "postgres://h:5/new");
  EXPECT_EQ(*WithDatabase("host=h port=5", "new"), "host=h port=5 dbname=new");
  EXPECT_FALSE(WithDatabase("", "x").ok());
}

TEST(ConnectionUrl, AddsParamsOnlyWhenAbsent) {
  EXPECT_EQ(WithDefaultParam("postgresql://h/db", "connect_timeout", "3"),
            "postgresql://h/db?connect_timeout=3");
  EXPECT_EQ(WithDefaultParam("postgresql://h/db?a=1", "connect_timeout", "3"),
            "postgresql://h/db?a=1&connect_timeout=3");
  EXPECT_EQ(WithDefaultParam("postgresql://h/db?connect_timeout=9", "connect_timeout", "3"),
            "postgresql://h/db?connect_timeout=9");
  EXPECT_EQ(WithDefaultParam("host=h connect_timeout=9", "connect_timeout", "3"),
            "host=h connect_timeout=9");
}

TEST(ConnectionUrl, NamesDatabaseAndRedactsPassword) {
  EXPECT_EQ(DatabaseName("postgresql://u@h:5/app?x=1"), "app");
  EXPECT_EQ(DatabaseName("postgresql://u@h:5"), "");
  EXPECT_EQ(RedactPassword("postgresql://u:secret@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactPassword("postgresql://u@h/db"), "postgresql://u@h/db");
}

TEST(ErrorMapping, MapsSqlStates) {
  using internal::CodeForSqlState;
  EXPECT_EQ(CodeForSqlState("23505", ""), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeForSqlState("23503", ""), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForSqlState("23502", ""), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForSqlState("23514", ""), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForSqlState("40001", ""), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("40P01", ""), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("57014", "canceling statement due to statement timeout"),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CodeForSqlState("57014", "canceling statement due to user request"),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(CodeForSqlState("08006", ""), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("22003", ""), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForSqlState("XX000", ""), absl::StatusCode::kInternal);
}

TEST(Sha256, MatchesKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("").size(), 64u);
}

}  // namespace
}  // namespace querygate::db
