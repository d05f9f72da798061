#include "service/internal/generic_plan.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace querygate::service::internal {
namespace {

constexpr char kSessionSql[] =
    "SET plan_cache_mode = force_generic_plan; SET statement_timeout = '30s'; "
    "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY";
constexpr char kParamCountSql[] =
    "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = $1";

}  // namespace

absl::Status PlanExplainer::Start() { return session_->Execute(kSessionSql); }

absl::StatusOr<std::string> PlanExplainer::Explain(const std::string& sql, bool verbose) {
  std::string name = absl::StrCat("qg_explain_", next_++);
  while (session_->IsPrepared(name)) name = absl::StrCat("qg_explain_", next_++);
  QG_RETURN_IF_ERROR(session_->Prepare(name, sql));
  QG_ASSIGN_OR_RETURN(db::ResultSet count, session_->Query(kParamCountSql, {name}));
  int params = 0;
  if (count.rows.empty() || !absl::SimpleAtoi(count.Text(0, 0), &params) || params < 0) {
    params = 0;
  }
  std::vector<std::string> nulls(params, "NULL");
  QG_ASSIGN_OR_RETURN(db::ResultSet plan, session_->Query(absl::StrCat(
                                              "EXPLAIN (FORMAT JSON", verbose ? ", VERBOSE" : "",
                                              ") EXECUTE ", name, params > 0 ? "(" : "",
                                              absl::StrJoin(nulls, ", "), params > 0 ? ")" : "")));
  if (plan.rows.empty()) return absl::InternalError("EXPLAIN returned nothing");
  return plan.Text(0, 0);
}

absl::StatusOr<double> PlanTotalCost(const std::string& json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].is_object() ||
      !doc[0].contains("Plan")) {
    return absl::InternalError("EXPLAIN returned a malformed plan");
  }
  const nlohmann::json& cost = doc[0]["Plan"]["Total Cost"];
  if (!cost.is_number()) return absl::InternalError("EXPLAIN returned a plan without a cost");
  return cost.get<double>();
}

}  // namespace querygate::service::internal
