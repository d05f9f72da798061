// Authentication and authorization over real gRPC: bearer tokens, every RPC under every default
// role, per-query and per-model roles, health open.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::Authorize;
using querygate::testing::Int;
using querygate::testing::Str;
using querygate::testing::TestServer;
using querygate::testing::TestToken;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {
    "item": {"fields": {"id": "int64", "name": "string"}},
    "ledger": {
      "fields": {"id": "int64", "amount": "int64"},
      "roles": {"read": ["auditor"], "write": ["accountant"]}
    }
  },
  "queries": {
    "item_by_id": {"sql": "SELECT id, name FROM items WHERE id = :id", "params": {"id": "int64"}},
    "ledger_total": {"sql": "SELECT sum(amount)::bigint AS total FROM ledgers", "roles": ["auditor"]},
    "ledger_count": {"sql": "SELECT count(*) AS n FROM ledgers"}
  }
})json";

constexpr char kSeed[] =
    "INSERT INTO items (name) VALUES ('one'), ('two');"
    "INSERT INTO ledgers (amount) VALUES (5), (7);";

class RoleMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    ASSERT_EQ(server_.Start(kSchema, kSeed,
                            [](server::ServerConfig& c) { querygate::testing::UseTestJwt(c); }),
              "");
    channel_ = server_.Channel();
  }

  // Runs `call` with `token` (none when empty) and returns its status.
  using Call = std::function<grpc::Status(grpc::ClientContext&)>;
  grpc::Status Run(const Call& call, const std::string& token) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) Authorize(context, token);
    return call(context);
  }

  // One call per RPC, each valid so that an admitted call answers OK.
  std::map<std::string, Call> Calls() {
    auto queries = v1::QueryService::NewStub(channel_);
    auto repo = v1::RepositoryService::NewStub(channel_);
    auto cache = v1::CacheService::NewStub(channel_);
    std::map<std::string, Call> calls;
    calls["QueryService.Execute"] = [q = queries.get()](grpc::ClientContext& c) {
      v1::ExecuteRequest r;
      r.set_query("item_by_id");
      (*r.mutable_params())["id"] = Int(1);
      v1::ExecuteResponse out;
      return q->Execute(&c, r, &out);
    };
    calls["QueryService.ListQueries"] = [q = queries.get()](grpc::ClientContext& c) {
      v1::ListQueriesResponse out;
      return q->ListQueries(&c, v1::ListQueriesRequest(), &out);
    };
    calls["RepositoryService.Get"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::GetRequest r;
      r.set_model("item");
      *r.mutable_id() = Int(1);
      v1::GetResponse out;
      return p->Get(&c, r, &out);
    };
    calls["RepositoryService.List"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::ListRequest r;
      r.set_model("item");
      v1::ListResponse out;
      return p->List(&c, r, &out);
    };
    calls["RepositoryService.Count"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::CountRequest r;
      r.set_model("item");
      v1::CountResponse out;
      return p->Count(&c, r, &out);
    };
    calls["RepositoryService.Exists"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::ExistsRequest r;
      r.set_model("item");
      *r.mutable_id() = Int(1);
      v1::ExistsResponse out;
      return p->Exists(&c, r, &out);
    };
    calls["RepositoryService.Create"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::CreateRequest r;
      r.set_model("item");
      (*r.mutable_record()->mutable_fields())["name"] = Str("created");
      v1::CreateResponse out;
      return p->Create(&c, r, &out);
    };
    calls["RepositoryService.CreateMany"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::CreateManyRequest r;
      r.set_model("item");
      (*r.add_records()->mutable_fields())["name"] = Str("many");
      v1::CreateManyResponse out;
      return p->CreateMany(&c, r, &out);
    };
    calls["RepositoryService.Update"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::UpdateRequest r;
      r.set_model("item");
      *r.mutable_id() = Int(2);
      (*r.mutable_record()->mutable_fields())["name"] = Str("updated");
      v1::UpdateResponse out;
      return p->Update(&c, r, &out);
    };
    calls["RepositoryService.Delete"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::DeleteRequest r;
      r.set_model("item");
      *r.mutable_id() = Int(999999);
      v1::DeleteResponse out;
      return p->Delete(&c, r, &out);
    };
    calls["RepositoryService.Transact"] = [p = repo.get()](grpc::ClientContext& c) {
      v1::TransactRequest r;
      v1::CreateRequest* create = r.add_ops()->mutable_create();
      create->set_model("item");
      (*create->mutable_record()->mutable_fields())["name"] = Str("in tx");
      v1::TransactResponse out;
      return p->Transact(&c, r, &out);
    };
    calls["CacheService.Invalidate"] = [k = cache.get()](grpc::ClientContext& c) {
      v1::InvalidateRequest r;
      r.add_tables("items");
      v1::InvalidateResponse out;
      return k->Invalidate(&c, r, &out);
    };
    calls["CacheService.Warm"] = [k = cache.get()](grpc::ClientContext& c) {
      v1::WarmRequest r;
      v1::WarmSet* set = r.add_sets();
      set->set_query("item_by_id");
      (*set->add_params()->mutable_fields())["id"] = Int(1);
      auto reader = k->Warm(&c, r);
      v1::WarmProgress progress;
      while (reader->Read(&progress)) {
      }
      return reader->Finish();
    };
    calls["CacheService.Stats"] = [k = cache.get()](grpc::ClientContext& c) {
      v1::StatsResponse out;
      return k->Stats(&c, v1::StatsRequest(), &out);
    };
    stubs_.push_back(std::shared_ptr<void>(std::move(queries)));
    stubs_.push_back(std::shared_ptr<void>(std::move(repo)));
    stubs_.push_back(std::shared_ptr<void>(std::move(cache)));
    return calls;
  }

  TestServer server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::vector<std::shared_ptr<void>> stubs_;
};

