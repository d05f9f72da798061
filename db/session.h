#ifndef QUERYGATE_DB_SESSION_H_
#define QUERYGATE_DB_SESSION_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "db/query_runner.h"

namespace querygate::db {

class Transaction;

// One PostgreSQL connection, used by one thread at a time. Statements sent through the
// QueryRunner interface run in autocommit mode.
class Session : public QueryRunner {
 public:
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Connects to `url`. Fails with UNAVAILABLE when the server cannot be reached within
  // `connect_timeout`, or with the mapped error when it refuses the connection.
  static absl::StatusOr<std::unique_ptr<Session>> Connect(absl::string_view url,
                                                          absl::Duration connect_timeout);

  absl::StatusOr<ResultSet> Query(absl::string_view sql, const Params& params = {}) override;
  absl::Status Execute(absl::string_view sql) override;

  // Runs `body` inside one transaction: commits when it returns OK, rolls back otherwise.
  // Returns body's error, or the commit's mapped error.
  absl::Status Transact(const std::function<absl::Status(Transaction&)>& body);

  // Registers a prepared statement on this connection. Fails with the mapped error.
  absl::Status Prepare(const std::string& name, const std::string& sql);

  // True when a prepared statement `name` was registered on this connection.
  bool IsPrepared(const std::string& name) const;

  // Runs prepared statement `name` with `params` in one round trip, inside an implicit
  // transaction whose statement_timeout is `timeout` (rounded up to whole milliseconds) and
  // that has `settings` set transaction-locally (so none outlives the statement). Fails with
  // DEADLINE_EXCEEDED when the timeout fires, else with the mapped error.
  absl::StatusOr<ResultSet> QueryPreparedWithTimeout(const std::string& name, const Params& params,
                                                     absl::Duration timeout,
                                                     const LocalSettings& settings = {});

  // Asks the server to cancel the statement running on this connection; safe from any thread.
  void Cancel();

  // False once the connection was lost; such a session must be discarded.
  bool healthy() const { return healthy_; }

  // The server process id of this connection (for pg_stat_activity and cancellation).
  int backend_pid() const;

 private:
  struct Impl;
  friend class Transaction;
  explicit Session(std::unique_ptr<Impl> impl);
  absl::Status Track(absl::Status status);

  std::unique_ptr<Impl> impl_;
  bool healthy_ = true;
};

// An open transaction on a Session; valid only inside Session::Transact's body.
class Transaction : public QueryRunner {
 public:
  ~Transaction() override;
  absl::StatusOr<ResultSet> Query(absl::string_view sql, const Params& params = {}) override;
  absl::Status Execute(absl::string_view sql) override;

  // Runs the prepared statement `name` with `params`. Fails with the mapped error.
  absl::StatusOr<ResultSet> QueryPrepared(const std::string& name, const Params& params);

 private:
  struct Impl;
  friend class Session;
  Transaction(Session* session, std::unique_ptr<Impl> impl);

  Session* session_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_SESSION_H_
