// Tenancy in the schema: parsing, validation, generated DDL and tenant id canonicalisation.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/ddl.h"
#include "schema/loader.h"
#include "schema/tenancy.h"

namespace querygate::schema {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTenantSchema[] = R"({
  "tenancy": {"column": "organization_id", "type": "uuid", "model": "organization"},
  "models": {
    "organization": {
      "id": "uuid",
      "name": "string",
      "slug": {"type": "string", "unique": true},
      "owner_id": {"type": "int64?", "references": "@user"}
    },
    "user": {"id": "int64", "email": {"type": "string", "unique": true}, "name": "string"},
    "post": {
      "$options": {"indexes": [{"fields": ["slug"], "unique": true}, {"fields": ["title"]}]},
      "id": "int64",
      "slug": "string",
      "title": "string",
      "author": "@user?",
      "author_id": "int64?",
      "country_id": "int64?",
      "country": "@country?",
      "tags": {"type": ["@tag"], "relationship": "many_to_many", "through": "post_tags"}
    },
    "tag": {"id": "int64", "name": "string"},
    "country": {
      "$options": {"tenant_scoped": false},
      "id": "int64",
      "code": {"type": "string", "unique": true}
    }
  }
})";

std::string Describe(const std::vector<SchemaDiagnostic>& diagnostics) {
  std::string out;
  for (const SchemaDiagnostic& d : diagnostics) out += "  " + d.ToString() + "\n";
  return out.empty() ? "  (none)\n" : out;
}

LoadResult Load(const std::string& json) { return LoadSchemaSources({{"test.json", json}}); }

// The CREATE TABLE statement of `table` in `ddl`, or "" when absent.
std::string CreateTable(const std::string& ddl, const std::string& table) {
  size_t start = ddl.find("CREATE TABLE " + table + " (");
  if (start == std::string::npos) return "";
  return ddl.substr(start, ddl.find(");", start) - start + 2);
}

class TenantSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = Load(kTenantSchema);
    ASSERT_TRUE(result_.ok()) << Describe(result_.errors);
    ddl_ = GenerateDdl(result_.schema);
  }
  const Schema& schema() const { return result_.schema; }
  const std::string& ddl() const { return ddl_; }

 private:
  LoadResult result_;
  std::string ddl_;
};

TEST_F(TenantSchemaTest, ParsesTheDeclaration) {
  ASSERT_TRUE(schema().tenancy.has_value());
  EXPECT_EQ(schema().tenancy->column, "organization_id");
  EXPECT_EQ(schema().tenancy->type.kind, TypeKind::kUuid);
  EXPECT_EQ(schema().tenancy->model, "organization");
}

TEST_F(TenantSchemaTest, ModelsAreScopedByDefault) {
  const Model* user = schema().FindModel("user");
  ASSERT_NE(user, nullptr);
  EXPECT_TRUE(user->tenant_scoped());
  EXPECT_EQ(user->tenant_column, "organization_id");
  // The tenant column comes right after the primary key.
  ASSERT_GE(user->fields.size(), 2u);
  EXPECT_EQ(user->fields[1].name, "organization_id");
  const Field& tenant = user->fields[1];
  EXPECT_TRUE(tenant.is_tenant_column);
  EXPECT_FALSE(tenant.nullable);
  EXPECT_EQ(tenant.default_sql, "querygate_current_tenant()");
  EXPECT_EQ(tenant.type.kind, TypeKind::kUuid);
  const ForeignKey* fk = user->FindForeignKey("organization_id");
  ASSERT_NE(fk, nullptr);
  EXPECT_EQ(fk->referenced_table, "organizations");
  EXPECT_EQ(fk->on_delete, OnDelete::kCascade);
}

TEST_F(TenantSchemaTest, TenantModelIsScopedByItsKey) {
  const Model* organization = schema().FindModel("organization");
  ASSERT_NE(organization, nullptr);
  EXPECT_TRUE(organization->tenant_scoped());
  EXPECT_EQ(organization->tenant_column, "id");
  EXPECT_EQ(organization->FindField("organization_id"), nullptr);
}

