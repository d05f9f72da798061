// Pure parts of the database monitor and index advisor: reading filters and sort keys out of
// EXPLAIN (FORMAT JSON) plans, the proposed index, and recognizing repository statements in
// pg_stat_statements text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema/loader.h"
#include "service/insights.h"
#include "service/internal/generic_plan.h"
#include "service/internal/plan_filters.h"
#include "service/statement_shapes.h"

namespace querygate::service {
namespace {

using internal::Comparison;
using internal::FilterComparisons;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FilterComparisonsTest, EqualityRangeAndOtherComparisons) {
  EXPECT_THAT(FilterComparisons("(email = $1)"), ElementsAre(Pair("email", Comparison::kEquality)));
  EXPECT_THAT(FilterComparisons("((t.author_id = $1) AND (t.created_at >= $2))"),
              ElementsAre(Pair("author_id", Comparison::kEquality),
                          Pair("created_at", Comparison::kRange)));
  EXPECT_THAT(FilterComparisons("(($1)::text = (status)::text)"),
              ElementsAre(Pair("status", Comparison::kEquality)));
  EXPECT_THAT(FilterComparisons("($2 < score)"), ElementsAre(Pair("score", Comparison::kRange)));
  EXPECT_THAT(FilterComparisons("((name)::character varying = 'a b'::character varying)"),
              ElementsAre(Pair("name", Comparison::kEquality)));
  EXPECT_THAT(FilterComparisons("(id = ANY ($1))"), ElementsAre(Pair("id", Comparison::kEquality)));
  EXPECT_THAT(
      FilterComparisons("((email ~~ 'a%'::text) AND (deleted_at IS NULL))"),
      ElementsAre(Pair("email", Comparison::kOther), Pair("deleted_at", Comparison::kOther)));
  EXPECT_THAT(FilterComparisons("(\"Mixed Case\" = $1)"),
              ElementsAre(Pair("Mixed Case", Comparison::kEquality)));
}

TEST(FilterComparisonsTest, ColumnsInsideFunctionCallsAreNotReported) {
  EXPECT_TRUE(FilterComparisons("(lower(email) = $1)").empty());
  EXPECT_THAT(FilterComparisons("((lower(email) = $1) AND (region = $2))"),
              ElementsAre(Pair("region", Comparison::kEquality)));
}

constexpr char kPlan[] = R"json([{"Plan": {"Node Type": "Limit", "Total Cost": 512.5,
  "Plans": [{"Node Type": "Sort", "Sort Key": ["t.created_at DESC", "t.id"],
    "Plans": [{"Node Type": "Seq Scan", "Schema": "public", "Relation Name": "posts",
      "Filter": "(t.author_id = $1)"}]}]},
  "Query Identifier": 5585916548678210641}])json";

TEST(FilteredScansTest, FindsSeqScansWithFiltersAndTheSortAboveThem) {
  auto scans = internal::FilteredScans(kPlan);
  ASSERT_TRUE(scans.ok()) << scans.status();
  ASSERT_EQ(scans->size(), 1u);
  EXPECT_EQ((*scans)[0].schema, "public");
  EXPECT_EQ((*scans)[0].table, "posts");
  EXPECT_EQ((*scans)[0].filter, "(t.author_id = $1)");
  EXPECT_THAT((*scans)[0].sort_keys, ElementsAre("created_at", "id"));
  EXPECT_EQ(*internal::PlanTotalCost(kPlan), 512.5);
  EXPECT_EQ(QueryIdInPlan(kPlan), "5585916548678210641");
  EXPECT_EQ(QueryIdInPlan(R"([{"Plan": {}}])"), "");
  EXPECT_FALSE(internal::FilteredScans("not json").ok());
}

TEST(FilteredScansTest, ScansWithoutAFilterOrUnderAJoinAreLeftOut) {
  auto scans = internal::FilteredScans(R"json([{"Plan": {"Node Type": "Hash Join",
    "Plans": [{"Node Type": "Seq Scan", "Relation Name": "a"},
              {"Node Type": "Hash", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "b",
                "Filter": "(x = $1)"}]}]}}])json");
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->size(), 1u);
  EXPECT_EQ((*scans)[0].table, "b");
  EXPECT_TRUE((*scans)[0].sort_keys.empty());
}

