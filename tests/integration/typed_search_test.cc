// nearest and rank_by through the typed List (docs/typed-services.md), on
// tests/integration/typed/search, with stubs generated from its emitted protos: distances per
// row equal a brute-force oracle, ranked order and ranks equal SQL's ts_rank. Also: a method
// the typed services do not have is UNIMPLEMENTED.

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "querygate/models/v1/models.grpc.pb.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

namespace m = ::querygate::models::v1;
using querygate::testing::TestServer;

struct Row {
  int64_t id;
  const char* title;
  const char* body;
  std::vector<float> embedding;
};

const std::vector<Row>& Rows() {
  static const auto* rows = new std::vector<Row>{
      {1, "cats", "the cat sat on the cat mat", {1, 0, 0}},
      {2, "dogs", "a dog and a cat", {0, 1, 0}},
      {3, "fish", "fish swim", {0, 0, 1}},
      {4, "cat facts", "cats purr; a cat naps", {0.9f, 0.1f, 0}},
      {5, "mixed", "dog cat fish bird cat", {0.5f, 0.5f, 0.5f}},
      {6, "empty", "nothing here", {-1, -1, 0.25f}},
  };
  return *rows;
}

std::string Seed() {
  std::string sql;
  for (const Row& r : Rows()) {
    absl::StrAppend(&sql, "INSERT INTO notes (id, title, body, embedding) VALUES (", r.id, ", '",
                    r.title, "', '", r.body, "', '{", r.embedding[0], ",", r.embedding[1], ",",
                    r.embedding[2], "}');\n");
  }
  return sql + "INSERT INTO notes (id, title, body) VALUES (7, 'no vector', 'cat');\n";
}

double L2(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(sum);
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

class TypedSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    std::string dir = std::string(QG_TYPED_SCHEMA_DIR) + "/search";
    std::string schema = querygate::testing::ReadFile(dir + "/catalog.json");
    ASSERT_FALSE(schema.empty());
    ASSERT_EQ(
        server_.Start(schema, Seed(),
                      [&](server::ServerConfig& c) { c.typed_lock_file = dir + "/typed.lock"; }),
        "");
    notes_ = m::NoteService::NewStub(server_.Channel());
    session_ = server_.database().Connect();
  }

  grpc::Status List(const m::ListNoteRequest& request, m::ListNoteResponse& response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return notes_->List(&context, request, &response);
  }

  // Calls `method` with an empty request through a generic stub; returns the status.
  grpc::Status CallRaw(const std::string& method) {
    grpc::GenericStub stub(server_.Channel());
    grpc::CompletionQueue cq;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    grpc::Slice empty("", 0);  // an empty message (a default ByteBuffer would send none)
    grpc::ByteBuffer request(&empty, 1), response;
    auto call = stub.PrepareUnaryCall(&context, method, request, &cq);
    call->StartCall();
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }

  TestServer server_;
  std::unique_ptr<m::NoteService::Stub> notes_;
  std::unique_ptr<db::Session> session_;
};

