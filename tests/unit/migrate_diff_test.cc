#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// Users as a tenant-scoped table: the tenant column, RLS flags and the isolation policy.
constexpr char kTenantQual[] =
    "(organization_id = ( SELECT querygate_current_tenant() AS querygate_current_tenant))";

CatalogTable ScopedUsers() {
  CatalogTable table = Users();
  table.columns.push_back(
      {"organization_id", "uuid", true, std::string("querygate_current_tenant()"), false});
  table.row_security = true;
  table.force_row_security = true;
  CatalogPolicy policy;
  policy.name = "querygate_tenant_isolation";
  policy.roles = {"public"};
  policy.qual = kTenantQual;
  policy.with_check = kTenantQual;
  table.policies = {policy};
  return table;
}

size_t IndexOf(const Plan& plan, const std::string& sql_prefix) {
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    if (absl::StartsWith(plan.changes[i].sql, sql_prefix)) return i;
  }
  return plan.changes.size();
}

TEST(DiffCatalogs, IdenticalScopedCatalogsGiveEmptyPlan) {
  EXPECT_TRUE(DiffCatalogs(With({ScopedUsers()}), With({ScopedUsers()})).empty());
}

TEST(DiffCatalogs, NewScopedTableGetsRowSecurityThenPolicyAfterCreation) {
  Plan plan = DiffCatalogs(Catalog{}, With({ScopedUsers()}));
  size_t create = IndexOf(plan, "CREATE TABLE users");
  size_t enable = IndexOf(plan, "ALTER TABLE users ENABLE ROW LEVEL SECURITY;");
  size_t force = IndexOf(plan, "ALTER TABLE users FORCE ROW LEVEL SECURITY;");
  size_t policy = IndexOf(plan, "CREATE POLICY querygate_tenant_isolation ON users");
  ASSERT_LT(policy, plan.changes.size()) << plan.Sql();
  EXPECT_LT(create, enable);
  EXPECT_LT(enable, force);
  EXPECT_LT(force, policy);
  EXPECT_EQ(plan.changes[policy].sql,
            absl::StrCat("CREATE POLICY querygate_tenant_isolation ON users AS PERMISSIVE FOR ALL "
                         "TO PUBLIC USING (",
                         kTenantQual, ") WITH CHECK (", kTenantQual, ");"));
  EXPECT_EQ(plan.changes[policy].summary, "create policy querygate_tenant_isolation on users");
}

TEST(DiffCatalogs, RowSecurityFlagsAreDiffed) {
  CatalogTable unforced = ScopedUsers();
  unforced.force_row_security = false;
  Plan force = DiffCatalogs(With({unforced}), With({ScopedUsers()}));
  ASSERT_EQ(force.changes.size(), 1u) << force.Sql();
  EXPECT_EQ(force.changes[0].sql, "ALTER TABLE users FORCE ROW LEVEL SECURITY;");
  Plan unforce = DiffCatalogs(With({ScopedUsers()}), With({unforced}));
  ASSERT_EQ(unforce.changes.size(), 1u) << unforce.Sql();
  EXPECT_EQ(unforce.changes[0].sql, "ALTER TABLE users NO FORCE ROW LEVEL SECURITY;");

  CatalogTable plain = ScopedUsers();
  plain.row_security = false;
  plain.force_row_security = false;
  plain.policies.clear();
  Plan off = DiffCatalogs(With({ScopedUsers()}), With({plain}));
  EXPECT_EQ(off.changes.front().sql, "DROP POLICY querygate_tenant_isolation ON users;");
  EXPECT_LT(IndexOf(off, "ALTER TABLE users DISABLE ROW LEVEL SECURITY;"), off.changes.size());
  EXPECT_LT(IndexOf(off, "ALTER TABLE users NO FORCE ROW LEVEL SECURITY;"), off.changes.size());
}

