#ifndef QUERYGATE_MIGRATE_SQL_STATEMENTS_H_
#define QUERYGATE_MIGRATE_SQL_STATEMENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace querygate::migrate {

// The first line of a migration file that runs outside a transaction.
inline constexpr char kNoTransactionHeader[] = "-- querygate:no-transaction";

// True when the first line of `sql` is kNoTransactionHeader (trailing spaces allowed).
bool HasNoTransactionHeader(absl::string_view sql);

// Splits a SQL script at top-level semicolons. Comments, quoted strings and identifiers and
// dollar-quoted bodies are respected; statements lose leading comments and surrounding space;
// parts holding only comments and space are dropped.
std::vector<std::string> SplitSqlStatements(absl::string_view script);

// The leading words of `statement` in upper case (comments skipped; quoted identifiers kept
// as written), at most `max_words`.
std::vector<std::string> LeadingWords(absl::string_view statement, size_t max_words);

// True for a statement PostgreSQL refuses inside a transaction block: CREATE/DROP INDEX
// CONCURRENTLY, REINDEX ... CONCURRENTLY, VACUUM.
bool NeedsNoTransaction(absl::string_view statement);

// The statements of a no-transaction migration `sql` (from `path`). Each must be one of
// CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS, DROP INDEX CONCURRENTLY IF EXISTS,
// REINDEX INDEX|TABLE CONCURRENTLY, VACUUM or ANALYZE: statements that are safe to repeat,
// since a failure leaves the earlier ones applied. Fails with INVALID_ARGUMENT naming the file
// and the statement otherwise, or when there is no statement.
absl::StatusOr<std::vector<std::string>> NoTransactionStatements(absl::string_view sql,
                                                                 absl::string_view path);

// The index a `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS <name> ...` statement makes,
// as written (possibly quoted), or "" for any other statement or an unusual name.
std::string ConcurrentIndexName(absl::string_view statement);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_SQL_STATEMENTS_H_
