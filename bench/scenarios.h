#ifndef QUERYGATE_BENCH_SCENARIOS_H_
#define QUERYGATE_BENCH_SCENARIOS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/grpc_workers.h"
#include "bench/load_loop.h"

namespace querygate::bench {

// Scenario ids, as the issue names them.
inline constexpr char kHitPk[] = "a";
inline constexpr char kBypassPk[] = "b";
inline constexpr char kDirectPk[] = "c";
inline constexpr char kEmptyCall[] = "d";
inline constexpr char kHitHeavy[] = "e";
inline constexpr char kBypassHeavy[] = "f";
inline constexpr char kRedisRtt[] = "rtt";
// Diagnostic: (c) sent in the statement form querygate-server uses.
inline constexpr char kDirectPkServerForm[] = "c_srv";
// RepositoryService (issue 4): Get of a user by id, a List page of 50 posts with their author
// and comments, a Create of a post; each next to the same work straight through libpqxx.
inline constexpr char kRepoGetHit[] = "g_hit";
inline constexpr char kRepoGetBypass[] = "g_bypass";
inline constexpr char kRepoGetDirect[] = "g_pq";
// Typed services (issue 13): the same Get of a user by id, cache hit, through the dynamic
// querygate.models.v1.UserService (bench/typed_workers.h); its ratio to g_hit is reported.
inline constexpr char kTypedGetHit[] = "typed_hit";
inline constexpr char kRepoListHit[] = "l_hit";
inline constexpr char kRepoListBypass[] = "l_bypass";
inline constexpr char kRepoListDirect[] = "l_pq";
inline constexpr char kRepoCreate[] = "w_create";
inline constexpr char kRepoCreateDirect[] = "w_pq";
// Multi-tenancy (issue 10): Get of an account by id on a tenant-scoped model (row-level security,
// the tenant set per transaction, the tenant in the cache key), hit and BYPASS, next to the same
// Get on the same schema without tenancy (bench/tenancy/*.json), each on its own server.
inline constexpr char kTenantGetHit[] = "tg_hit";
inline constexpr char kTenantGetBypass[] = "tg_bypass";
inline constexpr char kPlainGetHit[] = "tg_plain_hit";
inline constexpr char kPlainGetBypass[] = "tg_plain_bypass";

struct BenchTargets {
  GrpcTargetOptions grpc;
  std::string database_url;
  std::string redis_url;
  // Prefix of the Redis key the round-trip scenario reads.
  std::string redis_key_prefix = "querygate-bench:";
  // The primary-key lookups spread their ids over 1..id_range.
  int64_t id_range = 1000;
  // Size of the value the round-trip scenario GETs.
  int redis_value_bytes = 160;
  // The tenancy rows: querygate-server on bench/tenancy/tenant.json (tenant from the metadata
  // header `tenant_header`, auth.mode none) and on bench/tenancy/plain.json.
  std::string tenant_target;
  std::string plain_target;
  std::string tenant_header = "x-querygate-tenant";
  // Organizations of bench/tenancy/seed.sql: 00000000-0000-4000-8000-00000000000<k>, k = 1..n.
  int tenants = 4;
  // bench/node/cache_aside.js: the seed's cache-aside pattern in Node behind the same Execute
  // (the a_node row); empty when not started.
  std::string node_target;
};

// Titles of the scenarios.
struct ScenarioInfo {
  std::string id;
  std::string title;
  // What a non-ok answer means for this scenario, for the report's legend.
  std::string expects;
};

struct Scenario {
  ScenarioInfo info;
  // Backends the scenario talks to directly (it is skipped when their URL is missing).
  bool needs_database = false;
  bool needs_redis = false;
  // Needs BenchTargets::tenant_target and plain_target.
  bool needs_tenancy = false;
  // Called before every run, outside the measurement: warms the cache, stores the Redis key.
  std::function<absl::Status()> prepare;
  std::function<absl::StatusOr<std::vector<std::unique_ptr<Worker>>>(int concurrency)> workers;
  // When set, runs the warm-up and the window itself (the asynchronous client) instead of
  // `workers` under RunClosedLoop.
  std::function<absl::StatusOr<LoopResult>(const LoopOptions& loop, int concurrency)> run;
  // Called after every run, outside the measurement: undoes what the run wrote, so every
  // scenario always sees the example data set.
  std::function<absl::Status()> cleanup;
};

// Returns the scenarios (a) to (f), the Redis round trip, the RepositoryService rows and the
// tenancy rows, plus the diagnostic ones when `diagnostics` is set, in the order they should
// run.
std::vector<Scenario> MakeScenarios(const BenchTargets& targets, bool diagnostics);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_SCENARIOS_H_
