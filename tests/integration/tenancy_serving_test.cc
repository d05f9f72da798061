// Multi-tenant serving over a real gRPC channel, PostgreSQL (the server as a runtime role under
// row-level security) and Redis: the tenant setting on pooled connections, per-tenant cache
// keys and generations, denials without a tenant, tenant-filled and tenant-checked writes, and
// invalidation by writes, triggers and events.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cache/invalidation_event.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "service/query_registry.h"
#include "service/tenant_scope.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/poll.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::Int;
using querygate::testing::Str;
using querygate::testing::TestServer;
using ::testing::HasSubstr;

constexpr char kTenantA[] = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr char kTenantB[] = "bbbbbbbb-0000-4000-8000-000000000002";

constexpr char kSchema[] = R"json({
  "tenancy": {"column": "organization_id", "type": "uuid", "model": "organization"},
  "models": {
    "organization": {"id": "uuid", "name": "string"},
    "plan": {
      "$options": {"tenant_scoped": false},
      "id": "int64",
      "name": "string",
      "projects": ["@project"]
    },
    "project": {
      "id": "int64",
      "name": "string",
      "plan_id": "int64?",
      "plan": "@plan?",
      "tasks": ["@task"]
    },
    "task": {
      "id": "int64",
      "project_id": "int64",
      "project": "@project",
      "title": "string"
    }
  },
  "queries": {
    "all_projects": {"sql": "SELECT id, name, organization_id FROM projects ORDER BY id"},
    "projects_named": {
      "sql": "SELECT id, name, organization_id FROM projects WHERE name LIKE :prefix || '%' ORDER BY id",
      "params": {"prefix": "string"}
    },
    "all_plans": {"sql": "SELECT id, name FROM plans ORDER BY id"}
  }
})json";

