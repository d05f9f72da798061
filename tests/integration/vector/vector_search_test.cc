// Nearest-neighbour search through RepositoryService.List and named queries, on both vector
// storages (pgvector's vector(N) with an HNSW index, and REAL[] with querygate's distance
// functions), checked against a brute-force oracle computed here in double precision.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <map>

#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/integration/vector/vector_fixture.h"
#include "tests/support/poll.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using migrate::VectorStorageMode;
using ::testing::HasSubstr;
using testing::Metric;

constexpr int kDims = 8;
constexpr int kRows = 300;

// The vector field carries a cosine HNSW index: with pgvector, cosine searches use it, the
// other metrics scan exactly.
constexpr char kSchemaTemplate[] = R"json({
  "models": {
    "owner": {"id": "int64", "name": "string", "items": ["@item"]},
    "item": {
      "id": "int64",
      "owner_id": "int64",
      "owner": "@owner",
      "category": "string",
      "embedding": {"type": "vector?", "dimensions": 8,
                    "index": {"type": "hnsw", "distance_function": "cosine", "m": 16,
                              "ef_construction": 64, "ef_search": 100}}
    }
  },
  "queries": {
    "items_near": {
      "sql": "SELECT id FROM items WHERE embedding IS NOT NULL ORDER BY %s, id LIMIT 5",
      "params": {"q": "vector(8)"}
    },
    "item_embedding": {
      "sql": "SELECT id, embedding FROM items WHERE id = :id",
      "params": {"id": "int64"}
    }
  }
})json";

std::string SchemaFor(VectorStorageMode storage) {
  std::string distance = storage == VectorStorageMode::kPgvector
                             ? "embedding <-> :q"
                             : "querygate_l2_distance(embedding, :q)";
  return absl::StrFormat(kSchemaTemplate, distance);
}

v1::DistanceMetric ToProto(Metric m) {
  switch (m) {
    case Metric::kL2:
      return v1::DISTANCE_METRIC_L2;
    case Metric::kCosine:
      return v1::DISTANCE_METRIC_COSINE;
    case Metric::kInnerProduct:
      return v1::DISTANCE_METRIC_INNER_PRODUCT;
  }
  return v1::DISTANCE_METRIC_UNSPECIFIED;
}

class VectorSearchTest : public ::testing::TestWithParam<VectorStorageMode> {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    if (GetParam() == VectorStorageMode::kPgvector) QG_REQUIRE_PGVECTOR();
    std::mt19937 rng(1234);
    std::string seed = "INSERT INTO owners (id, name) VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d');\n";
    for (int i = 1; i <= kRows; ++i) {
      bool null = i % 50 == 0;
      rows_.push_back(null ? std::vector<float>() : testing::RandomVector(rng, kDims));
      absl::StrAppend(&seed, "INSERT INTO items (id, owner_id, category, embedding) VALUES (", i,
                      ", ", i % 4 + 1, ", '", Category(i), "', ",
                      null ? "NULL" : testing::ArrayLiteral(rows_.back()), ");\n");
    }
    for (int q = 0; q < 4; ++q) queries_.push_back(testing::RandomVector(rng, kDims));
    testing::StartOptions options;
    options.vector_storage = GetParam();
    ASSERT_EQ(server_.Start(SchemaFor(GetParam()), seed, nullptr, options), "");
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
    queries_stub_ = v1::QueryService::NewStub(server_.Channel());
    auto session = server_.database().Connect();
    auto type = session->Query(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'items'::regclass AND attname = 'embedding'");
    ASSERT_TRUE(type.ok());
    EXPECT_EQ(type->Text(0, 0),
              GetParam() == VectorStorageMode::kPgvector ? "vector(8)" : "real[]");
  }

  static std::string Category(int id) { return std::string(1, static_cast<char>('a' + id % 3)); }