TEST_F(TenantSchemaTest, OptedOutModelIsGlobal) {
  const Model* country = schema().FindModel("country");
  ASSERT_NE(country, nullptr);
  EXPECT_FALSE(country->tenant_scoped());
  EXPECT_EQ(country->FindField("organization_id"), nullptr);
  EXPECT_THAT(CreateTable(ddl(), "countries"), HasSubstr("UNIQUE (code)"));
  EXPECT_THAT(ddl(), Not(HasSubstr("ON countries USING")));
  EXPECT_THAT(ddl(), Not(HasSubstr("ALTER TABLE countries ENABLE ROW LEVEL SECURITY")));
}

TEST_F(TenantSchemaTest, JunctionIsScopedWhenASideIs) {
  const Model* junction = schema().FindModelByTable("post_tags");
  ASSERT_NE(junction, nullptr);
  EXPECT_TRUE(junction->tenant_scoped());
  const Field* tenant = junction->FindField("organization_id");
  ASSERT_NE(tenant, nullptr);
  EXPECT_TRUE(tenant->is_tenant_column);
  std::string table = CreateTable(ddl(), "post_tags");
  EXPECT_THAT(table, HasSubstr("organization_id UUID NOT NULL DEFAULT querygate_current_tenant()"));
  EXPECT_THAT(table, HasSubstr("FOREIGN KEY (organization_id, post_id) REFERENCES posts "
                               "(organization_id, id) ON DELETE CASCADE"));
  EXPECT_THAT(table, HasSubstr("CONSTRAINT post_tags_pkey PRIMARY KEY (organization_id, post_id, "
                               "tag_id)"));
  EXPECT_EQ(junction->primary_key_columns, (std::vector<std::string>{"post_id", "tag_id"}));
  EXPECT_THAT(ddl(), HasSubstr("CREATE POLICY querygate_tenant_isolation ON post_tags"));
}

TEST_F(TenantSchemaTest, DdlHasTheCurrentTenantFunction) {
  EXPECT_THAT(ddl(), HasSubstr("CREATE OR REPLACE FUNCTION querygate_current_tenant()\n"
                               "RETURNS uuid\nLANGUAGE plpgsql\nSTABLE"));
  EXPECT_THAT(ddl(), HasSubstr("current_setting('querygate.tenant', true)"));
  EXPECT_THAT(ddl(), HasSubstr("RAISE EXCEPTION 'querygate: no tenant is set (querygate.tenant)' "
                               "USING ERRCODE = '42501'"));
  // The function comes before any table that uses it as a default.
  EXPECT_LT(ddl().find("FUNCTION querygate_current_tenant"), ddl().find("CREATE TABLE"));
}

TEST_F(TenantSchemaTest, DdlHasTenantColumnKeyAndScopedUniques) {
  std::string users = CreateTable(ddl(), "users");
  ASSERT_FALSE(users.empty()) << ddl();
  EXPECT_THAT(users, HasSubstr("organization_id UUID NOT NULL DEFAULT querygate_current_tenant()"));
  EXPECT_THAT(users, HasSubstr("CONSTRAINT users_organization_id_id_key UNIQUE (organization_id, "
                               "id)"));
  EXPECT_THAT(users, HasSubstr("CONSTRAINT users_email_key UNIQUE (organization_id, email)"));
  // The tenant model's own unique values stay globally unique.
  EXPECT_THAT(CreateTable(ddl(), "organizations"),
              HasSubstr("CONSTRAINT organizations_slug_key UNIQUE (slug)"));
  // Declared unique indexes are unique per tenant; plain ones are left alone.
  EXPECT_THAT(ddl(),
              HasSubstr("CREATE UNIQUE INDEX uq_posts_slug ON posts (organization_id, slug);"));
  EXPECT_THAT(ddl(), HasSubstr("CREATE INDEX idx_posts_title ON posts (title);"));
}

TEST_F(TenantSchemaTest, DdlHasForeignKeyToTenantModel) {
  // The tenant column references the tenant model's key.
  EXPECT_THAT(ddl(), HasSubstr("CONSTRAINT users_organization_id_fkey FOREIGN KEY "
                               "(organization_id) REFERENCES organizations (id) ON DELETE "
                               "CASCADE"));
  // UNIQUE (organization_id, id) leads with the tenant column: no separate index for the FK.
  EXPECT_THAT(ddl(), Not(HasSubstr("idx_users_organization_id")));
}

