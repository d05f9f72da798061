#ifndef QUERYGATE_SCHEMA_PARTITIONS_H_
#define QUERYGATE_SCHEMA_PARTITIONS_H_

#include <string>

#include "schema/model.h"

namespace querygate::schema {

// The SECURITY DEFINER function that keeps partitions created ahead and applies retention for
// every partitioned model. It returns one row (table_name, action, partition_name) per
// partition it created, detached, dropped or failed to create ("failed: <error>").
inline constexpr char kMaintainPartitionsFunction[] = "querygate_maintain_partitions";

// The comment a detached partition carries; migrations ignore tables that have it.
inline constexpr char kDetachedPartitionComment[] = "querygate: detached partition of ";

// True when some model of `schema` is partitioned.
bool HasPartitionedModels(const Schema& schema);

// Idempotent SQL that (re)defines querygate_partition_table() and querygate_maintain_partitions()
// for the partitioned models of `schema`, owned by the role that runs it and executable by
// nobody else until granted. Empty when no model is partitioned.
std::string PartitionFunctionsSql(const Schema& schema);

// The statement that runs the maintenance once.
std::string MaintainPartitionsSql();

}  // namespace querygate::schema

#endif  // QUERYGATE_SCHEMA_PARTITIONS_H_
