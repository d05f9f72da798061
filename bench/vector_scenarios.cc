#include "bench/vector_scenarios.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/strings/str_format.h"
#include "bench/async_calls.h"
#include "bench/vector_calls.h"

namespace querygate::bench {
namespace {

constexpr char kModel[] = "bench_doc";
constexpr char kFlatModel[] = "bench_flat_doc";
constexpr int kDimensions = 128;
constexpr int kK = 10;

Scenario NearestScenario(ScenarioInfo info, GrpcTargetOptions grpc, ClientChoice client,
                         AsyncNearestSpec spec) {
  Scenario s;
  s.info = std::move(info);
  s.info.title += client.async ? " [async]" : " [sync]";
  s.run = [grpc, client, spec](const LoopOptions& loop,
                               int concurrency) -> absl::StatusOr<LoopResult> {
    int threads = client.async ? std::max(1, std::min(client.async_options.threads, concurrency))
                               : concurrency;
    int count = grpc.channels <= 0 ? threads : std::min(grpc.channels, threads);
    auto channels = OpenChannels(grpc, count);
    if (!channels.ok()) return channels.status();
    AsyncCallFactory factory =
        NearestCalls(*std::move(channels), spec, grpc.call_deadline, concurrency);
    if (client.async) return RunAsyncLoop(loop, client.async_options, factory, concurrency);
    return RunClosedLoop(loop, BlockingWorkers(factory, concurrency));
  };
  s.workers = [](int) -> absl::StatusOr<std::vector<std::unique_ptr<Worker>>> {
    return absl::FailedPreconditionError("this scenario runs through Scenario::run");
  };
  return s;
}

}  // namespace

void AddVectorScenarios(const GrpcTargetOptions& grpc, const VectorTargets& targets,
                        const ClientChoice& client, std::vector<Scenario>& scenarios) {
  if (targets.index_target.empty() && targets.exact_target.empty()) return;
  AsyncNearestSpec spec;
  spec.model = kModel;
  spec.k = kK;
  spec.queries = NearestQueries(targets.queries, kDimensions);

  GrpcTargetOptions hit_grpc = grpc;
  hit_grpc.target = targets.index_target.empty() ? targets.exact_target : targets.index_target;
  Scenario hit = NearestScenario(
      {kVectorHit, "nearest k=10 of 10,000 x 128-d, HIT", "not a HIT, or not 10 records"}, hit_grpc,
      client, spec);
  hit.prepare = [hit_grpc, spec]() -> absl::Status {
    auto filled = WarmNearest(hit_grpc, spec);
    if (!filled.ok()) return filled.status();
    if (*filled > 0) std::cerr << "  warmed nearest: filled " << *filled << "\n";
    return absl::OkStatus();
  };
  scenarios.push_back(std::move(hit));

  AsyncNearestSpec bypass = spec;
  bypass.bypass = true;
  if (!targets.index_target.empty()) {
    GrpcTargetOptions index_grpc = grpc;
    index_grpc.target = targets.index_target;
    scenarios.push_back(NearestScenario(
        {kVectorIndex, "nearest k=10, BYPASS, pgvector HNSW", "not BYPASS, or not 10 records"},
        index_grpc, client, bypass));
    AsyncNearestSpec flat = bypass;
    flat.model = kFlatModel;
    scenarios.push_back(NearestScenario(
        {kVectorExactPg, "nearest k=10, BYPASS, exact (pgvector)", "not BYPASS, or not 10 records"},
        index_grpc, client, flat));
  } else {
    std::cerr << "skipping (" << kVectorIndex << ", " << kVectorExactPg
              << "): no --vector-target (pgvector is not available)\n";
  }
  if (!targets.exact_target.empty()) {
    GrpcTargetOptions exact_grpc = grpc;
    exact_grpc.target = targets.exact_target;
    scenarios.push_back(NearestScenario(
        {kVectorExact, "nearest k=10, BYPASS, exact (REAL[])", "not BYPASS, or not 10 records"},
        exact_grpc, client, bypass));
  }
}

std::vector<TargetCheck> EvaluateVectorTargets(const ResultTable& table,
                                               const std::vector<int>& concurrencies,
                                               const ClientChoice& client) {
  const char* empty = client.async ? kEmptyCallAsync : kEmptyCall;
  const std::pair<const char*, const char*> ratios[] = {
      {kVectorHit, empty},          {kVectorIndex, kVectorHit},     {kVectorExactPg, kVectorIndex},
      {kVectorExact, kVectorIndex}, {kVectorExact, kVectorExactPg}, {kVectorExact, kVectorHit}};
  std::vector<TargetCheck> checks;
  for (const auto& [over, under] : ratios) {
    for (int c : concurrencies) {
      if (auto check = InfoQpsRatio(table, over, under, c)) checks.push_back(*std::move(check));
    }
  }
  return checks;
}

}  // namespace querygate::bench
