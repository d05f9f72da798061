// CompileNearest (validation and SQL on both vector storages), canonical vector text, the
// vector index schema option and its DDL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "schema/ddl.h"
#include "schema/loader.h"
#include "service/repository_nearest.h"
#include "service/vector_text.h"

namespace querygate::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSchema[] = R"json({
  "models": {
    "doc": {
      "id": "int64",
      "title": "string",
      "embedding": {"type": "vector?", "dimensions": 3,
                    "index": {"type": "hnsw", "distance_function": "cosine", "m": 8,
                              "ef_construction": 32, "ef_search": 64}},
      "plain": {"type": "vector", "dimensions": 3}
    }
  }
})json";

class NearestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = schema::LoadSchemaSources({{"test.json", kSchema}});
    ASSERT_TRUE(loaded_.ok()) << (loaded_.errors.empty() ? "" : loaded_.errors[0].ToString());
    model_ = loaded_.schema.FindModel("doc");
    ASSERT_NE(model_, nullptr);
  }

  RepoListRequest Request(std::vector<float> v, DistanceMetric metric, int k) {
    RepoListRequest r;
    r.model = "doc";
    r.nearest = NearestClause{"embedding", std::move(v), metric, k, {}, {}};
    return r;
  }

  absl::StatusOr<ScoredQuery> Compile(const RepoListRequest& r) {
    params_ = SqlParams();
    return CompileNearest(loaded_.schema, *model_, r, 100, params_);
  }

  void SetStorage(schema::VectorStorage storage) {
    for (schema::Field& f : loaded_.schema.models[0].fields) f.vector_storage = storage;
  }

  schema::LoadResult loaded_;
  const schema::Model* model_ = nullptr;
  SqlParams params_;
};

TEST_F(NearestTest, ArrayStorageUsesTheDistanceFunctionsAndOrdersTiesByKey) {
  auto q = Compile(Request({1, 2, 3}, DistanceMetric::kL2, 5));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->columns[0].sql, "querygate_l2_distance(\"embedding\", $1::real[])");
  EXPECT_EQ(q->order_sql, "querygate_l2_distance(\"embedding\", $1::real[]), \"id\"");
  EXPECT_EQ(q->where, "\"embedding\" IS NOT NULL");
  EXPECT_EQ(q->limit, 5);
  EXPECT_TRUE(q->settings.empty());
  EXPECT_EQ(*params_.values()[0], "{1,2,3}");
}

TEST_F(NearestTest, PgvectorStorageUsesOperatorsAndTheIndexSettings) {
  SetStorage(schema::VectorStorage::kPgvector);
  auto q = Compile(Request({1, 2, 3}, DistanceMetric::kDefault, 5));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->columns[0].sql, "(\"embedding\" <=> $1::real[]::vector)");
  EXPECT_EQ(q->columns[1].sql, "1 - (\"embedding\" <=> $1::real[]::vector)");
  EXPECT_EQ(q->columns[1].kind, ScoreKind::kSimilarity);
  EXPECT_EQ(q->order_sql, "(\"embedding\" <=> $1::real[]::vector)") << "the index orders";
  ASSERT_EQ(q->settings.size(), 2u);
  EXPECT_EQ(q->settings[0], std::make_pair(std::string("hnsw.ef_search"), std::string("64")));
  auto ip = Compile(Request({1, 2, 3}, DistanceMetric::kInnerProduct, 5));
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->columns[0].sql, "(\"embedding\" <#> $1::real[]::vector)");
  EXPECT_EQ(ip->columns[1].sql, "-(\"embedding\" <#> $1::real[]::vector)");
  EXPECT_TRUE(ip->settings.empty()) << "the cosine index does not serve inner product";
  EXPECT_THAT(ip->order_sql, HasSubstr("\"id\""));
}

TEST_F(NearestTest, BoundsBecomeADistanceLimit) {
  RepoListRequest r = Request({1, 0, 0}, DistanceMetric::kCosine, 3);
  r.nearest->min_similarity = 0.75;
  auto q = Compile(r);
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(q->where, HasSubstr("<= $2::double precision"));
  EXPECT_EQ(*params_.values()[1], "0.25");
}

