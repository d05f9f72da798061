// The database monitor and index advisor over a real server: CacheService.Insights matched to
// named queries and repository shapes, and `advise` -> `migrate new --from-advice` ->
// `migrate up` -> the plan uses the new index.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_env.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::TestServer;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// accounts.email has no index; accounts.note has one nothing scans.
constexpr char kSchema[] = R"json({
  "models": {
    "account": {
      "fields": {
        "id": "int64",
        "email": "string",
        "region": "string",
        "note": {"type": "string?", "index": true}
      }
    }
  },
  "queries": {
    "account_by_email": {
      "sql": "SELECT id, email FROM accounts WHERE email = :email",
      "params": {"email": "string"},
      "ttl": 300
    }
  }
})json";

constexpr char kRows[] =
    "INSERT INTO accounts (id, email, region) SELECT g, 'user' || g || '@example.com', "
    "'r' || (g % 10) FROM generate_series(1, 20000) g; ANALYZE accounts;";

int RunCli(const std::string& args, std::string& out) {
  return testing::RunCommand(absl::StrCat(testing::BinDir(), "/querygate ", args), out);
}

class InsightsTest : public ::testing::Test {
 protected:
  // Skips here, where GTEST_SKIP ends the test, when PostgreSQL is missing.
  void SetUp() override { QG_REQUIRE_POSTGRES(); }

  void StartServer(bool with_statements, bool runtime_role = false) {
    QG_REQUIRE_POSTGRES();
    std::string seed = kRows;
    if (with_statements) {
      seed = absl::StrCat("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; ", seed);
    }
    testing::StartOptions options;
    options.runtime_role = runtime_role;
    std::string error = server_.Start(kSchema, seed, nullptr, options);
    ASSERT_EQ(error, "") << error;
    cache_ = v1::CacheService::NewStub(server_.Channel());
    queries_ = v1::QueryService::NewStub(server_.Channel());
  }

  grpc::Status Insights(v1::InsightsResponse& response, int limit = 0) {
    grpc::ClientContext context;
    v1::InsightsRequest request;
    request.set_limit(limit);
    return cache_->Insights(&context, request, &response);
  }

  grpc::Status Advise(v1::AdviseResponse& response, double reduction = 0) {
    grpc::ClientContext context;
    v1::AdviseRequest request;
    request.set_min_cost_reduction(reduction);
    return cache_->Advise(&context, request, &response);
  }

