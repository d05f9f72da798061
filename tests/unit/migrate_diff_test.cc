#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "migrate/diff.h"
#include "migrate/type_change.h"

namespace querygate::migrate {
namespace {

CatalogTable Users() {
  CatalogTable table;
  table.name = "users";
  table.columns = {{"id", "bigint", true, std::nullopt, true},
                   {"email", "character varying(255)", true, std::nullopt, false}};
  table.constraints = {{"users_pkey", 'p', "PRIMARY KEY (id)"},
                       {"users_email_key", 'u', "UNIQUE (email)"}};
  table.indexes = {
      {"idx_users_email", "CREATE INDEX idx_users_email ON users USING btree (email)"}};
  return table;
}

Catalog With(std::initializer_list<CatalogTable> tables) {
  Catalog catalog;
  for (const CatalogTable& t : tables) catalog.tables[t.name] = t;
  return catalog;
}

TEST(DiffCatalogs, IdenticalCatalogsGiveEmptyPlan) {
  EXPECT_TRUE(DiffCatalogs(With({Users()}), With({Users()})).empty());
}

TEST(DiffCatalogs, CreatesTableWithSerialAndConstraints) {
  Plan plan = DiffCatalogs(Catalog{}, With({Users()}));
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_TRUE(absl::StrContains(plan.changes[0].sql, "id bigserial NOT NULL"));
  EXPECT_TRUE(absl::StrContains(plan.changes[0].sql, "CONSTRAINT users_email_key UNIQUE (email)"));
  EXPECT_TRUE(absl::StartsWith(plan.changes[1].sql, "CREATE INDEX idx_users_email"));
  EXPECT_TRUE(plan.Destructive().empty());
}

TEST(DiffCatalogs, AddColumnIsSafeAndDropColumnIsDestructive) {
  CatalogTable more = Users();
  more.columns.push_back({"bio", "text", false, std::nullopt, false});
  Plan add = DiffCatalogs(With({Users()}), With({more}));
  ASSERT_EQ(add.changes.size(), 1u);
  EXPECT_EQ(add.changes[0].sql, "ALTER TABLE users ADD COLUMN bio text;");
  EXPECT_FALSE(add.changes[0].destructive);

  Plan drop = DiffCatalogs(With({more}), With({Users()}));
  ASSERT_EQ(drop.changes.size(), 1u);
  EXPECT_EQ(drop.changes[0].sql, "ALTER TABLE users DROP COLUMN bio;");
  EXPECT_TRUE(drop.changes[0].destructive);
}

TEST(DiffCatalogs, DropTableIsDestructiveAndComesAfterForeignKeyDrops) {
  CatalogTable posts;
  posts.name = "posts";
  posts.columns = {{"id", "bigint", true, std::nullopt, true},
                   {"author_id", "bigint", true, std::nullopt, false}};
  posts.constraints = {{"posts_author_id_fkey", 'f',
                        "FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE CASCADE"}};
  Plan plan = DiffCatalogs(With({Users(), posts}), With({Users()}));
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_TRUE(absl::StrContains(plan.changes[0].sql, "DROP CONSTRAINT posts_author_id_fkey"));
  EXPECT_EQ(plan.changes[1].sql, "DROP TABLE posts;");
  EXPECT_TRUE(plan.changes[1].destructive);
}

TEST(DiffCatalogs, ForeignKeysOfNewTablesComeAfterAllCreates) {
  CatalogTable posts;
  posts.name = "posts";
  posts.columns = {{"author_id", "bigint", true, std::nullopt, false}};
  posts.constraints = {
      {"posts_author_id_fkey", 'f', "FOREIGN KEY (author_id) REFERENCES users(id)"}};
  Plan plan = DiffCatalogs(Catalog{}, With({Users(), posts}));
  size_t last_create = 0, first_fk = plan.changes.size();
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    if (absl::StartsWith(plan.changes[i].sql, "CREATE TABLE")) last_create = i;
    if (absl::StrContains(plan.changes[i].sql, "FOREIGN KEY") && i < first_fk) first_fk = i;
  }
  EXPECT_LT(last_create, first_fk);
}

TEST(DiffCatalogs, AltersTypeNullabilityAndDefault) {
  CatalogTable changed = Users();
  changed.columns[1] = {"email", "character varying(500)", false, "'x'::character varying", false};
  Plan plan = DiffCatalogs(With({Users()}), With({changed}));
  std::string sql = plan.Sql();
  EXPECT_TRUE(absl::StrContains(sql, "ALTER COLUMN email TYPE character varying(500)"));
  EXPECT_TRUE(absl::StrContains(sql, "ALTER COLUMN email SET DEFAULT 'x'::character varying"));
  EXPECT_TRUE(absl::StrContains(sql, "ALTER COLUMN email DROP NOT NULL"));
  EXPECT_TRUE(plan.Destructive().empty());

  Plan narrow = DiffCatalogs(With({changed}), With({Users()}));
  ASSERT_EQ(narrow.Destructive().size(), 1u);
  EXPECT_TRUE(absl::StrContains(narrow.Destructive()[0].summary, "may lose data"));
}

TEST(DiffCatalogs, ChangedIndexIsRecreated) {
  CatalogTable changed = Users();
  changed.indexes[0].definition =
      "CREATE UNIQUE INDEX idx_users_email ON users USING btree (email)";
  Plan plan = DiffCatalogs(With({Users()}), With({changed}));
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[0].sql, "DROP INDEX idx_users_email;");
  EXPECT_TRUE(absl::StartsWith(plan.changes[1].sql, "CREATE UNIQUE INDEX"));
}

TEST(DiffCatalogs, QuotesKeywordIdentifiers) {
  CatalogTable table;
  table.name = "order";
  table.columns = {{"user", "text", false, std::nullopt, false}};
  EXPECT_TRUE(absl::StrContains(DiffCatalogs(Catalog{}, With({table})).Sql(),
                                "CREATE TABLE \"order\" (\n  \"user\" text"));
}

struct TypeCase {
  const char* from;
  const char* to;
  bool widening;
};

class TypeChangeTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(TypeChangeTest, Classifies) {
  EXPECT_EQ(IsWideningTypeChange(GetParam().from, GetParam().to), GetParam().widening)
      << GetParam().from << " -> " << GetParam().to;
}

INSTANTIATE_TEST_SUITE_P(
    All, TypeChangeTest,
    ::testing::Values(TypeCase{"integer", "bigint", true}, TypeCase{"bigint", "integer", false},
                      TypeCase{"smallint", "integer", true},
                      TypeCase{"character varying(10)", "character varying(20)", true},
                      TypeCase{"character varying(20)", "character varying(10)", false},
                      TypeCase{"character varying(20)", "text", true},
                      TypeCase{"text", "character varying(20)", false},
                      TypeCase{"numeric(10,2)", "numeric(12,2)", true},
                      TypeCase{"numeric(10,2)", "numeric(10,3)", false},
                      TypeCase{"numeric(10,2)", "numeric", true},
                      TypeCase{"real", "double precision", true},
                      TypeCase{"double precision", "real", false},
                      TypeCase{"text[]", "text", false},
                      TypeCase{"character varying(5)[]", "text[]", true},
                      TypeCase{"bigint", "text", false}, TypeCase{"jsonb", "text", false}));

}  // namespace
}  // namespace querygate::migrate
