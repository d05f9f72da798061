#ifndef QUERYGATE_MIGRATE_PARTITION_SETUP_H_
#define QUERYGATE_MIGRATE_PARTITION_SETUP_H_

#include <string>

#include "absl/status/status.h"
#include "db/session.h"
#include "schema/model.h"

namespace querygate::migrate {

// (Re)installs the partition-maintenance functions of `schema` (dropping them when no model is
// partitioned) and runs the maintenance once, creating each partitioned table's partitions from
// one interval back to `ahead` intervals on, with their change triggers. Run after the change
// triggers are installed. Fails naming a partition that could not be created or removed.
absl::Status InstallPartitionMaintenance(db::Session& session, const schema::Schema& schema);

// The GRANT that lets `grantee` (quoted) run the maintenance, or "" when nothing is partitioned.
std::string PartitionGrantSql(const schema::Schema& schema, const std::string& grantee);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_PARTITION_SETUP_H_
