// CacheService as a hostile caller meets it: no SQL accepted through Warm, configured warm sets
// by name, bounded Warm and Invalidate requests, and the CLI's --params-from running its SQL
// itself; over real gRPC, PostgreSQL and Redis.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::TestServer;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSchema[] = R"json({
  "models": {
    "item": {"fields": {"id": "int64", "name": "string"}}
  },
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "tags": ["catalog"],
      "ttl": 300
    }
  }
})json";

constexpr char kSeed[] =
    "INSERT INTO items (id, name) SELECT g, 'name' || g FROM generate_series(1, 20) g;";

service::WarmSet NamedSet(const std::string& name, const std::string& params_from) {
  service::WarmSet set;
  set.name = name;
  set.query = "item_by_id";
  set.params_from = params_from;
  return set;
}

struct WarmOutcome {
  grpc::Status status;
  v1::WarmProgress last;
  std::vector<v1::WarmFailure> failures;
};

class WarmInvalidateTest : public ::testing::Test {
 protected:
  void SetUp() override { QG_REQUIRE_POSTGRES(); }

  void StartServer(const std::function<void(server::ServerConfig&)>& extra = nullptr) {
    ASSERT_EQ(
        server_.Start(kSchema, kSeed,
                      [&](server::ServerConfig& c) {
                        c.warm.on_startup = false;
                        c.warm.max_params_from_rows = 15;
                        c.warm.sets = {
                            NamedSet("first_ten", "SELECT id FROM items WHERE id <= 10"),
                            NamedSet("two_statements",
                                     "SELECT 1 AS id; UPDATE items SET name = 'pwned'"),
                            NamedSet("writes", "UPDATE items SET name = 'pwned' RETURNING id"),
                            NamedSet("too_many", "SELECT id FROM items")};
                        if (extra) extra(c);
                      }),
        "");
    query_ = v1::QueryService::NewStub(server_.Channel());
    cache_ = v1::CacheService::NewStub(server_.Channel());
  }

  WarmOutcome Warm(const v1::WarmRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    auto reader = cache_->Warm(&context, request);
    WarmOutcome out;
    v1::WarmProgress progress;
    while (reader->Read(&progress)) {
      for (const auto& f : progress.failures()) out.failures.push_back(f);
      out.last = progress;
    }
    out.status = reader->Finish();
    return out;
  }

  grpc::Status Invalidate(const v1::InvalidateRequest& request,
                          v1::InvalidateResponse* response = nullptr) {
    v1::InvalidateResponse ignored;
    grpc::ClientContext context;
    return cache_->Invalidate(&context, request, response ? response : &ignored);
  }