  v1::ListRequest Nearest(const std::vector<float>& q, Metric metric, int k) {
    v1::ListRequest req;
    req.set_model("item");
    v1::Nearest* n = req.mutable_nearest();
    n->set_field("embedding");
    for (float x : q) n->add_vector(x);
    n->set_metric(ToProto(metric));
    n->set_k(k);
    return req;
  }

  grpc::Status List(const v1::ListRequest& req, v1::ListResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return repo_->List(&ctx, req, resp);
  }

  // The answer's ids and distances match the oracle: same ids in order for exact search, and
  // each reported distance within 1e-4 (relative) of the oracle's.
  void ExpectOracle(const v1::ListResponse& resp,
                    const std::vector<std::pair<double, int64_t>>& oracle, Metric metric) {
    ASSERT_EQ(static_cast<size_t>(resp.records_size()), oracle.size());
    for (size_t i = 0; i < oracle.size(); ++i) {
      const v1::Record& r = resp.records(static_cast<int>(i));
      int64_t id = r.fields().at("id").int_value();
      EXPECT_EQ(id, oracle[i].second) << "position " << i;
      ASSERT_TRUE(r.has_distance());
      EXPECT_NEAR(r.distance(), oracle[i].first, 1e-4 * std::max(1.0, std::fabs(oracle[i].first)));
      if (metric == Metric::kL2) {
        EXPECT_FALSE(r.has_similarity());
      } else {
        ASSERT_TRUE(r.has_similarity());
        double expected = metric == Metric::kCosine ? 1 - oracle[i].first : -oracle[i].first;
        EXPECT_NEAR(r.similarity(), expected, 1e-4 * std::max(1.0, std::fabs(expected)));
      }
    }
  }

  std::vector<std::vector<float>> rows_;
  std::vector<std::vector<float>> queries_;
  testing::TestServer server_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::unique_ptr<v1::QueryService::Stub> queries_stub_;
};

TEST_P(VectorSearchTest, NearestEqualsBruteForceOracleForEveryMetric) {
  for (Metric metric : {Metric::kL2, Metric::kCosine, Metric::kInnerProduct}) {
    for (const auto& q : queries_) {
      v1::ListRequest req = Nearest(q, metric, 10);
      req.set_cache_mode(v1::CACHE_MODE_BYPASS);
      v1::ListResponse resp;
      ASSERT_TRUE(List(req, &resp).ok());
      SCOPED_TRACE(static_cast<int>(metric));
      ExpectOracle(resp, testing::Oracle(rows_, q, metric, 10), metric);
    }
  }
}

TEST_P(VectorSearchTest, DefaultMetricIsTheIndexDistanceAndRecordsCarryExactFloats) {
  v1::ListRequest req = Nearest(queries_[0], Metric::kCosine, 3);
  req.mutable_nearest()->set_metric(v1::DISTANCE_METRIC_UNSPECIFIED);
  v1::ListResponse resp;
  ASSERT_TRUE(List(req, &resp).ok());
  ExpectOracle(resp, testing::Oracle(rows_, queries_[0], Metric::kCosine, 3), Metric::kCosine);
  const v1::Record& first = resp.records(0);
  int64_t id = first.fields().at("id").int_value();
  const v1::ListValue& stored = first.fields().at("embedding").list_value();
  ASSERT_EQ(stored.values_size(), kDims);
  for (int i = 0; i < kDims; ++i) {
    EXPECT_EQ(stored.values(i).double_value(), static_cast<double>(rows_[id - 1][i]));
  }
}

