#include "bench/scenarios.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "bench/pqxx_workers.h"
#include "bench/redis_workers.h"

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
  s.workers = [url = targets.database_url, call](int concurrency) {
    return MakePqxxWorkers(url, call, concurrency);
  };
  return s;
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
  rtt.prepare = [redis, bytes = targets.redis_value_bytes] { return PutRedisValue(redis, bytes); };
  rtt.workers = [redis](int concurrency) { return MakeRedisWorkers(redis, concurrency); };
  scenarios.push_back(std::move(rtt));
  return scenarios;
}

}  // namespace querygate::bench
