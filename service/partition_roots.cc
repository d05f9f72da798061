#include "service/partition_roots.h"

#include <set>

#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace querygate::service {
namespace {

// Names resolve as the plan's did, through the search_path.
constexpr char kRootsSql[] = R"sql(
SELECT t.name, coalesce(r.relname::text, t.name)
FROM json_array_elements_text($1::json) AS t(name)
LEFT JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name)) AND c.relispartition
LEFT JOIN pg_class r ON r.oid = pg_partition_root(c.oid))sql";

}  // namespace

absl::StatusOr<std::vector<std::string>> MapPartitionsToRoots(
    db::QueryRunner& runner, const std::vector<std::string>& tables) {
  if (tables.empty()) return tables;
  nlohmann::json names = tables;
  QG_ASSIGN_OR_RETURN(db::ResultSet rows, runner.Query(kRootsSql, {names.dump()}));
  std::set<std::string> roots;
  for (size_t r = 0; r < rows.rows.size(); ++r) roots.insert(rows.Text(r, 1));
  return std::vector<std::string>(roots.begin(), roots.end());
}

}  // namespace querygate::service
