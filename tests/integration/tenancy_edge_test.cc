// The tenant at the edge of a server whose schema declares tenancy, against real PostgreSQL,
// Redis and gRPC: where the caller's tenant comes from (JWT claim, or the tenancy header
// without authentication), what happens to forged, malformed and missing tenants, the
// startup checks of the database role and of named queries, ListQueries' tenant_scoped, and
// the tenant fields of Invalidate and Warm.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/client.h"
#include "nlohmann/json.hpp"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "server/app.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_server.h"

extern char** environ;

namespace querygate {
namespace {

using querygate::testing::ScopedRole;
using querygate::testing::StartOptions;
using querygate::testing::TestServer;
using querygate::testing::TestToken;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kOrgA[] = "0a0a0a0a-0000-4000-8000-00000000000a";
constexpr char kOrgB[] = "0b0b0b0b-0000-4000-8000-00000000000b";
constexpr char kHeader[] = "x-querygate-tenant";

constexpr char kSchema[] = R"json({
  "tenancy": {"column": "organization_id", "type": "uuid", "model": "organization"},
  "models": {
    "organization": {"fields": {"id": "uuid", "name": "string"}},
    "note": {"fields": {"id": "int64", "body": "string"}},
    "country": {"tenant_scoped": false, "fields": {"id": "int64", "name": "string"}}
  },
  "queries": {
    "notes_all": {"sql": "SELECT id, body FROM notes ORDER BY id", "ttl": 300},
    "countries_all": {"sql": "SELECT id, name FROM countries ORDER BY id", "ttl": 300}
  }
})json";

constexpr char kSeed[] = R"sql(
  INSERT INTO organizations (id, name) VALUES
    ('0a0a0a0a-0000-4000-8000-00000000000a', 'a'), ('0b0b0b0b-0000-4000-8000-00000000000b', 'b');
  INSERT INTO notes (id, organization_id, body) VALUES
    (1, '0a0a0a0a-0000-4000-8000-00000000000a', 'a1'),
    (2, '0b0b0b0b-0000-4000-8000-00000000000b', 'b1'),
    (3, '0a0a0a0a-0000-4000-8000-00000000000a', 'a2');
  INSERT INTO countries (id, name) VALUES (1, 'fr'), (2, 'jp');
)sql";

// The error message of `result`, as a std::string (so that failures print it readably).
template <typename T>
std::string Msg(const absl::StatusOr<T>& result) {
  return std::string(result.status().message());
}

// The `body` column of every row of a notes_all result.
std::vector<std::string> Bodies(const client::Result& result) {
  std::vector<std::string> out;
  for (size_t row = 0; row < result.rows.size(); ++row) {
    auto body = result.Get<std::string>(row, "body");
    out.push_back(body.ok() ? *body : body.status().ToString());
  }
  return out;
}

class TenancyEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  }

  // Starts the server as a runtime role (neither superuser nor BYPASSRLS, owning nothing).
  void StartServer(const std::function<void(server::ServerConfig&)>& tweak) {
    ASSERT_EQ(server_.Start(kSchema, kSeed, tweak, StartOptions{.runtime_role = true}), "");
  }

  // A client of instance 0 with `token` (empty: none) and `tenant` in the tenancy header
  // (empty: none).
  std::unique_ptr<client::Client> Client(const std::string& token, const std::string& tenant = "") {
    client::ClientOptions options;
    options.target = server_.Target();
    options.bearer_token = token;
    options.tenant = tenant;
    options.retry.max_attempts = 1;
    auto made = client::Client::Create(options);
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? *std::move(made) : nullptr;
  }

  // Starts another App on the test database with `config`, recording warnings.
  absl::StatusOr<std::unique_ptr<server::App>> StartApp(const server::ServerConfig& config) {
    server::AppHooks hooks;
    hooks.warn = [this](const std::string& line) { warnings_.push_back(line); };
    return server::App::Start(config, hooks);
  }

  // Runs `sql` as the admin on the test database.
  void Admin(const std::string& sql) {
    auto session = server_.database().Connect();
    absl::Status done = session->Execute(sql);
    ASSERT_TRUE(done.ok()) << sql << ": " << done;
  }

  std::string AdminUser() {
    auto session = server_.database().Connect();
    auto rows = session->Query("SELECT current_user");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? rows->Text(0, 0) : "";
  }

  TestServer server_;
  std::vector<std::string> warnings_;
};

