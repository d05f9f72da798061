#ifndef QUERYGATE_SERVER_PARTITION_WIRING_H_
#define QUERYGATE_SERVER_PARTITION_WIRING_H_

#include <memory>

#include "common/logger.h"
#include "db/connection_pool.h"
#include "schema/model.h"
#include "server/server_config.h"
#include "service/partition_maintainer.h"

namespace querygate::server {

// Starts the partition maintenance on `pool` when `schema` has partitioned models and
// partitions.maintenance_interval_s is not 0, logging every partition it changes and every
// failed run to `log` (may be null); returns null otherwise.
std::unique_ptr<service::PartitionMaintainer> StartPartitionMaintenance(
    const ServerConfig& config, const schema::Schema& schema, db::ConnectionPool* pool,
    Logger* log);

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_PARTITION_WIRING_H_