TEST_F(RoleMatrixTest, EveryRpcUnderEveryDefaultRole) {
  const std::set<std::string> reader = {"QueryService.Execute",    "QueryService.ListQueries",
                                        "RepositoryService.Get",   "RepositoryService.List",
                                        "RepositoryService.Count", "RepositoryService.Exists"};
  std::set<std::string> writer = reader;
  writer.insert({"RepositoryService.Create", "RepositoryService.CreateMany",
                 "RepositoryService.Update", "RepositoryService.Delete",
                 "RepositoryService.Transact"});
  const std::set<std::string> op = {"CacheService.Invalidate", "CacheService.Warm",
                                    "CacheService.Stats"};
  std::map<std::string, Call> calls = Calls();
  ASSERT_EQ(calls.size(), 14u);
  std::map<std::string, std::set<std::string>> allowed = {
      {"reader", reader}, {"writer", writer}, {"operator", op}, {"guest", {}}};
  for (const auto& [name, call] : calls) allowed["admin"].insert(name);
  for (const auto& [role, permitted] : allowed) {
    std::string token = TestToken(absl::StrCat("user-", role), {role});
    for (const auto& [rpc, call] : calls) {
      grpc::Status status = Run(call, token);
      if (permitted.count(rpc) > 0) {
        EXPECT_TRUE(status.ok()) << role << " " << rpc << ": " << status.error_message();
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << role << " " << rpc;
        EXPECT_EQ(status.error_message(), absl::StrCat("missing permission ", rpc));
      }
    }
  }
}

