#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/ddl.h"
#include "schema/loader.h"

namespace querygate::schema {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Errors(const LoadResult& result) {
  std::string out;
  for (const SchemaDiagnostic& d : result.errors) out += d.ToString() + "\n";
  return out;
}

std::string DdlFor(const std::string& json) {
  LoadResult result = LoadSchemaSources({{"test.json", json}});
  EXPECT_TRUE(result.ok()) << Errors(result);
  return GenerateDdl(result.schema);
}

// The text of the CREATE TABLE statement for `table`, or "" when absent.
std::string CreateTable(const std::string& ddl, const std::string& table) {
  size_t start = ddl.find("CREATE TABLE " + table + " (");
  if (start == std::string::npos) return "";
  return ddl.substr(start, ddl.find(");", start) - start + 2);
}

std::string SourceDir() {
  const char* dir = std::getenv("QUERYGATE_SOURCE_DIR");
  return dir != nullptr ? dir : QUERYGATE_TEST_SOURCE_DIR;
}

class BlogDdlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LoadResult result = LoadSchemaDir(SourceDir() + "/schemas");
    ASSERT_TRUE(result.ok()) << Errors(result);
    ddl_ = GenerateDdl(result.schema);
  }
  const std::string& ddl() const { return ddl_; }

 private:
  std::string ddl_;
};

TEST_F(BlogDdlTest, UsersTable) {
  std::string users = CreateTable(ddl(), "users");
  ASSERT_FALSE(users.empty()) << ddl();
  EXPECT_THAT(users, HasSubstr("id BIGSERIAL NOT NULL"));
  EXPECT_THAT(users, HasSubstr("username VARCHAR(255) NOT NULL,"));
  EXPECT_THAT(users, HasSubstr("created_at TIMESTAMPTZ NOT NULL DEFAULT now()"));
  EXPECT_THAT(users, HasSubstr("deleted_at TIMESTAMPTZ,"));
  EXPECT_THAT(users, HasSubstr("CONSTRAINT users_pkey PRIMARY KEY (id)"));
  EXPECT_THAT(users, HasSubstr("CONSTRAINT users_email_key UNIQUE (email)"));
  EXPECT_THAT(users, HasSubstr("CONSTRAINT users_username_key UNIQUE (username)"));
}

TEST_F(BlogDdlTest, UserProfilesHasOneIsUniqueForeignKey) {
  std::string profiles = CreateTable(ddl(), "user_profiles");
  EXPECT_THAT(profiles, HasSubstr("user_id BIGINT NOT NULL,"));
  EXPECT_THAT(profiles, HasSubstr("first_name VARCHAR(255),"));
  EXPECT_THAT(profiles, HasSubstr("avatar_url VARCHAR(500),"));
  EXPECT_THAT(profiles, HasSubstr("preferences JSONB NOT NULL DEFAULT '{}'"));
  EXPECT_THAT(profiles, HasSubstr("CONSTRAINT user_profiles_user_id_key UNIQUE (user_id)"));
  EXPECT_THAT(profiles, HasSubstr("CONSTRAINT user_profiles_user_id_fkey FOREIGN KEY (user_id) "
                                  "REFERENCES users (id) ON DELETE CASCADE"));
  // Declared from both sides (has_one and belongs_to) but created once; unique needs no index.
  EXPECT_EQ(ddl().find("user_profiles_user_id_fkey"), ddl().rfind("user_profiles_user_id_fkey"));
  EXPECT_THAT(ddl(), Not(HasSubstr("idx_user_profiles_user_id")));
}

TEST_F(BlogDdlTest, PostsTable) {
  std::string posts = CreateTable(ddl(), "posts");
  EXPECT_THAT(posts, HasSubstr("author_id BIGINT NOT NULL"));
  EXPECT_THAT(posts, HasSubstr("content TEXT NOT NULL"));
  EXPECT_THAT(posts, HasSubstr("status VARCHAR(50) NOT NULL DEFAULT 'draft'"));
  EXPECT_THAT(posts, HasSubstr("tags TEXT[] NOT NULL DEFAULT '{}'"));
  EXPECT_THAT(posts, HasSubstr("metadata JSONB NOT NULL DEFAULT '{}'"));
  EXPECT_THAT(posts, HasSubstr("published_at TIMESTAMPTZ,"));
  EXPECT_THAT(posts, HasSubstr("CONSTRAINT posts_status_check CHECK (status IN ('draft', "
                               "'published', 'archived'))"));
  EXPECT_THAT(posts, HasSubstr("CONSTRAINT posts_author_id_fkey FOREIGN KEY (author_id) "
                               "REFERENCES users (id) ON DELETE CASCADE"));
}

