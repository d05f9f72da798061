#include "migrate/partition_setup.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "schema/partitions.h"

namespace querygate::migrate {
namespace {

constexpr char kDropFunctionsSql[] = R"sql(
DROP FUNCTION IF EXISTS querygate_maintain_partitions();
DROP FUNCTION IF EXISTS querygate_partition_table(text, text, text, integer, integer, text, boolean);
)sql";

}  // namespace

absl::Status InstallPartitionMaintenance(db::Session& session, const schema::Schema& schema) {
  if (!schema::HasPartitionedModels(schema)) {
    return session.Transact([](db::Transaction& tx) { return tx.Execute(kDropFunctionsSql); });
  }
  const std::string functions = schema::PartitionFunctionsSql(schema);
  std::vector<std::string> failures;
  QG_RETURN_IF_ERROR(session.Transact([&](db::Transaction& tx) -> absl::Status {
    QG_RETURN_IF_ERROR(tx.Execute(functions));
    QG_ASSIGN_OR_RETURN(db::ResultSet rows, tx.Query(schema::MaintainPartitionsSql()));
    for (size_t r = 0; r < rows.rows.size(); ++r) {
      if (absl::StartsWith(rows.Text(r, 1), "failed")) {
        failures.push_back(absl::StrCat(rows.Text(r, 2), ": ", rows.Text(r, 1)));
      }
    }
    return absl::OkStatus();
  }));
  if (failures.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrJoin(failures, "; "));
}

std::string PartitionGrantSql(const schema::Schema& schema, const std::string& grantee) {
  if (!schema::HasPartitionedModels(schema)) return "";
  return absl::StrCat("GRANT EXECUTE ON FUNCTION ", schema::kMaintainPartitionsFunction, "() TO ",
                      grantee);
}

}  // namespace querygate::migrate
