// The write planner: validation before any SQL, and the statements it builds.
#include "service/repository_writes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema/loader.h"

namespace querygate::service {
namespace {

using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "enums": {"kind": ["a", "b"]},
  "models": {
    "owner": {"id": "int64", "name": "string", "things": ["@thing"]},
    "thing": {
      "$options": {"soft_delete": true, "timestamps": true},
      "id": "int64",
      "owner_id": "int64",
      "owner": "@owner",
      "title": {"type": "string", "length": 5},
      "note": "text?",
      "n": {"type": "int32", "default": 0},
      "kind": "@kind",
      "vec": "vector(2)"
    },
    "doc": {"id": "uuid_v7", "body": "text"}
  }
})json";

class WritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = schema::LoadSchemaSources({{"test.json", kSchema}});
    ASSERT_TRUE(loaded_.ok()) << (loaded_.errors.empty() ? "" : loaded_.errors[0].ToString());
  }

  Record Thing() {
    return {{"owner_id", Value::Int(1)},
            {"title", Value::String("abc")},
            {"kind", Value::String("a")},
            {"vec", Value::ListOf({Value::Double(1), Value::Int(2)})}};
  }

  schema::LoadResult loaded_;
  UuidV7Generator uuids_;
  WritePlanner planner_{&loaded_.schema, &uuids_};
};

TEST_F(WritesTest, CreateBindsPresentFieldsAndReturnsTheRow) {
  auto write = planner_.Create({"thing", Thing()});
  ASSERT_TRUE(write.ok()) << write.status();
  EXPECT_THAT(write->statement.sql,
              HasSubstr("INSERT INTO \"things\" (\"owner_id\", \"title\", \"kind\", \"vec\") "
                        "VALUES ($1::bigint, $2::text, $3::text, $4::real[]) RETURNING \"id\""));
  EXPECT_EQ(write->tables, (std::set<std::string>{"things"}));
}

TEST_F(WritesTest, CreateRejectsBadRecordsNamingTheField) {
  struct Case {
    std::string field;
    Value value;
    const char* message;
  };
  std::vector<Case> cases = {
      {"nope", Value::Int(1), "record.nope"},
      {"title", Value::String("toolong"), "record.title: longer than 5"},
      {"title", Value::Int(3), "record.title"},
      {"kind", Value::String("c"), "record.kind"},
      {"n", Value::Int(int64_t{1} << 33), "record.n"},
      {"vec", Value::ListOf({Value::Int(1)}), "record.vec: expected 2 dimensions"},
      {"owner_id", Value(), "record.owner_id: must not be null"},
  };
  for (const Case& c : cases) {
    Record record = Thing();
    record[c.field] = c.value;
    auto write = planner_.Create({"thing", record});
    EXPECT_EQ(write.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(write.status().message(), HasSubstr(c.message));
  }
  Record missing = Thing();
  missing.erase("title");
  EXPECT_THAT(planner_.Create({"thing", missing}).status().message(),
              HasSubstr("record.title: required"));
  EXPECT_EQ(planner_.Create({"things; drop", Thing()}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(WritesTest, CreateIgnoresServerMaintainedFieldsAndGeneratesUuids) {
  Record record = Thing();
  record["created_at"] = Value::Time({0});
  record["deleted_at"] = Value::Time({0});
  auto write = planner_.Create({"thing", record});
  ASSERT_TRUE(write.ok()) << write.status();
  EXPECT_THAT(write->statement.sql, ::testing::Not(HasSubstr("(\"created_at\"")));
  auto doc = planner_.Create({"doc", {{"body", Value::String("x")}}});
  ASSERT_TRUE(doc.ok()) << doc.status();
  ASSERT_EQ(doc->statement.params.size(), 2u);
  EXPECT_EQ(doc->statement.params[0]->at(14), '7');
}

TEST_F(WritesTest, UpdateWritesTheMaskAndGuardsUpdatedAt) {
  RepoUpdateRequest request;
  request.model = "thing";
  request.id = Value::Int(5);
  request.record = {{"title", Value::String("new")}, {"n", Value::Int(3)}};
  request.update_mask = std::vector<std::string>{"title", "note"};
  request.expected_updated_at = Timestamp{1000};
  auto write = planner_.Update(request);
  ASSERT_TRUE(write.ok()) << write.status();
  EXPECT_THAT(write->statement.sql,
              HasSubstr("SET \"title\" = $1::text, \"note\" = $2::text, \"updated_at\" = "));
  EXPECT_THAT(write->statement.sql,
              HasSubstr("WHERE \"id\" = $3::bigint AND \"deleted_at\" IS NULL AND \"updated_at\" "
                        "= $4::timestamptz RETURNING"));
  EXPECT_FALSE(write->statement.params[1].has_value());  // note: in the mask, absent: null
  EXPECT_TRUE(write->optimistic);

  request.update_mask = std::vector<std::string>{"bogus"};
  EXPECT_THAT(planner_.Update(request).status().message(), HasSubstr("update_mask.paths[0]"));
  request.update_mask.reset();
  request.record = {{"id", Value::Int(6)}};
  EXPECT_THAT(planner_.Update(request).status().message(), HasSubstr("record.id"));
  request.record = {{"id", Value::Int(5)}, {"title", Value::String("ok")}};
  EXPECT_TRUE(planner_.Update(request).ok());
  RepoUpdateRequest no_ts;
  no_ts.model = "owner";
  no_ts.id = Value::Int(1);
  no_ts.expected_updated_at = Timestamp{1};
  EXPECT_THAT(planner_.Update(no_ts).status().message(), HasSubstr("expected_updated_at"));
}

TEST_F(WritesTest, DeletesAreSoftUnlessHardAndCascadeTablesAreTouched) {
  auto soft = planner_.Delete({"thing", Value::Int(1), false});
  ASSERT_TRUE(soft.ok());
  EXPECT_EQ(soft->kind, PlannedWrite::Kind::kSoftDelete);
  EXPECT_THAT(soft->statement.sql, HasSubstr("UPDATE \"things\" SET \"deleted_at\""));
  auto hard = planner_.Delete({"owner", Value::Int(1), false});
  ASSERT_TRUE(hard.ok());
  EXPECT_EQ(hard->kind, PlannedWrite::Kind::kHardDelete);
  EXPECT_EQ(hard->tables, (std::set<std::string>{"owners", "things"}));
  EXPECT_EQ(planner_.Delete({"thing", Value::String("x"), false}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(planner_.Delete({"thing", Value(), false}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace querygate::service