// Tenant A owns projects 1-3 and task 1, tenant B projects 11-13 and task 2; plans are global.
const std::string kSeed =
    absl::StrCat(R"sql(
INSERT INTO organizations (id, name) VALUES (')sql",
                 kTenantA, R"sql(', 'Org A'), (')sql", kTenantB, R"sql(', 'Org B');
INSERT INTO plans (id, name) VALUES (1, 'free'), (2, 'pro');
SELECT setval('plans_id_seq', 100);
INSERT INTO projects (id, organization_id, name, plan_id) VALUES
  (1, ')sql",
                 kTenantA, R"sql(', 'a-one', 1), (2, ')sql", kTenantA, R"sql(', 'a-two', 2),
  (3, ')sql",
                 kTenantA, R"sql(', 'a-three', NULL), (11, ')sql", kTenantB, R"sql(', 'b-one', 1),
  (12, ')sql",
                 kTenantB, R"sql(', 'b-two', 1), (13, ')sql", kTenantB, R"sql(', 'b-three', 2);
SELECT setval('projects_id_seq', 100);
INSERT INTO tasks (id, organization_id, project_id, title) VALUES
  (1, ')sql",
                 kTenantA, R"sql(', 1, 'a task'), (2, ')sql", kTenantB, R"sql(', 11, 'b task');
SELECT setval('tasks_id_seq', 100);
)sql");

v1::Record Rec(std::map<std::string, v1::Value> fields) {
  v1::Record out;
  for (auto& [k, v] : fields) (*out.mutable_fields())[k] = std::move(v);
  return out;
}

template <typename Fields>  // v1::Record or v1::StructValue
std::string Field(const Fields& record, const std::string& name) {
  auto it = record.fields().find(name);
  if (it == record.fields().end()) return "<absent>";
  if (it->second.has_string_value()) return it->second.string_value();
  if (it->second.has_int_value()) return absl::StrCat(it->second.int_value());
  return "<other>";
}

// Runs one command on the test Redis; returns the reply's integer or element count.
int64_t RedisCount(const std::vector<std::string>& args) {
  cache::RedisOptions options;
  if (!cache::ApplyRedisUrl(querygate::testing::RedisUrl(), options).ok()) return -1;
  redisContext* context = redisConnect(options.host.c_str(), options.port);
  if (context == nullptr || context->err) return -1;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data()));
  int64_t out = -1;
  if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY)
    out = static_cast<int64_t>(reply->elements);
  if (reply != nullptr && reply->type == REDIS_REPLY_INTEGER) out = reply->integer;
  if (reply != nullptr) freeReplyObject(reply);
  redisFree(context);
  return out;
}

// A tenant schema in memory: `project` scoped, `plan` global.
schema::Schema TwoTableSchema() {
  schema::Schema schema;
  schema::Tenancy tenancy;
  tenancy.column = "organization_id";
  tenancy.type.kind = schema::TypeKind::kUuid;
  schema.tenancy = tenancy;
  schema::Model project;
  project.name = "project";
  project.table = "projects";
  project.tenant_column = "organization_id";
  schema::Model plan;
  plan.name = "plan";
  plan.table = "plans";
  schema.models = {project, plan};
  return schema;
}

TEST(TenantScopeTest, ScopedReadsNeedATenantAndAreKeyedAndVersionedByIt) {
  schema::Schema schema = TwoTableSchema();
  service::TenantScope scope(&schema);
  service::CallContext none;
  service::CallContext a;
  a.tenant = kTenantA;
  EXPECT_TRUE(scope.IsScoped("projects"));
  EXPECT_FALSE(scope.IsScoped("plans"));
  EXPECT_FALSE(scope.IsScoped("pg_class"));
  absl::Status denied = scope.Require(none, {"plans", "projects"}, "query q");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), "query q is tenant-scoped and the caller has no tenant");
  EXPECT_TRUE(scope.Require(none, {"plans"}, "query q").ok());
  EXPECT_TRUE(scope.Require(a, {"projects"}, "query q").ok());
  EXPECT_EQ(scope.KeyScope(a, {"plans", "projects"}), absl::StrCat("tenant:", kTenantA));
  EXPECT_EQ(scope.KeyScope(a, {"plans"}), "");
  std::vector<std::string> dependencies;
  scope.AddDependencies(a, {"plans", "projects"}, dependencies);
  EXPECT_THAT(dependencies, ::testing::ElementsAre("t:plans", "t:projects",
                                                   absl::StrCat("tt:projects:", kTenantA)));
  EXPECT_EQ(scope.WriteTenant(a, {"projects"}), kTenantA);
  EXPECT_EQ(scope.WriteTenant(a, {"plans", "projects"}), "");
  // Without tenancy every table is global.
  schema.tenancy.reset();
  service::TenantScope single(&schema);
  EXPECT_FALSE(single.IsScoped("projects"));
  EXPECT_TRUE(single.Require(none, {"projects"}, "query q").ok());
  EXPECT_EQ(single.KeyScope(a, {"projects"}), "");
}

TEST(InvalidationEventTest, CarriesAnOptionalTenant) {
  auto event = cache::ParseInvalidationEvent(
      absl::StrCat(R"({"tables": ["projects"], "tenant": ")", kTenantA, R"("})"));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->tenant, kTenantA);
  EXPECT_EQ(cache::ParseInvalidationEvent(cache::InvalidationEventJson(*event))->tenant, kTenantA);
  event = cache::ParseInvalidationEvent(R"({"tables": ["projects"], "tenant": 42})");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->tenant, "42");
  EXPECT_EQ(
      cache::ParseInvalidationEvent(R"({"tables": ["projects"], "tenant": ""})").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      cache::ParseInvalidationEvent(R"({"tables": ["projects"], "tenant": [1]})").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(cache::ParseInvalidationEvent("projects")->tenant.empty());
}

class TenancyServingTest : public ::testing::Test {
 protected:
  void SetUp() override { QG_REQUIRE_POSTGRES(); }

