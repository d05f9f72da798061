#ifndef QUERYGATE_BENCH_VECTOR_CALLS_H_
#define QUERYGATE_BENCH_VECTOR_CALLS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/async_load.h"
#include "bench/grpc_workers.h"

namespace querygate::bench {

// One RepositoryService.List `nearest` shape (issue 13): the k nearest rows of `model` by
// `field` to each of `queries` in turn, by cosine distance.
struct AsyncNearestSpec {
  std::string model;
  std::string field = "embedding";
  int k = 10;
  std::shared_ptr<const std::vector<std::vector<float>>> queries;
  // CACHE_MODE_BYPASS (expects CACHE_STATUS_BYPASS) or the default mode (expects a HIT).
  bool bypass = false;
};

// `count` query vectors of `dimensions` floats, uniform in [-1, 1), the same for every run.
std::shared_ptr<const std::vector<std::vector<float>>> NearestQueries(int count, int dimensions);

// Call slots over `channels`: slot s of `concurrency` starts at query s * n / concurrency and
// cycles over all n. A call is ok when it returns exactly k records with the expected status.
AsyncCallFactory NearestCalls(Channels channels, const AsyncNearestSpec& spec,
                              absl::Duration deadline, int concurrency);

// Lists every query once in the default cache mode, so that the next reads are HITs. Returns
// how many were not HITs already, or the first failed call's error.
absl::StatusOr<int> WarmNearest(const GrpcTargetOptions& grpc, const AsyncNearestSpec& spec);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_VECTOR_CALLS_H_
