// Tenancy DDL and migrations against a real PostgreSQL: the catalog a tenant schema migrates
// into (row-level security, policies, tenant-scoped keys), isolation as a non-superuser runtime
// role granted with grant_to, and migrations that turn tenancy on, add models and see drift.
// Each test owns a fresh database, a temp directory and a login role of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "db/session.h"
#include "migrate/migrator.h"
#include "tests/support/test_env.h"

namespace querygate::migrate {
namespace {

using querygate::testing::ReadFile;
using querygate::testing::ScopedDatabase;
using querygate::testing::ScopedRole;
using querygate::testing::ScopedTempDir;
using querygate::testing::WriteFile;

constexpr char kTenancy[] =
    R"json("tenancy": {"column": "organization_id", "type": "uuid", "model": "organization"},)json";

// A tenant schema (countries opted out) with SchemaText(true), a single-tenant one with
// SchemaText(false).
constexpr char kSchemaTemplate[] = R"json({
  TENANCY
  "models": {
    "organization": {"id": "uuid", "name": "string"},
    "user": {"id": "int64", "email": {"type": "string", "unique": true}},
    "post": {
      "id": "int64",
      "title": "string",
      "author": "@user?",
      "author_id": "int64?",
      "tags": {"type": ["@tag"], "relationship": "many_to_many", "through": "post_tags"}
    },
    "tag": {"id": "int64", "name": "string"},
    "country": {COUNTRY_OPTIONS"id": "int64", "code": "string"}
  }
})json";

constexpr char kOrgA[] = "0a000000-0000-4000-8000-00000000000a";
constexpr char kOrgB[] = "0b000000-0000-4000-8000-00000000000b";

constexpr char kPolicyQual[] =
    "(organization_id = ( SELECT querygate_current_tenant() AS querygate_current_tenant))";

std::string SchemaText(bool tenancy) {
  return absl::StrReplaceAll(
      kSchemaTemplate,
      {{"TENANCY", tenancy ? kTenancy : ""},
       {"COUNTRY_OPTIONS", tenancy ? R"json("$options": {"tenant_scoped": false}, )json" : ""}});
}

class TenancyDdlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    ASSERT_TRUE(db_.ok());
    ASSERT_TRUE(role_.ok());
    schema_dir_ = dir_.path() + "/schemas";
    WriteSchema(SchemaText(true));
  }

  void WriteSchema(const std::string& text) { WriteFile(schema_dir_ + "/app.json", text); }

  Migrator MakeMigrator(const std::string& grant_to) {
    MigratorOptions options;
    options.database_url = db_.url();
    options.schema_dir = schema_dir_;
    options.migrations_dir = schema_dir_ + "/migrations";
    options.grant_to = grant_to;
    return Migrator(options);
  }

  // `migrate new` then `up`, granting role_; fails the test on error.
  void NewAndUp(const std::string& name) {
    Migrator migrator = MakeMigrator(role_.name());
    auto created = migrator.New(name, false);
    ASSERT_TRUE(created.ok()) << created.status();
    auto applied = migrator.Up();
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  // Runs `sql` as the owner (the admin) and returns the first cell; "" on error (reported).
  std::string OwnerScalar(const std::string& sql, const db::Params& params = {}) {
    auto session = db_.Connect();
    if (session == nullptr) return "";
    auto result = session->Query(sql, params);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status();
    if (!result.ok() || result->rows.empty()) return "";
    return result->Text(0, 0);
  }

  absl::Status OwnerExecute(const std::string& sql) {
    auto session = db_.Connect();
    if (session == nullptr) return absl::InternalError("no session");
    return session->Execute(sql);
  }

  // Runs `sql` as the runtime role inside one transaction with the tenant set to `tenant`
  // (none when empty). Returns the first cell.
  absl::StatusOr<std::string> AsRole(const std::string& tenant, const std::string& sql,
                                     const db::Params& params = {}) {
    auto session = db::Session::Connect(role_.UrlFor(db_.url()), absl::Seconds(10));
    if (!session.ok()) return session.status();
    std::string cell;
    absl::Status status = (*session)->Transact([&](db::Transaction& tx) -> absl::Status {
      if (!tenant.empty()) {
        auto set = tx.Query("SELECT set_config('querygate.tenant', $1, true)", {tenant});
        if (!set.ok()) return set.status();
      }
      auto result = tx.Query(sql, params);
      if (!result.ok()) return result.status();
      if (!result->rows.empty() && !result->rows[0].empty()) cell = result->Text(0, 0);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return cell;
  }

  // AsRole's cell, or "error: <status>" so that a failure shows in the comparison.
  std::string RoleCell(const std::string& tenant, const std::string& sql,
                       const db::Params& params = {}) {
    absl::StatusOr<std::string> cell = AsRole(tenant, sql, params);
    return cell.ok() ? *cell : absl::StrCat("error: ", cell.status().ToString());
  }

  // Seeds two organizations, users 101 and 103 of A and 102 of B, and post 101 of user 101, as
  // the owner (the superuser, which row-level security never filters). Keys are explicit and
  // above what the sequences hand out.
  void SeedTwoTenants() {
    auto session = db_.Connect();
    ASSERT_NE(session, nullptr);
    for (const char* org : {kOrgA, kOrgB}) {
      ASSERT_TRUE(
          session->Query("INSERT INTO organizations (id, name) VALUES ($1, 'org')", {org}).ok());
    }
    ASSERT_TRUE(session
                    ->Query("INSERT INTO users (id, organization_id, email) VALUES "
                            "(101, $1, 'a@example.com'), (102, $2, 'b@example.com'), "
                            "(103, $1, 'a2@example.com')",
                            {kOrgA, kOrgB})
                    .ok());
    ASSERT_TRUE(
        session
            ->Query("INSERT INTO posts (id, organization_id, title, author_id) VALUES (101, "
                    "$1, 'hello', 101)",
                    {kOrgA})
            .ok());
  }

  ScopedRole role_;
  ScopedDatabase db_;
  ScopedTempDir dir_;
  std::string schema_dir_;
};

TEST_F(TenancyDdlTest, CatalogHasRowSecurityPoliciesAndTenantScopedKeys) {
  ASSERT_NO_FATAL_FAILURE(NewAndUp("init"));
  for (const char* table : {"organizations", "users", "posts", "tags", "post_tags"}) {
    SCOPED_TRACE(table);
    EXPECT_EQ(OwnerScalar("SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class "
                          "WHERE oid = to_regclass($1)",
                          {table}),
              "truetrue");
    EXPECT_EQ(OwnerScalar("SELECT count(*) FROM pg_policies WHERE tablename = $1 AND policyname = "
                          "'querygate_tenant_isolation' AND cmd = 'ALL' AND permissive = "
                          "'PERMISSIVE'",
                          {table}),
              "1");
  }
  EXPECT_EQ(OwnerScalar("SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class "
                        "WHERE oid = to_regclass('countries')"),
            "falsefalse");
  EXPECT_EQ(OwnerScalar("SELECT count(*) FROM pg_policies WHERE tablename = 'countries'"), "0");

  EXPECT_EQ(OwnerScalar("SELECT qual FROM pg_policies WHERE tablename = 'users'"), kPolicyQual);
  EXPECT_EQ(OwnerScalar("SELECT with_check FROM pg_policies WHERE tablename = 'users'"),
            kPolicyQual);
  EXPECT_EQ(OwnerScalar("SELECT qual FROM pg_policies WHERE tablename = 'organizations'"),
            "(id = ( SELECT querygate_current_tenant() AS querygate_current_tenant))");

  auto constraint = [&](const std::string& name) {
    return OwnerScalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1",
                       {name});
  };
  EXPECT_EQ(constraint("users_email_key"), "UNIQUE (organization_id, email)");
  EXPECT_EQ(constraint("users_organization_id_id_key"), "UNIQUE (organization_id, id)");
  EXPECT_EQ(constraint("users_organization_id_fkey"),
            "FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE");
  EXPECT_EQ(constraint("posts_author_id_fkey"),
            "FOREIGN KEY (organization_id, author_id) REFERENCES users(organization_id, id) ON "
            "DELETE SET NULL (author_id)");
  EXPECT_EQ(constraint("post_tags_tag_id_fkey"),
            "FOREIGN KEY (organization_id, tag_id) REFERENCES tags(organization_id, id) ON DELETE "
            "CASCADE");
  EXPECT_EQ(OwnerScalar("SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN "
                        "pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE "
                        "d.adrelid = 'users'::regclass AND a.attname = 'organization_id'"),
            "querygate_current_tenant()");

  // Every scoped table has an index whose first column is the tenant column.
  for (const char* table : {"users", "posts", "tags", "post_tags"}) {
    SCOPED_TRACE(table);
    EXPECT_NE(OwnerScalar("SELECT count(*) FROM pg_index x JOIN pg_attribute a ON a.attrelid = "
                          "x.indrelid AND a.attnum = x.indkey[0] WHERE x.indrelid = "
                          "to_regclass($1) AND a.attname = 'organization_id'",
                          {table}),
              "0");
  }

  auto plan = MakeMigrator("").PlanLive();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->empty()) << plan->Sql();
  auto status = MakeMigrator("").Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_FALSE(status->HasDrift()) << status->database_drift.Sql();
  EXPECT_TRUE(status->unmigrated_schema_changes.empty()) << status->unmigrated_schema_changes.Sql();
}

