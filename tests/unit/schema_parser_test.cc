#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/internal/json_reader.h"
#include "schema/internal/naming.h"
#include "schema/internal/type_parser.h"
#include "schema/loader.h"

namespace querygate::schema {
namespace {

using ::testing::ElementsAre;

std::string Errors(const LoadResult& result) {
  std::string out;
  for (const SchemaDiagnostic& d : result.errors) out += d.ToString() + "\n";
  return out;
}

LoadResult LoadOk(const std::string& json) {
  LoadResult result = LoadSchemaSources({{"test.json", json}});
  EXPECT_TRUE(result.ok()) << Errors(result);
  return result;
}

TEST(JsonReaderTest, KeepsKeyOrderAndRecordsDuplicates) {
  internal::JsonParseResult parsed = internal::ParseJson(R"({"b": 1, "a": [true, null], "b": 2})");
  ASSERT_TRUE(parsed.ok) << parsed.message;
  const internal::JsonNode& root = parsed.root;
  ASSERT_EQ(root.members.size(), 2u);
  EXPECT_EQ(root.members[0].first, "b");
  EXPECT_EQ(root.members[0].second.int_value, 1);
  EXPECT_EQ(root.members[1].first, "a");
  EXPECT_THAT(root.duplicate_keys, ElementsAre("b"));
  EXPECT_EQ(internal::DumpJson(root), R"({"b":1,"a":[true,null]})");
}

TEST(JsonReaderTest, KeepsNumbersAsWritten) {
  internal::JsonParseResult parsed = internal::ParseJson("[1.50, -3, 18446744073709551615]");
  ASSERT_TRUE(parsed.ok);
  EXPECT_EQ(parsed.root.elements[0].NumberText(), "1.50");
  EXPECT_EQ(parsed.root.elements[1].NumberText(), "-3");
  EXPECT_EQ(parsed.root.elements[2].kind, internal::JsonNode::Kind::kUnsigned);
}

TEST(JsonReaderTest, LineAndColumnFromOffset) {
  EXPECT_EQ(internal::LineAndColumn("ab\ncd\nef", 0), std::make_pair(1, 1));
  EXPECT_EQ(internal::LineAndColumn("ab\ncd\nef", 4), std::make_pair(2, 2));
  EXPECT_EQ(internal::LineAndColumn("ab\ncd\nef", 6), std::make_pair(3, 1));
}

struct TypeCase {
  const char* spelling;
  TypeKind kind;
  TypeKind element;
  bool nullable;
  const char* sql;
};

class TypeParserTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(TypeParserTest, ParsesSpelling) {
  const TypeCase& c = GetParam();
  absl::StatusOr<internal::TypeSpelling> parsed = internal::ParseTypeSpelling(c.spelling);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->is_reference);
  EXPECT_EQ(parsed->type.kind, c.kind);
  if (c.kind == TypeKind::kArray) {
    EXPECT_EQ(parsed->type.element_kind, c.element);
  }
  EXPECT_EQ(parsed->nullable, c.nullable);
  FieldType type = parsed->type;
  if (type.ScalarKind() == TypeKind::kString && !type.length.has_value()) type.length = 255;
  EXPECT_EQ(SqlTypeName(type), c.sql);
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, TypeParserTest,
    ::testing::Values(
        TypeCase{"int32", TypeKind::kInt32, TypeKind::kInt32, false, "INTEGER"},
        TypeCase{"int64?", TypeKind::kInt64, TypeKind::kInt64, true, "BIGINT"},
        TypeCase{"float64", TypeKind::kFloat64, TypeKind::kFloat64, false, "DOUBLE PRECISION"},
        TypeCase{"decimal", TypeKind::kDecimal, TypeKind::kDecimal, false, "NUMERIC"},
        TypeCase{"decimal(12, 2)", TypeKind::kDecimal, TypeKind::kDecimal, false, "NUMERIC(12,2)"},
        TypeCase{"bool", TypeKind::kBool, TypeKind::kBool, false, "BOOLEAN"},
        TypeCase{"string", TypeKind::kString, TypeKind::kString, false, "VARCHAR(255)"},
        TypeCase{"string(80)?", TypeKind::kString, TypeKind::kString, true, "VARCHAR(80)"},
        TypeCase{"text", TypeKind::kText, TypeKind::kText, false, "TEXT"},
        TypeCase{"bytes", TypeKind::kBytes, TypeKind::kBytes, false, "BYTEA"},
        TypeCase{"datetime", TypeKind::kDateTime, TypeKind::kDateTime, false, "TIMESTAMPTZ"},
        TypeCase{"date", TypeKind::kDate, TypeKind::kDate, false, "DATE"},
        TypeCase{"uuid", TypeKind::kUuid, TypeKind::kUuid, false, "UUID"},
        TypeCase{"uuid_v7", TypeKind::kUuidV7, TypeKind::kUuidV7, false, "UUID"},
        TypeCase{"map<string, any>", TypeKind::kJson, TypeKind::kJson, false, "JSONB"},
        TypeCase{"json?", TypeKind::kJson, TypeKind::kJson, true, "JSONB"},
        TypeCase{"vector(3)", TypeKind::kVector, TypeKind::kVector, false, "REAL[]"},
        TypeCase{"string[]", TypeKind::kArray, TypeKind::kString, false, "TEXT[]"},
        TypeCase{"int64[]?", TypeKind::kArray, TypeKind::kInt64, true, "BIGINT[]"}));

TEST(TypeParserTest, References) {
  absl::StatusOr<internal::TypeSpelling> parsed = internal::ParseTypeSpelling("@user_profile?");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->is_reference);
  EXPECT_EQ(parsed->reference, "user_profile");
  EXPECT_TRUE(parsed->nullable);
}