  void StartServer(const std::function<void(server::ServerConfig&)>& tweak = nullptr) {
    std::string error = server_.Start(
        kSchema, kSeed,
        [&](server::ServerConfig& c) {
          querygate::testing::UseTestJwt(c);
          if (tweak) tweak(c);
        },
        querygate::testing::StartOptions{.runtime_role = true});
    ASSERT_EQ(error, "");
    query_ = v1::QueryService::NewStub(server_.Channel());
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
    cache_ = v1::CacheService::NewStub(server_.Channel());
    token_a_ =
        querygate::testing::TestToken("alice", {"writer"}, absl::Now() + absl::Hours(1), kTenantA);
    token_b_ =
        querygate::testing::TestToken("bob", {"writer"}, absl::Now() + absl::Hours(1), kTenantB);
    token_none_ = querygate::testing::TestToken("nobody", {"writer"});
  }

  template <typename Req, typename Resp, typename Stub, typename Method>
  grpc::Status Call(Stub* stub, Method method, const std::string& token, const Req& request,
                    Resp* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    querygate::testing::Authorize(context, token);
    return (stub->*method)(&context, request, response);
  }

  grpc::Status Execute(const std::string& token, const std::string& query,
                       v1::ExecuteResponse* response,
                       v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED,
                       std::map<std::string, v1::Value> params = {}) {
    v1::ExecuteRequest request;
    request.set_query(query);
    request.set_cache_mode(mode);
    for (auto& [k, v] : params) (*request.mutable_params())[k] = v;
    return Call(query_.get(), &v1::QueryService::Stub::Execute, token, request, response);
  }

  grpc::Status Get(const std::string& token, const std::string& model, v1::Value id,
                   v1::GetResponse* response, v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED,
                   std::vector<std::string> include = {}) {
    v1::GetRequest request;
    request.set_model(model);
    *request.mutable_id() = std::move(id);
    request.set_cache_mode(mode);
    for (auto& i : include) request.add_include(i);
    return Call(repo_.get(), &v1::RepositoryService::Stub::Get, token, request, response);
  }

  grpc::Status List(const std::string& token, const std::string& model, v1::ListResponse* response,
                    v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED,
                    std::vector<std::string> include = {}) {
    v1::ListRequest request;
    request.set_model(model);
    request.set_cache_mode(mode);
    for (auto& i : include) request.add_include(i);
    return Call(repo_.get(), &v1::RepositoryService::Stub::List, token, request, response);
  }

  grpc::Status Create(const std::string& token, const std::string& model, v1::Record record,
                      v1::CreateResponse* response) {
    v1::CreateRequest request;
    request.set_model(model);
    *request.mutable_record() = std::move(record);
    return Call(repo_.get(), &v1::RepositoryService::Stub::Create, token, request, response);
  }

  grpc::Status Update(const std::string& token, const std::string& model, v1::Value id,
                      v1::Record record, v1::UpdateResponse* response) {
    v1::UpdateRequest request;
    request.set_model(model);
    *request.mutable_id() = std::move(id);
    *request.mutable_record() = std::move(record);
    return Call(repo_.get(), &v1::RepositoryService::Stub::Update, token, request, response);
  }

  // The organization_id of every row of `table`, read as the admin (no row-level security).
  std::multiset<std::string> OwnersOf(const std::string& table, const std::string& where = "") {
    auto session = server_.database().Connect();
    auto rows = session->Query(absl::StrCat("SELECT organization_id::text FROM ", table,
                                            where.empty() ? "" : " WHERE ", where));
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::multiset<std::string> out;
    if (!rows.ok()) return out;
    for (size_t r = 0; r < rows->rows.size(); ++r) out.insert(rows->Text(r, 0));
    return out;
  }

  // The project ids in an all_projects answer; fails the test for a row of another tenant.
  std::vector<int64_t> ProjectIds(const v1::ExecuteResponse& response, const std::string& tenant) {
    std::vector<int64_t> ids;
    for (const v1::Row& row : response.rows()) {
      EXPECT_EQ(row.values(2).string_value(), tenant) << "a row of another tenant";
      ids.push_back(row.values(0).int_value());
    }
    return ids;
  }