  v1::CacheStatus ReadStatus(int64_t id) {
    v1::ExecuteRequest request;
    request.set_query("item_by_id");
    (*request.mutable_params())["id"].set_int_value(id);
    grpc::ClientContext context;
    v1::ExecuteResponse response;
    grpc::Status status = query_->Execute(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.cache().status();
  }

  // Rows of items whose name is not what the seed wrote.
  std::string ChangedRows() {
    auto rows = server_.database().Connect()->Query(
        "SELECT count(*) FROM items WHERE name <> 'name' || id");
    return rows.ok() ? rows->Text(0, 0) : rows.status().ToString();
  }

  TestServer server_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
};

TEST_F(WarmInvalidateTest, ParamsFromFromACallerIsRefusedAndNothingIsWritten) {
  StartServer();
  for (const char* sql :
       {"COMMIT; UPDATE items SET name = 'pwned'; SELECT 1 AS id", "SELECT id FROM items"}) {
    v1::WarmRequest request;
    v1::WarmSet* set = request.add_sets();
    set->set_query("item_by_id");
    set->set_params_from(sql);
    WarmOutcome out = Warm(request);
    EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << sql;
    EXPECT_THAT(out.status.error_message(), HasSubstr("sets[0].params_from"));
    EXPECT_THAT(out.status.error_message(), Not(HasSubstr("UPDATE")));
  }
  v1::WarmRequest named;
  named.add_sets()->set_name("first_ten");
  named.mutable_sets(0)->set_params_from("SELECT 1 AS id");
  EXPECT_EQ(Warm(named).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ChangedRows(), "0");
}

TEST_F(WarmInvalidateTest, AConfiguredSetWarmsByName) {
  StartServer();
  v1::WarmRequest request;
  request.add_sets()->set_name("first_ten");
  WarmOutcome out = Warm(request);
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  EXPECT_TRUE(out.last.finished());
  EXPECT_EQ(out.last.total(), 10);
  EXPECT_EQ(out.last.failed(), 0);
  for (int id = 1; id <= 10; ++id) EXPECT_EQ(ReadStatus(id), v1::CACHE_STATUS_HIT) << id;
  EXPECT_EQ(ReadStatus(11), v1::CACHE_STATUS_MISS);
}

TEST_F(WarmInvalidateTest, ConfiguredSqlThatWritesFailsItsSetAndWritesNothing) {
  StartServer();
  for (const char* name : {"two_statements", "writes"}) {
    v1::WarmRequest request;
    request.add_sets()->set_name(name);
    WarmOutcome out = Warm(request);
    ASSERT_TRUE(out.status.ok()) << out.status.error_message();
    EXPECT_EQ(out.last.total(), 1) << name;
    EXPECT_EQ(out.last.failed(), 1) << name;
    ASSERT_EQ(out.failures.size(), 1u) << name;
    EXPECT_THAT(out.failures[0].query(), HasSubstr(name));
    EXPECT_THAT(out.failures[0].error(), HasSubstr("params_from"));
  }
  EXPECT_EQ(ChangedRows(), "0");
}

TEST_F(WarmInvalidateTest, AParamsFromOverTheRowCapFailsItsSet) {
  StartServer();
  v1::WarmRequest request;
  request.add_sets()->set_name("too_many");
  WarmOutcome out = Warm(request);
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  EXPECT_EQ(out.last.failed(), 1);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_THAT(out.failures[0].error(), HasSubstr("warm.max_params_from_rows"));
  EXPECT_EQ(ReadStatus(1), v1::CACHE_STATUS_MISS) << "nothing of the set was warmed";
}

TEST_F(WarmInvalidateTest, BadWarmRequestsNameTheFieldOrCap) {
  StartServer([](server::ServerConfig& c) { c.warm.max_param_sets = 5; });
  v1::WarmRequest greedy;
  greedy.set_concurrency(1000);
  greedy.add_sets()->set_name("first_ten");
  WarmOutcome out = Warm(greedy);
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(out.status.error_message(), HasSubstr("warm.max_concurrency"));

  v1::WarmRequest unknown;
  unknown.add_sets()->set_name("no_such_set");
  out = Warm(unknown);
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(out.status.error_message(), HasSubstr("no_such_set"));

  v1::WarmRequest mixed;
  mixed.add_sets()->set_name("first_ten");
  mixed.mutable_sets(0)->set_query("item_by_id");
  EXPECT_EQ(Warm(mixed).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::WarmRequest twice;
  twice.add_sets()->set_name("first_ten");
  twice.add_sets()->set_name("first_ten");
  EXPECT_EQ(Warm(twice).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::WarmRequest many;
  v1::WarmSet* set = many.add_sets();
  set->set_query("item_by_id");
  for (int id = 1; id <= 6; ++id) (*set->add_params()->mutable_fields())["id"].set_int_value(id);
  out = Warm(many);
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(out.status.error_message(), HasSubstr("warm.max_param_sets"));
  EXPECT_EQ(ReadStatus(1), v1::CACHE_STATUS_MISS) << "a refused request warms nothing";
}

TEST_F(WarmInvalidateTest, FailuresShowParametersOnlyToCallersAllowedDetails) {
  StartServer([](server::ServerConfig& c) {
    c.auth.anonymous_roles = {"warmer"};
    c.role_permissions["warmer"] = {"CacheService.Warm"};
  });
  v1::WarmRequest request;
  v1::WarmSet* set = request.add_sets();
  set->set_query("item_by_id");
  (*set->add_params()->mutable_fields())["id"].set_string_value("not a number");
  WarmOutcome out = Warm(request);
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].params().fields_size(), 0);
  EXPECT_EQ(out.failures[0].error(), "INVALID_ARGUMENT");
}

TEST_F(WarmInvalidateTest, OperatorsSeeFailedParameters) {
  StartServer();
  v1::WarmRequest request;
  v1::WarmSet* set = request.add_sets();
  set->set_query("item_by_id");
  (*set->add_params()->mutable_fields())["id"].set_string_value("not a number");
  WarmOutcome out = Warm(request);
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].params().fields().at("id").string_value(), "not a number");
  EXPECT_THAT(out.failures[0].error(), HasSubstr("id"));
}