TEST(TypeParserTest, RejectsBadSpellings) {
  for (const char* bad : {"int65", "", "?", "string[][]", "json[]", "vector(3)[]", "@", "@Bad",
                          "bool(3)", "decimal(a,b)", "map<string, int>", "decimal(1,2,3)"}) {
    EXPECT_FALSE(internal::ParseTypeSpelling(bad).ok()) << bad;
  }
}

TEST(NamingTest, Pluralize) {
  EXPECT_EQ(internal::Pluralize("user"), "users");
  EXPECT_EQ(internal::Pluralize("user_profile"), "user_profiles");
  EXPECT_EQ(internal::Pluralize("category"), "categories");
  EXPECT_EQ(internal::Pluralize("box"), "boxes");
  EXPECT_EQ(internal::Pluralize("status"), "statuses");
  EXPECT_EQ(internal::Pluralize("address"), "addresses");
  EXPECT_EQ(internal::Pluralize("day"), "days");
  EXPECT_EQ(internal::Pluralize("branch"), "branches");
  EXPECT_EQ(internal::Pluralize("order_entry"), "order_entries");
}

TEST(NamingTest, Identifiers) {
  EXPECT_TRUE(internal::IsValidIdentifier("_a1"));
  EXPECT_FALSE(internal::IsValidIdentifier("1a"));
  EXPECT_FALSE(internal::IsValidIdentifier("aB"));
  EXPECT_FALSE(internal::IsValidIdentifier(std::string(64, 'a')));
  EXPECT_TRUE(internal::IsValidIdentifier(std::string(63, 'a')));
  EXPECT_TRUE(internal::IsReservedIdentifier("user"));
  EXPECT_TRUE(internal::IsReservedIdentifier("tableoid"));
  EXPECT_FALSE(internal::IsReservedIdentifier("users"));
  EXPECT_EQ(internal::QuoteIdentifier("users"), "users");
  EXPECT_EQ(internal::QuoteIdentifier("user"), "\"user\"");
  EXPECT_EQ(internal::QuoteIdentifier("Mixed\"Case"), "\"Mixed\"\"Case\"");
}

