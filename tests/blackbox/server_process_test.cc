// The querygate-server binary as a black box: startup checks, reflection, graceful shutdown.
#include "tests/blackbox/server_process.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "migrate/migrator.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "tests/blackbox/reflection_client.grpc.pb.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_env.h"

namespace querygate {
namespace {

using querygate::testing::ScopedDatabase;
using querygate::testing::ScopedTempDir;
using querygate::testing::ServerProcess;
using querygate::testing::WriteFile;

constexpr char kSchema[] = R"json({
  "models": {"item": {"fields": {"id": "int64", "name": "string"}}},
  "queries": {
    "slow_name": {
      "sql": "SELECT name FROM items, pg_sleep(:seconds) WHERE id = :id",
      "params": {"id": "int64", "seconds": "float64"},
      "cache": false
    }
  }
})json";

class ServerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    schema_dir_ = dir_.path() + "/schemas";
    WriteFile(schema_dir_ + "/test.json", kSchema);
    migrate::MigratorOptions options;
    options.database_url = db_.url();
    options.schema_dir = schema_dir_;
    options.migrations_dir = schema_dir_ + "/migrations";
    migrate::Migrator migrator(options);
    ASSERT_TRUE(migrator.New("init", false).ok());
    ASSERT_TRUE(migrator.Up().ok());
    auto session = db_.Connect();
    ASSERT_TRUE(session->Execute("INSERT INTO items VALUES (1, 'one')").ok());
  }

  std::map<std::string, std::string> Env() const {
    return {{"QUERYGATE_DATABASE_URL", db_.url()},
            {"QUERYGATE_REDIS_URL", querygate::testing::RedisUrl()},
            {"QUERYGATE_SCHEMA_DIR", schema_dir_},
            {"QUERYGATE_LISTEN", "127.0.0.1:0"},
            {"QUERYGATE_REDIS_KEY_PREFIX", absl::StrCat("qgbb:", db_.name())},
            {"QUERYGATE_INVALIDATION_CHANNEL", absl::StrCat("qgbb:", db_.name())}};
  }

  std::string Binary() const { return querygate::testing::BinDir() + "/querygate-server"; }

  ScopedDatabase db_;
  ScopedTempDir dir_;
  std::string schema_dir_;
};

TEST_F(ServerProcessTest, BrokenNamedQueryStopsStartupNamingFileAndError) {
  WriteFile(schema_dir_ + "/broken.json",
            R"json({"queries": {"bad": {"sql": "SELECT nope FROM items"}}})json");
  ServerProcess server;
  EXPECT_EQ(server.Start(Binary(), {}, Env()), 0);
  EXPECT_EQ(server.Wait(5000), 1);
  std::string log = server.Log();
  EXPECT_NE(log.find("broken.json"), std::string::npos) << log;
  EXPECT_NE(log.find("column \\\"nope\\\" does not exist"), std::string::npos) << log;
}

TEST_F(ServerProcessTest, ReflectionListsTheServices) {
  ServerProcess server;
  int port = server.Start(Binary(), {}, Env());
  ASSERT_GT(port, 0) << server.Log();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  auto stream = stub->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::set<std::string> names;
  for (const auto& s : response.list_services_response().service()) names.insert(s.name());
  EXPECT_TRUE(names.count("querygate.v1.QueryService"));
  EXPECT_TRUE(names.count("querygate.v1.CacheService"));
  EXPECT_TRUE(names.count("querygate.v1.RepositoryService"));
  EXPECT_TRUE(names.count("grpc.health.v1.Health"));
  request.set_file_containing_symbol("querygate.v1.QueryService");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_GT(response.file_descriptor_response().file_descriptor_proto_size(), 0);
  stream->WritesDone();
  stream->Finish();
}

TEST_F(ServerProcessTest, RefusesToServeUnauthenticatedBeyondLoopback) {
  auto env = Env();
  env["QUERYGATE_LISTEN"] = "0.0.0.0:0";
  ServerProcess server;
  EXPECT_EQ(server.Start(Binary(), {}, env), 0);
  EXPECT_EQ(server.Wait(5000), 1);
  EXPECT_NE(server.Log().find("refusing to serve without authentication on 0.0.0.0:0"),
            std::string::npos)
      << server.Log();
}

