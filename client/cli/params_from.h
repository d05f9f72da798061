#ifndef QUERYGATE_CLIENT_CLI_PARAMS_FROM_H_
#define QUERYGATE_CLIENT_CLI_PARAMS_FROM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/value.h"

namespace querygate::cli {

// Parameter sets one warm request may carry by default (the server's warm.max_param_sets).
inline constexpr int64_t kMaxWarmParamSets = 10000;

// Runs the operator's `sql` on `database_url` (on a connection of its own, as one statement,
// in a READ ONLY transaction, with statement_timeout `timeout`) and returns each row as a
// parameter set named by its columns. Fails with RESOURCE_EXHAUSTED when the statement returns
// more than `max_rows` rows, INVALID_ARGUMENT for several statements, a write, a statement
// without rows or a value that cannot be decoded, else the database's error.
absl::StatusOr<std::vector<Value::Struct>> ReadParamSets(const std::string& database_url,
                                                         const std::string& sql, int64_t max_rows,
                                                         absl::Duration timeout);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_PARAMS_FROM_H_
