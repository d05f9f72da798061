// Migrations against a real PostgreSQL: each test owns a fresh database and temp directories.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "db/session.h"
#include "migrate/introspect.h"
#include "migrate/migrator.h"
#include "schema/loader.h"
#include "tests/support/test_env.h"

namespace querygate::migrate {
namespace {

using querygate::testing::ScopedDatabase;
using querygate::testing::ScopedTempDir;
using querygate::testing::SourceDir;
using querygate::testing::WriteFile;

constexpr char kShopSchema[] = R"json({
  "models": {
    "customer": {
      "timestamps": true,
      "fields": {
        "id": "int64",
        "email": {"type": "string", "unique": true},
        "name": "string?",
        "purchases": ["@purchase"]
      }
    },
    "purchase": {
      "fields": {
        "id": "int64",
        "customer_id": "int64",
        "customer": "@customer",
        "total": "decimal(12,2)",
        "status": "@purchase_status"
      }
    }
  },
  "enums": {"purchase_status": ["open", "paid"]}
})json";

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    ASSERT_TRUE(db_.ok());
    schema_dir_ = dir_.path() + "/schemas";
    WriteFile(schema_dir_ + "/shop.json", kShopSchema);
  }

  Migrator MakeMigrator() {
    MigratorOptions options;
    options.database_url = db_.url();
    options.schema_dir = schema_dir_;
    options.migrations_dir = schema_dir_ + "/migrations";
    return Migrator(options);
  }

  Catalog Live() {
    auto session = db_.Connect();
    auto catalog = IntrospectCatalog(*session);
    EXPECT_TRUE(catalog.ok()) << catalog.status();
    return catalog.ok() ? *catalog : Catalog{};
  }

  int64_t CountRows(const std::string& sql) {
    auto session = db_.Connect();
    auto result = session->Query(sql);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? std::stoll(result->Text(0, 0)) : -1;
  }

  void EditSchema(const std::string& from, const std::string& to) {
    std::string text = querygate::testing::ReadFile(schema_dir_ + "/shop.json");
    ASSERT_TRUE(absl::StrContains(text, from));
    WriteFile(schema_dir_ + "/shop.json", absl::StrReplaceAll(text, {{from, to}}));
  }

  ScopedDatabase db_;
  ScopedTempDir dir_;
  std::string schema_dir_;
};

// Runs `migrate new` and `up` for the schema as it stands; returns the applied ids.
std::vector<std::string> NewAndUp(Migrator& migrator, const std::string& name) {
  auto created = migrator.New(name, false);
  EXPECT_TRUE(created.ok()) << created.status();
  auto applied = migrator.Up();
  EXPECT_TRUE(applied.ok()) << applied.status();
  return applied.ok() ? *applied : std::vector<std::string>{};
}

TEST_F(MigrateTest, UpBuildsTheCatalogTheSchemaDescribes) {
  Migrator migrator = MakeMigrator();
  EXPECT_EQ(NewAndUp(migrator, "init").size(), 1u);
  Catalog live = Live();
  schema::LoadResult loaded = schema::LoadSchemaDir(schema_dir_);
  ASSERT_TRUE(loaded.ok());
  for (const auto& model : loaded.schema.models) {
    auto table = live.tables.find(model.table);
    ASSERT_NE(table, live.tables.end()) << model.table;
    for (const auto& field : model.fields) {
      const CatalogColumn* column = table->second.FindColumn(field.column);
      ASSERT_NE(column, nullptr) << model.table << "." << field.column;
      EXPECT_EQ(column->not_null, !field.nullable) << model.table << "." << field.column;
    }
  }
  const CatalogTable& purchases = live.tables.at("purchases");
  EXPECT_TRUE(purchases.FindColumn("id")->serial);
  EXPECT_EQ(purchases.FindColumn("total")->type, "numeric(12,2)");
  EXPECT_EQ(live.tables.at("customers").FindColumn("created_at")->type, "timestamp with time zone");
  bool has_fk = false, has_check = false;
  for (const auto& c : purchases.constraints) {
    has_fk |= c.kind == 'f' && absl::StrContains(c.definition, "REFERENCES customers(id)") &&
              absl::StrContains(c.definition, "ON DELETE CASCADE");
    has_check |= c.kind == 'c' && absl::StrContains(c.definition, "'paid'");
  }
  EXPECT_TRUE(has_fk);
  EXPECT_TRUE(has_check);
  bool fk_indexed = false;
  for (const auto& index : purchases.indexes) {
    fk_indexed |= absl::StrContains(index.definition, "(customer_id)");
  }
  EXPECT_TRUE(fk_indexed);
  EXPECT_EQ(CountRows("SELECT count(*) FROM schema_migrations WHERE checksum <> ''"), 1);
}

