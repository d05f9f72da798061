#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "migrate/diff.h"

namespace querygate::migrate {
namespace {

using ::testing::HasSubstr;

CatalogTable Readings(const std::string& partition_key) {
  CatalogTable table;
  table.name = "readings";
  table.columns = {{"id", "bigint", true, std::nullopt, true},
                   {"recorded_at", "timestamp with time zone", true, std::nullopt, false}};
  table.constraints = {{"readings_pkey", 'p', "PRIMARY KEY (id, recorded_at)"}};
  table.partition_key = partition_key;
  return table;
}

TEST(TimePartitionDiffTest, CreatesPartitionedTables) {
  Catalog to;
  to.tables["readings"] = Readings("RANGE (recorded_at)");
  Plan plan = DiffCatalogs(Catalog{}, to);
  ASSERT_FALSE(plan.empty());
  EXPECT_THAT(plan.changes[0].sql, HasSubstr("\n) PARTITION BY RANGE (recorded_at);"));
  EXPECT_TRUE(plan.Destructive().empty());
}

TEST(TimePartitionDiffTest, SamePartitioningIsNoChange) {
  Catalog catalog;
  catalog.tables["readings"] = Readings("RANGE (recorded_at)");
  EXPECT_TRUE(DiffCatalogs(catalog, catalog).empty());
}

TEST(TimePartitionDiffTest, ChangingPartitioningIsRefusedAsDestructive) {
  Catalog plain;
  plain.tables["readings"] = Readings("");
  Catalog partitioned;
  partitioned.tables["readings"] = Readings("RANGE (recorded_at)");
  for (const auto& [from, to] : {std::pair{plain, partitioned}, std::pair{partitioned, plain}}) {
    Plan plan = DiffCatalogs(from, to);
    ASSERT_EQ(plan.Destructive().size(), 1u);
    EXPECT_THAT(plan.changes[0].summary, HasSubstr("not supported: recreate the table"));
    EXPECT_THAT(plan.changes[0].sql, HasSubstr("RAISE EXCEPTION"));
    EXPECT_FALSE(plan.Notes().empty());
  }
}

}  // namespace
}  // namespace querygate::migrate
