#ifndef QUERYGATE_BENCH_TARGETS_H_
#define QUERYGATE_BENCH_TARGETS_H_

#include <optional>
#include <string>
#include <vector>

#include "bench/result_table.h"

namespace querygate::bench {

// One ratio of the targets, computed from the medians.
struct TargetCheck {
  // For example "(a)/(d) QPS, c=16".
  std::string name;
  // How the value was computed, with the numbers.
  std::string detail;
  double value = 0;
  double limit = 0;
  // True when the value must be at least the limit, false when at most.
  bool at_least = true;
  bool pass = false;
  // Shown for context only; not one of the targets.
  bool informational = false;
  // False for a plain informational ratio, which has no limit (limit and pass mean nothing).
  bool has_limit = true;
};

// A check of `value` against `limit` (at least, or at most).
TargetCheck MakeCheck(std::string name, std::string detail, double value, double limit,
                      bool at_least, bool informational = false);

// QPS of `over` divided by QPS of `under` at concurrency c, checked as at least `limit`;
// nullopt when one was not run or measured nothing.
std::optional<TargetCheck> QpsRatio(const ResultTable& table, const char* over, const char* under,
                                    int c, double limit, bool informational);

// p50 of `over` divided by p50 of `under`, checked as at most `factor`; nullopt as above.
std::optional<TargetCheck> P50Ratio(const ResultTable& table, const char* over, const char* under,
                                    int c, double factor, bool informational);

// The same two ratios for context only: informational, no limit.
std::optional<TargetCheck> InfoQpsRatio(const ResultTable& table, const char* over,
                                        const char* under, int c);
std::optional<TargetCheck> InfoP50Ratio(const ResultTable& table, const char* over,
                                        const char* under, int c);

// Evaluates the targets on the medians in `table` for each concurrency in
// `concurrencies`: (a)/(d) QPS >= 0.45 and (a) p50 <= 1 ms at c=16; for every concurrency,
// (b) p50 <= 1.3 x (c) p50 + Redis p50 (and, informational, the same on p99 and on (b) - (d))
// and (e)/(f) QPS >= 20. For every concurrency, also informational QPS ratios without a limit
// for the RepositoryService rows: g_hit/g_pq, typed_hit/g_hit, g_bypass/g_pq, l_hit/l_bypass,
// l_hit/l_pq, l_bypass/l_pq and w_create/w_pq. The tenancy rows (issue 10):
// tg_bypass/tg_plain_bypass QPS
// >= 1/1.15 and tg_hit/tg_plain_hit QPS >= 0.95 (targets at c=16, informational at the other
// concurrencies), and their p50 and server-side CPU-per-call ratios for context. A check whose
// scenarios were not run is left out.
std::vector<TargetCheck> EvaluateTargets(const ResultTable& table,
                                         const std::vector<int>& concurrencies);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_TARGETS_H_