  void ByEmail(const std::string& email) {
    grpc::ClientContext context;
    v1::ExecuteRequest request;
    request.set_query("account_by_email");
    (*request.mutable_params())["email"].set_string_value(email);
    v1::ExecuteResponse response;
    grpc::Status status = queries_->Execute(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  TestServer server_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
};

const v1::StatementInsight* FindStatement(const v1::InsightsResponse& r, const std::string& name) {
  for (const v1::StatementInsight& s : r.statements()) {
    if (s.name() == name) return &s;
  }
  return nullptr;
}

TEST_F(InsightsTest, NamedQueriesAndRepositoryShapesCarryTheirCallsAndHitRatios) {
  StartServer(true);
  for (int i = 0; i < 3; ++i) ByEmail("user7@example.com");  // one miss, then hits
  ByEmail("user8@example.com");
  {
    auto repository = v1::RepositoryService::NewStub(server_.Channel());
    grpc::ClientContext context;
    v1::GetRequest request;
    request.set_model("account");
    request.mutable_id()->set_int_value(5);
    v1::GetResponse response;
    ASSERT_TRUE(repository->Get(&context, request, &response).ok());
  }
  v1::InsightsResponse r;
  grpc::Status status = Insights(r);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(r.statements_available()) << r.statements_note();
  EXPECT_EQ(r.database(), server_.database().name());

  const v1::StatementInsight* named = FindStatement(r, "account_by_email");
  ASSERT_NE(named, nullptr) << r.DebugString();
  EXPECT_EQ(named->kind(), "query");
  EXPECT_EQ(named->calls(), 2) << "two misses reached PostgreSQL";
  EXPECT_EQ(named->rows(), 2);
  EXPECT_GT(named->mean_ms(), 0);
  EXPECT_GE(named->p99_ms(), named->mean_ms());
  EXPECT_LE(named->p99_ms(), named->max_ms());
  EXPECT_EQ(named->cache_hits(), 2);
  EXPECT_EQ(named->cache_misses(), 2);
  EXPECT_DOUBLE_EQ(named->hit_ratio(), 0.5);
  EXPECT_THAT(named->sql(), HasSubstr("FROM accounts WHERE email = $1"));

  const v1::StatementInsight* get = FindStatement(r, "Get account");
  ASSERT_NE(get, nullptr) << r.DebugString();
  EXPECT_EQ(get->kind(), "repository");
  EXPECT_EQ(get->calls(), 1);

  bool found_table = false;
  for (const v1::TableInsight& t : r.tables()) {
    if (t.name() != "accounts") continue;
    found_table = true;
    EXPECT_GT(t.total_bytes(), 1 << 20);
    EXPECT_EQ(t.live_rows(), 20000);
  }
  EXPECT_TRUE(found_table) << r.DebugString();
  ASSERT_EQ(r.unused_indexes_size(), 1) << r.DebugString();
  EXPECT_EQ(r.unused_indexes(0).table(), "accounts");
  EXPECT_THAT(r.unused_indexes(0).definition(), HasSubstr("(note)"));
  bool active = false;
  for (const v1::ConnectionCount& c : r.connections()) active |= c.state() == "active";
  EXPECT_TRUE(active) << "the report's own session is active: " << r.DebugString();

  std::string out;
  ASSERT_EQ(RunCli(absl::StrCat("--target ", server_.Target(), " insights"), out), 0) << out;
  EXPECT_THAT(out, AllOf(HasSubstr("account_by_email"), HasSubstr("Get account"),
                         HasSubstr("50.0%"), HasSubstr("unused indexes"),
                         HasSubstr("pg_stat_statements keeps no percentiles")));
  out.clear();
  ASSERT_EQ(RunCli(absl::StrCat("--target ", server_.Target(), " --json insights"), out), 0);
  nlohmann::json json = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << out;
  EXPECT_EQ(json["statements_available"], true);
}

TEST_F(InsightsTest, WithoutPgStatStatementsTheReportSaysHowToEnableIt) {
  StartServer(false);
  v1::InsightsResponse r;
  grpc::Status status = Insights(r);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(r.statements_available());
  EXPECT_EQ(r.statements_size(), 0);
  EXPECT_THAT(r.statements_note(),
              AllOf(HasSubstr("not installed"), HasSubstr("shared_preload_libraries"),
                    HasSubstr("CREATE EXTENSION pg_stat_statements")));
  EXPECT_GT(r.tables_size(), 0) << "the rest of the report does not need the extension";
  std::string out;
  ASSERT_EQ(RunCli(absl::StrCat("--target ", server_.Target(), " insights"), out), 0) << out;
  EXPECT_THAT(out, HasSubstr("CREATE EXTENSION pg_stat_statements"));
}

TEST_F(InsightsTest, BadLimitsAreInvalidArguments) {
  StartServer(false);
  v1::InsightsResponse r;
  grpc::Status status = Insights(r, -1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("limit"));
  v1::AdviseResponse a;
  status = Advise(a, 1.5);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("min_cost_reduction"));
}

TEST_F(InsightsTest, AdviseWithoutHypopgSaysHowToInstallIt) {
  // The runtime role may not create the (untrusted) hypopg extension.
  StartServer(false, /*runtime_role=*/true);
  v1::AdviseResponse a;
  grpc::Status status = Advise(a);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(a.hypopg_available());
  EXPECT_EQ(a.proposals_size(), 0);
  EXPECT_THAT(a.note(), AllOf(HasSubstr("hypopg"), HasSubstr("CREATE EXTENSION hypopg")));
}

TEST_F(InsightsTest, AdvisedIndexIsMigratedAndThePlanSwitchesToAnIndexScan) {
  StartServer(true);
  ByEmail("user7@example.com");
  std::string advice_path = server_.schema_dir() + "/../advice.json";
  std::string out;
  ASSERT_EQ(
      RunCli(absl::StrCat("--target ", server_.Target(), " --json advise > ", advice_path), out), 0)
      << out;
  nlohmann::json advice = nlohmann::json::parse(testing::ReadFile(advice_path), nullptr, false);
  ASSERT_FALSE(advice.is_discarded()) << testing::ReadFile(advice_path);
  ASSERT_EQ(advice["hypopg_available"], true) << advice.dump(2);
  ASSERT_EQ(advice["proposals"].size(), 1u) << advice.dump(2);
  const nlohmann::json& p = advice["proposals"][0];
  EXPECT_EQ(p["kind"], "query");
  EXPECT_EQ(p["name"], "account_by_email");
  EXPECT_EQ(p["table"], "accounts");
  EXPECT_EQ(p["columns"], nlohmann::json::array({"email"}));
  EXPECT_EQ(p["index_name"], "qg_accounts_email_idx");
  EXPECT_LT(p["cost_after"].get<double>(), p["cost_before"].get<double>() / 2) << p.dump();

  std::string dirs = absl::StrCat("--schema-dir ", server_.schema_dir(), " --migrations-dir ",
                                  server_.schema_dir(), "/migrations");
  out.clear();
  ASSERT_EQ(RunCli(absl::StrCat(dirs, " migrate new email_index --from-advice ", advice_path), out),
            0)
      << out;
  EXPECT_THAT(
      out, AllOf(HasSubstr("0002_email_index.up.sql"),
                 HasSubstr(R"("indexes": [{"fields":["email"],"name":"qg_accounts_email_idx"}])")));
  std::string up = testing::ReadFile(server_.schema_dir() + "/migrations/0002_email_index.up.sql");
  EXPECT_THAT(up, AllOf(HasSubstr("-- querygate:no-transaction\n"),
                        HasSubstr("CREATE INDEX CONCURRENTLY IF NOT EXISTS qg_accounts_email_idx "
                                  "ON accounts (email);")));

  out.clear();
  ASSERT_EQ(
      RunCli(absl::StrCat(dirs, " --database-url '", server_.database().url(), "' migrate up"),
             out),
      0)
      << out;
  EXPECT_THAT(out, HasSubstr("applied 0002_email_index"));

  auto session = server_.database().Connect();
  auto plan = session->Query("EXPLAIN SELECT id, email FROM accounts WHERE email = $1",
                             {"user7@example.com"});
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::string text;
  for (size_t r = 0; r < plan->rows.size(); ++r) absl::StrAppend(&text, plan->Text(r, 0), "\n");
  EXPECT_THAT(text, AllOf(AnyOf(HasSubstr("Index Scan using qg_accounts_email_idx"),
                                HasSubstr("Bitmap Index Scan on qg_accounts_email_idx")),
                          Not(HasSubstr("Seq Scan"))));

  v1::AdviseResponse again;
  ASSERT_TRUE(Advise(again).ok());
  EXPECT_EQ(again.proposals_size(), 0) << again.DebugString();
}

}  // namespace
}  // namespace querygate
