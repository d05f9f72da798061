#include "bench/scenarios.h"

#include <iostream>
#include <memory>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/pqxx_workers.h"
#include "bench/redis_workers.h"
#include "bench/repository_workers.h"
#include "bench/typed_workers.h"

namespace querygate::bench {
namespace {

// schemas/queries.json: user_by_id, with :id bound as $1 the way the server binds it.
constexpr char kPkQuery[] = "user_by_id";
constexpr char kPkSql[] =
    "SELECT id, username, email, created_at FROM users WHERE id = $1 AND deleted_at IS NULL";
constexpr char kHeavyQuery[] = "users_with_post_counts";

ExecuteCall PkCall(const BenchTargets& targets, bool bypass) {
  ExecuteCall call;
  call.query = kPkQuery;
  call.id_param = "id";
  call.id_range = targets.id_range;
  call.bypass = bypass;
  call.expected_rows = 1;
  return call;
}

ExecuteCall HeavyCall(bool bypass) {
  ExecuteCall call;
  call.query = kHeavyQuery;
  call.bypass = bypass;
  return call;
}

// Fills the cache for `call` so that the run that follows only hits.
std::function<absl::Status()> Warm(const GrpcTargetOptions& grpc, ExecuteCall call) {
  return [grpc, call]() -> absl::Status {
    auto filled = WarmCache(grpc, call);
    if (!filled.ok()) return filled.status();
    if (*filled > 0) std::cerr << "  warmed " << call.query << ": filled " << *filled << "\n";
    return absl::OkStatus();
  };
}

Scenario ExecuteScenario(ScenarioInfo info, const GrpcTargetOptions& grpc, ExecuteCall call) {
  Scenario s;
  s.info = std::move(info);
  if (!call.bypass) s.prepare = Warm(grpc, call);
  s.workers = [grpc, call](int concurrency) { return MakeExecuteWorkers(grpc, call, concurrency); };
  return s;
}

Scenario DirectScenario(ScenarioInfo info, const BenchTargets& targets, PqxxForm form) {
  PqxxCall call;
  call.sql = kPkSql;
  call.id_range = targets.id_range;
  call.expected_rows = 1;
  call.form = form;
  Scenario s;
  s.info = std::move(info);
  s.needs_database = true;
  s.workers = [url = targets.database_url, call](int concurrency) {
    return MakePqxxWorkers(url, call, concurrency);
  };
  return s;
}

RepoCall MakeRepoCall(const BenchTargets& targets, RepoOp op, bool bypass) {
  RepoCall call;
  call.op = op;
  call.bypass = bypass;
  call.id_range = targets.id_range;
  return call;
}

Scenario RepoScenario(ScenarioInfo info, const GrpcTargetOptions& grpc, RepoCall call) {
  Scenario s;
  s.info = std::move(info);
  if (!call.bypass && call.op != RepoOp::kCreate) {
    s.prepare = [grpc, call]() -> absl::Status {
      auto filled = WarmRepoCache(grpc, call);
      if (!filled.ok()) return filled.status();
      if (*filled > 0) std::cerr << "  warmed repository: filled " << *filled << "\n";
      return absl::OkStatus();
    };
  }
  s.workers = [grpc, call](int concurrency) { return MakeRepoWorkers(grpc, call, concurrency); };
  return s;
}

Scenario RepoDirectScenario(ScenarioInfo info, const BenchTargets& targets, RepoCall call) {
  Scenario s;
  s.info = std::move(info);
  s.needs_database = true;
  s.workers = [url = targets.database_url, call](int concurrency) {
    return MakeRepoPqxxWorkers(url, call, concurrency);
  };
  return s;
}

// typed_hit: g_hit's Get through the typed UserService, the cache warmed by the generic Get
// (both read the same entries).
Scenario TypedGetScenario(const BenchTargets& targets) {
  Scenario s = RepoScenario({kTypedGetHit, "typed Get user by id, cache hit (gRPC)",
                             "a cache status other than HIT, or another user"},
                            targets.grpc, MakeRepoCall(targets, RepoOp::kGet, false));
  TypedGetCall call;
  call.id_range = targets.id_range;
  s.workers = [grpc = targets.grpc, call](int concurrency) {
    return MakeTypedGetWorkers(grpc, call, concurrency);
  };
  return s;
}

void AddRepositoryScenarios(const BenchTargets& targets, std::vector<Scenario>& scenarios) {
  const GrpcTargetOptions& grpc = targets.grpc;
  scenarios.push_back(
      RepoScenario({kRepoGetHit, "Get user by id, cache hit (gRPC)",
                    "a cache status other than HIT, statements != 0, or another user"},
                   grpc, MakeRepoCall(targets, RepoOp::kGet, false)));
  scenarios.push_back(TypedGetScenario(targets));
  scenarios.push_back(
      RepoScenario({kRepoGetBypass, "Get user by id, BYPASS (gRPC)",
                    "a cache status other than BYPASS, statements != 1, or another user"},
                   grpc, MakeRepoCall(targets, RepoOp::kGet, true)));
  scenarios.push_back(RepoDirectScenario({kRepoGetDirect, "libpqxx, Get's SELECT", "not 1 row"},
                                         targets, MakeRepoCall(targets, RepoOp::kGet, false)));
  scenarios.push_back(RepoScenario(
      {kRepoListHit, "List 50 posts +author,comments, hit (gRPC)",
       "a cache status other than HIT, statements != 0, not 50 posts each with its author and "
       "5 comments"},
      grpc, MakeRepoCall(targets, RepoOp::kList, false)));
  scenarios.push_back(RepoScenario(
      {kRepoListBypass, "List 50 posts +author,comments, BYPASS (gRPC)",
       "a cache status other than BYPASS, statements != 3, not 50 posts each with its author "
       "and 5 comments"},
      grpc, MakeRepoCall(targets, RepoOp::kList, true)));
  scenarios.push_back(RepoDirectScenario({kRepoListDirect, "libpqxx, List's 3 statements",
                                          "not 51 page rows, 50 authors and 250 comments"},
                                         targets, MakeRepoCall(targets, RepoOp::kList, false)));
  scenarios.push_back(
      RepoScenario({kRepoCreate, "Create post (gRPC)", "no new id, or not the record sent"}, grpc,
                   MakeRepoCall(targets, RepoOp::kCreate, false)));
  scenarios.push_back(
      RepoDirectScenario({kRepoCreateDirect, "libpqxx, INSERT RETURNING, autocommit", "not 1 row"},
                         targets, MakeRepoCall(targets, RepoOp::kCreate, false)));
  // The created posts would grow the heavy query's input (e)/(f) and the List pages from run
  // to run: delete everything above the example data's largest post id after each Create run.
  auto last_seed_post = std::make_shared<int64_t>(-1);
  auto cleanup = [url = targets.database_url, last_seed_post]() -> absl::Status {
    try {
      pqxx::connection db(url);
      pqxx::nontransaction tx(db);
      if (*last_seed_post < 0) {
        *last_seed_post = tx.exec("SELECT coalesce(max(id), 0) FROM posts")[0][0].as<int64_t>();
      }
      tx.exec_params("DELETE FROM posts WHERE id > $1", *last_seed_post);
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::UnavailableError(e.what());
    }
  };
  for (size_t i = scenarios.size() - 2; i < scenarios.size(); ++i) {
    scenarios[i].prepare = [cleanup, previous = scenarios[i].prepare]() -> absl::Status {
      absl::Status status = cleanup();
      if (!status.ok() || !previous) return status;
      return previous();
    };
    scenarios[i].cleanup = cleanup;
  }
}

// The tenancy rows: the same Get of an account on the tenant server and on the plain one, the
// same tenant header sent to both (the plain server has no tenancy and ignores it).
void AddTenancyScenarios(const BenchTargets& targets, std::vector<Scenario>& scenarios) {
  RepoCall call = MakeRepoCall(targets, RepoOp::kGet, false);
  call.get_model = "account";
  call.tenant_header = targets.tenant_header;
  for (int k = 1; k <= targets.tenants; ++k) {
    call.tenants.push_back(absl::StrFormat("00000000-0000-4000-8000-%012x", k));
  }
  GrpcTargetOptions tenant = targets.grpc;
  tenant.target = targets.tenant_target;
  GrpcTargetOptions plain = targets.grpc;
  plain.target = targets.plain_target;
  RepoCall bypass = call;
  bypass.bypass = true;
  const std::string hit_expects =
      "a cache status other than HIT, statements != 0, another account or another tenant's";
  const std::string bypass_expects =
      "a cache status other than BYPASS, statements != 1, another account or another tenant's";
  std::vector<Scenario> rows = {
      RepoScenario({kTenantGetHit, "Get account, tenant-scoped (RLS), hit (gRPC)", hit_expects},
                   tenant, call),
      RepoScenario(
          {kPlainGetHit, "Get account, same schema without tenancy, hit (gRPC)", hit_expects},
          plain, call),
      RepoScenario(
          {kTenantGetBypass, "Get account, tenant-scoped (RLS), BYPASS (gRPC)", bypass_expects},
          tenant, bypass),
      RepoScenario({kPlainGetBypass, "Get account, same schema without tenancy, BYPASS (gRPC)",
                    bypass_expects},
                   plain, bypass),
  };
  for (Scenario& row : rows) {
    row.needs_tenancy = true;
    scenarios.push_back(std::move(row));
  }
}

}  // namespace

std::vector<Scenario> MakeScenarios(const BenchTargets& targets, bool diagnostics) {
  const GrpcTargetOptions& grpc = targets.grpc;
  const std::string hit = "a cache status other than HIT, or not 1 row";
  const std::string bypass = "a cache status other than BYPASS, or not 1 row";
  std::vector<Scenario> scenarios;
  scenarios.push_back(
      ExecuteScenario({kHitPk, "cache hit, user_by_id (gRPC)", hit}, grpc, PkCall(targets, false)));
  scenarios.push_back(ExecuteScenario({kBypassPk, "BYPASS, user_by_id (gRPC)", bypass}, grpc,
                                      PkCall(targets, true)));
  scenarios.push_back(DirectScenario({kDirectPk, "libpqxx exec_prepared, same SQL", "not 1 row"},
                                     targets, PqxxForm::kExecPrepared));
  if (diagnostics) {
    scenarios.push_back(
        DirectScenario({kDirectPkServerForm, "libpqxx, server's set_config+EXECUTE", "not 1 row"},
                       targets, PqxxForm::kServerForm));
  }

  Scenario health;
  health.info = {kEmptyCall, "empty call: Health/Check (gRPC)", "not SERVING"};
  health.workers = [grpc](int concurrency) { return MakeHealthWorkers(grpc, concurrency); };
  scenarios.push_back(std::move(health));

  scenarios.push_back(ExecuteScenario(
      {kHitHeavy, "cache hit, users_with_post_counts (gRPC)", "a status other than HIT"}, grpc,
      HeavyCall(false)));
  scenarios.push_back(ExecuteScenario(
      {kBypassHeavy, "BYPASS, users_with_post_counts (gRPC)", "a status other than BYPASS"}, grpc,
      HeavyCall(true)));

  RedisCall redis;
  redis.url = targets.redis_url;
  redis.key = absl::StrCat(targets.redis_key_prefix, "rtt");
  Scenario rtt;
  rtt.info = {kRedisRtt, "Redis GET round trip (hiredis)", "not a string"};
  rtt.needs_redis = true;
  rtt.prepare = [redis, bytes = targets.redis_value_bytes] { return PutRedisValue(redis, bytes); };
  rtt.workers = [redis](int concurrency) { return MakeRedisWorkers(redis, concurrency); };
  scenarios.push_back(std::move(rtt));
  // Last: the Creates bump the posts table's generation, so the runs before them are not
  // disturbed (each cache-hit cell re-warms its entries anyway).
  AddRepositoryScenarios(targets, scenarios);
  AddTenancyScenarios(targets, scenarios);
  return scenarios;
}

}  // namespace querygate::bench