TEST_F(TenantSchemaTest, ForeignKeysBetweenScopedModelsAreComposite) {
  EXPECT_THAT(ddl(), HasSubstr("CONSTRAINT posts_author_id_fkey FOREIGN KEY (organization_id, "
                               "author_id) REFERENCES users (organization_id, id) ON DELETE SET "
                               "NULL (author_id)"));
  // To a global model: a plain foreign key.
  EXPECT_THAT(ddl(), HasSubstr("CONSTRAINT posts_country_id_fkey FOREIGN KEY (country_id) "
                               "REFERENCES countries (id) ON DELETE SET NULL"));
  // From the tenant model (scoped by its key) to a scoped model.
  EXPECT_THAT(ddl(), HasSubstr("CONSTRAINT organizations_owner_id_fkey FOREIGN KEY (id, "
                               "owner_id) REFERENCES users (organization_id, id) ON DELETE SET "
                               "NULL (owner_id)"));
}

TEST_F(TenantSchemaTest, DdlEnablesAndForcesRowLevelSecurityWithPolicy) {
  for (const char* table : {"users", "posts", "tags", "post_tags"}) {
    SCOPED_TRACE(table);
    std::string t(table);
    EXPECT_THAT(ddl(), HasSubstr("ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY;\n"));
    EXPECT_THAT(ddl(), HasSubstr("ALTER TABLE " + t + " FORCE ROW LEVEL SECURITY;\n"));
    EXPECT_THAT(ddl(), HasSubstr("CREATE POLICY querygate_tenant_isolation ON " + t +
                                 " USING (organization_id = (SELECT querygate_current_tenant())) "
                                 "WITH CHECK (organization_id = (SELECT "
                                 "querygate_current_tenant()));"));
  }
  EXPECT_THAT(ddl(), HasSubstr("CREATE POLICY querygate_tenant_isolation ON organizations USING "
                               "(id = (SELECT querygate_current_tenant())) WITH CHECK (id = "
                               "(SELECT querygate_current_tenant()));"));
}

TEST(TenantSchemaVariantsTest, DeclaredTenantColumnIsMarked) {
  LoadResult result = Load(R"({
    "tenancy": {"column": "tenant_id", "type": "int64"},
    "models": {"doc": {"id": "int64", "title": "string", "tenant_id": "int64"}}})");
  ASSERT_TRUE(result.ok()) << Describe(result.errors);
  const Model* doc = result.schema.FindModel("doc");
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->fields.size(), 3u);
  EXPECT_EQ(doc->fields[2].name, "tenant_id");  // declared position kept
  EXPECT_TRUE(doc->fields[2].is_tenant_column);
  EXPECT_EQ(doc->fields[2].default_sql, "querygate_current_tenant()");
  // No tenant model: no foreign key on the tenant column.
  EXPECT_EQ(doc->FindForeignKey("tenant_id"), nullptr);
  std::string ddl = GenerateDdl(result.schema);
  EXPECT_THAT(ddl, HasSubstr("RETURNS bigint"));
  EXPECT_THAT(ddl, HasSubstr("RETURN tenant::bigint;"));
  EXPECT_THAT(ddl, HasSubstr("tenant_id BIGINT NOT NULL DEFAULT querygate_current_tenant()"));
  EXPECT_THAT(ddl, HasSubstr("CREATE POLICY querygate_tenant_isolation ON docs USING (tenant_id = "
                             "(SELECT querygate_current_tenant()))"));
}

TEST(TenantSchemaVariantsTest, StringTenancyIsVarchar255) {
  LoadResult result = Load(R"({
    "tenancy": {"column": "account", "type": "string"},
    "models": {"doc": {"id": "uuid"}}})");
  ASSERT_TRUE(result.ok()) << Describe(result.errors);
  std::string ddl = GenerateDdl(result.schema);
  EXPECT_THAT(ddl, HasSubstr("account VARCHAR(255) NOT NULL DEFAULT querygate_current_tenant()"));
  EXPECT_THAT(ddl, HasSubstr("RETURNS varchar"));
}

TEST(TenantSchemaVariantsTest, TenancyInAnotherFileScopesEveryFile) {
  LoadResult result =
      LoadSchemaSources({{"a.json", R"({"models": {"doc": {"id": "int64"}}})"},
                         {"b.json", R"({"tenancy": {"column": "org_id", "type": "int32"}})"}});
  ASSERT_TRUE(result.ok()) << Describe(result.errors);
  const Model* doc = result.schema.FindModel("doc");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->tenant_column, "org_id");
}

