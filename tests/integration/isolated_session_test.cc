// db::IsolatedSession and the CLI's ReadParamSets against a real PostgreSQL: operator SQL runs
// as one read-only statement with a row cap and a timeout, and nothing it tries is written.
#include "db/isolated_session.h"

#include <gtest/gtest.h>

#include "client/cli/params_from.h"
#include "tests/support/test_env.h"

namespace querygate {
namespace {

using querygate::testing::ScopedDatabase;

class IsolatedSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    ASSERT_TRUE(db_.ok());
    ASSERT_TRUE(
        db_.Connect()
            ->Execute(
                "CREATE TABLE items (id int PRIMARY KEY, name text); CREATE SEQUENCE items_seq;"
                "INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')")
            .ok());
  }

  absl::StatusOr<db::ResultSet> Run(const std::string& sql, int64_t max_rows = 100,
                                    absl::Duration timeout = absl::Seconds(10)) {
    auto session = db::IsolatedSession::Connect(db_.url(), absl::Seconds(5));
    if (!session.ok()) return session.status();
    return (*session)->QueryReadOnly(sql, max_rows, timeout);
  }

  // The names of items, in id order, as the database holds them now.
  std::string Names() {
    auto rows = db_.Connect()->Query("SELECT string_agg(name, ',' ORDER BY id) FROM items");
    return rows.ok() ? rows->Text(0, 0) : rows.status().ToString();
  }

  ScopedDatabase db_;
};

TEST_F(IsolatedSessionTest, ReturnsTheRowsOfOneQuery) {
  auto rows = Run("SELECT id, name FROM items WHERE id <= 2 ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->columns.size(), 2u);
  EXPECT_EQ(rows->columns[0].name, "id");
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->Text(1, 1), "two");
  auto empty = Run("SELECT id FROM items WHERE false");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->columns.size(), 1u);
  EXPECT_TRUE(empty->rows.empty());
}

TEST_F(IsolatedSessionTest, SeveralStatementsAreRefusedAndNothingIsWritten) {
  for (const char* sql : {"COMMIT; UPDATE items SET name = 'pwned'; SELECT 1",
                          "SELECT 1; UPDATE items SET name = 'pwned'",
                          "SELECT 1 AS id; COMMIT; UPDATE items SET name = 'pwned' RETURNING id"}) {
    auto rows = Run(sql);
    EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument) << sql;
  }
  EXPECT_EQ(Names(), "one,two,three");
}

TEST_F(IsolatedSessionTest, WritesAreRefusedByTheReadOnlyTransaction) {
  for (const char* sql :
       {"UPDATE items SET name = 'pwned' RETURNING id",
        "WITH u AS (UPDATE items SET name = 'pwned' RETURNING id) SELECT id FROM u",
        "INSERT INTO items VALUES (4, 'four') RETURNING id", "SELECT nextval('items_seq')"}) {
    EXPECT_EQ(Run(sql).status().code(), absl::StatusCode::kInvalidArgument) << sql;
  }
  EXPECT_EQ(Names(), "one,two,three");
  auto count = db_.Connect()->Query("SELECT count(*) FROM items");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->Text(0, 0), "3");
}

TEST_F(IsolatedSessionTest, StatementsWithoutRowsAreRefused) {
  for (const char* sql :
       {"SET work_mem = '1MB'", "LISTEN anything", "CREATE TEMP TABLE t (x int)", "COMMIT"}) {
    EXPECT_EQ(Run(sql).status().code(), absl::StatusCode::kInvalidArgument) << sql;
  }
}

TEST_F(IsolatedSessionTest, StopsAfterTheRowCap) {
  // generate_series in the select list streams its rows, so only reading stops this early.
  auto capped = Run("SELECT generate_series(1, 1000000) AS id", 10);
  EXPECT_EQ(capped.status().code(), absl::StatusCode::kResourceExhausted) << capped.status();
  auto exact = Run("SELECT g AS id FROM generate_series(1, 10) g", 10);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->rows.size(), 10u);
}

TEST_F(IsolatedSessionTest, TheStatementTimeoutApplies) {
  auto slow = Run("SELECT pg_sleep(5)", 10, absl::Milliseconds(200));
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kDeadlineExceeded) << slow.status();
}

TEST_F(IsolatedSessionTest, RunsOneStatementPerSession) {
  auto session = db::IsolatedSession::Connect(db_.url(), absl::Seconds(5));
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_TRUE((*session)->QueryReadOnly("SELECT 1", 10, absl::Seconds(5)).ok());
  EXPECT_EQ((*session)->QueryReadOnly("SELECT 1", 10, absl::Seconds(5)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(IsolatedSessionTest, AFailedConnectionHidesThePassword) {
  auto session =
      db::IsolatedSession::Connect("postgresql://someone:hunter2@127.0.0.1:1/x", absl::Seconds(2));
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(session.status().message()).find("hunter2"), std::string::npos)
      << session.status();
}

TEST_F(IsolatedSessionTest, CliParamSetsComeFromRowsWithTypedValues) {
  auto sets =
      cli::ReadParamSets(db_.url(), "SELECT id, name FROM items ORDER BY id", 10, absl::Seconds(5));
  ASSERT_TRUE(sets.ok()) << sets.status();
  ASSERT_EQ(sets->size(), 3u);
  EXPECT_EQ((*sets)[0].at("id"), Value::Int(1));
  EXPECT_EQ((*sets)[2].at("name"), Value::String("three"));
  EXPECT_EQ(
      cli::ReadParamSets(db_.url(), "SELECT id FROM items", 2, absl::Seconds(5)).status().code(),
      absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(cli::ReadParamSets(db_.url(), "SELECT 1; UPDATE items SET name = 'pwned'", 10,
                               absl::Seconds(5))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Names(), "one,two,three");
}

}  // namespace
}  // namespace querygate
