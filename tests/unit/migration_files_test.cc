#include "migrate/migration_files.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/sha256.h"
#include "tests/support/test_env.h"

namespace querygate::migrate {
namespace {

using querygate::testing::ScopedTempDir;
using querygate::testing::WriteFile;

TEST(MigrationFiles, ReadsPairsAndHandWrittenFilesInNumericOrder) {
  ScopedTempDir dir;
  WriteFile(dir.path() + "/10_later.sql", "SELECT 10;");
  WriteFile(dir.path() + "/9_add_x.up.sql", "ALTER TABLE t ADD COLUMN x int;");
  WriteFile(dir.path() + "/9_add_x.down.sql", "ALTER TABLE t DROP COLUMN x;");
  WriteFile(dir.path() + "/README.md", "not a migration");
  auto files = ReadMigrations(dir.path());
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].id, "9");
  EXPECT_EQ((*files)[0].description, "add_x");
  EXPECT_EQ((*files)[0].down_sql.value_or(""), "ALTER TABLE t DROP COLUMN x;");
  EXPECT_EQ((*files)[0].checksum, Sha256Hex("ALTER TABLE t ADD COLUMN x int;"));
  EXPECT_EQ((*files)[1].id, "10");
  EXPECT_FALSE((*files)[1].down_sql.has_value());
  EXPECT_EQ(NextMigrationId(*files), "11");
}

TEST(MigrationFiles, RejectsDuplicateIdsBadNamesAndOrphanDowns) {
  {
    ScopedTempDir dir;
    WriteFile(dir.path() + "/0001_a.sql", "");
    WriteFile(dir.path() + "/0001_b.sql", "");
    auto files = ReadMigrations(dir.path());
    ASSERT_FALSE(files.ok());
    EXPECT_TRUE(absl::StrContains(files.status().message(), "0001"));
  }
  {
    ScopedTempDir dir;
    WriteFile(dir.path() + "/init.sql", "");
    EXPECT_EQ(ReadMigrations(dir.path()).status().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    ScopedTempDir dir;
    WriteFile(dir.path() + "/0002_x.down.sql", "");
    auto files = ReadMigrations(dir.path());
    ASSERT_FALSE(files.ok());
    EXPECT_TRUE(absl::StrContains(files.status().message(), "no matching up"));
  }
}

TEST(MigrationFiles, WritesNewMigrationAndRefusesToOverwrite) {
  ScopedTempDir dir;
  auto path = WriteMigration(dir.path() + "/m", "0003", "Add Users!", "UP;", "DOWN;");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_TRUE(absl::EndsWith(*path, "0003_add_users.up.sql"));
  auto files = ReadMigrations(dir.path() + "/m");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].up_sql, "UP;");
  EXPECT_EQ((*files)[0].down_sql.value_or(""), "DOWN;");
  EXPECT_EQ(WriteMigration(dir.path() + "/m", "0003", "add users", "", "").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(MigrationFiles, NextIdKeepsWidthAndCarries) {
  std::vector<MigrationFile> files(1);
  files[0].id = "0099";
  EXPECT_EQ(NextMigrationId(files), "0100");
  files[0].id = "99";
  EXPECT_EQ(NextMigrationId(files), "100");
  EXPECT_EQ(NextMigrationId({}), "0001");
}

}  // namespace
}  // namespace querygate::migrate