TEST_F(BlogDdlTest, CommentsSelfReference) {
  std::string comments = CreateTable(ddl(), "comments");
  EXPECT_THAT(comments, HasSubstr("parent_id BIGINT,"));
  EXPECT_THAT(comments, HasSubstr("FOREIGN KEY (parent_id) REFERENCES comments (id) ON DELETE "
                                  "CASCADE"));
  EXPECT_THAT(comments, HasSubstr("FOREIGN KEY (post_id) REFERENCES posts (id)"));
  EXPECT_THAT(ddl(), Not(HasSubstr("ALTER TABLE")));
}

TEST_F(BlogDdlTest, JunctionTable) {
  std::string junction = CreateTable(ddl(), "post_tags");
  ASSERT_FALSE(junction.empty());
  EXPECT_THAT(junction, HasSubstr("post_id BIGINT NOT NULL,\n    tag_id BIGINT NOT NULL,"));
  EXPECT_THAT(junction, HasSubstr("CONSTRAINT post_tags_pkey PRIMARY KEY (post_id, tag_id)"));
  EXPECT_THAT(junction, HasSubstr("FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE "
                                  "CASCADE"));
  EXPECT_THAT(junction, HasSubstr("FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE"));
  EXPECT_THAT(ddl(), HasSubstr("CREATE INDEX idx_post_tags_tag_id ON post_tags (tag_id);"));
  EXPECT_EQ(ddl().find("CREATE TABLE post_tags"), ddl().rfind("CREATE TABLE post_tags"));
}

TEST_F(BlogDdlTest, DocumentsExerciseEveryType) {
  std::string documents = CreateTable(ddl(), "documents");
  EXPECT_THAT(documents, HasSubstr("id UUID NOT NULL DEFAULT generate_uuid_v7()"));
  EXPECT_THAT(documents, HasSubstr("price NUMERIC(12,2) NOT NULL"));
  EXPECT_THAT(documents, HasSubstr("rating DOUBLE PRECISION,"));
  EXPECT_THAT(documents, HasSubstr("revision INTEGER NOT NULL DEFAULT 1"));
  EXPECT_THAT(documents, HasSubstr("is_public BOOLEAN NOT NULL DEFAULT FALSE"));
  EXPECT_THAT(documents, HasSubstr("published_on DATE,"));
  EXPECT_THAT(documents, HasSubstr("payload BYTEA,"));
  EXPECT_THAT(documents, HasSubstr("attributes JSONB NOT NULL DEFAULT '{}'"));
  EXPECT_THAT(documents, HasSubstr("keywords TEXT[] NOT NULL DEFAULT '{}'"));
  EXPECT_THAT(documents, HasSubstr("embedding REAL[] NOT NULL"));
  EXPECT_THAT(documents, HasSubstr("CHECK (cardinality(embedding) = 3)"));
  EXPECT_THAT(documents, HasSubstr("external_id UUID,"));
  EXPECT_THAT(documents, HasSubstr("FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE SET "
                                   "NULL"));
  EXPECT_THAT(ddl(), HasSubstr("CREATE OR REPLACE FUNCTION generate_uuid_v7()"));
  EXPECT_LT(ddl().find("generate_uuid_v7()"), ddl().find("CREATE TABLE"));
}

TEST_F(BlogDdlTest, Indexes) {
  for (const char* statement : {
           "CREATE INDEX idx_posts_author_id ON posts (author_id);",
           "CREATE INDEX idx_posts_status ON posts (status);",
           "CREATE INDEX idx_posts_created_at ON posts (created_at);",
           "CREATE INDEX idx_posts_status_created_at ON posts (status, created_at);",
           "CREATE INDEX idx_posts_published_at ON posts (published_at) WHERE status = "
           "'published' AND deleted_at IS NULL;",
           "CREATE INDEX idx_posts_title_content_fts ON posts USING gin "
           "(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || "
           "coalesce(content, '')));",
           "CREATE INDEX idx_posts_tags ON posts USING gin (tags);",
           "CREATE INDEX idx_comments_post_id ON comments (post_id);",
           "CREATE INDEX idx_comments_parent_id ON comments (parent_id);",
       }) {
    EXPECT_THAT(ddl(), HasSubstr(statement));
  }
}

TEST_F(BlogDdlTest, TablesInDependencyOrder) {
  size_t users = ddl().find("CREATE TABLE users");
  size_t posts = ddl().find("CREATE TABLE posts");
  size_t comments = ddl().find("CREATE TABLE comments");
  size_t tags = ddl().find("CREATE TABLE tags");
  size_t post_tags = ddl().find("CREATE TABLE post_tags");
  size_t first_index = ddl().find("CREATE INDEX");
  EXPECT_LT(users, posts);
  EXPECT_LT(posts, comments);
  EXPECT_LT(tags, post_tags);
  EXPECT_LT(posts, post_tags);
  EXPECT_LT(post_tags, first_index);
}

