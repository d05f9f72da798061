#ifndef QUERYGATE_BENCH_VECTOR_SCENARIOS_H_
#define QUERYGATE_BENCH_VECTOR_SCENARIOS_H_

#include <string>
#include <vector>

#include "bench/l1_scenarios.h"
#include "bench/result_table.h"
#include "bench/scenarios.h"
#include "bench/targets.h"

namespace querygate::bench {

// Issue 13 rows (docs/performance.md, "Issue 13: vector search"): RepositoryService.List
// nearest k=10 over bench/vector/vector.json's bench_doc (10,000 random 128-d vectors, cosine).
// A HIT, warmed first.
inline constexpr char kVectorHit[] = "v_hit";
// CACHE_MODE_BYPASS on the pgvector database: the HNSW index serves it.
inline constexpr char kVectorIndex[] = "v_index";
// CACHE_MODE_BYPASS on the same data stored as REAL[] (migrate --vector-storage array): an
// exact scan with querygate's SQL distance functions.
inline constexpr char kVectorExact[] = "v_exact";
// CACHE_MODE_BYPASS on the pgvector database's bench_flat_doc (the same rows, no index): an
// exact scan with pgvector's <=> operator.
inline constexpr char kVectorExactPg[] = "v_exact_pg";

// The servers of the vector rows; an empty target drops its rows.
struct VectorTargets {
  // querygate-server on the pgvector database (v_hit, v_index, v_exact_pg).
  std::string index_target;
  // querygate-server on the REAL[] database (v_exact; v_hit too when there is no index_target).
  std::string exact_target;
  int queries = 64;
};

// Appends v_hit, v_index, v_exact_pg and v_exact for the targets given, through `client`; says
// on stderr why v_index and v_exact_pg are missing when only the exact target is given.
void AddVectorScenarios(const GrpcTargetOptions& grpc, const VectorTargets& targets,
                        const ClientChoice& client, std::vector<Scenario>& scenarios);

// Informational QPS ratios without a limit, for every concurrency: (v_hit)/(d_async or d, per
// `client`), (v_index)/(v_hit), (v_exact_pg)/(v_index), (v_exact)/(v_index),
// (v_exact)/(v_exact_pg) and (v_exact)/(v_hit). A ratio whose rows were not run is left out.
std::vector<TargetCheck> EvaluateVectorTargets(const ResultTable& table,
                                               const std::vector<int>& concurrencies,
                                               const ClientChoice& client);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_VECTOR_SCENARIOS_H_