TEST(DiffCatalogs, PoliciesAreComparedByDefinition) {
  CatalogTable changed = ScopedUsers();
  changed.policies[0].with_check.reset();
  Plan plan = DiffCatalogs(With({ScopedUsers()}), With({changed}));
  ASSERT_EQ(plan.changes.size(), 2u) << plan.Sql();
  EXPECT_EQ(plan.changes[0].sql, "DROP POLICY querygate_tenant_isolation ON users;");
  EXPECT_EQ(plan.changes[1].sql,
            absl::StrCat("CREATE POLICY querygate_tenant_isolation ON users AS PERMISSIVE FOR ALL "
                         "TO PUBLIC USING (",
                         kTenantQual, ");"));

  CatalogTable other_role = ScopedUsers();
  other_role.policies[0].roles = {"app"};
  other_role.policies[0].command = "SELECT";
  other_role.policies[0].permissive = false;
  Plan roles = DiffCatalogs(With({ScopedUsers()}), With({other_role}));
  ASSERT_EQ(roles.changes.size(), 2u) << roles.Sql();
  EXPECT_TRUE(absl::StrContains(roles.changes[1].sql, "AS RESTRICTIVE FOR SELECT TO app USING"));
}

TEST(DiffCatalogs, RetypedColumnRecreatesThePolicyThatUsesIt) {
  CatalogTable retyped = ScopedUsers();
  retyped.columns.back().type = "bigint";
  Plan plan = DiffCatalogs(With({ScopedUsers()}), With({retyped}));
  size_t drop = IndexOf(plan, "DROP POLICY querygate_tenant_isolation ON users;");
  size_t alter = IndexOf(plan, "ALTER TABLE users ALTER COLUMN organization_id TYPE bigint");
  size_t create = IndexOf(plan, "CREATE POLICY querygate_tenant_isolation ON users");
  ASSERT_LT(create, plan.changes.size()) << plan.Sql();
  EXPECT_LT(drop, alter);
  EXPECT_LT(alter, create);
}

TEST(DiffCatalogs, TenantColumnOnExistingTableIsAddedBareWithNote) {
  CatalogTable scoped = ScopedUsers();
  CatalogTable plain = Users();
  Plan plan = DiffCatalogs(With({plain}), With({scoped}));
  size_t add = IndexOf(plan, "ALTER TABLE users ADD COLUMN organization_id uuid;");
  ASSERT_LT(add, plan.changes.size()) << plan.Sql();
  const Change& change = plan.changes[add];
  EXPECT_TRUE(absl::StrContains(
      change.sql,
      "ALTER TABLE users ALTER COLUMN organization_id SET DEFAULT "
      "querygate_current_tenant();\nALTER TABLE users ALTER COLUMN organization_id "
      "SET NOT NULL;"))
      << change.sql;
  ASSERT_EQ(plan.Notes().size(), 1u);
  EXPECT_TRUE(absl::StartsWith(plan.Notes()[0],
                               "NOTE: users.organization_id is NOT NULL without a usable default "
                               "for existing rows: backfill it before applying"))
      << plan.Notes()[0];
  EXPECT_LT(add, IndexOf(plan, "CREATE POLICY"));
}

TEST(DiffCatalogs, NotNullColumnWithoutDefaultGetsANoteAndUsableDefaultsDoNot) {
  CatalogTable bare = Users();
  bare.columns.push_back({"name", "text", true, std::nullopt, false});
  Plan plan = DiffCatalogs(With({Users()}), With({bare}));
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].sql, "ALTER TABLE users ADD COLUMN name text NOT NULL;");
  EXPECT_EQ(plan.Notes().size(), 1u);

  CatalogTable defaulted = Users();
  defaulted.columns.push_back({"name", "text", true, std::string("''::text"), false});
  EXPECT_TRUE(DiffCatalogs(With({Users()}), With({defaulted})).Notes().empty());
  // A new table has no existing rows: no note.
  EXPECT_TRUE(DiffCatalogs(Catalog{}, With({ScopedUsers()})).Notes().empty());
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