TEST(ProposedColumnsTest, EqualityThenOneRangeElseSortKeys) {
  std::set<std::string> columns = {"author_id", "status", "created_at", "id", "score"};
  internal::FilteredScan scan{
      "public", "posts", "((author_id = $1) AND (score > $3) AND (status = $2))", {"created_at"}};
  EXPECT_THAT(internal::ProposedColumns(scan, columns),
              ElementsAre("author_id", "status", "score"));
  scan.filter = "((author_id = $1) AND (note ~~ $2))";
  EXPECT_THAT(internal::ProposedColumns(scan, columns), ElementsAre("author_id", "created_at"));
  scan.filter = "(missing = $1)";
  EXPECT_TRUE(internal::ProposedColumns(scan, columns).empty());
  scan.filter = "(deleted_at IS NULL)";
  EXPECT_TRUE(internal::ProposedColumns(scan, columns).empty());
}

TEST(ProposedIndexNameTest, FitsPostgresIdentifiers) {
  EXPECT_EQ(internal::ProposedIndexName("accounts", {"email"}), "qg_accounts_email_idx");
  std::string longer = internal::ProposedIndexName(std::string(50, 't'), {std::string(30, 'c')});
  EXPECT_LE(longer.size(), 63u);
  EXPECT_NE(longer, internal::ProposedIndexName(std::string(50, 't'), {std::string(31, 'c')}));
}

TEST(ApproximateP99Test, NormalTailCappedAtMax) {
  EXPECT_DOUBLE_EQ(ApproximateP99(10, 1, 100), 12.326);
  EXPECT_DOUBLE_EQ(ApproximateP99(10, 50, 30), 30);
}

constexpr char kSchema[] = R"json({"models": {
  "post": {"$options": {"soft_delete": true}, "id": "int64", "title": "string", "author_id": "int64"},
  "tag": {"id": "int64", "label": "string"}}})json";

TEST(RepositoryShapesTest, RecognizesEveryStatementTheRepositoryGenerates) {
  schema::LoadResult loaded = schema::LoadSchemaSources({{"test.json", kSchema}});
  ASSERT_TRUE(loaded.ok());
  RepositoryShapes shapes(loaded.schema);
  const std::string cols = R"("id", "title", "author_id", "deleted_at")";
  EXPECT_EQ(shapes.Classify("SELECT " + cols +
                            R"( FROM "posts" WHERE "id" = $1::bigint AND "deleted_at" IS NULL)"),
            "Get post");
  EXPECT_EQ(
      shapes.Classify(
          "SELECT " + cols +
          R"( FROM "posts" WHERE "author_id" = $1::bigint ORDER BY "id" LIMIT $2::bigint OFFSET $3::bigint)"),
      "List post");
  EXPECT_EQ(shapes.Classify(
                "SELECT " + cols +
                R"( FROM "posts" WHERE "author_id" = ANY($1::bigint[]) ORDER BY "id" LIMIT $2)"),
            "Include post");
  EXPECT_EQ(shapes.Classify(R"(SELECT count(*) FROM "posts" WHERE TRUE)"), "Count post");
  EXPECT_EQ(shapes.Classify(R"(SELECT EXISTS (SELECT $2 FROM "tags" WHERE "id" = $1::bigint))"),
            "Exists tag");
  EXPECT_EQ(shapes.Classify(R"(SELECT $2 FROM "tags" WHERE "id" = $1::bigint)"), "Update tag");
  EXPECT_EQ(
      shapes.Classify(R"(INSERT INTO "tags" ("label") VALUES ($1::text) RETURNING "id", "label")"),
      "Create tag");
  EXPECT_EQ(
      shapes.Classify(
          R"(UPDATE "tags" SET "label" = $1::text WHERE "id" = $2::bigint RETURNING "id", "label")"),
      "Update tag");
  EXPECT_EQ(
      shapes.Classify(R"(UPDATE "posts" SET "deleted_at" = clock_timestamp() WHERE "id" = $1)"),
      "Delete post");
  EXPECT_EQ(
      shapes.Classify(R"(DELETE FROM "tags" WHERE "id" = $1::bigint RETURNING "id", "label")"),
      "Delete tag");
  EXPECT_EQ(shapes.Classify("SELECT id FROM posts WHERE id = $1"), "");
  EXPECT_EQ(shapes.Classify(R"(SELECT "id" FROM "posts" WHERE "id" = $1)"), "");
  EXPECT_EQ(shapes.Classify("SELECT set_config($1, $2, true)"), "");
}

}  // namespace
}  // namespace querygate::service
