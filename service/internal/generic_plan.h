#ifndef QUERYGATE_SERVICE_INTERNAL_GENERIC_PLAN_H_
#define QUERYGATE_SERVICE_INTERNAL_GENERIC_PLAN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "db/session.h"

namespace querygate::service::internal {

// EXPLAINs of statements that are never executed, on a session of their own: generic plans
// (plan_cache_mode), read-only transactions and a statement timeout.
class PlanExplainer {
 public:
  explicit PlanExplainer(db::Session* session) : session_(session) {}

  // Sets the session up; call once before Explain. Fails with the mapped database error.
  absl::Status Start();

  // Prepares `sql` under a fresh name (so the plan sees hypothetical indexes created since) and
  // returns EXPLAIN (FORMAT JSON) of its generic plan with NULL parameters, with VERBOSE when
  // `verbose`. Fails with the mapped database error.
  absl::StatusOr<std::string> Explain(const std::string& sql, bool verbose);

 private:
  db::Session* session_;
  int64_t next_ = 0;
};

// The root node's "Total Cost" in an EXPLAIN (FORMAT JSON) document. Fails with INTERNAL on a
// malformed document.
absl::StatusOr<double> PlanTotalCost(const std::string& json);

}  // namespace querygate::service::internal

#endif  // QUERYGATE_SERVICE_INTERNAL_GENERIC_PLAN_H_