  // Returns the warm status from Stats once it no longer says "running" or "idle" (the startup
  // warm finished), or after 30 seconds.
  std::string WarmStatusWhenDone() {
    std::string token = querygate::testing::TestToken("operator", {"operator"});
    std::string status;
    querygate::testing::PollUntil(absl::Now() + absl::Seconds(30), [&] {
      v1::StatsResponse stats;
      grpc::Status call =
          Call(cache_.get(), &v1::CacheService::Stub::Stats, token, v1::StatsRequest(), &stats);
      EXPECT_TRUE(call.ok()) << call.error_message();
      if (!call.ok()) return true;
      status = stats.warm_status();
      return status != "running" && status != "idle";
    });
    return status;
  }

  // Reads `query` as `token` until the answer is no longer a HIT (an invalidation landed) or
  // 20 seconds passed; returns the last status.
  v1::CacheStatus ExecuteUntilNotHit(const std::string& token, const std::string& query) {
    v1::CacheStatus status = v1::CACHE_STATUS_HIT;
    querygate::testing::PollUntil(absl::Now() + absl::Seconds(20), [&] {
      v1::ExecuteResponse response;
      grpc::Status call = Execute(token, query, &response);
      EXPECT_TRUE(call.ok()) << call.error_message();
      if (!call.ok()) return true;
      status = response.cache().status();
      return status != v1::CACHE_STATUS_HIT;
    });
    return status;
  }

  TestServer server_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
  std::string token_a_;
  std::string token_b_;
  std::string token_none_;
};

TEST_F(TenancyServingTest, ServerRunsAsARuntimeRoleUnderRowLevelSecurity) {
  StartServer();
  ASSERT_NE(server_.role(), nullptr);
  EXPECT_NE(server_.server_url(), server_.database().url());
  auto session = db::Session::Connect(server_.server_url(), absl::Seconds(10));
  ASSERT_TRUE(session.ok()) << session.status();
  auto who = (*session)->Query(
      "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->Text(0, 0), server_.role()->name());
  EXPECT_EQ(who->Text(0, 1), "f");
  EXPECT_EQ(who->Text(0, 2), "f");
  // Without the tenant setting the role sees nothing: the policy function refuses.
  auto rows = (*session)->Query("SELECT count(*) FROM projects");
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kPermissionDenied) << rows.status();
  // With a tenant set it sees that tenant's rows only, and cannot write another tenant's.
  absl::Status ran = (*session)->Transact([&](db::Transaction& tx) -> absl::Status {
    EXPECT_TRUE(tx.Query("SELECT set_config('querygate.tenant', $1, true)", {kTenantA}).ok());
    auto visible = tx.Query("SELECT count(*) FROM projects");
    EXPECT_TRUE(visible.ok()) << visible.status();
    if (visible.ok()) {
      EXPECT_EQ(visible->Text(0, 0), "3");
    }
    return tx
        .Query(absl::StrCat("INSERT INTO projects (organization_id, name) VALUES ('", kTenantB,
                            "', 'sneaky')"))
        .status();
  });
  EXPECT_EQ(ran.code(), absl::StatusCode::kPermissionDenied) << ran;
}