TEST_F(TenancyEdgeTest, TheRuntimeRoleStartsAndPrivilegedRolesAreRefusedByName) {
  StartServer(nullptr);
  server::ServerConfig config = server_.config();

  // The admin is a superuser: refused, and the override starts it with a warning.
  config.database.url = server_.database().url();
  std::string admin = AdminUser();
  auto superuser = StartApp(config);
  ASSERT_FALSE(superuser.ok());
  EXPECT_EQ(superuser.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(superuser),
              AllOf(HasSubstr(absl::StrCat("database role \"", admin, "\" is a superuser")),
                    HasSubstr("tenancy.allow_privileged_role")));
  EXPECT_THAT(warnings_, IsEmpty());
  config.tenancy.allow_privileged_role = true;
  auto overridden = StartApp(config);
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_THAT(warnings_[0], AllOf(HasSubstr(absl::StrCat("\"", admin, "\" is a superuser")),
                                  HasSubstr("allow_privileged_role")));
  (*overridden)->Shutdown(absl::ZeroDuration());
  config.tenancy.allow_privileged_role = false;

  // A role with BYPASSRLS.
  ScopedRole bypass;
  ASSERT_TRUE(bypass.ok());
  bypass.GrantRuntimeAccess(server_.database().url());
  Admin(absl::StrCat("ALTER ROLE ", bypass.name(), " BYPASSRLS"));
  config.database.url = bypass.UrlFor(server_.database().url());
  auto bypassing = StartApp(config);
  ASSERT_FALSE(bypassing.ok());
  EXPECT_EQ(bypassing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(bypassing),
              HasSubstr(absl::StrCat("database role \"", bypass.name(), "\" has BYPASSRLS")));
  EXPECT_THAT(Msg(bypassing), Not(HasSubstr("is a superuser")));

  // A role that owns a tenant-scoped table, and one that is a member of that owner.
  ScopedRole owner;
  ScopedRole member;
  ASSERT_TRUE(owner.ok() && member.ok());
  owner.GrantRuntimeAccess(server_.database().url());
  member.GrantRuntimeAccess(server_.database().url());
  Admin(absl::StrCat("ALTER TABLE notes OWNER TO ", owner.name(), "; GRANT ", owner.name(), " TO ",
                     member.name()));
  config.database.url = owner.UrlFor(server_.database().url());
  auto owning = StartApp(config);
  ASSERT_FALSE(owning.ok());
  EXPECT_EQ(owning.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(owning), HasSubstr(absl::StrCat("database role \"", owner.name(),
                                                  "\" owns (or is a member of the owner of) the "
                                                  "tenant-scoped table \"notes\"")));
  config.database.url = member.UrlFor(server_.database().url());
  auto membership = StartApp(config);
  ASSERT_FALSE(membership.ok());
  EXPECT_THAT(Msg(membership),
              HasSubstr(absl::StrCat("database role \"", member.name(), "\" owns ",
                                     "(or is a member of the owner of) the tenant-scoped table ",
                                     "\"notes\" (owner \"", owner.name(), "\")")));
  EXPECT_THAT(warnings_.size(), 1u);
  // Give the table back before the roles are dropped with what they own.
  Admin(absl::StrCat("ALTER TABLE notes OWNER TO ", admin));
}

TEST_F(TenancyEdgeTest, ConfiguredWarmTenantsAreCheckedAtStartup) {
  StartServer(nullptr);
  server::ServerConfig config = server_.config();
  service::WarmSet set;
  set.query = "notes_all";
  set.params.push_back({});
  set.tenants = {"not-a-uuid"};
  config.warm.sets = {set};
  auto bad = StartApp(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(bad), HasSubstr("warm.sets[0].tenants[0]"));
}