TEST_F(NearestTest, RejectsHostileInputNamingTheField) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto message = [&](RepoListRequest r) {
    auto q = Compile(r);
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(q.status().message());
  };
  EXPECT_EQ(message(Request({1, 2}, DistanceMetric::kL2, 5)),
            "nearest.vector: expected 3 dimensions, got 2");
  EXPECT_EQ(message(Request({1, nan, 3}, DistanceMetric::kL2, 5)), "nearest.vector[1]: not finite");
  EXPECT_THAT(message(Request({1, 2, 3}, DistanceMetric::kL2, 0)), HasSubstr("nearest.k"));
  EXPECT_THAT(message(Request({1, 2, 3}, DistanceMetric::kL2, 101)), HasSubstr("nearest.k"));
  EXPECT_THAT(message(Request({0, 0, 0}, DistanceMetric::kCosine, 1)), HasSubstr("nearest.vector"));
  RepoListRequest r = Request({1, 2, 3}, DistanceMetric::kL2, 5);
  r.nearest->field = "title";
  EXPECT_EQ(message(r), "nearest.field: \"title\" is not a vector field");
  r = Request({1, 2, 3}, DistanceMetric::kL2, 5);
  r.nearest->min_similarity = 0.1;
  EXPECT_THAT(message(r), HasSubstr("nearest.min_similarity"));
  r = Request({1, 2, 3}, DistanceMetric::kL2, 5);
  r.nearest->max_distance = -1;
  EXPECT_THAT(message(r), HasSubstr("nearest.max_distance"));
  r = Request({1, 2, 3}, DistanceMetric::kL2, 5);
  r.page_token = "x";
  EXPECT_THAT(message(r), HasSubstr("page_token"));
}

TEST(VectorTextTest, CanonicalByFloatBits) {
  float a = 0.1f, b = 0.1f;
  uint32_t bits;
  std::memcpy(&bits, &b, sizeof bits);
  ++bits;
  std::memcpy(&b, &bits, sizeof bits);
  auto ta = EncodeFloatVector({a}, 1, "v");
  auto tb = EncodeFloatVector({b}, 1, "v");
  ASSERT_TRUE(ta.ok() && tb.ok());
  EXPECT_NE(*ta, *tb);
  EXPECT_EQ(std::strtof(ta->c_str() + 1, nullptr), a);
  EXPECT_EQ(std::strtof(tb->c_str() + 1, nullptr), b);
  // A double that rounds to the same float gives the same text.
  auto from_value = EncodeVectorValue(Value::ListOf({Value::Double(0.1)}), 1, "v");
  ASSERT_TRUE(from_value.ok());
  EXPECT_EQ(*from_value, *ta);
  EXPECT_FALSE(EncodeVectorValue(Value::ListOf({Value::Double(1e300)}), 1, "v").ok());
  Value decoded = DecodeVectorCell(Value::String("[0.1,2]"));
  ASSERT_EQ(decoded.kind(), Value::Kind::kList);
  EXPECT_EQ(decoded.list_value()[0].double_value(), static_cast<double>(0.1f));
}

TEST(VectorDdlTest, StorageDecidesColumnTypeCheckAndIndex) {
  auto loaded = schema::LoadSchemaSources({{"test.json", kSchema}});
  ASSERT_TRUE(loaded.ok());
  std::string array = schema::GenerateDdl(loaded.schema);
  EXPECT_THAT(array, HasSubstr("embedding REAL[]"));
  EXPECT_THAT(array, HasSubstr("cardinality(embedding) = 3"));
  EXPECT_THAT(array, Not(HasSubstr("hnsw")));
  schema::DdlOptions options;
  options.vector_storage = schema::VectorStorage::kPgvector;
  std::string pgvector = schema::GenerateDdl(loaded.schema, options);
  EXPECT_THAT(pgvector, HasSubstr("CREATE EXTENSION IF NOT EXISTS vector;"));
  EXPECT_THAT(pgvector, HasSubstr("embedding vector(3)"));
  EXPECT_THAT(pgvector, Not(HasSubstr("cardinality(embedding)")));
  EXPECT_THAT(pgvector, HasSubstr("CREATE INDEX docs_embedding_hnsw ON docs USING hnsw "
                                  "(embedding vector_cosine_ops) WITH (m = 8, "
                                  "ef_construction = 32);"));
  EXPECT_EQ(schema::VectorIndexWarnings(loaded.schema, schema::VectorStorage::kArray).size(), 1u);
}

TEST(VectorSchemaTest, BadIndexOptionsAreReported) {
  auto loaded = schema::LoadSchemaSources({{"test.json", R"json({"models": {"doc": {
      "id": "int64",
      "e": {"type": "vector", "dimensions": 3,
            "index": {"type": "flat", "distance_function": "dot", "lists": 5}}}}})json"}});
  EXPECT_FALSE(loaded.ok());
  EXPECT_GE(loaded.errors.size(), 2u);
}

}  // namespace
}  // namespace querygate::service