TEST_F(MigrateTest, PlanRightAfterUpIsEmpty) {
  Migrator migrator = MakeMigrator();
  NewAndUp(migrator, "init");
  auto plan = migrator.PlanLive();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->empty()) << plan->Sql();
}

TEST_F(MigrateTest, AddingAFieldPlansAndAppliesAnAddColumn) {
  Migrator migrator = MakeMigrator();
  NewAndUp(migrator, "init");
  EditSchema(R"("name": "string?",)", R"("name": "string?", "nickname": "text?",)");
  auto plan = migrator.PlanLive();
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->changes.size(), 1u) << plan->Sql();
  EXPECT_EQ(plan->changes[0].sql, "ALTER TABLE customers ADD COLUMN nickname text;");
  EXPECT_EQ(NewAndUp(migrator, "add nickname"), std::vector<std::string>{"0002_add_nickname"});
  EXPECT_NE(Live().tables.at("customers").FindColumn("nickname"), nullptr);
  EXPECT_TRUE(migrator.PlanLive()->empty());
}

TEST_F(MigrateTest, DestructiveChangeIsRefusedUnlessAllowed) {
  Migrator migrator = MakeMigrator();
  NewAndUp(migrator, "init");
  EditSchema(R"("name": "string?",)", "");
  auto refused = migrator.New("drop name", false);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "drop column customers.name"));
  auto plan = migrator.PlanLive();
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(RefuseDestructive(*plan).ok());
  auto allowed = migrator.New("drop name", true);
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  ASSERT_TRUE(migrator.Up().ok());
  EXPECT_EQ(Live().tables.at("customers").FindColumn("name"), nullptr);
}

TEST_F(MigrateTest, TwoConcurrentUpsApplyEachMigrationOnce) {
  Migrator writer = MakeMigrator();
  ASSERT_TRUE(writer.New("init", false).ok());
  WriteFile(schema_dir_ + "/migrations/0002_slow.sql",
            "SELECT pg_sleep(0.3); CREATE TABLE slow_marker (id int);");
  std::vector<std::string> first, second;
  absl::Status first_status, second_status;
  std::thread a([&] {
    Migrator m = MakeMigrator();
    auto r = m.Up();
    first_status = r.status();
    if (r.ok()) first = *r;
  });
  std::thread b([&] {
    Migrator m = MakeMigrator();
    auto r = m.Up();
    second_status = r.status();
    if (r.ok()) second = *r;
  });
  a.join();
  b.join();
  ASSERT_TRUE(first_status.ok()) << first_status;
  ASSERT_TRUE(second_status.ok()) << second_status;
  EXPECT_EQ(first.size() + second.size(), 2u);
  EXPECT_EQ(CountRows("SELECT count(*) FROM schema_migrations"), 2);
}

TEST_F(MigrateTest, FailingMigrationIsRolledBackWholeAndNamed) {
  Migrator migrator = MakeMigrator();
  NewAndUp(migrator, "init");
  WriteFile(schema_dir_ + "/migrations/0002_broken.sql",
            "CREATE TABLE half_done (id int);\nINSERT INTO customers (email) VALUES (NULL);");
  auto before = Live();
  auto result = migrator.Up();
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(absl::StrContains(result.status().message(), "0002_broken")) << result.status();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Live().tables.count("half_done"), 0u);
  EXPECT_EQ(Live().tables.size(), before.tables.size());
  EXPECT_EQ(CountRows("SELECT count(*) FROM schema_migrations"), 1);
}