TEST_F(TenancyEdgeTest, NamedQueriesThatSetTheTenantAreRefusedAtStartup) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"set_it", "SELECT set_config('querygate.tenant', :t, true) AS t"},
      {"set_it_upper", "SELECT SET_CONFIG('querygate.tenant', :t, false) AS t"},
      {"read_it",
       "SELECT id FROM notes WHERE organization_id::text = "
       "current_setting('querygate.tenant')"},
  };
  for (const auto& [name, sql] : cases) {
    SCOPED_TRACE(name);
    nlohmann::json schema = nlohmann::json::parse(kSchema);
    schema["queries"][name] = {{"sql", sql}};
    if (sql.find(":t") != std::string::npos) schema["queries"][name]["params"] = {{"t", "string"}};
    TestServer server;
    std::string started =
        server.Start(schema.dump(), kSeed, nullptr, StartOptions{.runtime_role = true});
    EXPECT_THAT(started, HasSubstr(name));
  }
}

TEST_F(TenancyEdgeTest, ListQueriesSaysWhichQueriesAreTenantScoped) {
  StartServer(nullptr);
  auto caller = Client("");
  auto queries = caller->ListQueries();
  ASSERT_TRUE(queries.ok()) << queries.status();
  std::map<std::string, bool> scoped;
  for (const client::QueryInfo& q : *queries) scoped[q.name] = q.tenant_scoped;
  EXPECT_EQ(scoped, (std::map<std::string, bool>{{"countries_all", false}, {"notes_all", true}}));
}

TEST_F(TenancyEdgeTest, TheHeaderCarriesTheTenantOnlyWithoutAuthentication) {
  StartServer([](server::ServerConfig& c) { c.tenancy.header = kHeader; });
  auto a = Client("", kOrgA)->Execute("notes_all");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(Bodies(*a), ElementsAre("a1", "a2"));
  auto b = Client("", kOrgB)->Execute("notes_all");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(Bodies(*b), ElementsAre("b1"));
  // Canonicalized: upper case names the same tenant (and its cache entry).
  std::string upper_a = kOrgA;
  for (char& c : upper_a) c = static_cast<char>(std::toupper(c));
  auto a_again = Client("", upper_a)->Execute("notes_all");
  ASSERT_TRUE(a_again.ok()) << a_again.status();
  EXPECT_THAT(Bodies(*a_again), ElementsAre("a1", "a2"));
  EXPECT_EQ(a_again->cache.status, client::CacheStatus::kHit);

  auto none = Client("")->Execute("notes_all");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Msg(none), HasSubstr("tenant"));
  auto malformed = Client("", "not-a-uuid")->Execute("notes_all");
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Msg(malformed), HasSubstr("tenant:"));
  auto global = Client("")->Execute("countries_all");
  ASSERT_TRUE(global.ok()) << global.status();
  EXPECT_EQ(global->rows.size(), 2u);

  // The header sent twice is ambiguous.
  auto stub = v1::QueryService::NewStub(server_.Channel());
  grpc::ClientContext twice;
  twice.AddMetadata(kHeader, kOrgA);
  twice.AddMetadata(kHeader, kOrgB);
  v1::ListQueriesResponse listed;
  grpc::Status ambiguous = stub->ListQueries(&twice, v1::ListQueriesRequest(), &listed);
  EXPECT_EQ(ambiguous.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(ambiguous.error_message(), HasSubstr("more than once"));
}

TEST_F(TenancyEdgeTest, TheHeaderSettingIsRefusedWithAuthentication) {
  TestServer server;
  std::string started = server.Start(
      kSchema, kSeed,
      [](server::ServerConfig& c) {
        querygate::testing::UseTestJwt(c);
        c.tenancy.header = kHeader;
      },
      StartOptions{.runtime_role = true});
  EXPECT_THAT(started, AllOf(HasSubstr("INVALID_ARGUMENT"), HasSubstr("tenancy.header")));
}

