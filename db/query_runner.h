#ifndef QUERYGATE_DB_QUERY_RUNNER_H_
#define QUERYGATE_DB_QUERY_RUNNER_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "db/result_set.h"

namespace querygate::db {

// Something SQL can be sent to: a session in autocommit mode or an open transaction.
class QueryRunner {
 public:
  virtual ~QueryRunner() = default;

  // Runs one parameterised statement ($1, $2, ...) and returns its rows. Fails with the
  // status mapped from the PostgreSQL error (see db/internal/error_mapping.h).
  virtual absl::StatusOr<ResultSet> Query(absl::string_view sql, const Params& params = {}) = 0;

  // Runs a script of one or more statements without parameters. Fails like Query.
  virtual absl::Status Execute(absl::string_view sql) = 0;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_QUERY_RUNNER_H_