TEST_P(VectorSearchTest, MaxDistanceAndMinSimilarityBound) {
  auto oracle = testing::Oracle(rows_, queries_[1], Metric::kL2, 10);
  v1::ListRequest req = Nearest(queries_[1], Metric::kL2, 10);
  double bound = (oracle[3].first + oracle[4].first) / 2;
  req.mutable_nearest()->set_max_distance(bound);
  v1::ListResponse resp;
  ASSERT_TRUE(List(req, &resp).ok());
  oracle.resize(4);
  ExpectOracle(resp, oracle, Metric::kL2);

  auto cosine = testing::Oracle(rows_, queries_[1], Metric::kCosine, 10);
  v1::ListRequest sim = Nearest(queries_[1], Metric::kCosine, 10);
  sim.mutable_nearest()->set_min_similarity(1 - (cosine[5].first + cosine[6].first) / 2);
  ASSERT_TRUE(List(sim, &resp).ok());
  cosine.resize(6);
  ExpectOracle(resp, cosine, Metric::kCosine);

  auto ip = testing::Oracle(rows_, queries_[1], Metric::kInnerProduct, 10);
  v1::ListRequest ipr = Nearest(queries_[1], Metric::kInnerProduct, 10);
  ipr.mutable_nearest()->set_min_similarity(-(ip[1].first + ip[2].first) / 2);
  ASSERT_TRUE(List(ipr, &resp).ok());
  ip.resize(2);
  ExpectOracle(resp, ip, Metric::kInnerProduct);
}

TEST_P(VectorSearchTest, FilterPlusNearestAndIncludes) {
  std::vector<bool> keep;
  for (int i = 1; i <= kRows; ++i) keep.push_back(Category(i) == "b");
  for (Metric metric : {Metric::kL2, Metric::kCosine}) {
    v1::ListRequest req = Nearest(queries_[2], metric, 7);
    req.mutable_filter()->mutable_condition()->set_field("category");
    req.mutable_filter()->mutable_condition()->set_op(v1::EQ);
    *req.mutable_filter()->mutable_condition()->mutable_value() = testing::Str("b");
    req.add_include("owner");
    v1::ListResponse resp;
    ASSERT_TRUE(List(req, &resp).ok());
    ExpectOracle(resp, testing::Oracle(rows_, queries_[2], metric, 7, &keep), metric);
    for (const v1::Record& r : resp.records()) {
      EXPECT_EQ(r.fields().at("category").string_value(), "b");
      int64_t id = r.fields().at("id").int_value();
      EXPECT_EQ(r.fields().at("owner").struct_value().fields().at("id").int_value(), id % 4 + 1);
    }
  }
}