TEST(NamingTest, PgObjectNameMatchesPostgres) {
  EXPECT_EQ(internal::PgObjectName("users", "", "pkey"), "users_pkey");
  EXPECT_EQ(internal::PgObjectName("posts", "author_id", "fkey"), "posts_author_id_fkey");
  // PostgreSQL trims the longer of the two names first until "<a>_<b>_key" fits in 63 bytes.
  std::string table(40, 't');
  std::string column(40, 'c');
  std::string name = internal::PgObjectName(table, column, "key");
  EXPECT_EQ(name.size(), 63u);
  EXPECT_EQ(name, std::string(29, 't') + "_" + std::string(29, 'c') + "_key");
}

TEST(NamingTest, IndexNameTruncatesWithHash) {
  EXPECT_EQ(internal::IndexName("idx", "posts", {"status", "created_at"}, ""),
            "idx_posts_status_created_at");
  std::vector<std::string> a = {std::string(40, 'a'), std::string(30, 'b')};
  std::vector<std::string> b = {std::string(40, 'a'), std::string(30, 'c')};
  std::string name_a = internal::IndexName("idx", "t", a, "");
  std::string name_b = internal::IndexName("idx", "t", b, "");
  EXPECT_EQ(name_a.size(), 63u);
  EXPECT_NE(name_a, name_b);
  EXPECT_EQ(name_a, internal::IndexName("idx", "t", a, ""));
}

TEST(LoaderTest, FlatAndStructuredFormsAreEquivalent) {
  LoadResult flat = LoadOk(R"({"models": {"user": {
      "$options": {"table": "people", "timestamps": true, "cache_ttl": 30},
      "id": "int64", "email": {"type": "string", "unique": true}}}})");
  LoadResult structured = LoadOk(R"({"models": {"user": {
      "table": "people", "timestamps": true, "cache_ttl": 30,
      "fields": {"id": "int64", "email": {"type": "string", "unique": true}}}}})");
  for (const LoadResult* result : {&flat, &structured}) {
    const Model* user = result->schema.FindModel("user");
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(user->table, "people");
    EXPECT_EQ(user->cache_ttl_seconds, 30);
    ASSERT_EQ(user->fields.size(), 4u);
    EXPECT_EQ(user->fields[0].name, "id");
    EXPECT_EQ(user->fields[1].name, "email");
    EXPECT_TRUE(user->fields[1].unique);
    EXPECT_EQ(user->fields[2].name, "created_at");
    EXPECT_TRUE(user->fields[2].is_managed_timestamp);
    EXPECT_EQ(result->schema.FindModelByTable("people"), user);
  }
}

TEST(LoaderTest, ModelRolesInBothForms) {
  LoadResult flat = LoadOk(R"({"models": {"salary": {
      "$options": {"roles": {"read": ["hr", "finance"], "write": ["hr"]}},
      "id": "int64", "amount": "int64"}}})");
  LoadResult structured = LoadOk(R"({"models": {"salary": {
      "roles": {"read": ["hr", "finance"], "write": ["hr"]},
      "fields": {"id": "int64", "amount": "int64"}}}})");
  for (const LoadResult* result : {&flat, &structured}) {
    const Model* salary = result->schema.FindModel("salary");
    ASSERT_NE(salary, nullptr);
    EXPECT_THAT(salary->read_roles, ElementsAre("hr", "finance"));
    EXPECT_THAT(salary->write_roles, ElementsAre("hr"));
    EXPECT_EQ(salary->fields.size(), 2u);
  }
}

TEST(LoaderTest, ModelRolesAreOptionalPerKey) {
  LoadResult result = LoadOk(R"({"models": {
      "open": {"id": "int64"},
      "read_only": {"$options": {"roles": {"write": ["admin"]}}, "id": "int64"},
      "roles": {"id": "int64", "roles": "string"}}})");
  const Model* open = result.schema.FindModel("open");
  EXPECT_TRUE(open->read_roles.empty());
  EXPECT_TRUE(open->write_roles.empty());
  const Model* read_only = result.schema.FindModel("read_only");
  EXPECT_TRUE(read_only->read_roles.empty());
  EXPECT_THAT(read_only->write_roles, ElementsAre("admin"));
  const Model* roles = result.schema.FindModel("roles");
  ASSERT_NE(roles->FindField("roles"), nullptr);
  EXPECT_TRUE(roles->read_roles.empty());
}