TEST_F(TenancyDdlTest, CurrentTenantFunctionRaises42501WithoutATenant) {
  ASSERT_NO_FATAL_FAILURE(NewAndUp("init"));
  auto session = db_.Connect();
  ASSERT_NE(session, nullptr);
  auto unset = session->Query("SELECT querygate_current_tenant()");
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), absl::StatusCode::kPermissionDenied) << unset.status();
  EXPECT_TRUE(
      absl::StrContains(unset.status().message(), "querygate: no tenant is set (querygate.tenant)"))
      << unset.status();
  // An empty setting (what a reset placeholder reads as) is no tenant either.
  ASSERT_TRUE(session->Execute("SELECT set_config('querygate.tenant', '', false)").ok());
  auto empty = session->Query("SELECT querygate_current_tenant()");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kPermissionDenied) << empty.status();
  ASSERT_TRUE(session->Query("SELECT set_config('querygate.tenant', $1, false)", {kOrgA}).ok());
  auto set = session->Query("SELECT querygate_current_tenant()::text");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->Text(0, 0), kOrgA);
}

TEST_F(TenancyDdlTest, RuntimeRoleSeesOnlyItsTenantAndCannotWriteAnother) {
  ASSERT_NO_FATAL_FAILURE(NewAndUp("init"));
  ASSERT_NO_FATAL_FAILURE(SeedTwoTenants());
  EXPECT_EQ(OwnerScalar("SELECT rolsuper::text || rolbypassrls::text FROM pg_roles WHERE rolname "
                        "= $1",
                        {role_.name()}),
            "falsefalse");

  // Reads are filtered to the tenant.
  EXPECT_EQ(RoleCell(kOrgA, "SELECT count(*) FROM users"), "2");
  EXPECT_EQ(RoleCell(kOrgB, "SELECT count(*) FROM users"), "1");
  EXPECT_EQ(RoleCell(kOrgA, "SELECT count(*) FROM users WHERE id = 102"), "0");
  EXPECT_EQ(RoleCell(kOrgA, "SELECT string_agg(id::text, ',') FROM organizations"), kOrgA);
  EXPECT_EQ(RoleCell(kOrgB, "SELECT count(*) FROM posts"), "0");
  // A global table is visible to everyone, with or without a tenant.
  ASSERT_TRUE(OwnerExecute("INSERT INTO countries (code) VALUES ('NZ')").ok());
  EXPECT_EQ(RoleCell(kOrgB, "SELECT count(*) FROM countries"), "1");
  EXPECT_EQ(RoleCell("", "SELECT count(*) FROM countries"), "1");

  // Without a tenant, a scoped read fails loudly instead of matching nothing.
  auto none = AsRole("", "SELECT count(*) FROM users");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kPermissionDenied) << none.status();

  // Insert: the tenant column defaults to the tenant; naming another tenant is refused.
  auto inserted = AsRole(kOrgA,
                         "INSERT INTO users (email) VALUES ('new@example.com') RETURNING "
                         "organization_id::text");
  ASSERT_TRUE(inserted.ok()) << inserted.status();
  if (inserted.ok()) {
    EXPECT_EQ(*inserted, kOrgA);
  }
  auto foreign = AsRole(
      kOrgA, "INSERT INTO users (organization_id, email) VALUES ($1, 'x@example.com') RETURNING 1",
      {kOrgB});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kPermissionDenied) << foreign.status();
  // The same e-mail may exist once per tenant.
  auto same_email = AsRole(
      kOrgB, "INSERT INTO users (email) VALUES ('a@example.com') RETURNING organization_id::text");
  ASSERT_TRUE(same_email.ok()) << same_email.status();

  // Update cannot move a row to another tenant, nor touch another tenant's rows.
  auto moved =
      AsRole(kOrgA, "UPDATE users SET organization_id = $1 WHERE id = 101 RETURNING 1", {kOrgB});
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kPermissionDenied) << moved.status();
  EXPECT_EQ(RoleCell(kOrgA,
                     "WITH u AS (UPDATE users SET email = 'z' WHERE id = 102 RETURNING 1) "
                     "SELECT count(*) FROM u"),
            "0");
  EXPECT_EQ(RoleCell(kOrgA,
                     "WITH d AS (DELETE FROM users WHERE id = 102 RETURNING 1) SELECT "
                     "count(*) FROM d"),
            "0");
  EXPECT_EQ(OwnerScalar("SELECT count(*) FROM users WHERE organization_id = $1", {kOrgB}), "2");

  // A row can never reference another tenant's row: the foreign key is composite.
  auto cross = AsRole(kOrgA, "INSERT INTO posts (title, author_id) VALUES ('x', 102) RETURNING 1");
  EXPECT_FALSE(cross.ok());
  EXPECT_FALSE(OwnerExecute(absl::StrCat("INSERT INTO posts (organization_id, title, author_id) "
                                         "VALUES ('",
                                         kOrgA, "', 'x', 102)"))
                   .ok());
}

