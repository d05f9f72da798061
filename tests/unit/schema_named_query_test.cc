#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/loader.h"
#include "schema/named_query.h"

namespace querygate::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Describe(const std::vector<SchemaDiagnostic>& diagnostics) {
  std::string out;
  for (const SchemaDiagnostic& d : diagnostics) out += "  " + d.ToString() + "\n";
  return out.empty() ? "  (none)\n" : out;
}

NamedQueryLoadResult Load(const std::string& queries_json) {
  static const Schema* schema = [] {
    LoadResult loaded = LoadSchemaSources(
        {{"models.json",
          R"({"enums": {"mood": ["up", "down"]}, "models": {"user": {"id": "int64"}}})"}});
    EXPECT_TRUE(loaded.ok()) << Describe(loaded.errors);
    return new Schema(std::move(loaded.schema));
  }();
  return LoadNamedQueries({{"queries.json", queries_json}}, *schema);
}

TEST(NamedQueryLoaderTest, ReadsEveryKey) {
  NamedQueryLoadResult result = Load(R"({"queries": {"by_ids": {
      "description": "Users by id.",
      "sql": ["SELECT id FROM users", "WHERE id = ANY(:ids) AND :mood IS NOT NULL LIMIT :limit"],
      "params": {"ids": "[int64]", "mood": "@mood?",
                 "limit": {"type": "int32", "default": 20, "description": "page size"}},
      "ttl": 30, "tags": ["users"], "roles": ["analyst", "admin"]}}})");
  ASSERT_TRUE(result.ok()) << Describe(result.errors);
  ASSERT_EQ(result.queries.size(), 1u);
  const NamedQuery& q = result.queries[0];
  EXPECT_EQ(q.name, "by_ids");
  EXPECT_EQ(q.description, "Users by id.");
  EXPECT_EQ(q.sql, "SELECT id FROM users\nWHERE id = ANY(:ids) AND :mood IS NOT NULL LIMIT :limit");
  ASSERT_EQ(q.params.size(), 3u);
  EXPECT_EQ(q.FindParam("ids")->type.kind, TypeKind::kArray);
  EXPECT_TRUE(q.FindParam("mood")->nullable);
  EXPECT_EQ(q.FindParam("limit")->default_value, Value::Int(20));
  EXPECT_EQ(q.ttl_seconds, 30);
  EXPECT_TRUE(q.cached);
  EXPECT_THAT(q.tags, ElementsAre("users"));
  EXPECT_THAT(q.roles, ElementsAre("analyst", "admin"));
  EXPECT_EQ(q.source_file, "queries.json");
}

TEST(NamedQueryLoaderTest, RolesAreOptional) {
  NamedQueryLoadResult result =
      Load(R"({"queries": {"all_users": {"sql": "SELECT id FROM users"}}})");
  ASSERT_TRUE(result.ok()) << Describe(result.errors);
  EXPECT_THAT(result.queries[0].roles, IsEmpty());
}

struct BadRolesCase {
  const char* name;
  const char* roles;    // JSON value of "roles"
  const char* path;     // expected diagnostic path
  const char* message;  // expected substring of its message
};

const BadRolesCase kBadRoles[] = {
    {"NotAnArray", R"("analyst")", "queries.q.roles",
     "roles must be a non-empty array of role names, got string"},
    {"Empty", "[]", "queries.q.roles", "got an empty array"},
    {"Object", R"({"read": ["a"]})", "queries.q.roles", "got object"},
    {"NotAString", R"(["analyst", 7])", "queries.q.roles[1]", "a role must be a non-empty string"},
    {"EmptyString", R"([""])", "queries.q.roles[0]", "a role must be a non-empty string"},
    {"Duplicate", R"(["analyst", "admin", "analyst"])", "queries.q.roles[2]",
     "duplicate role 'analyst'"},
};

class BadRolesTest : public ::testing::TestWithParam<BadRolesCase> {};

TEST_P(BadRolesTest, ReportsErrorAtPath) {
  const BadRolesCase& c = GetParam();
  NamedQueryLoadResult result =
      Load(std::string(R"({"queries": {"q": {"sql": "SELECT 1", "roles": )") + c.roles + "}}}");
  ASSERT_EQ(result.errors.size(), 1u) << Describe(result.errors);
  const SchemaDiagnostic& error = result.errors[0];
  EXPECT_EQ(error.file, "queries.json");
  EXPECT_EQ(error.path, c.path);
  EXPECT_THAT(error.message, HasSubstr(c.message));
  ASSERT_EQ(result.queries.size(), 1u);
  EXPECT_THAT(result.queries[0].roles, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Cases, BadRolesTest, ::testing::ValuesIn(kBadRoles),
                         [](const ::testing::TestParamInfo<BadRolesCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(NamedQueryLoaderTest, UnknownOptionIsStillAnError) {
  NamedQueryLoadResult result =
      Load(R"({"queries": {"q": {"sql": "SELECT 1", "role": ["analyst"]}}})");
  ASSERT_EQ(result.errors.size(), 1u) << Describe(result.errors);
  EXPECT_EQ(result.errors[0].path, "queries.q.role");
  EXPECT_THAT(result.errors[0].message, HasSubstr("unknown query option 'role'"));
}

}  // namespace
}  // namespace querygate::schema
