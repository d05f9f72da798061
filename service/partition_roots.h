#ifndef QUERYGATE_SERVICE_PARTITION_ROOTS_H_
#define QUERYGATE_SERVICE_PARTITION_ROOTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/query_runner.h"

namespace querygate::service {

// Returns `tables` (relation names as a plan prints them) with every partition replaced by the
// partitioned table at the root of its tree, sorted and unique: a read of a partition depends
// on its parent, which the change triggers of every partition name. Fails with the mapped
// database error.
absl::StatusOr<std::vector<std::string>> MapPartitionsToRoots(
    db::QueryRunner& runner, const std::vector<std::string>& tables);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_PARTITION_ROOTS_H_
