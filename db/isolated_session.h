#ifndef QUERYGATE_DB_ISOLATED_SESSION_H_
#define QUERYGATE_DB_ISOLATED_SESSION_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "db/query_runner.h"
#include "db/result_set.h"

namespace querygate::db {

// A PostgreSQL connection of its own, outside every pool, for one statement of
// operator-owned SQL (warm sets' params_from, the CLI's warm --params-from). It is closed on
// destruction, so nothing the statement does (settings, temporary tables, LISTEN) outlives it.
class IsolatedSession {
 public:
  ~IsolatedSession();
  IsolatedSession(const IsolatedSession&) = delete;
  IsolatedSession& operator=(const IsolatedSession&) = delete;

  // Connects to `url`. Fails with UNAVAILABLE (the password redacted from the message) when
  // the server cannot be reached within `connect_timeout` or refuses the connection.
  static absl::StatusOr<std::unique_ptr<IsolatedSession>> Connect(absl::string_view url,
                                                                  absl::Duration connect_timeout);

  // Runs `sql` as exactly one statement through the extended query protocol (PostgreSQL
  // refuses a string of several statements there) in a READ ONLY transaction with
  // statement_timeout `timeout` and `settings` set transaction-locally, reading rows one at a
  // time. Returns the rows. Fails with
  // RESOURCE_EXHAUSTED as soon as a row beyond `max_rows` arrives (the statement is then
  // cancelled), INVALID_ARGUMENT for several statements, a syntax error, a write or a statement
  // that returns no rows, DEADLINE_EXCEEDED when the timeout fires, FAILED_PRECONDITION when
  // called twice, else the status mapped from the PostgreSQL error.
  absl::StatusOr<ResultSet> QueryReadOnly(absl::string_view sql, int64_t max_rows,
                                          absl::Duration timeout,
                                          const LocalSettings& settings = {});

 private:
  struct Impl;
  explicit IsolatedSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_ISOLATED_SESSION_H_