TEST(TenantSchemaVariantsTest, SingleTenantSchemaIsUnchanged) {
  LoadResult result = Load(R"({"models": {"user": {"id": "int64",
      "email": {"type": "string", "unique": true}}}})");
  ASSERT_TRUE(result.ok()) << Describe(result.errors);
  EXPECT_FALSE(result.schema.tenancy.has_value());
  EXPECT_FALSE(result.schema.FindModel("user")->tenant_scoped());
  std::string ddl = GenerateDdl(result.schema);
  EXPECT_THAT(ddl, Not(HasSubstr("querygate_current_tenant")));
  EXPECT_THAT(ddl, Not(HasSubstr("ROW LEVEL SECURITY")));
  EXPECT_THAT(ddl, HasSubstr("CONSTRAINT users_email_key UNIQUE (email)"));
}

struct BadTenancyCase {
  const char* name;
  const char* json;
  const char* path;
  const char* message;
};

const BadTenancyCase kBadCases[] = {
    {"NotAnObject", R"({"tenancy": "organization_id"})", "tenancy", "tenancy must be an object"},
    {"MissingColumn", R"({"tenancy": {"type": "uuid"}})", "tenancy", "needs 'column'"},
    {"MissingType", R"({"tenancy": {"column": "org_id"}})", "tenancy", "needs 'type'"},
    {"BadType", R"({"tenancy": {"column": "org_id", "type": "float64"}})", "tenancy.type",
     "unknown tenant type 'float64'"},
    {"BadColumnName", R"({"tenancy": {"column": "Org Id", "type": "uuid"}})", "tenancy.column",
     "invalid identifier"},
    {"UnknownKey", R"({"tenancy": {"column": "org_id", "type": "uuid", "header": "x"}})",
     "tenancy.header", "unknown tenancy key 'header'"},
    {"UnknownTenantModel",
     R"({"tenancy": {"column": "org_id", "type": "uuid", "model": "org"}, "models": {"doc": {"id": "int64"}}})",
     "tenancy.model", "unknown tenant model 'org'"},
    {"TenantModelKeyOfOtherType",
     R"({"tenancy": {"column": "org_id", "type": "uuid", "model": "org"}, "models": {"org": {"id": "int64"}}})",
     "tenancy.model", "needs a primary key of the tenancy type uuid"},
    {"DeclaredTenantColumnWrongType",
     R"({"tenancy": {"column": "org_id", "type": "uuid"}, "models": {"doc": {"id": "int64", "org_id": "int64"}}})",
     "models.doc.org_id", "must have the tenancy type uuid"},
    {"DeclaredTenantColumnNullable",
     R"({"tenancy": {"column": "org_id", "type": "uuid"}, "models": {"doc": {"id": "int64", "org_id": "uuid?"}}})",
     "models.doc.org_id", "cannot be nullable"},
    {"DeclaredTenantColumnDefault",
     R"({"tenancy": {"column": "org_id", "type": "int64"}, "models": {"doc": {"id": "int64", "org_id": {"type": "int64", "default": 1}}}})",
     "models.doc.org_id.default", "defaults to the caller's tenant"},
    {"TenantColumnIsPrimaryKey",
     R"({"tenancy": {"column": "id", "type": "int64"}, "models": {"doc": {"id": "int64"}}})",
     "models.doc.id", "cannot be the primary key"},
    {"TenantScopedWithoutTenancy",
     R"({"models": {"doc": {"$options": {"tenant_scoped": false}, "id": "int64"}}})",
     "models.doc.$options.tenant_scoped", "needs a top-level 'tenancy'"},
    {"TenantScopedNotBool",
     R"({"tenancy": {"column": "org_id", "type": "uuid"}, "models": {"doc": {"$options": {"tenant_scoped": "no"}, "id": "int64"}}})",
     "models.doc.$options.tenant_scoped", "must be true or false"},
};

class BadTenancyTest : public ::testing::TestWithParam<BadTenancyCase> {};