TEST_F(WarmInvalidateTest, InvalidateRefusesUnknownHugeAndTooManyNames) {
  StartServer();
  v1::InvalidateRequest huge;
  huge.add_tables(std::string(1 << 20, 'x'));
  grpc::Status status = Invalidate(huge);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("limits.max_invalidate_name_bytes"));
  EXPECT_LT(status.error_message().size(), 300u);

  v1::InvalidateRequest unknown;
  unknown.add_tables("items");
  unknown.add_tables("pg_authid");
  status = Invalidate(unknown);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "tables[1]: unknown table \"pg_authid\"");

  v1::InvalidateRequest long_unknown;
  long_unknown.add_queries(std::string(100, 'q'));
  status = Invalidate(long_unknown);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr(absl::StrCat("\"", std::string(64, 'q'), "...\"")));

  v1::InvalidateRequest tag;
  tag.add_tags("no_such_tag");
  EXPECT_EQ(Invalidate(tag).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::InvalidateRequest many;
  for (int i = 0; i < 300; ++i) many.add_tables("items");
  status = Invalidate(many);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("limits.max_invalidate_names"));

  EXPECT_EQ(Invalidate(v1::InvalidateRequest()).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(WarmInvalidateTest, InvalidateAcceptsKnownTablesQueriesAndTags) {
  StartServer();
  ReadStatus(1);
  ASSERT_EQ(ReadStatus(1), v1::CACHE_STATUS_HIT);
  v1::InvalidateRequest request;
  request.add_tables("public.items");
  request.add_queries("item_by_id");
  request.add_tags("catalog");
  v1::InvalidateResponse response;
  grpc::Status status = Invalidate(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.tables_size(), 1);
  EXPECT_EQ(response.tables(0), "items");
  EXPECT_EQ(ReadStatus(1), v1::CACHE_STATUS_MISS) << "\"public.items\" invalidated items";
  ASSERT_EQ(ReadStatus(1), v1::CACHE_STATUS_HIT);
  v1::InvalidateRequest tag_only;
  tag_only.add_tags("catalog");
  ASSERT_TRUE(Invalidate(tag_only).ok());
  EXPECT_EQ(ReadStatus(1), v1::CACHE_STATUS_MISS);
}

// Runs the CLI binary with `args` and returns its exit code; output lands in `out`.
int RunCli(const std::string& args, std::string& out) {
  return querygate::testing::RunCommand(
      absl::StrCat(querygate::testing::BinDir(), "/querygate ", args), out);
}

TEST_F(WarmInvalidateTest, CliParamsFromRunsTheSqlItselfAndSendsParameterSets) {
  StartServer();
  std::string out;
  int code = RunCli(
      absl::StrCat("--target ", server_.Target(), " --database-url '", server_.database().url(),
                   "' warm --query item_by_id --params-from "
                   "'SELECT id FROM items WHERE id BETWEEN 3 AND 5'"),
      out);
  ASSERT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("warmed 3 of 3 entries"));
  for (int id = 3; id <= 5; ++id) EXPECT_EQ(ReadStatus(id), v1::CACHE_STATUS_HIT) << id;

  out.clear();
  code = RunCli(
      absl::StrCat("--target ", server_.Target(), " --database-url '", server_.database().url(),
                   "' warm --query item_by_id --params-from "
                   "'SELECT 1 AS id; UPDATE items SET name = $$pwned$$'"),
      out);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("INVALID_ARGUMENT"));

  out.clear();
  code = RunCli(absl::StrCat("--target ", server_.Target(), " warm --set first_ten"), out);
  EXPECT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("warmed 10 of 10 entries"));
  EXPECT_EQ(ChangedRows(), "0");
}

}  // namespace
}  // namespace querygate