TEST_F(TenancyEdgeTest, WithJwtTheTenantComesFromTheTokenAlone) {
  StartServer([](server::ServerConfig& c) { querygate::testing::UseTestJwt(c); });
  absl::Time hour = absl::Now() + absl::Hours(1);
  std::string token_a = TestToken("ann", {"reader"}, hour, kOrgA);
  std::string token_b = TestToken("bob", {"reader"}, hour, kOrgB);
  std::string no_tenant = TestToken("nobody", {"reader"}, hour);

  auto a = Client(token_a)->Execute("notes_all");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(Bodies(*a), ElementsAre("a1", "a2"));
  // The header is not read with authentication: it neither moves nor gives a tenant.
  auto a_with_b_header = Client(token_a, kOrgB)->Execute("notes_all");
  ASSERT_TRUE(a_with_b_header.ok()) << a_with_b_header.status();
  EXPECT_THAT(Bodies(*a_with_b_header), ElementsAre("a1", "a2"));
  auto header_only = Client(no_tenant, kOrgB)->Execute("notes_all");
  EXPECT_EQ(header_only.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Msg(header_only), HasSubstr("tenant"));

  // A token whose claims were swapped for another tenant's keeps no valid signature.
  std::vector<std::string> a_parts = absl::StrSplit(token_a, '.');
  std::vector<std::string> b_parts = absl::StrSplit(token_b, '.');
  ASSERT_EQ(a_parts.size(), 3u);
  ASSERT_EQ(b_parts.size(), 3u);
  std::string forged = absl::StrCat(b_parts[0], ".", b_parts[1], ".", a_parts[2]);
  auto forged_read = Client(forged)->Execute("notes_all");
  EXPECT_EQ(forged_read.status().code(), absl::StatusCode::kUnauthenticated);

  // A valid token with a malformed tenant, and one without a tenant.
  auto malformed = Client(TestToken("eve", {"reader"}, hour, "org-a"))->Execute("notes_all");
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Msg(malformed), HasSubstr("tenant:"));
  auto missing = Client(no_tenant)->Execute("notes_all");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Msg(missing), HasSubstr("tenant"));
  auto listed = Client(no_tenant)->List("note");
  EXPECT_EQ(listed.status().code(), absl::StatusCode::kPermissionDenied);
  auto global = Client(no_tenant)->Execute("countries_all");
  ASSERT_TRUE(global.ok()) << global.status();
  EXPECT_EQ(global->rows.size(), 2u);
}

TEST_F(TenancyEdgeTest, InvalidateNamesATenantAndOnlyTheCallersOwn) {
  StartServer([](server::ServerConfig& c) { querygate::testing::UseTestJwt(c); });
  absl::Time hour = absl::Now() + absl::Hours(1);
  std::string operator_a = TestToken("ops-a", {"reader", "operator"}, hour, kOrgA);
  std::string operator_b = TestToken("ops-b", {"reader", "operator"}, hour, kOrgB);
  std::string operator_all = TestToken("ops", {"operator"}, hour);
  auto a = Client(operator_a);
  auto b = Client(operator_b);
  for (auto* caller : {a.get(), b.get()}) {
    ASSERT_TRUE(caller->Execute("notes_all").ok());
    auto hit = caller->Execute("notes_all");
    ASSERT_TRUE(hit.ok()) << hit.status();
    EXPECT_EQ(hit->cache.status, client::CacheStatus::kHit);
  }

  client::Invalidation what;
  what.tables = {"notes"};
  what.tenant = kOrgB;
  auto other = a->Invalidate(what);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Msg(other), HasSubstr("tenant"));
  what.tenant = "not-a-uuid";
  auto malformed = Client(operator_all)->Invalidate(what);
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(malformed), HasSubstr("tenant:"));
  what.tenant = std::string(300, 'a');
  auto long_tenant = Client(operator_all)->Invalidate(what);
  EXPECT_EQ(long_tenant.status().code(), absl::StatusCode::kInvalidArgument);

  std::string upper_a = kOrgA;
  for (char& c : upper_a) c = static_cast<char>(std::toupper(c));
  what.tenant = upper_a;
  auto own = a->Invalidate(what);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->tenant, kOrgA);
  auto a_after = a->Execute("notes_all");
  ASSERT_TRUE(a_after.ok()) << a_after.status();
  EXPECT_EQ(a_after->cache.status, client::CacheStatus::kMiss);
  auto b_after = b->Execute("notes_all");
  ASSERT_TRUE(b_after.ok()) << b_after.status();
  EXPECT_EQ(b_after->cache.status, client::CacheStatus::kHit);
}