TEST_F(ServerProcessTest, InsecureNoAuthServesBeyondLoopbackWithAWarning) {
  auto env = Env();
  env["QUERYGATE_LISTEN"] = "0.0.0.0:0";
  ServerProcess server;
  ASSERT_GT(server.Start(Binary(), {"--insecure-no-auth"}, env), 0) << server.Log();
  EXPECT_NE(server.Log().find("WARNING: serving WITHOUT authentication"), std::string::npos)
      << server.Log();
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(10000), 0);
}

TEST_F(ServerProcessTest, WithAuthenticationReflectionIsOffAndDenialsAreAudited) {
  WriteFile(dir_.path() + "/secret", "a-development-secret-of-some-length\n");
  auto env = Env();
  env["QUERYGATE_AUTH_MODE"] = "jwt";
  env["QUERYGATE_JWT_ALGORITHMS"] = "HS256";
  env["QUERYGATE_JWT_HS256_SECRET_FILE"] = dir_.path() + "/secret";
  ServerProcess server;
  int port = server.Start(Binary(), {}, env);
  ASSERT_GT(port, 0) << server.Log();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  auto stream =
      grpc::reflection::v1alpha::ServerReflection::NewStub(channel)->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  stream->Write(request);
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);

  std::string token;
  ASSERT_EQ(querygate::testing::RunCommand(
                absl::StrCat("QUERYGATE_DEV_SECRET_FILE=", dir_.path(), "/secret ",
                             querygate::testing::SourceDir(), "/scripts/dev-token operator ops"),
                token),
            0)
      << token;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  grpc::ClientContext invalidate_call;
  invalidate_call.AddMetadata("authorization", "Bearer " + token);
  v1::InvalidateRequest invalidate;
  invalidate.add_tables("items");
  v1::InvalidateResponse invalidated;
  grpc::Status operator_status =
      v1::CacheService::NewStub(channel)->Invalidate(&invalidate_call, invalidate, &invalidated);
  EXPECT_TRUE(operator_status.ok()) << operator_status.error_message();

  grpc::ClientContext call;
  call.AddMetadata("authorization", "Bearer forged.token.here");
  v1::ListQueriesResponse queries;
  grpc::Status denied =
      v1::QueryService::NewStub(channel)->ListQueries(&call, v1::ListQueriesRequest(), &queries);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(10000), 0);
  std::string log = server.Log();
  EXPECT_NE(log.find("\"audit\":true"), std::string::npos) << log;
  EXPECT_NE(log.find("\"method\":\"QueryService.ListQueries\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"outcome\":\"UNAUTHENTICATED\""), std::string::npos) << log;
  EXPECT_NE(
      log.find(
          "\"method\":\"CacheService.Invalidate\",\"outcome\":\"OK\",\"peer\":\"ipv4:127.0.0.1:"),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("\"subject\":\"ops\""), std::string::npos) << log;
  EXPECT_EQ(log.find("a-development-secret"), std::string::npos) << log;
}

TEST_F(ServerProcessTest, AFailedStartPrintsTheErrorAndExitsOne) {
  ServerProcess first;
  int port = first.Start(Binary(), {}, Env());
  ASSERT_GT(port, 0) << first.Log();
  auto env = Env();
  env["QUERYGATE_LISTEN"] = absl::StrCat("127.0.0.1:", port);
  ServerProcess second;
  EXPECT_EQ(second.Start(Binary(), {}, env), 0);
  EXPECT_EQ(second.Wait(10000), 1) << second.Log();
  EXPECT_NE(second.Log().find("startup failed: cannot listen on"), std::string::npos)
      << second.Log();
  first.Signal(SIGTERM);
  EXPECT_EQ(first.Wait(10000), 0);
}

