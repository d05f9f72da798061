#ifndef QUERYGATE_SCHEMA_INTERNAL_PARTITION_BUILDER_H_
#define QUERYGATE_SCHEMA_INTERNAL_PARTITION_BUILDER_H_

#include "schema/internal/build_context.h"

namespace querygate::schema::internal {

// Reads the `partition` option of every model into Model::partitioning and reports what
// PostgreSQL or querygate cannot partition: a missing, nullable or non-time field, a bad
// interval, ahead or retention, a tenant model or tenant-scoped model, a unique field or index
// without the partition column, a foreign key of another model pointing at it, or a table name
// too long for its partitions' names. Run after BuildIndexesAndChecks.
void ResolvePartitioning(BuildContext& ctx);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_PARTITION_BUILDER_H_
