#ifndef QUERYGATE_MIGRATE_MIGRATION_FILES_H_
#define QUERYGATE_MIGRATE_MIGRATION_FILES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace querygate::migrate {

// One migration on disk: `<id>_<name>.up.sql` with an optional `<id>_<name>.down.sql`, or a
// hand-written `<id>_<name>.sql` (up only). The id is the leading run of digits.
struct MigrationFile {
  std::string id;
  std::string description;
  std::string up_sql;
  std::optional<std::string> down_sql;
  std::string checksum;  // SHA-256 of up_sql
  std::string up_path;
  // False when the up file starts with `-- querygate:no-transaction` (kNoTransactionHeader):
  // `up_statements` then run one by one outside a transaction. Likewise for the down file.
  bool transactional = true;
  std::vector<std::string> up_statements;
  bool down_transactional = true;
  std::vector<std::string> down_statements;
};

// Returns the migrations in `dir` ordered by numeric id; a missing dir yields none. Fails with
// INVALID_ARGUMENT naming the file for a malformed name, a duplicate id, a down without up, a
// no-transaction file holding a statement NoTransactionStatements refuses, or a transactional
// file holding a statement PostgreSQL runs only outside a transaction (CREATE INDEX
// CONCURRENTLY, ...).
absl::StatusOr<std::vector<MigrationFile>> ReadMigrations(const std::string& dir);

// Returns the id after the largest existing one, keeping its width (4 digits when none).
std::string NextMigrationId(const std::vector<MigrationFile>& existing);

// Returns `name` reduced to lowercase letters, digits and single underscores.
std::string SanitizeMigrationName(const std::string& name);

// Writes `<id>_<name>.up.sql` and `.down.sql` into `dir` (creating it) and returns the up
// file's path. Fails with ALREADY_EXISTS if a file is there, or INTERNAL on I/O errors.
absl::StatusOr<std::string> WriteMigration(const std::string& dir, const std::string& id,
                                           const std::string& name, const std::string& up_sql,
                                           const std::string& down_sql);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_MIGRATION_FILES_H_
