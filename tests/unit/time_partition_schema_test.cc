#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/ddl.h"
#include "schema/loader.h"
#include "schema/partitions.h"

namespace querygate::schema {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Errors(const LoadResult& result) {
  std::string out;
  for (const SchemaDiagnostic& d : result.errors) out += d.ToString() + "\n";
  return out;
}

LoadResult Load(const std::string& partition, const std::string& extra_fields = "",
                const std::string& extra_models = "") {
  return LoadSchemaSources({{"test.json", R"({"models": {
    "reading": {
      "$options": {"partition": )" + partition +
                                              R"(},
      "id": "int64",
      "sensor": "string",
      "value": "float64",
      "recorded_at": "datetime",
      "day": "date",
      "maybe": "datetime?")" + extra_fields +
                                              R"(
    })" + extra_models + R"(
  }})"}});
}

TEST(TimePartitionSchemaTest, ReadsEveryOption) {
  LoadResult result = Load(
      R"({"by": "recorded_at", "interval": "week", "ahead": 5, "retention": 12,
          "retention_action": "drop"})");
  ASSERT_TRUE(result.ok()) << Errors(result);
  const Model* model = result.schema.FindModel("reading");
  ASSERT_NE(model, nullptr);
  ASSERT_TRUE(model->partitioning.has_value());
  EXPECT_EQ(model->partitioning->field, "recorded_at");
  EXPECT_EQ(model->partitioning->column, "recorded_at");
  EXPECT_EQ(model->partitioning->interval, PartitionInterval::kWeek);
  EXPECT_EQ(model->partitioning->ahead, 5);
  EXPECT_EQ(model->partitioning->retention, 12);
  EXPECT_EQ(model->partitioning->retention_action, RetentionAction::kDrop);
  EXPECT_EQ(model->primary_key_columns, std::vector<std::string>{"id"});
}

TEST(TimePartitionSchemaTest, DefaultsAreMonthlyThreeAheadKeepAll) {
  LoadResult result = Load(R"({"by": "day"})");
  ASSERT_TRUE(result.ok()) << Errors(result);
  const Partitioning& p = *result.schema.FindModel("reading")->partitioning;
  EXPECT_EQ(p.interval, PartitionInterval::kMonth);
  EXPECT_EQ(p.ahead, 3);
  EXPECT_EQ(p.retention, 0);
  EXPECT_EQ(p.retention_action, RetentionAction::kDetach);
}

TEST(TimePartitionSchemaTest, ManagedCreatedAtCanBeTheKey) {
  LoadResult result = LoadSchemaSources({{"test.json", R"({"models": {"event": {
    "$options": {"timestamps": true, "partition": {"by": "created_at", "interval": "day"}},
    "id": "int64", "name": "string"}}})"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_EQ(result.schema.FindModel("event")->partitioning->column, "created_at");
}

struct BadCase {
  std::string partition;
  std::string message;
  std::string extra_fields;
  std::string extra_models;
};

BadCase Bad(std::string partition, std::string message, std::string extra_fields = "",
            std::string extra_models = "") {
  return BadCase{std::move(partition), std::move(message), std::move(extra_fields),
                 std::move(extra_models)};
}

class TimePartitionRejectsTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(TimePartitionRejectsTest, NamesTheProblem) {
  LoadResult result = Load(GetParam().partition, GetParam().extra_fields, GetParam().extra_models);
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(Errors(result), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TimePartitionRejectsTest,
    ::testing::Values(
        Bad(R"("recorded_at")", "partition must be an object"),
        Bad(R"({"interval": "month"})", "'by' is required"),
        Bad(R"({"by": "missing"})", "has no field 'missing'"),
        Bad(R"({"by": "sensor"})", "must be a datetime or date, not string"),
        Bad(R"({"by": "maybe"})", "must not be nullable"),
        Bad(R"({"by": "recorded_at", "interval": "year"})", "interval must be day, week or month"),
        Bad(R"({"by": "recorded_at", "ahead": 367})", "ahead must be between 0 and 366"),
        Bad(R"({"by": "recorded_at", "ahead": -1})", "ahead must be between 0 and 366"),
        Bad(R"({"by": "recorded_at", "retention": 0})", "retention must be between 1"),
        Bad(R"({"by": "recorded_at", "retention": 2, "retention_action": "archive"})",
            "retention_action must be detach or drop"),
        Bad(R"({"by": "recorded_at", "retention_action": "drop"})",
            "retention_action needs retention"),
        Bad(R"({"by": "recorded_at", "every": "month"})", "unknown partition option 'every'"),
        Bad(R"({"by": "recorded_at"})", "unique field 'serial' of partitioned model",
            R"(, "serial": {"type": "string", "unique": true})"),
        Bad(R"({"by": "recorded_at"})", "references 'reading', which is partitioned", "",
            R"(, "alarm": {"id": "int64", "reading_id": "int64", "reading": "@reading"})")));

TEST(TimePartitionSchemaTest, RejectsUniqueIndexWithoutPartitionColumn) {
  LoadResult result = LoadSchemaSources({{"test.json", R"({"models": {"reading": {
    "$options": {"partition": {"by": "recorded_at"},
                 "indexes": [{"fields": ["sensor"], "unique": true}]},
    "id": "int64", "sensor": "string", "recorded_at": "datetime"}}})"}});
  EXPECT_THAT(Errors(result), HasSubstr("must include the partition column 'recorded_at'"));
  LoadResult fine = LoadSchemaSources({{"test.json", R"({"models": {"reading": {
    "$options": {"partition": {"by": "recorded_at"},
                 "indexes": [{"fields": ["sensor", "recorded_at"], "unique": true}]},
    "id": "int64", "sensor": "string", "recorded_at": "datetime"}}})"}});
  EXPECT_TRUE(fine.ok()) << Errors(fine);
}

TEST(TimePartitionSchemaTest, RejectsTenantScopedModels) {
  LoadResult result = LoadSchemaSources({{"test.json", R"({
    "tenancy": {"column": "org_id", "type": "int64", "model": "org"},
    "models": {
      "org": {"id": "int64", "name": "string"},
      "reading": {"$options": {"partition": {"by": "recorded_at"}},
                  "id": "int64", "recorded_at": "datetime"}}})"}});
  EXPECT_THAT(Errors(result), HasSubstr("tenant-scoped models cannot be partitioned"));
}

TEST(TimePartitionSchemaTest, RejectsTableNamesTooLongForPartitions) {
  LoadResult result = LoadSchemaSources({{"test.json", R"({"models": {"reading": {
    "$options": {"table": "a_table_name_that_is_long_enough_to_overflow_partition_names",
                 "partition": {"by": "recorded_at"}},
    "id": "int64", "recorded_at": "datetime"}}})"}});
  EXPECT_THAT(Errors(result), HasSubstr("too long for its partitions' names"));
}

TEST(TimePartitionDdlTest, PartitionedTableKeyAndMaintenance) {
  LoadResult result =
      Load(R"({"by": "recorded_at", "interval": "month", "ahead": 2, "retention": 6})");
  ASSERT_TRUE(result.ok()) << Errors(result);
  std::string ddl = GenerateDdl(result.schema);
  EXPECT_THAT(ddl, HasSubstr("CONSTRAINT readings_pkey PRIMARY KEY (id, recorded_at)\n) "
                             "PARTITION BY RANGE (recorded_at);"));
  EXPECT_THAT(ddl, HasSubstr("CREATE OR REPLACE FUNCTION querygate_maintain_partitions()"));
  EXPECT_THAT(ddl, HasSubstr("SECURITY DEFINER"));
  EXPECT_THAT(ddl, HasSubstr("querygate_partition_table('readings', 'recorded_at', 'month', 2, "
                             "6, 'detach', true)"));
  EXPECT_THAT(ddl, HasSubstr("REVOKE ALL ON FUNCTION querygate_maintain_partitions() FROM "
                             "PUBLIC"));
  EXPECT_THAT(ddl, HasSubstr("SELECT table_name, action, partition_name FROM "
                             "querygate_maintain_partitions();"));
}

TEST(TimePartitionDdlTest, UnpartitionedSchemasGetNoPartitionFunctions) {
  LoadResult result = LoadSchemaSources(
      {{"test.json", R"({"models": {"note": {"id": "int64", "body": "text"}}})"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_FALSE(HasPartitionedModels(result.schema));
  EXPECT_EQ(PartitionFunctionsSql(result.schema), "");
  EXPECT_THAT(GenerateDdl(result.schema), Not(HasSubstr("PARTITION")));
}

}  // namespace
}  // namespace querygate::schema
