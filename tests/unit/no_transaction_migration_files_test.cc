// No-transaction migration files: the header, statement splitting, the statements such a file
// may hold, and how ReadMigrations and WriteIndexMigration treat them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "migrate/index_migration.h"
#include "migrate/migration_files.h"
#include "migrate/sql_statements.h"
#include "tests/support/test_env.h"

namespace querygate::migrate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SplitSqlStatementsTest, RespectsCommentsQuotesAndDollarQuotes) {
  EXPECT_THAT(SplitSqlStatements("-- a; comment\nSELECT 'x;y'; /* c; */ SELECT \"a;b\" ;\n"
                                 "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ "
                                 "LANGUAGE sql;\n-- trailing; comment\n"),
              ElementsAre("SELECT 'x;y'", "SELECT \"a;b\"",
                          "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE "
                          "sql"));
  EXPECT_TRUE(SplitSqlStatements("-- only a comment;\n ; ;").empty());
}

TEST(NoTransactionHeaderTest, OnlyTheFirstLine) {
  EXPECT_TRUE(HasNoTransactionHeader("-- querygate:no-transaction\nVACUUM;"));
  EXPECT_TRUE(HasNoTransactionHeader("-- querygate:no-transaction  \r\nVACUUM;"));
  EXPECT_FALSE(HasNoTransactionHeader("\n-- querygate:no-transaction\nVACUUM;"));
  EXPECT_FALSE(HasNoTransactionHeader("-- querygate:no-transactions\n"));
}

TEST(NoTransactionStatementsTest, AcceptsRepeatableStatementsOnly) {
  auto ok = NoTransactionStatements(
      "-- querygate:no-transaction\n"
      "create index concurrently if not exists a_idx on t (x);\n"
      "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"B idx\" ON t (y);\n"
      "DROP INDEX CONCURRENTLY IF EXISTS old_idx; REINDEX INDEX CONCURRENTLY a_idx; ANALYZE t;",
      "f.up.sql");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->size(), 5u);
  for (const char* refused :
       {"CREATE TABLE t (x int);", "CREATE INDEX CONCURRENTLY a_idx ON t (x);",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS a ON t (x); UPDATE t SET x = 1;",
        "DROP INDEX CONCURRENTLY a_idx;", "CREATE INDEX IF NOT EXISTS a ON t (x);"}) {
    auto status = NoTransactionStatements(refused, "f.up.sql").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << refused;
    EXPECT_THAT(status.message(), HasSubstr("f.up.sql: statement")) << refused;
  }
  EXPECT_EQ(
      NoTransactionStatements("-- querygate:no-transaction\n-- nothing\n", "f").status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(ConcurrentIndexNameTest, NameAsWritten) {
  EXPECT_EQ(ConcurrentIndexName("CREATE INDEX CONCURRENTLY IF NOT EXISTS qg_a_idx ON a (x)"),
            "qg_a_idx");
  EXPECT_EQ(ConcurrentIndexName("-- c\ncreate unique index concurrently if not exists "
                                "\"Qg A\" on a (x)"),
            "\"Qg A\"");
  EXPECT_EQ(ConcurrentIndexName("CREATE INDEX CONCURRENTLY IF NOT EXISTS ON a (x)"), "");
  EXPECT_EQ(ConcurrentIndexName("CREATE INDEX CONCURRENTLY a_idx ON a (x)"), "");
  EXPECT_EQ(ConcurrentIndexName("DROP INDEX CONCURRENTLY IF EXISTS a_idx"), "");
}

TEST(ReadMigrationsTest, ParsesNoTransactionFilesAndRefusesMixedOnes) {
  testing::ScopedTempDir dir;
  testing::WriteFile(dir.path() + "/0001_init.up.sql", "CREATE TABLE t (x int);\n");
  testing::WriteFile(dir.path() + "/0002_idx.up.sql",
                     "-- querygate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "
                     "t_x ON t (x);\n");
  testing::WriteFile(dir.path() + "/0002_idx.down.sql",
                     "-- querygate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS t_x;\n");
  auto files = ReadMigrations(dir.path());
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_TRUE((*files)[0].transactional);
  EXPECT_FALSE((*files)[1].transactional);
  EXPECT_THAT((*files)[1].up_statements,
              ElementsAre(HasSubstr("CREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x)")));
  EXPECT_FALSE((*files)[1].down_transactional);
  EXPECT_THAT((*files)[1].down_statements, ElementsAre(HasSubstr("DROP INDEX CONCURRENTLY")));

  testing::WriteFile(dir.path() + "/0003_mixed.up.sql",
                     "-- querygate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS y ON "
                     "t (x);\nALTER TABLE t ADD COLUMN y int;\n");
  auto mixed = ReadMigrations(dir.path());
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mixed.status().message(), HasSubstr("0003_mixed.up.sql: statement 2"));

  testing::WriteFile(dir.path() + "/0003_mixed.up.sql",
                     "ALTER TABLE t ADD COLUMN y int;\nCREATE INDEX CONCURRENTLY y ON t (y);\n");
  auto in_transaction = ReadMigrations(dir.path());
  EXPECT_EQ(in_transaction.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(in_transaction.status().message(), HasSubstr(kNoTransactionHeader));
}

TEST(WriteIndexMigrationTest, WritesANoTransactionPairThatReadsBack) {
  testing::ScopedTempDir dir;
  testing::WriteFile(dir.path() + "/0001_init.up.sql", "CREATE TABLE accounts (email text);\n");
  auto path = WriteIndexMigration(
      dir.path(), "add email index",
      {{"accounts", {"email"}, "qg_accounts_email_idx", "estimated cost 400 -> 8\nDROP TABLE x;"}},
      "advice.json");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_THAT(*path, HasSubstr("0002_add_email_index.up.sql"));
  std::string up = ReadText(*path);
  EXPECT_THAT(up, StartsWith(std::string(kNoTransactionHeader) + "\n"));
  EXPECT_THAT(up, HasSubstr("\nCREATE INDEX CONCURRENTLY IF NOT EXISTS qg_accounts_email_idx ON "
                            "accounts (email);\n"));
  EXPECT_THAT(up, HasSubstr("-- estimated cost 400 -> 8 DROP TABLE x;\n"));
  auto files = ReadMigrations(dir.path());
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[1].up_statements.size(), 1u);
  EXPECT_THAT((*files)[1].down_statements,
              ElementsAre("DROP INDEX CONCURRENTLY IF EXISTS qg_accounts_email_idx"));

  EXPECT_EQ(WriteIndexMigration(dir.path(), "x", {}, "f").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto bad = WriteIndexMigration(dir.path(), "x", {{"accounts", {""}, "i", ""}}, "f");
  EXPECT_THAT(bad.status().message(), HasSubstr("proposals[0].columns[0]"));
}

}  // namespace
}  // namespace querygate::migrate