TEST_F(TenancyEdgeTest, WarmSetsNameTheirTenants) {
  StartServer([](server::ServerConfig& c) { querygate::testing::UseTestJwt(c); });
  absl::Time hour = absl::Now() + absl::Hours(1);
  std::string operator_all = TestToken("ops", {"operator"}, hour);
  std::string operator_a = TestToken("ops-a", {"operator"}, hour, kOrgA);
  auto warm = [&](const std::string& token, std::vector<std::string> tenants) {
    client::WarmRequest request;
    client::WarmSet set;
    set.query = "notes_all";
    set.params.push_back({});
    set.tenants = std::move(tenants);
    request.sets.push_back(set);
    return Client(token)->Warm(request, nullptr);
  };
  auto malformed = warm(operator_all, {kOrgA, "nope"});
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(malformed), HasSubstr("sets[0].tenants[1]"));
  auto too_many = warm(operator_all, std::vector<std::string>(1001, kOrgA));
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(too_many), HasSubstr("sets[0].tenants"));
  auto other = warm(operator_a, {kOrgB});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);

  auto warmed = warm(operator_all, {kOrgB});
  ASSERT_TRUE(warmed.ok()) << warmed.status();
  EXPECT_EQ(warmed->failed, 0);
  client::CallOptions only_cached;
  only_cached.cache_mode = client::CacheMode::kOnlyCached;
  auto b = Client(TestToken("bob", {"reader"}, hour, kOrgB))->Execute("notes_all", {}, only_cached);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(Bodies(*b), ElementsAre("b1"));
  auto a = Client(TestToken("ann", {"reader"}, hour, kOrgA))->Execute("notes_all", {}, only_cached);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);

  // A caller with a tenant warms for it without naming it.
  auto own = warm(operator_a, {});
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->failed, 0);
  auto a_now =
      Client(TestToken("ann", {"reader"}, hour, kOrgA))->Execute("notes_all", {}, only_cached);
  ASSERT_TRUE(a_now.ok()) << a_now.status();
  EXPECT_THAT(Bodies(*a_now), ElementsAre("a1", "a2"));
}

