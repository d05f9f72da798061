#ifndef QUERYGATE_DB_QUERY_RUNNER_H_
#define QUERYGATE_DB_QUERY_RUNNER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "db/result_set.h"

namespace querygate::db {

// Transaction-local settings of one statement, applied in order with
// set_config(name, value, true); e.g. {{"querygate.tenant", "42"}}. Names and values are sent
// quoted or bound, never spliced into SQL.
using LocalSettings = std::vector<std::pair<std::string, std::string>>;

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