TEST_P(VectorSearchTest, CachedNearestIsInvalidatedByAnEmbeddingUpdate) {
  const std::vector<float>& q = queries_[3];
  v1::ListRequest req = Nearest(q, Metric::kL2, 3);
  v1::ListResponse first, second;
  ASSERT_TRUE(List(req, &first).ok());
  ASSERT_TRUE(List(req, &second).ok());
  EXPECT_EQ(second.cache().status(), v1::CACHE_STATUS_HIT);
  auto oracle = testing::Oracle(rows_, q, Metric::kL2, 300);
  int64_t far = oracle.back().second;
  v1::UpdateRequest update;
  update.set_model("item");
  *update.mutable_id() = testing::Int(far);
  std::vector<v1::Value> values;
  for (float x : q) values.push_back(testing::Dbl(x));
  (*update.mutable_record()->mutable_fields())["embedding"] = testing::List(values);
  v1::UpdateResponse updated;
  {
    grpc::ClientContext ctx;
    grpc::Status s = repo_->Update(&ctx, update, &updated);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  bool moved = testing::PollUntil(absl::Now() + absl::Seconds(10), [&] {
    v1::ListResponse now;
    return List(req, &now).ok() && now.records_size() > 0 &&
           now.records(0).fields().at("id").int_value() == far && now.records(0).distance() == 0.0;
  });
  EXPECT_TRUE(moved) << "the cached nearest result never showed the updated embedding";
}

TEST_P(VectorSearchTest, CreateStoresExactFloatsAndRejectsWrongDimensions) {
  v1::CreateRequest create;
  create.set_model("item");
  auto& fields = *create.mutable_record()->mutable_fields();
  fields["id"] = testing::Int(1000);
  fields["owner_id"] = testing::Int(1);
  fields["category"] = testing::Str("z");
  std::vector<v1::Value> values;
  for (int i = 0; i < kDims; ++i) values.push_back(testing::Dbl(0.1 * (i + 1)));
  fields["embedding"] = testing::List(values);
  v1::CreateResponse created;
  {
    grpc::ClientContext ctx;
    grpc::Status s = repo_->Create(&ctx, create, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const v1::ListValue& stored = created.record().fields().at("embedding").list_value();
  ASSERT_EQ(stored.values_size(), kDims);
  for (int i = 0; i < kDims; ++i) {
    EXPECT_EQ(stored.values(i).double_value(),
              static_cast<double>(static_cast<float>(0.1 * (i + 1))));
  }
  values.pop_back();
  fields["id"] = testing::Int(1001);
  fields["embedding"] = testing::List(values);
  grpc::ClientContext ctx;
  grpc::Status s = repo_->Create(&ctx, create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("record.embedding"));
}

TEST_P(VectorSearchTest, HostileNearestIsInvalidArgumentNamingTheField) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    std::string name;
    std::function<void(v1::ListRequest&)> mutate;
    std::string message;
  };
  std::vector<Case> cases = {
      {"short", [](v1::ListRequest& r) { r.mutable_nearest()->mutable_vector()->RemoveLast(); },
       "nearest.vector: expected 8 dimensions, got 7"},
      {"long", [](v1::ListRequest& r) { r.mutable_nearest()->add_vector(1); },
       "nearest.vector: expected 8 dimensions, got 9"},
      {"empty", [](v1::ListRequest& r) { r.mutable_nearest()->clear_vector(); }, "nearest.vector"},
      {"nan", [&](v1::ListRequest& r) { r.mutable_nearest()->set_vector(3, nan); },
       "nearest.vector[3]: not finite"},
      {"inf", [&](v1::ListRequest& r) { r.mutable_nearest()->set_vector(0, -inf); },
       "nearest.vector[0]: not finite"},
      {"k0", [](v1::ListRequest& r) { r.mutable_nearest()->set_k(0); }, "nearest.k"},
      {"kneg", [](v1::ListRequest& r) { r.mutable_nearest()->set_k(-5); }, "nearest.k"},
      {"khuge", [](v1::ListRequest& r) { r.mutable_nearest()->set_k(1000000); }, "nearest.k"},
      {"unknown", [](v1::ListRequest& r) { r.mutable_nearest()->set_field("nope"); },
       "nearest.field"},
      {"notvector", [](v1::ListRequest& r) { r.mutable_nearest()->set_field("category"); },
       "nearest.field: \"category\" is not a vector field"},
      {"injection",
       [](v1::ListRequest& r) { r.mutable_nearest()->set_field("embedding\"; DROP TABLE items"); },
       "nearest.field"},
      {"l2sim",
       [](v1::ListRequest& r) {
         r.mutable_nearest()->set_metric(v1::DISTANCE_METRIC_L2);
         r.mutable_nearest()->set_min_similarity(0.5);
       },
       "nearest.min_similarity"},
      {"both",
       [](v1::ListRequest& r) {
         r.mutable_nearest()->set_max_distance(1);
         r.mutable_nearest()->set_min_similarity(0.5);
       },
       "nearest"},
      {"negative", [](v1::ListRequest& r) { r.mutable_nearest()->set_max_distance(-1); },
       "nearest.max_distance"},
      {"nanbound", [&](v1::ListRequest& r) { r.mutable_nearest()->set_max_distance(nan); },
       "nearest.max_distance"},
      {"offset", [](v1::ListRequest& r) { r.set_offset(3); }, "nearest"},
      {"order", [](v1::ListRequest& r) { r.add_order_by()->set_field("id"); }, "nearest"},
      {"zerocos",
       [](v1::ListRequest& r) {
         for (int i = 0; i < kDims; ++i) r.mutable_nearest()->set_vector(i, 0);
       },
       "nearest.vector"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ListRequest req = Nearest(queries_[0], Metric::kCosine, 5);
    c.mutate(req);
    v1::ListResponse resp;
    grpc::Status s = List(req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.message));
  }
}

TEST_P(VectorSearchTest, NamedQueryVectorParamAndCanonicalCacheKey) {
  auto execute = [&](const std::vector<float>& q, v1::ExecuteResponse* resp) {
    v1::ExecuteRequest req;
    req.set_query("items_near");
    std::vector<v1::Value> values;
    for (float x : q) values.push_back(testing::Dbl(x));
    (*req.mutable_params())["q"] = testing::List(values);
    grpc::ClientContext ctx;
    return queries_stub_->Execute(&ctx, req, resp);
  };
  std::vector<float> q = queries_[0];
  v1::ExecuteResponse first, again, flipped;
  grpc::Status s = execute(q, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto oracle = testing::Oracle(rows_, q, Metric::kL2, 5);
  ASSERT_EQ(first.rows_size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(first.rows(i).values(0).int_value(), oracle[i].second);
  ASSERT_TRUE(execute(q, &again).ok());
  EXPECT_EQ(again.cache().status(), v1::CACHE_STATUS_HIT);
  uint32_t bits;
  std::memcpy(&bits, &q[2], sizeof bits);
  bits ^= 1;
  std::memcpy(&q[2], &bits, sizeof bits);
  ASSERT_TRUE(execute(q, &flipped).ok());
  EXPECT_EQ(flipped.cache().status(), v1::CACHE_STATUS_MISS) << "one float bit differs";

  std::vector<float> wrong(kDims - 1, 0.5f);
  v1::ExecuteResponse bad;
  s = execute(wrong, &bad);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("q: expected 8 dimensions"));
}

TEST_P(VectorSearchTest, NamedQueryVectorColumnIsAListOfTheStoredFloats) {
  const std::string type = GetParam() == VectorStorageMode::kPgvector ? "vector" : "real[]";
  for (v1::CacheMode mode :
       {v1::CACHE_MODE_UNSPECIFIED, v1::CACHE_MODE_UNSPECIFIED, v1::CACHE_MODE_BYPASS}) {
    for (int64_t id : {1, 2, 50, 299}) {
      SCOPED_TRACE(absl::StrCat("id ", id, " mode ", mode));
      v1::ExecuteRequest req;
      req.set_query("item_embedding");
      req.set_cache_mode(mode);
      (*req.mutable_params())["id"] = testing::Int(id);
      v1::ExecuteResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s = queries_stub_->Execute(&ctx, req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_EQ(resp.columns_size(), 2);
      EXPECT_EQ(resp.columns(1).type(), type);
      ASSERT_EQ(resp.rows_size(), 1);
      const v1::Value& cell = resp.rows(0).values(1);
      const std::vector<float>& stored = rows_[id - 1];
      if (stored.empty()) {
        EXPECT_EQ(cell.kind_case(), v1::Value::kNullValue);
        continue;
      }
      ASSERT_EQ(cell.kind_case(), v1::Value::kListValue);
      ASSERT_EQ(cell.list_value().values_size(), kDims);
      for (int i = 0; i < kDims; ++i) {
        EXPECT_EQ(cell.list_value().values(i).double_value(), static_cast<double>(stored[i]))
            << "element " << i;
      }
    }
  }
  v1::ListQueriesResponse listed;
  grpc::ClientContext ctx;
  ASSERT_TRUE(queries_stub_->ListQueries(&ctx, v1::ListQueriesRequest(), &listed).ok());
  bool found = false;
  for (const v1::QueryInfo& info : listed.queries()) {
    if (info.name() != "item_embedding") continue;
    found = true;
    ASSERT_EQ(info.columns_size(), 2);
    EXPECT_EQ(info.columns(1).type(), type);
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Storage, VectorSearchTest,
                         ::testing::Values(VectorStorageMode::kArray, VectorStorageMode::kPgvector),
                         [](const auto& info) {
                           return info.param == VectorStorageMode::kArray ? "Array" : "Pgvector";
                         });

}  // namespace
}  // namespace querygate