TEST(LoaderTest, FieldNamedFieldsWithTypeIsAFieldNotTheStructuredForm) {
  LoadResult result = LoadOk(R"({"models": {"form": {"id": "int64",
      "fields": {"type": "json"}}}})");
  const Model* form = result.schema.FindModel("form");
  ASSERT_NE(form->FindField("fields"), nullptr);
  EXPECT_EQ(form->FindField("fields")->type.kind, TypeKind::kJson);
}

TEST(LoaderTest, PrimaryKeysAndDefaults) {
  LoadResult result = LoadOk(R"({"models": {
      "ma": {"id": "int64"},
      "mb": {"id": "int32"},
      "mc": {"code": {"type": "uuid_v7", "primary_key": true}, "id": "int64"},
      "md": {"id": "uuid"},
      "me": {"id": {"type": "int64", "default": 7}}}})");
  const Schema& s = result.schema;
  EXPECT_TRUE(s.FindModel("ma")->PrimaryKeyField()->auto_generated);
  EXPECT_EQ(s.FindModel("mc")->primary_key, "code");
  EXPECT_EQ(s.FindModel("mc")->PrimaryKeyField()->default_sql, "generate_uuid_v7()");
  EXPECT_FALSE(s.FindModel("mc")->FindField("id")->primary_key);
  EXPECT_EQ(s.FindModel("md")->PrimaryKeyField()->default_sql, "gen_random_uuid()");
  EXPECT_FALSE(s.FindModel("me")->PrimaryKeyField()->auto_generated);
  EXPECT_EQ(s.FindModel("me")->PrimaryKeyField()->default_sql, "7");
}

TEST(LoaderTest, DefaultsRenderAsSql) {
  LoadResult result = LoadOk(R"j({"enums": {"mood": ["ok", "it's fine"]}, "models": {"x": {
      "id": "int64",
      "s": {"type": "string", "default": "O'Brien"},
      "m": {"type": "@mood", "default": "it's fine"},
      "f": {"type": "float64", "default": 1.50},
      "b": {"type": "bool", "default": true},
      "d": {"type": "date", "default": "2024-02-29"},
      "t": {"type": "datetime", "default": "2024-01-01T10:00:00.5+02:00"},
      "n": {"type": "datetime", "default": "NOW()"},
      "a": {"type": ["string"], "default": ["a\"b", "c"]},
      "j": {"type": "json", "default": {"k": ["v"]}},
      "u": {"type": "uuid", "default": "123e4567-e89b-12d3-a456-426614174000"},
      "p": {"type": "decimal(5,2)", "default": 123.45},
      "v": {"type": "vector", "dimensions": 2, "default": [0.5, 1]}}}})j");
  const Model* x = result.schema.FindModel("x");
  EXPECT_EQ(x->FindField("s")->default_sql, "'O''Brien'");
  EXPECT_EQ(x->FindField("m")->default_sql, "'it''s fine'");
  EXPECT_EQ(x->FindField("f")->default_sql, "1.50");
  EXPECT_EQ(x->FindField("b")->default_sql, "TRUE");
  EXPECT_EQ(x->FindField("d")->default_sql, "'2024-02-29'");
  EXPECT_EQ(x->FindField("t")->default_sql, "'2024-01-01T10:00:00.5+02:00'");
  EXPECT_EQ(x->FindField("n")->default_sql, "now()");
  EXPECT_FALSE(x->FindField("n")->default_is_literal);
  EXPECT_EQ(x->FindField("a")->default_sql, R"('{"a\"b","c"}')");
  EXPECT_EQ(x->FindField("j")->default_sql, R"('{"k":["v"]}')");
  EXPECT_EQ(x->FindField("u")->default_sql, "'123e4567-e89b-12d3-a456-426614174000'");
  EXPECT_EQ(x->FindField("p")->default_sql, "123.45");
  EXPECT_EQ(x->FindField("v")->default_sql, "'{0.5,1}'");
}

