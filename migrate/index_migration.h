#ifndef QUERYGATE_MIGRATE_INDEX_MIGRATION_H_
#define QUERYGATE_MIGRATE_INDEX_MIGRATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace querygate::migrate {

// A btree index to create, e.g. from `querygate advise --json`.
struct IndexToCreate {
  std::string table;
  std::vector<std::string> columns;
  std::string name;
  std::string note;  // written as a comment above its statement, e.g. the cost estimate
};

// Writes `<next id>_<name>.up.sql` (CREATE INDEX CONCURRENTLY IF NOT EXISTS for each index)
// and `.down.sql` (DROP INDEX CONCURRENTLY IF EXISTS), both no-transaction migrations, into
// `dir` and returns the up file's path. Fails with INVALID_ARGUMENT for no indexes or an empty
// or over-long (63 bytes) table, column or index name, else like WriteMigration.
absl::StatusOr<std::string> WriteIndexMigration(const std::string& dir, const std::string& name,
                                                const std::vector<IndexToCreate>& indexes,
                                                const std::string& source);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_INDEX_MIGRATION_H_