TEST_F(TenancyEdgeTest, ACertificateMappingGivesItsTenant) {
  querygate::testing::ScopedTempDir dir;
  const std::string& d = dir.path();
  using querygate::testing::MakeTestCertificate;
  ASSERT_TRUE(MakeTestCertificate(d, "ca", "qg-test-ca"));
  ASSERT_TRUE(MakeTestCertificate(d, "server", "localhost", "ca", "DNS:localhost,IP:127.0.0.1"));
  ASSERT_TRUE(MakeTestCertificate(d, "org_a", "org-a-client", "ca"));
  ASSERT_TRUE(MakeTestCertificate(d, "plain", "plain-client", "ca"));
  auto pem = [&](const std::string& file) { return querygate::testing::ReadFile(d + "/" + file); };
  std::string upper_a = kOrgA;
  for (char& c : upper_a) c = static_cast<char>(std::toupper(c));
  auto tls = [&](server::ServerConfig& c) {
    c.auth.mode = auth::AuthMode::kMtls;
    c.auth.certificates = {{"org-a-client", {"reader"}, upper_a}, {"plain-client", {"reader"}, ""}};
    c.server.tls.cert_chain_pem = pem("server.pem");
    c.server.tls.private_key_pem = pem("server.key");
    c.server.tls.client_ca_pem = pem("ca.pem");
    c.server.tls.require_client_cert = true;
  };
  StartServer(tls);
  auto client_with = [&](const std::string& name) {
    client::ClientOptions options;
    options.target = server_.Target();
    options.retry.max_attempts = 1;
    options.tls.enabled = true;
    options.tls.root_certs_pem = pem("ca.pem");
    options.tls.cert_chain_pem = pem(name + ".pem");
    options.tls.private_key_pem = pem(name + ".key");
    options.tls.server_name_override = "localhost";
    auto made = client::Client::Create(options);
    EXPECT_TRUE(made.ok()) << made.status();
    return *std::move(made);
  };
  auto a = client_with("org_a")->Execute("notes_all");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(Bodies(*a), ElementsAre("a1", "a2"));
  auto plain = client_with("plain")->Execute("notes_all");
  EXPECT_EQ(plain.status().code(), absl::StatusCode::kPermissionDenied);

  // A mapping whose tenant is not of the tenancy type stops the start.
  server::ServerConfig config = server_.config();
  config.auth.certificates[0].tenant = "acme";
  auto refused = StartApp(config);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(refused), HasSubstr("auth.mtls.identities[0].tenant"));
}

// Runs the querygate CLI with `args`; returns its exit status and stdout.
std::pair<int, std::string> RunCli(const std::vector<std::string>& args,
                                   const std::string& out_path) {
  std::string binary = querygate::testing::BinDir() + "/querygate";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    if (entry.rfind("QUERYGATE_", 0) == 0 && entry.rfind("QUERYGATE_TEST", 0) != 0) continue;
    environment.push_back(entry);
  }
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid;
  int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return {-1, ""};
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, querygate::testing::ReadFile(out_path)};
}

TEST_F(TenancyEdgeTest, TheCliSendsTheTenantHeaderAndListsScopedQueries) {
  if (querygate::testing::BinDir().empty()) GTEST_SKIP() << "QUERYGATE_BIN_DIR is not set";
  StartServer([](server::ServerConfig& c) { c.tenancy.header = "x-org"; });
  querygate::testing::ScopedTempDir dir;
  std::string out = dir.path() + "/out";
  auto [code, text] = RunCli({"--target", server_.Target(), "--tenant", kOrgB, "--tenant-header",
                              "x-org", "query", "notes_all", "--json"},
                             out);
  ASSERT_EQ(code, 0) << text;
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << text;
  EXPECT_EQ(json["rows"].size(), 1u) << text;
  EXPECT_THAT(text, HasSubstr("b1"));
  EXPECT_THAT(text, Not(HasSubstr("a1")));

  auto [refused, ignored] =
      RunCli({"--target", server_.Target(), "query", "notes_all", "--json"}, out);
  EXPECT_EQ(refused, 1);

  auto [listed, table] = RunCli({"--target", server_.Target(), "queries"}, out);
  ASSERT_EQ(listed, 0) << table;
  EXPECT_THAT(table, HasSubstr("TENANT"));
  std::vector<std::string> lines = absl::StrSplit(table, '\n');
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "notes_all")) {
      EXPECT_THAT(line, HasSubstr("scoped"));
    } else if (absl::StartsWith(line, "countries_all")) {
      EXPECT_THAT(line, Not(HasSubstr("scoped")));
    }
  }

  auto [invalidated, said] = RunCli({"--target", server_.Target(), "--tenant", kOrgB,
                                     "--tenant-header", "x-org", "invalidate", "notes", "--json"},
                                    out);
  ASSERT_EQ(invalidated, 0) << said;
  EXPECT_THAT(said, HasSubstr(kOrgB));
}

}  // namespace
}  // namespace querygate
