// rank_by: validation, the SQL of the rank column, match, order and keyset.
#include "service/repository_rank.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "schema/ddl.h"
#include "schema/loader.h"
#include "service/repository_filter.h"
#include "service/repository_fulltext.h"

namespace querygate::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {
    "doc": {
      "indexes": [
        {"fields": ["title", "content"], "type": "fulltext", "language": "english"},
        {"fields": ["note"], "type": "fulltext", "language": "simple"}
      ],
      "fields": {
        "id": "int64",
        "title": "string",
        "content": "text",
        "note": "text?",
        "plain": "text"
      }
    }
  }
})json";

constexpr char kDocument[] =
    "to_tsvector('english'::regconfig, coalesce(\"title\", '') || ' ' || "
    "coalesce(\"content\", ''))";

class RankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = schema::LoadSchemaSources({{"test.json", kSchema}});
    std::string errors;
    for (const auto& e : loaded_.errors) errors += e.ToString() + "\n";
    ASSERT_TRUE(loaded_.ok()) << errors;
    model_ = loaded_.schema.FindModel("doc");
    ASSERT_NE(model_, nullptr);
  }

  absl::StatusOr<ScoredQuery> Compile(RankClause rank, std::vector<OrderTerm> order = {}) {
    params_ = SqlParams();
    RepoListRequest request;
    request.model = "doc";
    request.rank_by = std::move(rank);
    request.order_by = std::move(order);
    return CompileRank(loaded_.schema, *model_, request, params_);
  }

  static RankClause Rank(std::string field, std::string query) {
    RankClause rank;
    rank.field = std::move(field);
    rank.query = std::move(query);
    return rank;
  }

  size_t FieldIndex(const std::string& name) const {
    for (size_t i = 0; i < model_->fields.size(); ++i) {
      if (model_->fields[i].name == name) return i;
    }
    return model_->fields.size() + 100;
  }

  schema::LoadResult loaded_;
  const schema::Model* model_ = nullptr;
  SqlParams params_;
};

TEST_F(RankTest, RanksAndMatchesTheIndexDocument) {
  auto scored = Compile(Rank("content", "cats dogs"));
  ASSERT_TRUE(scored.ok()) << scored.status();
  std::string rank = absl::StrCat(
      "ts_rank(", kDocument, ", plainto_tsquery('english'::regconfig, $1::text), $2::integer)");
  ASSERT_EQ(scored->columns.size(), 1u);
  EXPECT_EQ(scored->columns[0].sql, rank);
  EXPECT_EQ(scored->columns[0].kind, ScoreKind::kRank);
  EXPECT_EQ(scored->where,
            absl::StrCat(kDocument, " @@ plainto_tsquery('english'::regconfig, $1::text)"));
  EXPECT_EQ(scored->order_sql, absl::StrCat(rank, " DESC, \"id\" ASC"));
  EXPECT_FALSE(scored->limit.has_value());
  EXPECT_THAT(params_.values(), ElementsAre(std::string("cats dogs"), std::string("0")));
  ASSERT_TRUE(scored->keyset.has_value());
  EXPECT_THAT(scored->keyset->row_columns, ElementsAre(model_->fields.size(), FieldIndex("id")));
}

TEST_F(RankTest, CoverDensityNormalizationAndSingleFieldIndex) {
  RankClause rank = Rank("note", "cats");
  rank.function = RankFunction::kTsRankCd;
  rank.normalization = 32 | 1;
  auto scored = Compile(rank);
  ASSERT_TRUE(scored.ok()) << scored.status();
  EXPECT_EQ(scored->columns[0].sql,
            "ts_rank_cd(to_tsvector('simple'::regconfig, coalesce(\"note\", '')), "
            "plainto_tsquery('simple'::regconfig, $1::text), $2::integer)");
  EXPECT_THAT(params_.values(), ElementsAre(std::string("cats"), std::string("33")));
}

