#ifndef QUERYGATE_SERVICE_DATABASE_READER_H_
#define QUERYGATE_SERVICE_DATABASE_READER_H_

#include <string>

#include "absl/status/statusor.h"
#include "db/cancel_watcher.h"
#include "db/connection_pool.h"
#include "db/query_runner.h"
#include "db/result_set.h"
#include "service/call_context.h"
#include "service/single_flight.h"

namespace querygate::service {

struct DatabaseReaderOptions {
  int64_t max_rows = 10000;
  absl::Duration default_timeout = absl::Seconds(30);
  // pgvector's `vector` type OID in the served database (0 without the extension); learned
  // at startup, as the OID differs per database.
  uint32_t vector_type_oid = 0;
};

// A read-only statement: SQL with $n placeholders (each cast to its type) and its bound
// values in PostgreSQL text format.
struct Statement {
  std::string label;  // for error messages, e.g. "query user_by_id" or "List post"
  std::string sql;
  db::Params params;
  // Transaction-local settings of this statement (e.g. hnsw.ef_search), applied like the
  // tenant; names come from code, never from callers.
  db::LocalSettings settings;
};

// Runs read-only statements on pooled connections: one round trip per statement, prepared
// once per connection, with the call's remaining deadline as statement_timeout, the call's
// tenant (if any) as the transaction-local setting querygate.tenant, and the backend query
// cancelled when the caller goes away.
class DatabaseReader {
 public:
  DatabaseReader(DatabaseReaderOptions options, db::ConnectionPool* pool,
                 db::CancelWatcher* watcher)
      : options_(options), pool_(pool), watcher_(watcher) {}

  // Returns the statement's rows converted to values. Fails with DEADLINE_EXCEEDED (also
  // without touching the database when the deadline already passed), CANCELLED,
  // RESOURCE_EXHAUSTED past max_rows or when no connection frees up, or the mapped
  // database error.
  absl::StatusOr<SharedResult> Read(const Statement& statement, const CallContext& ctx) const;

  const DatabaseReaderOptions& options() const { return options_; }

 private:
  const DatabaseReaderOptions options_;
  db::ConnectionPool* pool_;
  db::CancelWatcher* watcher_;
};

// Converts text rows to values (per column type) and names/types columns. Cells of a pgvector
// column (type `vector_type_oid`, named "vector") and of a real[] column become lists of
// doubles holding the exact float32 values, as repository records decode vector fields.
absl::StatusOr<SharedResult> ToQueryResult(const db::ResultSet& rows, uint32_t vector_type_oid);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_DATABASE_READER_H_