// One pooled connection, alternating tenants: a tenant's setting never survives into the next
// lease (each read bypasses the cache, so every one reaches PostgreSQL).
TEST_F(TenancyServingTest, OneConnectionAlternatingTenantsReadsOnlyOwnRows) {
  StartServer([](server::ServerConfig& c) {
    c.database.min_connections = 1;
    c.database.max_connections = 1;
  });
  const std::map<std::string, std::set<int64_t>> own = {{kTenantA, {1, 2, 3}},
                                                        {kTenantB, {11, 12, 13}}};
  for (int i = 0; i < 200; ++i) {
    const std::string tenant = i % 2 == 0 ? kTenantA : kTenantB;
    const std::string& token = i % 2 == 0 ? token_a_ : token_b_;
    const std::set<int64_t>& ids = own.at(tenant);
    SCOPED_TRACE(absl::StrCat("read ", i, " as ", tenant));
    switch (i % 6 / 2) {
      case 0: {
        v1::ExecuteResponse response;
        grpc::Status status = Execute(token, "all_projects", &response, v1::CACHE_MODE_BYPASS);
        ASSERT_TRUE(status.ok()) << status.error_message();
        std::vector<int64_t> got = ProjectIds(response, tenant);
        EXPECT_EQ(std::set<int64_t>(got.begin(), got.end()), ids);
        break;
      }
      case 1: {
        v1::ListResponse response;
        grpc::Status status = List(token, "project", &response, v1::CACHE_MODE_BYPASS, {"tasks"});
        ASSERT_TRUE(status.ok()) << status.error_message();
        std::set<int64_t> got;
        for (const v1::Record& record : response.records()) {
          EXPECT_EQ(Field(record, "organization_id"), tenant);
          got.insert(record.fields().at("id").int_value());
          for (const v1::Value& task : record.fields().at("tasks").list_value().values()) {
            EXPECT_EQ(Field(task.struct_value(), "organization_id"), tenant);
          }
        }
        EXPECT_EQ(got, ids);
        break;
      }
      default: {
        // The own first project is visible; the other tenant's same-position one is not.
        int64_t mine = *ids.begin();
        int64_t theirs = tenant == kTenantA ? 11 : 1;
        v1::GetResponse response;
        grpc::Status status = Get(token, "project", Int(mine), &response, v1::CACHE_MODE_BYPASS);
        ASSERT_TRUE(status.ok()) << status.error_message();
        EXPECT_EQ(Field(response.record(), "organization_id"), tenant);
        v1::GetResponse other;
        EXPECT_EQ(Get(token, "project", Int(theirs), &other, v1::CACHE_MODE_BYPASS).error_code(),
                  grpc::StatusCode::NOT_FOUND);
        break;
      }
    }
  }
}