TEST_F(TenancyDdlTest, GrantToGrantsTablesSequencesAndFunctionsIdempotently) {
  ASSERT_NO_FATAL_FAILURE(NewAndUp("init"));
  auto again = MakeMigrator(role_.name()).Up();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->empty());
  const std::string role = role_.name();
  for (const char* table : {"organizations", "users", "posts", "tags", "post_tags", "countries"}) {
    SCOPED_TRACE(table);
    EXPECT_EQ(
        OwnerScalar(
            "SELECT has_table_privilege($1::name, $2::text, 'SELECT, INSERT, UPDATE, DELETE')",
            {role, table}),
        "t");
  }
  EXPECT_EQ(
      OwnerScalar("SELECT has_table_privilege($1::name, 'schema_migrations', 'INSERT')", {role}),
      "f");
  EXPECT_EQ(OwnerScalar("SELECT has_sequence_privilege($1::name, 'users_id_seq', 'USAGE, SELECT')",
                        {role}),
            "t");
  EXPECT_EQ(OwnerScalar("SELECT has_function_privilege($1::name, 'querygate_current_tenant()', "
                        "'EXECUTE')",
                        {role}),
            "t");
  // The role owns nothing.
  EXPECT_EQ(OwnerScalar("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles "
                        "WHERE rolname = $1)",
                        {role}),
            "0");
  // It can use a sequence: an insert that draws the key works.
  ASSERT_NO_FATAL_FAILURE(SeedTwoTenants());
  auto inserted = AsRole(kOrgA, "INSERT INTO tags (name) VALUES ('t') RETURNING id");
  EXPECT_TRUE(inserted.ok()) << inserted.status();
}

TEST_F(TenancyDdlTest, GrantToAnUnknownRoleIsNotFoundAndAppliesNothing) {
  Migrator migrator = MakeMigrator("qg_no_such_role_for_grant");
  ASSERT_TRUE(migrator.New("init", false).ok());
  auto applied = migrator.Up();
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kNotFound) << applied.status();
  EXPECT_TRUE(absl::StrContains(applied.status().message(), "qg_no_such_role_for_grant"))
      << applied.status();
  EXPECT_EQ(OwnerScalar("SELECT to_regclass('users') IS NULL"), "t");
}

