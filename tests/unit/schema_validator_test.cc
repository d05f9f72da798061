#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/loader.h"

namespace querygate::schema {
namespace {

using ::testing::HasSubstr;

struct BadSchemaCase {
  const char* name;
  const char* json;
  const char* path;     // expected diagnostic path
  const char* message;  // expected substring of its message
};

std::string Describe(const std::vector<SchemaDiagnostic>& diagnostics) {
  std::string out;
  for (const SchemaDiagnostic& d : diagnostics) out += "  " + d.ToString() + "\n";
  return out.empty() ? "  (none)\n" : out;
}

const BadSchemaCase kCases[] = {
    {"UnknownType", R"({"models": {"user": {"id": "int64", "age": "int65"}}})", "models.user.age",
     "unknown type 'int65'"},
    {"UnknownTypeInObject", R"({"models": {"user": {"id": "int64", "age": {"type": "integer"}}}})",
     "models.user.age.type", "unknown type 'integer'"},
    {"UnknownMapType", R"({"models": {"user": {"id": "int64", "m": "map<int, any>"}}})",
     "models.user.m", "unknown type"},
    {"DanglingModelReference", R"({"models": {"user": {"id": "int64", "owner": "@person"}}})",
     "models.user.owner", "unknown reference '@person'"},
    {"DanglingEnumReferenceInArray", R"({"models": {"user": {"id": "int64", "kinds": ["@kind"]}}})",
     "models.user.kinds", "unknown reference '@kind'"},
    {"DanglingReferencesOption",
     R"({"models": {"doc": {"id": "int64", "owner_id": {"type": "int64", "references": "@person"}}}})",
     "models.doc.owner_id.references", "unknown reference '@person'"},
    {"DuplicateFieldKey",
     R"({"models": {"user": {"id": "int64", "email": "string", "email": "text"}}})",
     "models.user.email", "duplicate key 'email'"},
    {"DuplicateModelKey", R"({"models": {"user": {"id": "int64"}, "user": {"id": "int32"}}})",
     "models.user", "duplicate key 'user'"},
    {"InvalidFieldIdentifier", R"({"models": {"user": {"id": "int64", "Email": "string"}}})",
     "models.user.Email", "invalid identifier 'Email'"},
    {"FieldIdentifierTooLong",
     R"({"models": {"user": {"id": "int64", "a234567890123456789012345678901234567890123456789012345678901234": "string"}}})",
     "models.user.a234567890123456789012345678901234567890123456789012345678901234",
     "longer than 63 bytes"},
    {"ReservedFieldName", R"({"models": {"user": {"id": "int64", "order": "int32"}}})",
     "models.user.order", "reserved identifier 'order'"},
    {"SystemColumnFieldName", R"({"models": {"user": {"id": "int64", "xmin": "int32"}}})",
     "models.user.xmin", "reserved identifier 'xmin'"},
    {"ReservedTableName",
     R"({"models": {"user": {"$options": {"table": "select"}, "id": "int64"}}})",
     "models.user.$options.table", "reserved identifier 'select'"},
    {"InvalidTableName",
     R"({"models": {"user": {"table": "User Table", "fields": {"id": "int64"}}}})",
     "models.user.table", "invalid identifier 'User Table'"},
    {"ReservedEnumName", R"({"enums": {"group": ["a", "b"]}, "models": {"user": {"id": "int64"}}})",
     "enums.group", "reserved identifier 'group'"},
    {"EnumWithoutValues", R"({"enums": {"mood": []}})", "enums.mood", "enum has no values"},
    {"EnumDuplicateValues", R"({"enums": {"mood": ["happy", "sad", "happy"]}})", "enums.mood[2]",
     "duplicate enum value 'happy'"},
    {"InvalidIndexName",
     R"({"models": {"user": {"$options": {"indexes": [{"fields": ["email"], "name": "Bad-Name"}]}, "id": "int64", "email": "string"}}})",
     "models.user.$options.indexes[0].name", "invalid identifier 'Bad-Name'"},
    {"IndexOverUnknownField",
     R"({"models": {"user": {"$options": {"indexes": [{"fields": ["nope"]}]}, "id": "int64"}}})",
     "models.user.$options.indexes[0].fields[0]", "index over unknown field 'nope'"},
    {"FulltextOverNonText",
     R"({"models": {"user": {"$options": {"indexes": [{"fields": ["age"], "type": "fulltext"}]}, "id": "int64", "age": "int32"}}})",
     "models.user.$options.indexes[0].fields[0]", "fulltext index over non-text field 'age'"},
    {"GinOverScalar",
     R"({"models": {"user": {"indexes": [{"fields": ["age"], "type": "gin"}], "fields": {"id": "int64", "age": "int32"}}}})",
     "models.user.indexes[0].fields[0]", "gin index over field 'age'"},
    {"UnknownIndexOption",
     R"({"models": {"user": {"$options": {"indexes": [{"fields": ["email"], "method": "hash"}]}, "id": "int64", "email": "string"}}})",
     "models.user.$options.indexes[0].method", "unknown index option 'method'"},
    {"UnknownIndexType",
     R"({"models": {"user": {"$options": {"indexes": [{"fields": ["email"], "type": "hash"}]}, "id": "int64", "email": "string"}}})",
     "models.user.$options.indexes[0].type", "unknown index type 'hash'"},
    {"DefaultWrongJsonKind",
     R"({"models": {"user": {"id": "int64", "age": {"type": "int32", "default": "ten"}}}})",
     "models.user.age.default", "bad default for its type (int32): expected an integer"},
    {"DefaultInt32OutOfRange",
     R"({"models": {"user": {"id": "int64", "age": {"type": "int32", "default": 3000000000}}}})",
     "models.user.age.default", "3000000000 is out of range"},
    {"DefaultFloatForInteger",
     R"({"models": {"user": {"id": "int64", "age": {"type": "int64", "default": 1.5}}}})",
     "models.user.age.default", "expected an integer"},
    {"DefaultNotEnumMember",
     R"({"enums": {"post_status": ["draft", "published"]}, "models": {"post": {"id": "int64", "status": {"type": "@post_status", "default": "deleted"}}}})",
     "models.post.status.default", "'deleted' is not a value of enum post_status"},
    {"DefaultBadUuid",
     R"({"models": {"user": {"id": "int64", "token": {"type": "uuid", "default": "not-a-uuid"}}}})",
     "models.user.token.default", "is not a UUID"},
    {"DefaultBadDate",
     R"({"models": {"user": {"id": "int64", "born": {"type": "date", "default": "2024-02-30"}}}})",
     "models.user.born.default", "is not a YYYY-MM-DD date"},
    {"DefaultBadDateTime",
     R"({"models": {"user": {"id": "int64", "seen": {"type": "datetime", "default": "yesterday"}}}})",
     "models.user.seen.default", "is not an ISO-8601 date-time"},
    {"DefaultBoolForString",
     R"({"models": {"user": {"id": "int64", "name": {"type": "string", "default": true}}}})",
     "models.user.name.default", "expected a string"},
    {"DefaultStringForJson",
     R"({"models": {"user": {"id": "int64", "prefs": {"type": "json", "default": "{}"}}}})",
     "models.user.prefs.default", "expected an object or array"},
    {"DefaultFunctionOnWrongType",
     R"j({"models": {"user": {"id": "int64", "name": {"type": "int64", "default": "now()"}}}})j",
     "models.user.name.default", "bad default for its type (int64)"},
    {"DefaultLongerThanLength",
     R"({"models": {"user": {"id": "int64", "code": {"type": "string", "length": 2, "default": "abc"}}}})",
     "models.user.code.default", "longer than length 2"},
    {"NegativeLength",
     R"({"models": {"user": {"id": "int64", "name": {"type": "string", "length": -5}}}})",
     "models.user.name.length", "length must be between 1"},
    {"LengthOnInteger",
     R"({"models": {"user": {"id": "int64", "age": {"type": "int32", "length": 5}}}})",
     "models.user.age.length", "length is only valid for string"},
    {"ScaleAbovePrecision",
     R"({"models": {"item": {"id": "int64", "price": {"type": "decimal", "precision": 4, "scale": 6}}}})",
     "models.item.price.scale", "scale must be between 0 and the precision"},
    {"VectorWithoutDimensions",
     R"({"models": {"doc": {"id": "int64", "embedding": {"type": "vector"}}}})",
     "models.doc.embedding", "vector fields need 'dimensions'"},
    {"UnknownFieldOption",
     R"({"models": {"user": {"id": "int64", "name": {"type": "string", "size": 10}}}})",
     "models.user.name.size", "unknown field option 'size'"},
    {"MissingTypeInFieldObject",
     R"({"models": {"user": {"id": "int64", "name": {"nullable": true}}}})", "models.user.name",
     "missing 'type'"},
    {"UnknownModelOption", R"({"models": {"user": {"$options": {"ttl": 5}, "id": "int64"}}})",
     "models.user.$options.ttl", "unknown model option 'ttl'"},
    {"UnknownStructuredModelOption",
     R"({"models": {"user": {"tablename": "people", "fields": {"id": "int64"}}}})",
     "models.user.tablename", "unknown model option 'tablename'"},
    {"NegativeCacheTtl", R"({"models": {"user": {"$options": {"cache_ttl": -1}, "id": "int64"}}})",
     "models.user.$options.cache_ttl", "cache_ttl must be >= 0"},
    {"UnknownTopLevelKey", R"({"modles": {}})", "modles", "unknown top-level key 'modles'"},
    {"RolesNotAnObject",
     R"({"models": {"user": {"$options": {"roles": ["reader"]}, "id": "int64"}}})",
     "models.user.$options.roles", "roles must be an object"},
    {"UnknownRolesKey",
     R"({"models": {"user": {"$options": {"roles": {"read": ["a"], "delete": ["b"]}}, "id": "int64"}}})",
     "models.user.$options.roles.delete", "unknown roles key 'delete' (expected read, write)"},
    {"EmptyReadRoles",
     R"({"models": {"user": {"roles": {"read": []}, "fields": {"id": "int64"}}}})",
     "models.user.roles.read", "read must be a non-empty array of role names, got an empty array"},
    {"WriteRolesNotAnArray",
     R"({"models": {"user": {"$options": {"roles": {"write": "hr"}}, "id": "int64"}}})",
     "models.user.$options.roles.write",
     "write must be a non-empty array of role names, got string"},
    {"EmptyRoleName",
     R"({"models": {"user": {"$options": {"roles": {"read": ["hr", ""]}}, "id": "int64"}}})",
     "models.user.$options.roles.read[1]", "a role must be a non-empty string"},
    {"DuplicateRole",
     R"({"models": {"user": {"$options": {"roles": {"write": ["hr", "hr"]}}, "id": "int64"}}})",
     "models.user.$options.roles.write[1]", "duplicate role 'hr'"},
    {"UnknownOnDeleteAction",
     R"({"models": {"user": {"id": "int64"}, "post": {"id": "int64", "user_id": "int64", "user": {"type": "@user", "relationship": "belongs_to", "on_delete": "DESTROY"}}}})",
     "models.post.user.on_delete", "unknown on_delete action 'DESTROY'"},
    {"OnDeleteOnPlainField",
     R"({"models": {"user": {"id": "int64", "name": {"type": "string", "on_delete": "CASCADE"}}}})",
     "models.user.name.on_delete", "only valid on foreign key fields"},
    {"SetNullOnNotNullColumn",
     R"({"models": {"user": {"id": "int64"}, "post": {"id": "int64", "user_id": {"type": "int64", "references": "@user", "on_delete": "set null"}}}})",
     "models.post.user_id.references", "SET NULL needs a nullable foreign key column"},
    {"NoPrimaryKey", R"({"models": {"user": {"name": "string"}}})", "models.user",
     "has no primary key"},
    {"NullablePrimaryKey", R"({"models": {"user": {"id": "int64?"}}})", "models.user.id",
     "primary key cannot be nullable"},
    {"TwoModelsOneTable",
     R"({"models": {"a": {"$options": {"table": "things"}, "id": "int64"}, "b": {"$options": {"table": "things"}, "id": "int64"}}})",
     "models.b", "models 'a' and 'b' both map to table 'things'"},
    {"ShortRelationWithoutForeignKey",
     R"({"models": {"user": {"id": "int64", "profile": "@profile"}, "profile": {"id": "int64"}}})",
     "models.user.profile",
     "expected field 'profile_id' on model 'user' (belongs_to) or field 'user_id' on model "
     "'profile' (has_one)"},
    {"HasManyWithoutForeignKey",
     R"({"models": {"user": {"id": "int64", "posts": ["@post"]}, "post": {"id": "int64", "author_id": "int64"}}})",
     "models.user.posts", "expected field 'user_id' on model 'post'"},
    {"BelongsToWithoutForeignKey",
     R"({"models": {"user": {"id": "int64"}, "post": {"id": "int64", "writer": {"type": "@user", "relationship": "belongs_to", "foreign_key": "author_id"}}}})",
     "models.post.writer", "expected field 'author_id' on model 'post'"},
    {"HasOneWithoutForeignKey",
     R"({"models": {"user": {"id": "int64", "profile": {"type": "@profile", "relationship": "has_one"}}, "profile": {"id": "int64"}}})",
     "models.user.profile", "expected field 'user_id' on model 'profile'"},
    {"ManyToManyWithoutThrough",
     R"({"models": {"post": {"id": "int64", "tags": {"type": ["@tag"], "relationship": "many_to_many"}}, "tag": {"id": "int64"}}})",
     "models.post.tags", "needs 'through'"},
    {"UnknownRelationshipKind",
     R"({"models": {"user": {"id": "int64", "pets": {"type": ["@pet"], "relationship": "owns"}}, "pet": {"id": "int64", "user_id": "int64"}}})",
     "models.user.pets.relationship", "unknown relationship 'owns'"},
    {"HasManyWithSingleType",
     R"({"models": {"user": {"id": "int64", "pets": {"type": "@pet", "relationship": "has_many"}}, "pet": {"id": "int64", "user_id": "int64"}}})",
     "models.user.pets.relationship", "has_many needs an array type"},
    {"ForeignKeyTypeMismatch",
     R"({"models": {"user": {"id": "int64"}, "post": {"id": "int64", "author_id": "string", "author": "@user"}}})",
     "models.post.author", "type mismatch: foreign key field 'post.author_id' is string"},
    {"JunctionDeclaredDifferently",
     R"({"models": {"post": {"id": "int64", "tags": {"type": ["@tag"], "relationship": "many_to_many", "through": "post_tags"}}, "tag": {"id": "int64", "posts": {"type": ["@post"], "relationship": "many_to_many", "through": "post_tags", "foreign_key": "tag_ref"}}}})",
     "models.tag.posts", "junction table 'post_tags' is declared differently"},
    {"TimestampsOnNonDatetime",
     R"({"models": {"user": {"$options": {"timestamps": true}, "id": "int64", "created_at": "string"}}})",
     "models.user.created_at", "field 'created_at' must be a datetime"},
    {"BadBoolOption",
     R"({"models": {"user": {"$options": {"soft_delete": "yes"}, "id": "int64"}}})",
     "models.user.$options.soft_delete", "soft_delete must be true or false"},
    {"ModelNotAnObject", R"({"models": {"user": "int64"}})", "models.user",
     "a model must be a JSON object"},
    {"IndexNameCollision",
     R"({"models": {"user": {"$options": {"indexes": [{"fields": ["email"], "name": "posts"}]}, "id": "int64", "email": "string"}, "post": {"id": "int64"}}})",
     "models.user.indexes", "name 'posts'"},
};

void PrintTo(const BadSchemaCase& c, std::ostream* os) { *os << c.name; }

class BadSchemaTest : public ::testing::TestWithParam<BadSchemaCase> {};

TEST_P(BadSchemaTest, ReportsErrorAtPath) {
  const BadSchemaCase& c = GetParam();
  LoadResult result = LoadSchemaSources({{"bad.json", c.json}});
  ASSERT_FALSE(result.ok()) << "expected an error for " << c.name;
  bool found = false;
  for (const SchemaDiagnostic& error : result.errors) {
    EXPECT_EQ(error.file, "bad.json");
    if (error.path == c.path && error.message.find(c.message) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "wanted " << c.path << ": ..." << c.message << "...\ngot:\n"
                     << Describe(result.errors);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadSchemaTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<BadSchemaCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(SchemaValidatorTest, ThereAreAtLeastThirtyCases) { EXPECT_GE(std::size(kCases), 30u); }

TEST(SchemaValidatorTest, ReportsEveryErrorAtOnce) {
  LoadResult result = LoadSchemaSources({{"many.json", R"({
    "enums": {"mood": []},
    "models": {
      "user": {"id": "int64", "age": "int65", "order": "int32",
               "name": {"type": "string", "length": -1}},
      "post": {"title": "string"}
    }
  })"}});
  ASSERT_EQ(result.errors.size(), 5u) << Describe(result.errors);
  std::vector<std::string> paths;
  for (const SchemaDiagnostic& error : result.errors) paths.push_back(error.path);
  EXPECT_THAT(paths,
              ::testing::UnorderedElementsAre("enums.mood", "models.user.age", "models.user.order",
                                              "models.user.name.length", "models.post"));
}

TEST(SchemaValidatorTest, DuplicateModelAcrossFiles) {
  LoadResult result = LoadSchemaSources({{"a.json", R"({"models": {"user": {"id": "int64"}}})"},
                                         {"b.json", R"({"models": {"user": {"id": "int64"}}})"}});
  ASSERT_EQ(result.errors.size(), 1u) << Describe(result.errors);
  EXPECT_EQ(result.errors[0].file, "b.json");
  EXPECT_EQ(result.errors[0].path, "models.user");
  EXPECT_THAT(result.errors[0].message,
              HasSubstr("duplicate model 'user' (first defined in a.json)"));
}

TEST(SchemaValidatorTest, DuplicateEnumAcrossFiles) {
  LoadResult result = LoadSchemaSources(
      {{"a.json", R"({"enums": {"mood": ["a"]}})"}, {"b.json", R"({"enums": {"mood": ["b"]}})"}});
  ASSERT_EQ(result.errors.size(), 1u) << Describe(result.errors);
  EXPECT_THAT(result.errors[0].ToString(), HasSubstr("b.json: enums.mood: duplicate enum"));
}

TEST(SchemaValidatorTest, ModelsMayReferenceOtherFiles) {
  LoadResult result = LoadSchemaSources(
      {{"a.json", R"({"models": {"user": {"id": "int64", "posts": ["@post"]}}})"},
       {"b.json", R"({"models": {"post": {"id": "int64", "user_id": "int64"}}})"}});
  EXPECT_TRUE(result.ok()) << Describe(result.errors);
}

TEST(SchemaValidatorTest, MalformedJsonReportsLineAndColumn) {
  LoadResult result =
      LoadSchemaSources({{"broken.json", "{\n  \"models\": {\n    \"user\": {,}\n  }\n}\n"},
                         {"ok.json", R"({"models": {"user": {"id": "int64"}}})"}});
  ASSERT_EQ(result.errors.size(), 1u) << Describe(result.errors);
  const SchemaDiagnostic& error = result.errors[0];
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 14);
  EXPECT_THAT(error.ToString(), ::testing::StartsWith("broken.json:3:14: "));
  EXPECT_THAT(error.message, HasSubstr("syntax error"));
}

TEST(SchemaValidatorTest, TruncatedJsonIsAnErrorNotACrash) {
  LoadResult result = LoadSchemaSources({{"cut.json", "{\"models\": {\"user\": {\"id\": "}});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 1);
  EXPECT_GT(result.errors[0].column, 20);
}

TEST(SchemaValidatorTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  LoadResult result = LoadSchemaSources({{"deep.json", deep}});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("nesting"));
}

TEST(SchemaValidatorTest, VectorIndexIsParsed) {
  LoadResult result = LoadSchemaSources({{"v.json", R"({"models": {"doc": {"id": "uuid_v7",
      "embedding": {"type": "vector", "dimensions": 3,
                    "index": {"type": "hnsw", "distance_function": "cosine", "m": 24}}}}})"}});
  EXPECT_TRUE(result.ok()) << Describe(result.errors);
  EXPECT_TRUE(result.warnings.empty()) << Describe(result.warnings);
  const Field* field = result.schema.FindModel("doc")->FindField("embedding");
  ASSERT_NE(field, nullptr);
  ASSERT_TRUE(field->vector_index.has_value());
  EXPECT_EQ(field->vector_index->method, VectorIndex::Method::kHnsw);
  EXPECT_EQ(field->vector_index->distance, VectorDistance::kCosine);
  EXPECT_EQ(field->vector_index->m, 24);
}

TEST(SchemaValidatorTest, RedundantFieldIndexIsAWarning) {
  LoadResult result = LoadSchemaSources({{"w.json", R"({"models": {"user": {"id": "int64",
      "email": {"type": "string", "unique": true, "index": true}}}})"}});
  EXPECT_TRUE(result.ok()) << Describe(result.errors);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_THAT(result.warnings[0].message, HasSubstr("redundant"));
  EXPECT_TRUE(result.schema.FindModel("user")->indexes.empty());
}

TEST(SchemaValidatorTest, MissingDirectoryIsAnError) {
  LoadResult result = LoadSchemaDir("/nonexistent/querygate/schemas");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("cannot read schema directory"));
}

TEST(SchemaValidatorTest, DiagnosticToString) {
  EXPECT_EQ((SchemaDiagnostic{"a.json", "models.user.email", "bad"}).ToString(),
            "a.json: models.user.email: bad");
  EXPECT_EQ((SchemaDiagnostic{"a.json", "", "bad"}).ToString(), "a.json: bad");
  EXPECT_EQ((SchemaDiagnostic{"a.json", "", "bad", 2, 7}).ToString(), "a.json:2:7: bad");
}

}  // namespace
}  // namespace querygate::schema
