#ifndef QUERYGATE_MIGRATE_INTROSPECT_H_
#define QUERYGATE_MIGRATE_INTROSPECT_H_

#include "absl/status/statusor.h"
#include "db/query_runner.h"
#include "migrate/catalog.h"

namespace querygate::migrate {

// The bookkeeping table that migrations keep; never part of a catalog.
inline constexpr char kMigrationsTable[] = "schema_migrations";

// Reads the tables, columns, constraints and indexes of the session's current schema,
// leaving out kMigrationsTable. Fails with the mapped database error.
absl::StatusOr<Catalog> IntrospectCatalog(db::QueryRunner& runner);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_INTROSPECT_H_
