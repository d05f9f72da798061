#include "server/partition_wiring.h"

#include "absl/strings/match.h"
#include "schema/partitions.h"

namespace querygate::server {

std::unique_ptr<service::PartitionMaintainer> StartPartitionMaintenance(
    const ServerConfig& config, const schema::Schema& schema, db::ConnectionPool* pool,
    Logger* log) {
  if (!schema::HasPartitionedModels(schema) ||
      config.partition_maintenance_interval <= absl::ZeroDuration()) {
    return nullptr;
  }
  service::PartitionMaintainerOptions options;
  options.interval = config.partition_maintenance_interval;
  auto report = [log](const absl::StatusOr<std::vector<service::PartitionChange>>& result) {
    if (log == nullptr) return;
    if (!result.ok()) {
      log->Warn("partition maintenance failed",
                {{"error", result.status().ToString()},
                 {"hint", "run `querygate migrate up --grant-to <role>` as the tables' owner"}},
                "partition maintenance");
      return;
    }
    for (const service::PartitionChange& change : *result) {
      LogFields fields = {
          {"table", change.table}, {"partition", change.partition}, {"action", change.action}};
      if (absl::StartsWith(change.action, "failed")) {
        log->Warn("partition maintenance failed on a partition", fields, "partition maintenance");
      } else {
        log->Info("partition maintenance", fields);
      }
    }
  };
  auto maintainer = std::make_unique<service::PartitionMaintainer>(options, pool, report);
  maintainer->Start();
  return maintainer;
}

}  // namespace querygate::server
