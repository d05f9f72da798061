#ifndef QUERYGATE_BENCH_L1_SCENARIOS_H_
#define QUERYGATE_BENCH_L1_SCENARIOS_H_

#include <vector>

#include "bench/async_load.h"
#include "bench/result_table.h"
#include "bench/scenarios.h"
#include "bench/targets.h"

namespace querygate::bench {

// Issue 11 rows (docs/performance.md, "Issue 11: the in-process tier").
// The empty call through the asynchronous client; (d) is the same through the sync stub.
inline constexpr char kEmptyCallAsync[] = "d_async";
// user_by_id hit served by the in-process tier (tier LOCAL).
inline constexpr char kL1HitPk[] = "a_l1";
// The same SQL as a named query with local_cache false (bench/l1/queries.json): a Redis hit.
inline constexpr char kSharedHitPk[] = "a_shared";
// RepositoryService Get of a user, hit from the in-process tier.
inline constexpr char kL1RepoGetHit[] = "g_l1";

// user_by_id hit from the Node cache-aside implementation (bench/node/cache_aside.js).
inline constexpr char kNodeHitPk[] = "a_node";

// The bench's own named queries, loaded from bench/l1/queries.json beside the example schema.
inline constexpr char kSharedPkQuery[] = "bench_user_by_id_shared";
inline constexpr char kEchoQuery[] = "bench_echo";
inline constexpr char kBlobQuery[] = "bench_blob";
inline constexpr char kAckQuery[] = "bench_ack";

// Which client the issue 11 rows use.
struct ClientChoice {
  // Asynchronous (completion queues, several calls in flight per thread) or one blocking call
  // per thread.
  bool async = true;
  AsyncOptions async_options;
};

// Appends d_async, a_l1, a_shared, g_l1 and, with targets.node_target, a_node. All but
// d_async use `client`.
void AddL1Scenarios(const BenchTargets& targets, const ClientChoice& client,
                    std::vector<Scenario>& scenarios);

// The issue 11 speed targets, each against the empty call of the same client (d_async for the
// asynchronous client, d for the blocking one): (a_l1)/(d) QPS >= 0.85 and (a_l1) p50 <= 1.2 x
// (d) p50 at c=16 and c=64; (a_shared)/(d) >= 0.6 and (g_l1)/(d) >= 0.8 at c=16; informational
// at the other concurrencies, plus (d_async)/(d), the sync client's own limit, and
// (a_l1)/(a_node) and (a_shared)/(a_node) without a limit.
std::vector<TargetCheck> EvaluateL1Targets(const ResultTable& table,
                                           const std::vector<int>& concurrencies,
                                           const ClientChoice& client);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_L1_SCENARIOS_H_
