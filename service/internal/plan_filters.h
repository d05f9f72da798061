#ifndef QUERYGATE_SERVICE_INTERNAL_PLAN_FILTERS_H_
#define QUERYGATE_SERVICE_INTERNAL_PLAN_FILTERS_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace querygate::service::internal {

// How a filter compares a column.
enum class Comparison { kEquality, kRange, kOther };

// A sequential scan that filters rows, from an EXPLAIN (FORMAT JSON) plan.
struct FilteredScan {
  std::string schema;  // "Schema" (VERBOSE plans only)
  std::string table;   // "Relation Name"
  std::string filter;  // "Filter"
  // Columns of a Sort directly above the scan (through a Limit or Gather), in order.
  std::vector<std::string> sort_keys;
};

// Returns every Seq Scan node with a Filter in `json`. Fails with INTERNAL on malformed JSON.
absl::StatusOr<std::vector<FilteredScan>> FilteredScans(const std::string& json);

// The columns `filter` compares, in order, with how: `col = x` and `col = ANY (x)` are
// equality, `<`, `<=`, `>`, `>=` range, anything else (`<>`, LIKE, IS NULL) other. A column
// inside a function call (`lower(email) = $1`) is not reported. Identifiers lose their
// qualification (`t.email` is `email`).
std::vector<std::pair<std::string, Comparison>> FilterComparisons(absl::string_view filter);

// The index columns for `scan`, among `columns` (the table's): its equality columns in order,
// then its first range column, or else its sort keys. Empty when the filter compares none.
std::vector<std::string> ProposedColumns(const FilteredScan& scan,
                                         const std::set<std::string>& columns);

// "qg_<table>_<col>..._idx", cut to PostgreSQL's 63 bytes with a hash suffix when longer.
std::string ProposedIndexName(const std::string& table, const std::vector<std::string>& columns);

}  // namespace querygate::service::internal

#endif  // QUERYGATE_SERVICE_INTERNAL_PLAN_FILTERS_H_