TEST_F(ServerProcessTest, ATenantSchemaServedAsASuperuserExitsOneUnlessOverridden) {
  ScopedDatabase tenant_db;
  std::string tenant_dir = dir_.path() + "/tenant_schemas";
  WriteFile(tenant_dir + "/test.json", R"json({
    "tenancy": {"column": "org_id", "type": "int64"},
    "models": {"note": {"fields": {"id": "int64", "body": "string"}}}
  })json");
  migrate::MigratorOptions options;
  options.database_url = tenant_db.url();
  options.schema_dir = tenant_dir;
  options.migrations_dir = tenant_dir + "/migrations";
  migrate::Migrator migrator(options);
  ASSERT_TRUE(migrator.New("init", false).ok());
  ASSERT_TRUE(migrator.Up().ok());
  auto env = Env();
  env["QUERYGATE_DATABASE_URL"] = tenant_db.url();  // the admin: a superuser
  env["QUERYGATE_SCHEMA_DIR"] = tenant_dir;
  ServerProcess refused;
  EXPECT_EQ(refused.Start(Binary(), {}, env), 0);
  EXPECT_EQ(refused.Wait(10000), 1) << refused.Log();
  EXPECT_NE(refused.Log().find("startup failed: database role \\\""), std::string::npos)
      << refused.Log();
  EXPECT_NE(refused.Log().find("is a superuser"), std::string::npos) << refused.Log();
  EXPECT_NE(refused.Log().find("tenancy.allow_privileged_role"), std::string::npos)
      << refused.Log();

  env["QUERYGATE_TENANCY_ALLOW_PRIVILEGED_ROLE"] = "true";
  ServerProcess overridden;
  ASSERT_GT(overridden.Start(Binary(), {}, env), 0) << overridden.Log();
  EXPECT_NE(overridden.Log().find("WARNING: database role \\\""), std::string::npos)
      << overridden.Log();
  overridden.Signal(SIGTERM);
  EXPECT_EQ(overridden.Wait(10000), 0);
}

TEST_F(ServerProcessTest, SigtermDrainsInFlightCallsAndExitsWithinTheBound) {
  ServerProcess server;
  std::vector<std::string> args = {"--shutdown-grace-ms", "3000"};
  int port = server.Start(Binary(), args, Env());
  ASSERT_GT(port, 0) << server.Log();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto stub = v1::QueryService::NewStub(channel);
  grpc::Status slow_status;
  v1::ExecuteResponse slow_response;
  std::thread slow([&] {
    v1::ExecuteRequest request;
    request.set_query("slow_name");
    (*request.mutable_params())["id"].set_int_value(1);
    (*request.mutable_params())["seconds"].set_double_value(1.0);
    grpc::ClientContext context;
    slow_status = stub->Execute(&context, request, &slow_response);
  });
  absl::SleepFor(absl::Milliseconds(300));
  absl::Time signalled = absl::Now();
  server.Signal(SIGTERM);
  int code = server.Wait(6000);
  absl::Duration took = absl::Now() - signalled;
  slow.join();
  EXPECT_EQ(code, 0) << server.Log();
  EXPECT_TRUE(slow_status.ok()) << "in-flight call drained: " << slow_status.error_message();
  EXPECT_EQ(slow_response.rows_size(), 1);
  EXPECT_LT(took, absl::Seconds(4));
  EXPECT_NE(server.Log().find("received SIGTERM"), std::string::npos);
}

TEST_F(ServerProcessTest, SigtermPastTheGraceBoundCancelsAndStillExits) {
  ServerProcess server;
  int port = server.Start(Binary(), {"--shutdown-grace-ms", "300"}, Env());
  ASSERT_GT(port, 0) << server.Log();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto stub = v1::QueryService::NewStub(channel);
  grpc::Status slow_status;
  std::thread slow([&] {
    v1::ExecuteRequest request;
    request.set_query("slow_name");
    (*request.mutable_params())["id"].set_int_value(1);
    (*request.mutable_params())["seconds"].set_double_value(5.0);
    grpc::ClientContext context;
    v1::ExecuteResponse response;
    slow_status = stub->Execute(&context, request, &response);
  });
  absl::SleepFor(absl::Milliseconds(300));
  absl::Time signalled = absl::Now();
  server.Signal(SIGTERM);
  int code = server.Wait(5000);
  EXPECT_LT(absl::Now() - signalled, absl::Seconds(3)) << server.Log();
  slow.join();
  EXPECT_EQ(code, 0) << server.Log();
  EXPECT_FALSE(slow_status.ok());
}

}  // namespace
}  // namespace querygate