TEST(LoaderTest, ResolvesSeedRelationships) {
  LoadResult result = LoadOk(R"({"models": {
      "user": {"id": "int64", "profile": "@user_profile?", "posts": ["@post"],
               "roles": {"type": ["@role"], "relationship": "many_to_many",
                         "through": "user_roles"}},
      "user_profile": {"id": "int64", "user_id": "int64"},
      "post": {"id": "int64", "author_id": "int64", "author": "@user",
               "comments": {"type": ["@comment"], "relationship": "has_many",
                            "foreign_key": "post_id"}},
      "comment": {"id": "int64", "post_id": "int64", "parent_id": "int64?",
                  "post": "@post", "parent": "@comment?", "replies": ["@comment"]},
      "role": {"id": "int32", "users": {"type": ["@user"], "relationship": "many_to_many",
                                        "through": "user_roles"}}}})");
  const Schema& s = result.schema;
  const Model* user = s.FindModel("user");
  ASSERT_EQ(user->relations.size(), 3u);
  EXPECT_EQ(user->relations[0].kind, RelationKind::kHasOne);
  EXPECT_EQ(user->relations[0].foreign_key, "user_id");
  EXPECT_TRUE(user->relations[0].optional);
  EXPECT_EQ(user->relations[1].kind, RelationKind::kHasMany);
  EXPECT_EQ(user->relations[1].foreign_key, "author_id");
  EXPECT_EQ(user->relations[2].kind, RelationKind::kManyToMany);
  EXPECT_EQ(user->relations[2].foreign_key, "user_id");
  EXPECT_EQ(user->relations[2].other_key, "role_id");
  EXPECT_TRUE(s.FindModel("user_profile")->FindField("user_id")->unique);

  const Model* comment = s.FindModel("comment");
  EXPECT_EQ(comment->FindRelation("parent")->kind, RelationKind::kBelongsTo);
  EXPECT_EQ(comment->FindRelation("parent")->on_delete, OnDelete::kSetNull);
  EXPECT_EQ(comment->FindRelation("replies")->kind, RelationKind::kHasMany);
  EXPECT_EQ(comment->FindRelation("replies")->foreign_key, "parent_id");
  ASSERT_EQ(comment->foreign_keys.size(), 2u);
  EXPECT_EQ(comment->foreign_keys[0].name, "comments_post_id_fkey");
  EXPECT_EQ(comment->foreign_keys[1].referenced_table, "comments");

  ASSERT_EQ(s.junctions.size(), 1u);
  const Model& junction = s.junctions[0];
  EXPECT_TRUE(junction.is_junction);
  EXPECT_EQ(junction.table, "user_roles");
  EXPECT_THAT(junction.primary_key_columns, ElementsAre("user_id", "role_id"));
  EXPECT_EQ(junction.FindField("role_id")->type.kind, TypeKind::kInt32);
  EXPECT_FALSE(junction.FindField("user_id")->auto_generated);
  EXPECT_EQ(s.FindModelByTable("user_roles"), &junction);
}

TEST(LoaderTest, LoadsRepositoryExampleSchema) {
  const char* source_dir = std::getenv("QUERYGATE_SOURCE_DIR");
  std::string dir = source_dir != nullptr ? source_dir : QUERYGATE_TEST_SOURCE_DIR;
  LoadResult result = LoadSchemaDir(dir + "/schemas");
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_TRUE(result.warnings.empty());
  const Schema& s = result.schema;
  for (const char* name : {"user", "user_profile", "post", "comment", "tag", "document"}) {
    EXPECT_NE(s.FindModel(name), nullptr) << name;
  }
  EXPECT_NE(s.FindEnum("post_status"), nullptr);
  EXPECT_TRUE(s.FindModel("post")->soft_delete);
  EXPECT_EQ(s.FindModel("post")->cache_ttl_seconds, 60);
}

}  // namespace
}  // namespace querygate::schema