TEST_F(RoleMatrixTest, CallsWithoutAValidTokenAreUnauthenticated) {
  std::map<std::string, Call> calls = Calls();
  struct Case {
    std::string name;
    std::string token;
    std::string reason;
  };
  std::vector<Case> cases = {
      {"no token", "", "missing bearer token"},
      {"expired", TestToken("u", {"admin"}, absl::Now() - absl::Hours(2)), "token expired"},
      {"garbage", "not.a.token", "malformed token"},
  };
  for (const Case& c : cases) {
    for (const auto& [rpc, call] : calls) {
      grpc::Status status = Run(call, c.token);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << c.name << " " << rpc;
      EXPECT_EQ(status.error_message(), c.reason) << c.name << " " << rpc;
    }
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Basic dXNlcjpwYXNz");
  v1::StatsResponse out;
  grpc::Status basic =
      v1::CacheService::NewStub(channel_)->Stats(&context, v1::StatsRequest(), &out);
  EXPECT_EQ(basic.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(RoleMatrixTest, HealthStaysOpen) {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status health =
      grpc::health::v1::Health::NewStub(channel_)->Check(&context, request, &response);
  EXPECT_TRUE(health.ok()) << health.error_message();
}

TEST_F(RoleMatrixTest, PerQueryRoles) {
  auto stub = v1::QueryService::NewStub(channel_);
  auto total = [&](const std::string& token) {
    grpc::ClientContext context;
    Authorize(context, token);
    v1::ExecuteRequest r;
    r.set_query("ledger_total");
    v1::ExecuteResponse out;
    return stub->Execute(&context, r, &out);
  };
  grpc::Status reader = total(TestToken("r", {"reader"}));
  EXPECT_EQ(reader.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(reader.error_message(), HasSubstr("ledger_total"));
  EXPECT_THAT(reader.error_message(), HasSubstr("auditor"));
  // The RPC permission is still needed: auditor alone is not a reader.
  EXPECT_EQ(total(TestToken("a", {"auditor"})).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(total(TestToken("ra", {"reader", "auditor"})).ok());
  EXPECT_TRUE(total(TestToken("adm", {"admin"})).ok());
  // A denied caller is refused before the cache: a second try after a hit is still denied.
  EXPECT_EQ(total(TestToken("r", {"reader"})).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RoleMatrixTest, ANamedQueryNeedsTheReadRolesOfTheModelsItReads) {
  auto stub = v1::QueryService::NewStub(channel_);
  auto count = [&](const std::string& token) {
    grpc::ClientContext context;
    Authorize(context, token);
    v1::ExecuteRequest r;
    r.set_query("ledger_count");
    v1::ExecuteResponse out;
    return stub->Execute(&context, r, &out);
  };
  grpc::Status reader = count(TestToken("r", {"reader"}));
  EXPECT_EQ(reader.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reader.error_message(),
            "query ledger_count reads model ledger: reading requires one of the roles [auditor]");
  EXPECT_TRUE(count(TestToken("ra", {"reader", "auditor"})).ok());
}

TEST_F(RoleMatrixTest, PerModelRoles) {
  auto stub = v1::RepositoryService::NewStub(channel_);
  auto get = [&](const std::string& token, const std::string& model) {
    grpc::ClientContext context;
    Authorize(context, token);
    v1::GetRequest r;
    r.set_model(model);
    *r.mutable_id() = Int(1);
    v1::GetResponse out;
    return stub->Get(&context, r, &out);
  };
  auto create = [&](const std::string& token) {
    grpc::ClientContext context;
    Authorize(context, token);
    v1::CreateRequest r;
    r.set_model("ledger");
    (*r.mutable_record()->mutable_fields())["amount"] = Int(1);
    v1::CreateResponse out;
    return stub->Create(&context, r, &out);
  };
  grpc::Status denied = get(TestToken("r", {"reader"}), "ledger");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("ledger"));
  EXPECT_TRUE(get(TestToken("r", {"reader"}), "item").ok());
  EXPECT_TRUE(get(TestToken("ra", {"reader", "auditor"}), "ledger").ok());
  EXPECT_EQ(create(TestToken("w", {"writer", "auditor"})).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(create(TestToken("wa", {"writer", "accountant"})).ok());
}

TEST(AnonymousRolesTest, WithoutAuthenticationEveryCallerHasTheAnonymousRoles) {
  QG_REQUIRE_POSTGRES();
  TestServer server;
  ASSERT_EQ(server.Start(kSchema, kSeed,
                         [](server::ServerConfig& c) { c.auth.anonymous_roles = {"reader"}; }),
            "");
  grpc::ClientContext stats_context;
  v1::StatsResponse stats;
  grpc::Status denied = v1::CacheService::NewStub(server.Channel())
                            ->Stats(&stats_context, v1::StatsRequest(), &stats);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.error_message(), "missing permission CacheService.Stats");
  grpc::ClientContext list_context;
  v1::ListQueriesResponse queries;
  EXPECT_TRUE(v1::QueryService::NewStub(server.Channel())
                  ->ListQueries(&list_context, v1::ListQueriesRequest(), &queries)
                  .ok());
}

}  // namespace
}  // namespace querygate