TEST_F(TenancyDdlTest, EnablingTenancyOnAnExistingSchemaIsAMigrationWithABackfillNote) {
  WriteSchema(SchemaText(false));
  ASSERT_NO_FATAL_FAILURE(NewAndUp("init"));
  EXPECT_EQ(OwnerScalar("SELECT relrowsecurity::text FROM pg_class WHERE oid = "
                        "to_regclass('users')"),
            "false");

  WriteSchema(SchemaText(true));
  Migrator migrator = MakeMigrator(role_.name());
  auto created = migrator.New("tenancy", false);
  ASSERT_TRUE(created.ok()) << created.status();
  std::string up = ReadFile(created->up_path);
  EXPECT_TRUE(absl::StrContains(up, "ALTER TABLE users ADD COLUMN organization_id uuid;")) << up;
  EXPECT_TRUE(absl::StrContains(up,
                                "-- NOTE: users.organization_id is NOT NULL without a usable "
                                "default for existing rows: backfill it before applying"))
      << up;
  EXPECT_TRUE(absl::StrContains(up, "ALTER TABLE users ENABLE ROW LEVEL SECURITY;")) << up;
  EXPECT_TRUE(absl::StrContains(up, "ALTER TABLE users FORCE ROW LEVEL SECURITY;")) << up;
  EXPECT_TRUE(absl::StrContains(up, "CREATE POLICY querygate_tenant_isolation ON users")) << up;
  EXPECT_TRUE(absl::StrContains(up,
                                "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE "
                                "(organization_id, email);"))
      << up;
  EXPECT_FALSE(absl::StrContains(up, "CREATE POLICY querygate_tenant_isolation ON countries"));

  // Existing rows without a tenant stop the migration (rolled back whole) ...
  ASSERT_TRUE(OwnerExecute("INSERT INTO users (email) VALUES ('old@example.com')").ok());
  auto refused = migrator.Up();
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "organization_id")) << refused.status();
  EXPECT_EQ(OwnerScalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                        "'users' AND column_name = 'organization_id'"),
            "0");
  // ... and once there are none (or they are backfilled) it applies.
  ASSERT_TRUE(OwnerExecute("DELETE FROM users").ok());
  auto applied = migrator.Up();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->size(), 1u);
  EXPECT_EQ(OwnerScalar("SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class "
                        "WHERE oid = to_regclass('users')"),
            "truetrue");
  auto plan = migrator.PlanLive();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->empty()) << plan->Sql();

  // Down takes tenancy off again.
  auto undone = migrator.Down(std::nullopt);
  ASSERT_TRUE(undone.ok()) << undone.status();
  EXPECT_EQ(OwnerScalar("SELECT relrowsecurity::text FROM pg_class WHERE oid = "
                        "to_regclass('users')"),
            "false");
  EXPECT_EQ(OwnerScalar("SELECT count(*) FROM pg_policies WHERE tablename = 'users'"), "0");
}

TEST_F(TenancyDdlTest, AddingAModelToATenantSchemaJustWorks) {
  ASSERT_NO_FATAL_FAILURE(NewAndUp("init"));
  std::string text = SchemaText(true);
  text = absl::StrReplaceAll(
      text, {{R"("tag": {)",
              R"("comment": {"id": "int64", "body": "text", "post": "@post", "post_id": "int64"},
    "tag": {)"}});
  WriteSchema(text);
  ASSERT_NO_FATAL_FAILURE(NewAndUp("comments"));
  EXPECT_EQ(OwnerScalar("SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class "
                        "WHERE oid = to_regclass('comments')"),
            "truetrue");
  EXPECT_EQ(OwnerScalar("SELECT with_check FROM pg_policies WHERE tablename = 'comments'"),
            kPolicyQual);
  EXPECT_EQ(OwnerScalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = "
                        "'comments_post_id_fkey'"),
            "FOREIGN KEY (organization_id, post_id) REFERENCES posts(organization_id, id) ON "
            "DELETE CASCADE");
  ASSERT_NO_FATAL_FAILURE(SeedTwoTenants());
  auto comment = AsRole(kOrgA,
                        "INSERT INTO comments (body, post_id) VALUES ('hi', 101) RETURNING "
                        "organization_id::text");
  ASSERT_TRUE(comment.ok()) << comment.status();
  if (comment.ok()) {
    EXPECT_EQ(*comment, kOrgA);
  }
  auto plan = MakeMigrator("").PlanLive();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->empty()) << plan->Sql();
}

TEST_F(TenancyDdlTest, PolicyAndRowSecurityChangesByHandShowAsDrift) {
  ASSERT_NO_FATAL_FAILURE(NewAndUp("init"));
  ASSERT_TRUE(OwnerExecute("DROP POLICY querygate_tenant_isolation ON users").ok());
  ASSERT_TRUE(OwnerExecute("ALTER TABLE posts NO FORCE ROW LEVEL SECURITY").ok());
  Migrator migrator = MakeMigrator("");
  auto status = migrator.Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->HasDrift());
  std::vector<std::string> summaries;
  for (const Change& change : status->database_drift.changes) summaries.push_back(change.summary);
  EXPECT_THAT(summaries,
              ::testing::UnorderedElementsAre("stop forcing row level security on posts",
                                              "drop policy querygate_tenant_isolation on users"))
      << status->database_drift.Sql();
  // `plan` brings the live database back to the schema.
  auto plan = migrator.PlanLive();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(absl::StrContains(plan->Sql(), "ALTER TABLE posts FORCE ROW LEVEL SECURITY;"))
      << plan->Sql();
  EXPECT_TRUE(absl::StrContains(plan->Sql(), "CREATE POLICY querygate_tenant_isolation ON users"))
      << plan->Sql();
  ASSERT_TRUE(OwnerExecute(plan->Sql()).ok());
  auto after = migrator.Status();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_FALSE(after->HasDrift()) << after->database_drift.Sql();
}

}  // namespace
}  // namespace querygate::migrate