TEST_P(BadTenancyTest, ReportsTheProblemAtItsPath) {
  const BadTenancyCase& c = GetParam();
  LoadResult result = Load(c.json);
  ASSERT_FALSE(result.ok()) << "expected an error for " << c.json;
  bool found = false;
  for (const SchemaDiagnostic& d : result.errors) {
    if (d.path == c.path && d.message.find(c.message) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "expected '" << c.message << "' at " << c.path << "; got:\n"
                     << Describe(result.errors);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadTenancyTest, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadTenancyCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(TenancyDeclarationTest, DeclaredTwiceIsAnError) {
  LoadResult result =
      LoadSchemaSources({{"a.json", R"({"tenancy": {"column": "org_id", "type": "uuid"}})"},
                         {"b.json", R"({"tenancy": {"column": "org_id", "type": "uuid"}})"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].file, "b.json");
  EXPECT_THAT(result.errors[0].message, HasSubstr("declared more than once"));
}

Tenancy TenancyOf(TypeKind kind) {
  Tenancy tenancy;
  tenancy.column = "organization_id";
  tenancy.type.kind = kind;
  return tenancy;
}

TEST(CanonicalTenantTest, Uuid) {
  Tenancy tenancy = TenancyOf(TypeKind::kUuid);
  EXPECT_EQ(*CanonicalTenant(tenancy, "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"),
            "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  EXPECT_EQ(*CanonicalTenant(tenancy, "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  for (const char* bad :
       {"", "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f", "0a1b2c3d_4e5f-6071-8293-a4b5c6d7e8f9",
        "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg", "{0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9}",
        " 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"}) {
    absl::StatusOr<std::string> canonical = CanonicalTenant(tenancy, bad);
    ASSERT_FALSE(canonical.ok()) << bad;
    EXPECT_EQ(canonical.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(canonical.status().message()), ::testing::StartsWith("tenant: "));
  }
}

TEST(CanonicalTenantTest, Int64) {
  Tenancy tenancy = TenancyOf(TypeKind::kInt64);
  EXPECT_EQ(*CanonicalTenant(tenancy, "42"), "42");
  EXPECT_EQ(*CanonicalTenant(tenancy, "+0042"), "42");
  EXPECT_EQ(*CanonicalTenant(tenancy, "-0"), "0");
  EXPECT_EQ(*CanonicalTenant(tenancy, "-7"), "-7");
  EXPECT_EQ(*CanonicalTenant(tenancy, "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(*CanonicalTenant(tenancy, "-9223372036854775808"), "-9223372036854775808");
  for (const char* bad : {"", "+", "-", "9223372036854775808", "-9223372036854775809", "1.0",
                          "0x10", " 1", "1 ", "1e3", "99999999999999999999999"}) {
    absl::StatusOr<std::string> canonical = CanonicalTenant(tenancy, bad);
    ASSERT_FALSE(canonical.ok()) << bad;
    EXPECT_EQ(canonical.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(CanonicalTenantTest, Int32) {
  Tenancy tenancy = TenancyOf(TypeKind::kInt32);
  EXPECT_EQ(*CanonicalTenant(tenancy, "2147483647"), "2147483647");
  EXPECT_EQ(*CanonicalTenant(tenancy, "-2147483648"), "-2147483648");
  EXPECT_FALSE(CanonicalTenant(tenancy, "2147483648").ok());
  EXPECT_FALSE(CanonicalTenant(tenancy, "-2147483649").ok());
}

TEST(CanonicalTenantTest, String) {
  Tenancy tenancy = TenancyOf(TypeKind::kString);
  EXPECT_EQ(*CanonicalTenant(tenancy, "Acme Corp"), "Acme Corp");
  EXPECT_EQ(*CanonicalTenant(tenancy, "caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(*CanonicalTenant(tenancy, std::string(255, 'a')), std::string(255, 'a'));
  EXPECT_FALSE(CanonicalTenant(tenancy, "").ok());
  EXPECT_FALSE(CanonicalTenant(tenancy, std::string(256, 'a')).ok());
  EXPECT_FALSE(CanonicalTenant(tenancy, std::string("a\0b", 3)).ok());
  EXPECT_FALSE(CanonicalTenant(tenancy, "bad \xc3").ok());
  EXPECT_FALSE(CanonicalTenant(tenancy, "\xc0\xaf").ok());      // overlong '/'
  EXPECT_FALSE(CanonicalTenant(tenancy, "\xed\xa0\x80").ok());  // surrogate
}

}  // namespace
}  // namespace querygate::schema