TEST_F(MigrateTest, DownThenUpRoundTrips) {
  Migrator migrator = MakeMigrator();
  NewAndUp(migrator, "init");
  EditSchema(R"("name": "string?",)", R"("name": "string?", "age": "int32?",)");
  NewAndUp(migrator, "add age");
  Catalog full = Live();
  auto undone = migrator.Down(std::nullopt);
  ASSERT_TRUE(undone.ok()) << undone.status();
  EXPECT_EQ(*undone, std::vector<std::string>{"0002_add_age"});
  EXPECT_EQ(Live().tables.at("customers").FindColumn("age"), nullptr);
  auto all_undone = migrator.Down(std::nullopt);
  ASSERT_TRUE(all_undone.ok()) << all_undone.status();
  EXPECT_EQ(Live().tables.size(), 0u);
  ASSERT_TRUE(migrator.Up().ok());
  Catalog again = Live();
  EXPECT_TRUE(DiffCatalogs(full, again).empty()) << DiffCatalogs(full, again).Sql();
  auto to_first = migrator.Down(std::string("0001"));
  ASSERT_TRUE(to_first.ok()) << to_first.status();
  EXPECT_EQ(*to_first, std::vector<std::string>{"0002_add_age"});
  EXPECT_EQ(CountRows("SELECT count(*) FROM schema_migrations"), 1);
}

TEST_F(MigrateTest, DriftIsDetectedInBothDirections) {
  Migrator migrator = MakeMigrator();
  NewAndUp(migrator, "init");
  auto clean = migrator.Status();
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_FALSE(clean->HasDrift());
  EXPECT_TRUE(clean->unmigrated_schema_changes.empty());

  auto session = db_.Connect();
  ASSERT_TRUE(session->Execute("ALTER TABLE customers ADD COLUMN sneaky int").ok());
  auto drifted = migrator.Status();
  ASSERT_TRUE(drifted.ok()) << drifted.status();
  EXPECT_TRUE(drifted->HasDrift());
  ASSERT_EQ(drifted->database_drift.changes.size(), 1u);
  EXPECT_TRUE(absl::StrContains(drifted->database_drift.changes[0].summary, "sneaky"));

  std::string first;
  for (const auto& entry : std::filesystem::directory_iterator(schema_dir_ + "/migrations")) {
    if (absl::EndsWith(entry.path().string(), ".up.sql")) first = entry.path().string();
  }
  ASSERT_FALSE(first.empty());
  WriteFile(first, querygate::testing::ReadFile(first) + "\n-- edited\n");
  auto edited = migrator.Status();
  ASSERT_TRUE(edited.ok());
  ASSERT_FALSE(edited->migrations.empty());
  EXPECT_TRUE(edited->migrations[0].checksum_changed);
  EXPECT_EQ(migrator.Up().status().code(), absl::StatusCode::kFailedPrecondition);

  EditSchema(R"("name": "string?",)", R"("name": "string?", "extra": "bool?",)");
  auto ahead = migrator.Status();
  ASSERT_TRUE(ahead.ok());
  EXPECT_FALSE(ahead->unmigrated_schema_changes.empty());
}

TEST_F(MigrateTest, ExampleSchemaMigrationsMatchTheExampleSchema) {
  MigratorOptions options;
  options.database_url = db_.url();
  options.schema_dir = SourceDir() + "/schemas";
  options.migrations_dir = SourceDir() + "/schemas/migrations";
  Migrator migrator(options);
  auto applied = migrator.Up();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_FALSE(applied->empty());
  auto plan = migrator.PlanLive();
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->empty()) << plan->Sql();
  auto session = db_.Connect();
  auto uuid = session->Query("SELECT generate_uuid_v7()::text");
  ASSERT_TRUE(uuid.ok()) << uuid.status();
  EXPECT_EQ(uuid->Text(0, 0)[14], '7');
}

}  // namespace
}  // namespace querygate::migrate
