#ifndef QUERYGATE_SERVICE_INDEX_ADVISOR_H_
#define QUERYGATE_SERVICE_INDEX_ADVISOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/insights.h"

namespace querygate::service {

// An index that cut the planner's estimated cost of a statement, checked with hypopg.
struct IndexProposal {
  std::string kind;  // the statement: "query" or "repository"
  std::string name;  // the named query, or "<Op> <model>"
  std::string table;
  std::vector<std::string> columns;
  std::string index_name;
  std::string create_sql;  // CREATE INDEX CONCURRENTLY IF NOT EXISTS ...
  double cost_before = 0;
  double cost_after = 0;
  std::string reason;
};

struct AdviceReport {
  bool hypopg_available = false;
  std::string note;  // how to install hypopg, or why statements were not ranked
  double min_cost_reduction = 0;
  std::vector<IndexProposal> proposals;
  std::vector<std::string> considered;  // one line per statement considered
};

inline constexpr int kDefaultAdviseLimit = 10;
inline constexpr int kMaxAdviseLimit = 100;
inline constexpr double kDefaultMinCostReduction = 0.5;

// Proposes indexes for the named queries and the slowest repository statement shapes: for each
// sequential scan with a filter in the statement's generic plan, an index on the columns the
// filter compares for equality, then one range column or else the ORDER BY keys sorted above
// the scan. A proposal is kept when a hypothetical index (hypopg) lowers the statement's
// estimated total cost by at least the requested fraction.
class IndexAdvisor {
 public:
  explicit IndexAdvisor(const Insights* insights) : insights_(insights) {}

  // Returns the advice; `limit` repository shapes (0: kDefaultAdviseLimit) and every named
  // query are considered. Fails with INVALID_ARGUMENT naming "limit" outside [0,
  // kMaxAdviseLimit] or "min_cost_reduction" outside [0, 1) (0: kDefaultMinCostReduction),
  // UNAVAILABLE when the database cannot be reached, else the mapped database error.
  absl::StatusOr<AdviceReport> Advise(int limit, double min_cost_reduction) const;

 private:
  const Insights* insights_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_INDEX_ADVISOR_H_
