// Nearest-neighbour search on a tenant-scoped model, on both vector storages, served as a
// runtime role under row-level security: a caller sees only its own tenant's nearest rows
// (even when another tenant's rows are nearer), cached answers are per tenant, and a caller
// without a tenant is refused.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/integration/vector/vector_fixture.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using migrate::VectorStorageMode;

constexpr char kTenantA[] = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr char kTenantB[] = "bbbbbbbb-0000-4000-8000-000000000002";
constexpr int kDims = 4;
constexpr int kRows = 60;

constexpr char kSchema[] = R"json({
  "tenancy": {"column": "organization_id", "type": "uuid", "model": "organization"},
  "models": {
    "organization": {"id": "uuid", "name": "string"},
    "doc": {
      "id": "int64",
      "embedding": {"type": "vector", "dimensions": 4,
                    "index": {"type": "hnsw", "distance_function": "l2", "ef_search": 100}}
    }
  }
})json";

class VectorTenancyTest : public ::testing::TestWithParam<VectorStorageMode> {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    if (GetParam() == VectorStorageMode::kPgvector) QG_REQUIRE_PGVECTOR();
    // Odd ids belong to tenant A, even ids to B; B's rows sit next to the query vector, so a
    // search that ignored the tenant would answer B's rows to A.
    std::mt19937 rng(7);
    std::string seed = absl::StrCat("INSERT INTO organizations (id, name) VALUES ('", kTenantA,
                                    "', 'A'), ('", kTenantB, "', 'B');\n");
    for (int i = 1; i <= kRows; ++i) {
      std::vector<float> v = testing::RandomVector(rng, kDims);
      if (i % 2 == 0) {
        for (float& x : v) x = 0.5f + x / 100;
      }
      rows_.push_back(v);
      absl::StrAppend(&seed, "INSERT INTO docs (id, organization_id, embedding) VALUES (", i, ", '",
                      i % 2 ? kTenantA : kTenantB, "', ", testing::ArrayLiteral(v), ");\n");
    }
    testing::StartOptions options;
    options.runtime_role = true;
    options.vector_storage = GetParam();
    ASSERT_EQ(server_.Start(
                  kSchema, seed, [](server::ServerConfig& c) { testing::UseTestJwt(c); }, options),
              "");
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
  }

  grpc::Status Nearest(const std::string& tenant, int k, v1::ListResponse* resp) {
    v1::ListRequest req;
    req.set_model("doc");
    v1::Nearest* n = req.mutable_nearest();
    n->set_field("embedding");
    for (int i = 0; i < kDims; ++i) n->add_vector(query_[i]);
    n->set_metric(v1::DISTANCE_METRIC_L2);
    n->set_k(k);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    std::string token = tenant.empty() ? testing::TestToken("nobody", {"reader"})
                                       : testing::TestToken("user", {"reader"},
                                                            absl::Now() + absl::Hours(1), tenant);
    testing::Authorize(ctx, token);
    return repo_->List(&ctx, req, resp);
  }

  // The oracle's ids over the rows of one tenant (odd ids for A, even for B).
  std::vector<std::pair<double, int64_t>> OracleFor(const std::string& tenant, size_t k) {
    std::vector<bool> keep;
    for (int i = 1; i <= kRows; ++i) keep.push_back((i % 2 == 1) == (tenant == kTenantA));
    return testing::Oracle(rows_, query_, testing::Metric::kL2, k, &keep);
  }

  void ExpectOracle(const v1::ListResponse& resp, const std::string& tenant, size_t k) {
    auto oracle = OracleFor(tenant, k);
    ASSERT_EQ(static_cast<size_t>(resp.records_size()), oracle.size());
    for (size_t i = 0; i < oracle.size(); ++i) {
      const v1::Record& r = resp.records(static_cast<int>(i));
      EXPECT_EQ(r.fields().at("id").int_value(), oracle[i].second) << "position " << i;
      EXPECT_EQ(r.fields().at("organization_id").string_value(), tenant);
      EXPECT_NEAR(r.distance(), oracle[i].first, 1e-4 * std::max(1.0, oracle[i].first));
    }
  }

  std::vector<std::vector<float>> rows_;
  std::vector<float> query_ = {0.5f, 0.5f, 0.5f, 0.5f};
  testing::TestServer server_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
};

TEST_P(VectorTenancyTest, NearestSeesOnlyTheCallersTenant) {
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "fill" : "cached");
    v1::ListResponse a, b;
    grpc::Status s = Nearest(kTenantA, 5, &a);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ExpectOracle(a, kTenantA, 5);
    s = Nearest(kTenantB, 5, &b);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ExpectOracle(b, kTenantB, 5);
    if (round == 1) {
      EXPECT_EQ(a.cache().status(), v1::CACHE_STATUS_HIT);
      EXPECT_EQ(b.cache().status(), v1::CACHE_STATUS_HIT);
    }
  }
  v1::ListResponse none;
  grpc::Status s = Nearest("", 5, &none);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

INSTANTIATE_TEST_SUITE_P(Storage, VectorTenancyTest,
                         ::testing::Values(VectorStorageMode::kArray, VectorStorageMode::kPgvector),
                         [](const auto& info) {
                           return info.param == VectorStorageMode::kArray ? "Array" : "Pgvector";
                         });

}  // namespace
}  // namespace querygate