TEST(DdlTest, ForwardReferencesBecomeAlterTable) {
  std::string ddl = DdlFor(R"({"models": {
      "alpha": {"id": "int64", "beta_id": {"type": "int64?", "references": "@beta"}},
      "beta": {"id": "int64", "alpha_id": {"type": "int64", "references": "@alpha",
                                           "on_delete": "restrict"}}}})");
  EXPECT_LT(ddl.find("CREATE TABLE alphas"), ddl.find("CREATE TABLE betas"));
  EXPECT_THAT(CreateTable(ddl, "betas"),
              HasSubstr("CONSTRAINT betas_alpha_id_fkey FOREIGN KEY (alpha_id) REFERENCES alphas "
                        "(id) ON DELETE RESTRICT"));
  EXPECT_THAT(CreateTable(ddl, "alphas"), Not(HasSubstr("FOREIGN KEY")));
  EXPECT_THAT(ddl, HasSubstr("ALTER TABLE alphas ADD CONSTRAINT alphas_beta_id_fkey FOREIGN KEY "
                             "(beta_id) REFERENCES betas (id) ON DELETE SET NULL;"));
  EXPECT_LT(ddl.find("CREATE TABLE betas"), ddl.find("ALTER TABLE"));
}

TEST(DdlTest, DependencyOrderOverridesDeclaredOrder) {
  std::string ddl = DdlFor(R"({"models": {
      "post": {"id": "int64", "author_id": "int64", "author": "@author"},
      "author": {"id": "int64"}}})");
  EXPECT_LT(ddl.find("CREATE TABLE authors"), ddl.find("CREATE TABLE posts"));
  EXPECT_THAT(ddl, Not(HasSubstr("ALTER TABLE")));
}

TEST(DdlTest, NoUuidFunctionUnlessUsed) {
  std::string ddl = DdlFor(R"({"models": {"thing": {"id": "int32", "u": "uuid"}}})");
  EXPECT_THAT(ddl, Not(HasSubstr("generate_uuid_v7")));
  EXPECT_THAT(ddl, HasSubstr("id SERIAL NOT NULL"));
}

TEST(DdlTest, EnumLengthAndArrayCheck) {
  std::string ddl = DdlFor(
      R"({"enums": {"color": ["red", "a_very_long_color_name_that_is_longer_than_fifty_characters"]},
      "models": {"car": {"id": "int64", "color": "@color?", "extras": ["@color"]}}})");
  EXPECT_THAT(ddl, HasSubstr("color VARCHAR(59),"));
  EXPECT_THAT(ddl, HasSubstr("extras TEXT[] NOT NULL"));
  EXPECT_THAT(ddl, HasSubstr("CONSTRAINT cars_extras_check CHECK (extras <@ ARRAY['red', "));
}

TEST(DdlTest, UniqueAndNamedIndexes) {
  std::string ddl = DdlFor(R"({"models": {"member": {
      "$options": {"indexes": [{"fields": ["org", "email"], "unique": true},
                               {"fields": ["email"], "name": "member_email_lookup",
                                "where": "email IS NOT NULL"}]},
      "id": "int64", "org": "int32", "email": "string?"}}})");
  EXPECT_THAT(ddl, HasSubstr("CREATE UNIQUE INDEX uq_members_org_email ON members (org, email);"));
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX member_email_lookup ON members (email) WHERE email IS "
                             "NOT NULL;"));
}

TEST(DdlTest, FieldIndexObject) {
  std::string ddl = DdlFor(R"({"models": {"item": {"id": "int64",
      "attrs": {"type": "json", "index": {"type": "gin"}}}}})");
  EXPECT_THAT(ddl, HasSubstr("CREATE INDEX idx_items_attrs ON items USING gin (attrs);"));
}

TEST(DdlTest, IsDeterministic) {
  const char* json = R"({"enums": {"s": ["a"]}, "models": {
      "x": {"id": "int64", "y_id": {"type": "uuid", "references": "@y"}, "s": "@s"},
      "y": {"id": "uuid_v7", "xs": ["@x"]}}})";
  EXPECT_EQ(DdlFor(json), DdlFor(json));
}

TEST(DdlTest, UuidV7FunctionSql) {
  std::string sql = UuidV7FunctionSql();
  EXPECT_THAT(sql, HasSubstr("CREATE OR REPLACE FUNCTION generate_uuid_v7()"));
  EXPECT_THAT(sql, HasSubstr("RETURNS uuid"));
  EXPECT_THAT(sql, Not(HasSubstr("EXTENSION")));
}

TEST(DdlTest, ModelRolesAreNotSql) {
  const char* plain = R"({"models": {
      "user": {"id": "int64", "email": "string", "posts": ["@post"]},
      "post": {"id": "int64", "user_id": "int64", "user": "@user"}}})";
  const char* with_roles = R"({"models": {
      "user": {"$options": {"roles": {"read": ["hr"], "write": ["admin"]}},
               "id": "int64", "email": "string", "posts": ["@post"]},
      "post": {"roles": {"read": ["editor"]},
               "fields": {"id": "int64", "user_id": "int64", "user": "@user"}}}})";
  EXPECT_EQ(DdlFor(with_roles), DdlFor(plain));
}

}  // namespace
}  // namespace querygate::schema
