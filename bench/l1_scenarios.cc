#include "bench/l1_scenarios.h"

#include <iostream>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "bench/async_calls.h"
#include "bench/repository_workers.h"

namespace querygate::bench {
namespace {

constexpr char kIdParam[] = "id";
constexpr int kTargetConcurrency = 16;
constexpr int kHighConcurrency = 64;
constexpr double kL1HitOverEmpty = 0.85;
constexpr double kL1HitP50OverEmpty = 1.2;
constexpr double kSharedHitOverEmpty = 0.6;
constexpr double kL1GetOverEmpty = 0.8;

// Channels for a run of `concurrency` calls: per `options.channels`, or one per client thread
// when that is 0.
absl::StatusOr<Channels> RunChannels(const GrpcTargetOptions& options, const ClientChoice& client,
                                     int concurrency) {
  int threads =
      client.async ? std::max(1, std::min(client.async_options.threads, concurrency)) : concurrency;
  int count = options.channels <= 0 ? threads : std::min(options.channels, threads);
  return OpenChannels(options, count);
}

// A scenario whose run builds its call slots with `make` and drives them with `client`.
Scenario ClientScenario(ScenarioInfo info, const GrpcTargetOptions& grpc, ClientChoice client,
                        std::function<AsyncCallFactory(Channels, int)> make) {
  Scenario s;
  s.info = std::move(info);
  s.info.title += client.async ? " [async]" : " [sync]";
  s.run = [grpc, client, make](const LoopOptions& loop,
                               int concurrency) -> absl::StatusOr<LoopResult> {
    auto channels = RunChannels(grpc, client, concurrency);
    if (!channels.ok()) return channels.status();
    AsyncCallFactory factory = make(*std::move(channels), concurrency);
    if (client.async) return RunAsyncLoop(loop, client.async_options, factory, concurrency);
    return RunClosedLoop(loop, BlockingWorkers(factory, concurrency));
  };
  s.workers = [](int) -> absl::StatusOr<std::vector<std::unique_ptr<Worker>>> {
    return absl::FailedPreconditionError("this scenario runs through Scenario::run");
  };
  return s;
}

std::function<absl::Status()> WarmExecute(const GrpcTargetOptions& grpc, ExecuteCall call) {
  return [grpc, call]() -> absl::Status {
    auto filled = WarmCache(grpc, call);
    if (!filled.ok()) return filled.status();
    if (*filled > 0) std::cerr << "  warmed " << call.query << ": filled " << *filled << "\n";
    return absl::OkStatus();
  };
}

const char* Reference(const ClientChoice& client) {
  return client.async ? kEmptyCallAsync : kEmptyCall;
}

}  // namespace

void AddL1Scenarios(const BenchTargets& targets, const ClientChoice& client,
                    std::vector<Scenario>& scenarios) {
  const GrpcTargetOptions& grpc = targets.grpc;
  const absl::Duration deadline = grpc.call_deadline;
  ClientChoice async = client;
  async.async = true;
  scenarios.push_back(ClientScenario(
      {kEmptyCallAsync, "empty call: Health/Check", "not SERVING"}, grpc, async,
      [deadline](Channels channels, int) { return HealthCalls(std::move(channels), deadline); }));

  ExecuteCall warm_pk;
  warm_pk.query = "user_by_id";
  warm_pk.id_param = std::string(kIdParam);
  warm_pk.id_range = targets.id_range;
  AsyncExecuteSpec pk;
  pk.query = warm_pk.query;
  pk.id_param = std::string(kIdParam);
  pk.ids = {1, targets.id_range, false};
  pk.tier = ExpectTier::kLocal;
  pk.expected_rows = 1;
  Scenario l1 =
      ClientScenario({kL1HitPk, "L1 hit, user_by_id", "not a HIT from tier LOCAL, or not 1 row"},
                     grpc, client, [deadline, pk](Channels channels, int c) {
                       return ExecuteCalls(std::move(channels), pk, deadline, c);
                     });
  l1.prepare = WarmExecute(grpc, warm_pk);
  scenarios.push_back(std::move(l1));

  ExecuteCall warm_shared = warm_pk;
  warm_shared.query = kSharedPkQuery;
  AsyncExecuteSpec shared = pk;
  shared.query = kSharedPkQuery;
  shared.tier = ExpectTier::kShared;
  Scenario redis = ClientScenario({kSharedHitPk, "Redis hit (local_cache false), user_by_id SQL",
                                   "not a HIT from tier SHARED, or not 1 row"},
                                  grpc, client, [deadline, shared](Channels channels, int c) {
                                    return ExecuteCalls(std::move(channels), shared, deadline, c);
                                  });
  redis.prepare = WarmExecute(grpc, warm_shared);
  scenarios.push_back(std::move(redis));

  if (!targets.node_target.empty()) {
    GrpcTargetOptions node_grpc = grpc;
    node_grpc.target = targets.node_target;
    AsyncExecuteSpec node = pk;
    node.tier = ExpectTier::kAny;
    Scenario n = ClientScenario({kNodeHitPk, "Node cache-aside hit (Redis GET + JSON), user_by_id",
                                 "not a HIT, or not 1 row"},
                                node_grpc, client, [deadline, node](Channels channels, int c) {
                                  return ExecuteCalls(std::move(channels), node, deadline, c);
                                });
    n.prepare = WarmExecute(node_grpc, warm_pk);
    scenarios.push_back(std::move(n));
  }

  RepoCall warm_get;
  warm_get.op = RepoOp::kGet;
  warm_get.id_range = targets.id_range;
  AsyncGetSpec get;
  get.ids = {1, targets.id_range, false};
  get.tier = ExpectTier::kLocal;
  Scenario g = ClientScenario({kL1RepoGetHit, "L1 hit, Get user by id",
                               "not a HIT from tier LOCAL, statements != 0, or another user"},
                              grpc, client, [deadline, get](Channels channels, int c) {
                                return GetCalls(std::move(channels), get, deadline, c);
                              });
  g.prepare = [grpc, warm_get]() -> absl::Status {
    auto filled = WarmRepoCache(grpc, warm_get);
    if (!filled.ok()) return filled.status();
    if (*filled > 0) std::cerr << "  warmed repository: filled " << *filled << "\n";
    return absl::OkStatus();
  };
  scenarios.push_back(std::move(g));
}

std::vector<TargetCheck> EvaluateL1Targets(const ResultTable& table,
                                           const std::vector<int>& concurrencies,
                                           const ClientChoice& client) {
  std::vector<TargetCheck> checks;
  auto add = [&checks](std::optional<TargetCheck> check) {
    if (check) checks.push_back(*std::move(check));
  };
  const char* d = Reference(client);
  for (int c : concurrencies) {
    bool info = c != kTargetConcurrency && c != kHighConcurrency;
    add(QpsRatio(table, kL1HitPk, d, c, kL1HitOverEmpty, info));
    add(P50Ratio(table, kL1HitPk, d, c, kL1HitP50OverEmpty, info));
  }
  for (int c : concurrencies) {
    add(QpsRatio(table, kSharedHitPk, d, c, kSharedHitOverEmpty, c != kTargetConcurrency));
  }
  for (int c : concurrencies) {
    add(QpsRatio(table, kL1RepoGetHit, d, c, kL1GetOverEmpty, c != kTargetConcurrency));
  }
  for (const char* over : {kL1HitPk, kSharedHitPk}) {
    for (int c : concurrencies) {
      add(InfoQpsRatio(table, over, kNodeHitPk, c));
    }
  }
  for (int c : concurrencies) {
    add(InfoQpsRatio(table, kEmptyCallAsync, kEmptyCall, c));
  }
  return checks;
}

}  // namespace querygate::bench