TEST_F(TypedSearchTest, NearestReturnsTheOracleRowsWithTheirDistances) {
  const std::vector<float> query = {0.8f, 0.3f, 0.1f};
  for (auto [metric, k] : {std::pair{m::DISTANCE_METRIC_L2, 4}, {m::DISTANCE_METRIC_COSINE, 3}}) {
    SCOPED_TRACE(absl::StrCat("metric ", metric, " k ", k));
    std::vector<std::pair<double, int64_t>> oracle;
    for (const Row& r : Rows()) {
      oracle.push_back({metric == m::DISTANCE_METRIC_L2 ? L2(r.embedding, query)
                                                        : 1 - Cosine(r.embedding, query),
                        r.id});
    }
    std::sort(oracle.begin(), oracle.end());
    oracle.resize(k);

    m::ListNoteRequest request;
    m::Nearest* nearest = request.mutable_nearest();
    nearest->set_field("embedding");
    for (float x : query) nearest->add_vector(x);
    nearest->set_metric(metric);
    nearest->set_k(k);
    m::ListNoteResponse response;
    grpc::Status status = List(request, response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.records_size(), k);
    ASSERT_EQ(response.scores_size(), k);
    for (int i = 0; i < k; ++i) {
      EXPECT_EQ(response.records(i).id(), oracle[i].second) << i;
      ASSERT_TRUE(response.scores(i).has_distance()) << i;
      EXPECT_NEAR(response.scores(i).distance(), oracle[i].first, 1e-5) << i;
      EXPECT_FALSE(response.scores(i).has_rank());
      if (metric == m::DISTANCE_METRIC_COSINE) {
        ASSERT_TRUE(response.scores(i).has_similarity());
        EXPECT_NEAR(response.scores(i).similarity(), 1 - oracle[i].first, 1e-5);
      }
      EXPECT_EQ(response.records(i).embedding_size(), 3);
    }
  }

  m::ListNoteRequest bad;
  bad.mutable_nearest()->set_field("embedding");
  bad.mutable_nearest()->add_vector(1);
  bad.mutable_nearest()->set_k(2);
  m::ListNoteResponse response;
  grpc::Status status = List(bad, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("nearest.vector"), std::string::npos)
      << status.error_message();
}

TEST_F(TypedSearchTest, RankByOrderAndRanksEqualTsRank) {
  for (auto [function, sql] : {std::pair{m::RANK_FUNCTION_TS_RANK, "ts_rank"},
                               {m::RANK_FUNCTION_TS_RANK_CD, "ts_rank_cd"}}) {
    SCOPED_TRACE(sql);
    std::string document = "to_tsvector('english', title || ' ' || body)";
    std::string rank = absl::StrCat(sql, "(", document, ", plainto_tsquery('english', 'cat'))");
    auto rows = session_->Query(absl::StrCat("SELECT id, ", rank, " FROM notes WHERE ", document,
                                             " @@ plainto_tsquery('english', 'cat') ORDER BY ",
                                             rank, " DESC, id"));
    ASSERT_TRUE(rows.ok()) << rows.status();
    std::vector<int64_t> expected_ids;
    std::vector<double> expected_ranks;
    for (const auto& row : rows->rows) {
      expected_ids.push_back(std::stoll(*row[0]));
      expected_ranks.push_back(std::strtod(row[1]->c_str(), nullptr));
    }
    ASSERT_GE(expected_ids.size(), 4u);

    m::ListNoteRequest request;
    request.mutable_rank_by()->set_field("body");
    request.mutable_rank_by()->set_query("cat");
    request.mutable_rank_by()->set_function(function);
    request.set_page_size(50);
    m::ListNoteResponse response;
    grpc::Status status = List(request, response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    std::vector<int64_t> ids;
    std::vector<double> ranks;
    ASSERT_EQ(response.scores_size(), response.records_size());
    for (int i = 0; i < response.records_size(); ++i) {
      ids.push_back(response.records(i).id());
      EXPECT_TRUE(response.scores(i).has_rank());
      ranks.push_back(response.scores(i).rank());
    }
    EXPECT_EQ(ids, expected_ids);
    EXPECT_EQ(ranks, expected_ranks);
  }

  m::ListNoteRequest bad;
  bad.mutable_rank_by()->set_field("body");
  bad.mutable_rank_by()->set_query("cat");
  bad.mutable_rank_by()->set_normalization(99);
  m::ListNoteResponse response;
  grpc::Status status = List(bad, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("rank_by.normalization"), std::string::npos)
      << status.error_message();
}

TEST_F(TypedSearchTest, UnknownMethodsAreUnimplemented) {
  for (const char* method :
       {"/querygate.models.v1.NoteService/Frobnicate", "/querygate.models.v1.NoSuchService/Get",
        "/querygate.v1.QueryService/NoSuchMethod", "/nothing"}) {
    grpc::Status status = CallRaw(method);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
        << method << ": " << status.error_message();
  }
  EXPECT_EQ(CallRaw("/querygate.models.v1.NoteService/Count").error_code(), grpc::StatusCode::OK);
}

}  // namespace
}  // namespace querygate