TEST_F(RankTest, DocumentIsTheIndexExpressionOfTheDdl) {
  for (const schema::Index& index : model_->indexes) {
    if (index.method != schema::IndexMethod::kFullText) continue;
    // The DDL quotes identifiers only where needed; PostgreSQL compares parsed expressions.
    std::string document = TsVectorSql(index);
    document.erase(std::remove(document.begin(), document.end(), '"'), document.end());
    EXPECT_THAT(schema::CreateIndexSql(*model_, index),
                HasSubstr(absl::StrCat("USING gin (", document, ")")));
  }
}

TEST_F(RankTest, KeysetSelectsRowsAfterTheLastRankAndKey) {
  auto scored = Compile(Rank("title", "cats"));
  ASSERT_TRUE(scored.ok()) << scored.status();
  auto after = scored->keyset->after({Value::Double(0.0607927), Value::Int(7)}, params_);
  ASSERT_TRUE(after.ok()) << after.status();
  std::string rank = absl::StrCat("(", scored->columns[0].sql, ")::text::float8");
  EXPECT_EQ(*after, absl::StrCat("(", rank, " < $3::float8 OR (", rank,
                                 " = $3::float8 AND ((\"id\" > $4::bigint))))"));
  EXPECT_EQ(params_.values()[2], std::string("0.060792699999999998"));
  EXPECT_EQ(params_.values()[3], std::string("7"));
}

TEST_F(RankTest, KeysetRejectsValuesThatDoNotFit) {
  auto scored = Compile(Rank("title", "cats"));
  ASSERT_TRUE(scored.ok()) << scored.status();
  for (const auto& last :
       std::vector<std::vector<Value>>{{Value::String("x"), Value::Int(1)},
                                       {Value::Double(0.5), Value::String("x")},
                                       {Value::Double(0.5)},
                                       {Value::Double(0.5), Value()},
                                       {Value::Double(std::nan("")), Value::Int(1)}}) {
    auto after = scored->keyset->after(last, params_);
    EXPECT_EQ(after.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(after.status().message(), HasSubstr("page_token"));
  }
}

TEST_F(RankTest, RejectsBadInputNamingTheField) {
  struct Case {
    RankClause rank;
    std::string message;
  };
  RankClause negative = Rank("title", "cats");
  negative.normalization = -1;
  RankClause too_big = Rank("title", "cats");
  too_big.normalization = 64;
  std::vector<Case> cases = {
      {Rank("nope", "cats"), "rank_by.field"},
      {Rank("plain", "cats"), "rank_by.field: needs a fulltext index"},
      {Rank("id", "cats"), "rank_by.field: needs a fulltext index"},
      {Rank("title", ""), "rank_by.query: must not be empty"},
      {Rank("title", " \t\n"), "rank_by.query: must not be empty"},
      {Rank("title", std::string(kMaxFullTextQueryBytes + 1, 'a')), "rank_by.query: longer than"},
      {Rank("title", std::string(1 << 20, 'a')), "rank_by.query: longer than"},
      {Rank("title", std::string("ca\0ts", 5)), "rank_by.query: strings cannot contain NUL"},
      {negative, "rank_by.normalization: must be 0 to 63"},
      {too_big, "rank_by.normalization: must be 0 to 63"},
  };
  for (const Case& c : cases) {
    auto scored = Compile(c.rank);
    EXPECT_EQ(scored.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(scored.status().message(), HasSubstr(c.message));
  }
  EXPECT_TRUE(Compile(Rank("title", std::string(kMaxFullTextQueryBytes, 'a'))).ok());
  OrderTerm term;
  term.field = "title";
  auto ordered = Compile(Rank("title", "cats"), {term});
  EXPECT_EQ(ordered.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ordered.status().message(), HasSubstr("rank_by: cannot be combined with order_by"));
}

TEST_F(RankTest, MatchValuesAreCappedToo) {
  Filter filter;
  filter.kind = Filter::Kind::kCondition;
  filter.field = "title";
  filter.op = FilterOp::kMatch;
  filter.value = Value::String(std::string(kMaxFullTextQueryBytes + 1, 'a'));
  SqlParams params;
  auto sql = CompileFilter(loaded_.schema, *model_, filter, FilterLimits(), params);
  EXPECT_EQ(sql.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sql.status().message(), HasSubstr("filter.condition.value: longer than"));
}

}  // namespace
}  // namespace querygate::service