// The same named query with the same parameters under two tenants: two cache entries, and
// neither tenant is ever served the other's rows, on the miss or on the hit.
TEST_F(TenancyServingTest, SameQueryUnderTwoTenantsKeepsTwoEntries) {
  StartServer([](server::ServerConfig& c) { c.listen_for_changes = false; });
  const std::map<std::string, v1::Value> params = {{"prefix", Str("")}};
  v1::ExecuteResponse a1, b1, a2, b2;
  ASSERT_TRUE(Execute(token_a_, "projects_named", &a1, v1::CACHE_MODE_UNSPECIFIED, params).ok());
  ASSERT_TRUE(Execute(token_b_, "projects_named", &b1, v1::CACHE_MODE_UNSPECIFIED, params).ok());
  ASSERT_TRUE(Execute(token_a_, "projects_named", &a2, v1::CACHE_MODE_UNSPECIFIED, params).ok());
  ASSERT_TRUE(Execute(token_b_, "projects_named", &b2, v1::CACHE_MODE_UNSPECIFIED, params).ok());
  EXPECT_EQ(a1.cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(b1.cache().status(), v1::CACHE_STATUS_MISS) << "tenant B was served A's entry";
  EXPECT_EQ(a2.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(b2.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_THAT(ProjectIds(a1, kTenantA), ::testing::ElementsAre(1, 2, 3));
  EXPECT_THAT(ProjectIds(a2, kTenantA), ::testing::ElementsAre(1, 2, 3));
  EXPECT_THAT(ProjectIds(b1, kTenantB), ::testing::ElementsAre(11, 12, 13));
  EXPECT_THAT(ProjectIds(b2, kTenantB), ::testing::ElementsAre(11, 12, 13));
  EXPECT_EQ(RedisCount({"KEYS", absl::StrCat(server_.key_prefix(), ":projects_named:*")}), 2);
}

TEST_F(TenancyServingTest, NoTenantOnScopedDataIsDeniedAndGlobalReadsAreShared) {
  StartServer([](server::ServerConfig& c) { c.listen_for_changes = false; });
  v1::ExecuteResponse executed;
  grpc::Status status = Execute(token_none_, "all_projects", &executed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("query all_projects is tenant-scoped and the caller has no tenant"));
  v1::GetResponse got;
  status = Get(token_none_, "project", Int(1), &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("model project is tenant-scoped"));
  v1::ListResponse listed;
  EXPECT_EQ(List(token_none_, "task", &listed).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::CountRequest count;
  count.set_model("project");
  v1::CountResponse counted;
  EXPECT_EQ(Call(repo_.get(), &v1::RepositoryService::Stub::Count, token_none_, count, &counted)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A global model that includes a scoped one needs a tenant too.
  status = Get(token_none_, "plan", Int(1), &got, v1::CACHE_MODE_UNSPECIFIED, {"projects"});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("an include of model plan is tenant-scoped"));
  v1::CreateResponse created;
  EXPECT_EQ(Create(token_none_, "project", Rec({{"name", Str("x")}}), &created).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Global reads work without a tenant, and their entries are shared by every caller.
  ASSERT_TRUE(Execute(token_none_, "all_plans", &executed).ok());
  EXPECT_EQ(executed.cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(executed.rows_size(), 2);
  ASSERT_TRUE(Execute(token_a_, "all_plans", &executed).ok());
  EXPECT_EQ(executed.cache().status(), v1::CACHE_STATUS_HIT);
  ASSERT_TRUE(Get(token_none_, "plan", Int(2), &got).ok());
  EXPECT_EQ(got.cache().status(), v1::CACHE_STATUS_MISS);
  ASSERT_TRUE(Get(token_b_, "plan", Int(2), &got).ok());
  EXPECT_EQ(got.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(Field(got.record(), "name"), "pro");
  // The same Get with a scoped include is per tenant.
  ASSERT_TRUE(Get(token_a_, "plan", Int(1), &got, v1::CACHE_MODE_UNSPECIFIED, {"projects"}).ok());
  EXPECT_EQ(got.cache().status(), v1::CACHE_STATUS_MISS);
  ASSERT_EQ(got.record().fields().at("projects").list_value().values_size(), 1);
  ASSERT_TRUE(Get(token_b_, "plan", Int(1), &got, v1::CACHE_MODE_UNSPECIFIED, {"projects"}).ok());
  EXPECT_EQ(got.cache().status(), v1::CACHE_STATUS_MISS);
  const auto& projects = got.record().fields().at("projects").list_value().values();
  ASSERT_EQ(projects.size(), 2);
  for (const v1::Value& project : projects) {
    EXPECT_EQ(Field(project.struct_value(), "organization_id"), kTenantB);
  }
}

TEST_F(TenancyServingTest, WritesStayInTheCallersTenant) {
  StartServer([](server::ServerConfig& c) { c.listen_for_changes = false; });
  // Create fills the tenant column.
  v1::CreateResponse created;
  grpc::Status status = Create(token_a_, "project", Rec({{"name", Str("a-new")}}), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Field(created.record(), "organization_id"), kTenantA);
  std::string id = Field(created.record(), "id");
  EXPECT_EQ(OwnersOf("projects", absl::StrCat("id = ", id)),
            std::multiset<std::string>({kTenantA}));
  // Naming the own tenant (in any spelling) is fine; naming another one is denied.
  std::string upper_a = kTenantA;
  for (char& c : upper_a) c = static_cast<char>(std::toupper(c));
  status = Create(token_a_, "project",
                  Rec({{"name", Str("a-upper")}, {"organization_id", Str(upper_a)}}), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Field(created.record(), "organization_id"), kTenantA);
  status = Create(token_a_, "project",
                  Rec({{"name", Str("stolen")}, {"organization_id", Str(kTenantB)}}), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("record.organization_id: names another tenant"));
  // A serial key is the database's: choosing B's id 11 would otherwise answer ALREADY_EXISTS.
  status = Create(token_a_, "project", Rec({{"id", Int(11)}, {"name", Str("probe")}}), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("record.id: assigned by the database"));
  // A task of A cannot point at a project of B (the composite foreign key).
  status =
      Create(token_a_, "task", Rec({{"project_id", Int(11)}, {"title", Str("cross")}}), &created);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL);

  // CreateMany: one record naming another tenant fails the batch, naming its index.
  v1::CreateManyRequest many;
  many.set_model("project");
  *many.add_records() = Rec({{"name", Str("ok")}});
  *many.add_records() = Rec({{"name", Str("bad")}, {"organization_id", Str(kTenantB)}});
  v1::CreateManyResponse many_response;
  status =
      Call(repo_.get(), &v1::RepositoryService::Stub::CreateMany, token_a_, many, &many_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("records[1].organization_id: names another tenant"));

  // Update cannot move a row; setting the same tenant is a no-op.
  v1::UpdateResponse updated;
  status = Update(token_a_, "project", Int(1), Rec({{"organization_id", Str(kTenantB)}}), &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("record.organization_id: names another tenant"));
  status = Update(token_a_, "project", Int(1),
                  Rec({{"organization_id", Str(kTenantA)}, {"name", Str("a-renamed")}}), &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Field(updated.record(), "name"), "a-renamed");
  // Another tenant's row is invisible to updates.
  status = Update(token_a_, "project", Int(11), Rec({{"name", Str("hijack")}}), &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  // Transact: a create naming another tenant fails the whole transaction.
  v1::TransactRequest transact;
  transact.add_ops()->mutable_create()->set_model("project");
  *transact.mutable_ops(0)->mutable_create()->mutable_record() = Rec({{"name", Str("t-one")}});
  transact.add_ops()->mutable_create()->set_model("project");
  *transact.mutable_ops(1)->mutable_create()->mutable_record() =
      Rec({{"name", Str("t-two")}, {"organization_id", Str(kTenantB)}});
  v1::TransactResponse transacted;
  status =
      Call(repo_.get(), &v1::RepositoryService::Stub::Transact, token_a_, transact, &transacted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("ops[1]"));
  v1::TransactRequest move;
  auto* op = move.add_ops()->mutable_update();
  op->set_model("project");
  *op->mutable_id() = Int(2);
  *op->mutable_record() = Rec({{"organization_id", Str(kTenantB)}});
  status = Call(repo_.get(), &v1::RepositoryService::Stub::Transact, token_a_, move, &transacted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("ops[0]"));
  // A valid transaction fills the tenant too.
  transact.mutable_ops()->RemoveLast();
  status =
      Call(repo_.get(), &v1::RepositoryService::Stub::Transact, token_a_, transact, &transacted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Field(transacted.records(0), "organization_id"), kTenantA);

  // Nothing landed in B, and A has its three seeded projects plus the three created.
  EXPECT_EQ(OwnersOf("projects", absl::StrCat("organization_id = '", kTenantB, "'")).size(), 3u);
  EXPECT_EQ(OwnersOf("projects", absl::StrCat("organization_id = '", kTenantA, "'")).size(), 6u);
  EXPECT_EQ(OwnersOf("projects", "name IN ('stolen', 'bad', 'ok', 't-two', 'hijack')").size(), 0u);
}

TEST_F(TenancyServingTest, InvalidationIsPerTenantForServiceWritesAndEvents) {
  StartServer();
  v1::ExecuteResponse response;
  auto status_of = [&](const std::string& token) {
    v1::ExecuteResponse r;
    grpc::Status s = Execute(token, "all_projects", &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r.cache().status();
  };
  ASSERT_EQ(status_of(token_a_), v1::CACHE_STATUS_MISS);
  ASSERT_EQ(status_of(token_b_), v1::CACHE_STATUS_MISS);
  ASSERT_EQ(status_of(token_a_), v1::CACHE_STATUS_HIT);
  ASSERT_EQ(status_of(token_b_), v1::CACHE_STATUS_HIT);

  // A write by tenant A invalidates A's entries and leaves B's.
  v1::CreateResponse created;
  ASSERT_TRUE(Create(token_a_, "project", Rec({{"name", Str("a-four")}}), &created).ok());
  ASSERT_TRUE(Execute(token_a_, "all_projects", &response).ok());
  EXPECT_EQ(response.cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(ProjectIds(response, kTenantA).size(), 4u);
  ASSERT_TRUE(Execute(token_b_, "all_projects", &response).ok());
  EXPECT_EQ(response.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_THAT(ProjectIds(response, kTenantB), ::testing::ElementsAre(11, 12, 13));
  ASSERT_EQ(status_of(token_a_), v1::CACHE_STATUS_HIT);

  // An event naming tenant B invalidates only B's entries.
  cache::InvalidationEvent event;
  event.tables = {"projects"};
  event.tenant = kTenantB;
  auto published = cache::PublishInvalidation(server_.config().redis,
                                              server_.config().invalidation_channel, event);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(ExecuteUntilNotHit(token_b_, "all_projects"), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(status_of(token_a_), v1::CACHE_STATUS_HIT);

  // A write made outside the service (a trigger, no tenant) invalidates every tenant.
  auto admin = server_.database().Connect();
  ASSERT_TRUE(admin->Execute("UPDATE projects SET name = 'a-one-sql' WHERE id = 1").ok());
  EXPECT_EQ(ExecuteUntilNotHit(token_b_, "all_projects"), v1::CACHE_STATUS_MISS);
  ASSERT_TRUE(Execute(token_a_, "all_projects", &response).ok());
  EXPECT_EQ(response.cache().status(), v1::CACHE_STATUS_MISS);
  ASSERT_GE(response.rows_size(), 1);
  EXPECT_EQ(response.rows(0).values(1).string_value(), "a-one-sql");
}

// Warm sets name their tenants: each runs under its tenant and fills only that tenant's
// entries; global sets need none.
TEST_F(TenancyServingTest, WarmSetsRunOncePerNamedTenant) {
  std::string upper_b = kTenantB;
  for (char& c : upper_b) c = static_cast<char>(std::toupper(c));
  StartServer([&](server::ServerConfig& c) {
    c.listen_for_changes = false;
    c.warm.on_startup = true;
    service::WarmSet projects;
    projects.name = "projects";
    projects.query = "all_projects";
    projects.params = {{}};
    projects.tenants = {kTenantA};
    service::WarmSet first;
    first.name = "first";
    first.model = "project";
    first.params = {{{"id", Value::Int(11)}}};
    first.tenants = {upper_b};
    service::WarmSet plans;
    plans.name = "plans";
    plans.query = "all_plans";
    plans.params = {{}};
    // params_from runs under each tenant too: 3 rows for A, 3 for B.
    service::WarmSet rows;
    rows.name = "rows";
    rows.model = "project";
    rows.params_from = "SELECT id FROM projects";
    rows.tenants = {kTenantA, kTenantB};
    c.warm.sets = {projects, first, plans, rows};
  });
  EXPECT_THAT(WarmStatusWhenDone(), HasSubstr("done: 9 warmed, 0 failed"));
  v1::ExecuteResponse executed;
  ASSERT_TRUE(Execute(token_a_, "all_projects", &executed).ok());
  EXPECT_EQ(executed.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_THAT(ProjectIds(executed, kTenantA), ::testing::ElementsAre(1, 2, 3));
  ASSERT_TRUE(Execute(token_b_, "all_projects", &executed).ok());
  EXPECT_EQ(executed.cache().status(), v1::CACHE_STATUS_MISS);
  ASSERT_TRUE(Execute(token_none_, "all_plans", &executed).ok());
  EXPECT_EQ(executed.cache().status(), v1::CACHE_STATUS_HIT);
  v1::GetResponse got;
  ASSERT_TRUE(Get(token_b_, "project", Int(11), &got).ok());
  EXPECT_EQ(got.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(Field(got.record(), "organization_id"), kTenantB);
  EXPECT_EQ(Get(token_a_, "project", Int(11), &got).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Get(token_a_, "project", Int(2), &got).ok());
  EXPECT_EQ(got.cache().status(), v1::CACHE_STATUS_HIT);
  ASSERT_TRUE(Get(token_b_, "project", Int(13), &got).ok());
  EXPECT_EQ(got.cache().status(), v1::CACHE_STATUS_HIT);
}

TEST_F(TenancyServingTest, WarmSetOnScopedDataWithoutTenantsFails) {
  StartServer([&](server::ServerConfig& c) {
    c.listen_for_changes = false;
    c.warm.on_startup = true;
    service::WarmSet projects;
    projects.name = "projects";
    projects.query = "all_projects";
    projects.params = {{}};
    c.warm.sets = {projects};
  });
  EXPECT_THAT(WarmStatusWhenDone(),
              HasSubstr("set projects: query all_projects: reads tenant-scoped data"));
}

}  // namespace
}  // namespace querygate
