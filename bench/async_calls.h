#ifndef QUERYGATE_BENCH_ASYNC_CALLS_H_
#define QUERYGATE_BENCH_ASYNC_CALLS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/async_load.h"
#include "bench/grpc_workers.h"
#include "bench/load_loop.h"

namespace querygate::bench {

// The cache tier an answer must come from.
enum class ExpectTier { kAny, kLocal, kShared };

// Answers by tier, counted while `counting` is set (for the scan row).
struct TierTally {
  std::atomic<bool> counting{false};
  std::atomic<int64_t> local{0};
  std::atomic<int64_t> shared{0};
  // MISS, STALE, BYPASS or failed calls.
  std::atomic<int64_t> other{0};
};

// The ids one call shape sends: `base`..`base + range - 1`.
struct IdPlan {
  int64_t base = 1;
  int64_t range = 1;
  // True: every id exactly once over all slots, then the slots stop. False: each slot cycles
  // over the whole range forever, from its own offset.
  bool once = false;
};

// One QueryService.Execute shape for the asynchronous client.
struct AsyncExecuteSpec {
  std::string query;
  // The int64 parameter the ids go to; empty: no parameters.
  std::string id_param;
  IdPlan ids;
  // Expect CACHE_STATUS_HIT from this tier; with `any_status`, any status (fills).
  ExpectTier tier = ExpectTier::kAny;
  bool any_status = false;
  // Rows each answer must have; -1: any.
  int64_t expected_rows = -1;
  // When set, every answer is counted here by tier.
  std::shared_ptr<TierTally> tiers;
};

// One RepositoryService.Get of a user by id (schemas/blog.json), expected to be a HIT from
// `tier` with no statement and the asked-for record.
struct AsyncGetSpec {
  std::string model = "user";
  IdPlan ids;
  ExpectTier tier = ExpectTier::kAny;
};

// Factories of call slots over `channels` (slot k of thread t uses channel t % size).
AsyncCallFactory HealthCalls(Channels channels, absl::Duration deadline);
AsyncCallFactory ExecuteCalls(Channels channels, const AsyncExecuteSpec& spec,
                              absl::Duration deadline, int concurrency);
AsyncCallFactory GetCalls(Channels channels, const AsyncGetSpec& spec, absl::Duration deadline,
                          int concurrency);

// `concurrency` blocking workers, each driving one slot of `factory` on its own completion
// queue: the synchronous client for the same call shapes (RunClosedLoop).
std::vector<std::unique_ptr<Worker>> BlockingWorkers(const AsyncCallFactory& factory,
                                                     int concurrency);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_ASYNC_CALLS_H_
