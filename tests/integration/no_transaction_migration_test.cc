// No-transaction migrations against a real database: applied statement by statement outside a
// transaction, recorded only after success, repeatable after a failure (an invalid index left
// by a failed CREATE INDEX CONCURRENTLY is rebuilt), rolled back, and replayed by `status`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "migrate/migrator.h"
#include "tests/support/test_env.h"

namespace querygate {
namespace {

using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({"models": {"thing": {"fields": {
  "id": "int64", "code": "string"}}}})json";

class NoTransactionMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    options_.database_url = db_.url();
    options_.schema_dir = dir_.path() + "/schemas";
    options_.migrations_dir = options_.schema_dir + "/migrations";
    testing::WriteFile(options_.schema_dir + "/test.json", kSchema);
    migrate::Migrator migrator(options_);
    auto created = migrator.New("init", false);
    ASSERT_TRUE(created.ok()) << created.status();
    auto applied = migrator.Up();
    ASSERT_TRUE(applied.ok()) << applied.status();
    session_ = db_.Connect();
    ASSERT_TRUE(session_->Execute("INSERT INTO things VALUES (1, 'a'), (2, 'a'), (3, 'b')").ok());
  }

  void WriteMigration(const std::string& stem, const std::string& up, const std::string& down) {
    testing::WriteFile(options_.migrations_dir + "/" + stem + ".up.sql", up);
    testing::WriteFile(options_.migrations_dir + "/" + stem + ".down.sql", down);
  }

  // "valid", "invalid" or "missing".
  std::string IndexState(const std::string& name) {
    auto rows = session_->Query(
        "SELECT CASE WHEN indisvalid THEN 'valid' ELSE 'invalid' END FROM pg_index "
        "WHERE indexrelid = to_regclass($1)",
        {name});
    if (!rows.ok()) return rows.status().ToString();
    return rows->rows.empty() ? "missing" : rows->Text(0, 0);
  }

  bool Recorded(const std::string& id) {
    auto rows = session_->Query("SELECT 1 FROM schema_migrations WHERE id = $1", {id});
    return rows.ok() && !rows->rows.empty();
  }

  testing::ScopedDatabase db_;
  testing::ScopedTempDir dir_;
  migrate::MigratorOptions options_;
  std::unique_ptr<db::Session> session_;
};

TEST_F(NoTransactionMigrationTest, AppliesOutsideATransactionRollsBackAndReplays) {
  WriteMigration("0002_code_index",
                 "-- querygate:no-transaction\n"
                 "CREATE INDEX CONCURRENTLY IF NOT EXISTS things_code_idx ON things (code);\n"
                 "ANALYZE things;\n",
                 "-- querygate:no-transaction\n"
                 "DROP INDEX CONCURRENTLY IF EXISTS things_code_idx;\n");
  migrate::Migrator migrator(options_);
  auto applied = migrator.Up();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_THAT(*applied, ::testing::ElementsAre("0002_code_index"));
  EXPECT_EQ(IndexState("things_code_idx"), "valid");
  EXPECT_TRUE(Recorded("0002"));

  auto status = migrator.Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->database_drift.empty()) << "the shadow replays it outside a transaction";

  auto undone = migrator.Down(std::nullopt);
  ASSERT_TRUE(undone.ok()) << undone.status();
  EXPECT_EQ(IndexState("things_code_idx"), "missing");
  EXPECT_FALSE(Recorded("0002"));
}

TEST_F(NoTransactionMigrationTest, AFailedRunIsNotRecordedAndTheInvalidIndexIsRebuiltNextTime) {
  WriteMigration("0002_unique_code",
                 "-- querygate:no-transaction\n"
                 "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS things_code_key2 ON things "
                 "(code);\n",
                 "-- querygate:no-transaction\n"
                 "DROP INDEX CONCURRENTLY IF EXISTS things_code_key2;\n");
  migrate::Migrator migrator(options_);
  auto failed = migrator.Up();
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(),
              HasSubstr("0002_unique_code (no transaction) failed and is not recorded"));
  EXPECT_THAT(failed.status().message(), HasSubstr("statement 1 of 1"));
  EXPECT_FALSE(Recorded("0002"));
  ASSERT_EQ(IndexState("things_code_key2"), "invalid") << "what a failed CONCURRENTLY leaves";

  ASSERT_TRUE(session_->Execute("UPDATE things SET code = 'c' WHERE id = 2").ok());
  auto applied = migrator.Up();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(IndexState("things_code_key2"), "valid")
      << "IF NOT EXISTS alone would have kept the invalid index";
  EXPECT_TRUE(Recorded("0002"));
}

TEST_F(NoTransactionMigrationTest, AMixedFileIsRefusedBeforeAnythingRuns) {
  WriteMigration("0002_mixed",
                 "-- querygate:no-transaction\n"
                 "CREATE INDEX CONCURRENTLY IF NOT EXISTS things_code_idx ON things (code);\n"
                 "DELETE FROM things;\n",
                 "-- querygate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS x;\n");
  migrate::Migrator migrator(options_);
  auto refused = migrator.Up();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("statement 2"));
  EXPECT_EQ(IndexState("things_code_idx"), "missing");
  auto rows = session_->Query("SELECT count(*) FROM things");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Text(0, 0), "3");
}

}  // namespace
}  // namespace querygate
