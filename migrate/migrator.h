#ifndef QUERYGATE_MIGRATE_MIGRATOR_H_
#define QUERYGATE_MIGRATE_MIGRATOR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "migrate/diff.h"
#include "migrate/migration_files.h"
#include "schema/model.h"

namespace querygate::migrate {

// How migrations store vector fields (`--vector-storage`): kAuto picks pgvector when a vector
// field declares an index and the server offers the extension (pg_available_extensions), else
// REAL[] arrays (exact search either way without an index).
enum class VectorStorageMode { kAuto, kPgvector, kArray };

// Parses "auto", "pgvector" or "array"; nullopt otherwise.
std::optional<VectorStorageMode> ParseVectorStorageMode(absl::string_view text);

struct MigratorOptions {
  std::string database_url;
  std::string schema_dir = "schemas";
  std::string migrations_dir = "schemas/migrations";
  absl::Duration connect_timeout = absl::Seconds(10);
  // Key of the PostgreSQL advisory lock that serialises `up` and `down` runs.
  int64_t lock_key = 7171717171;
  // The runtime role the server connects as (empty: none). Every `up` then grants it USAGE on
  // the schema, SELECT/INSERT/UPDATE/DELETE on every schema table, USAGE/SELECT on their
  // sequences and EXECUTE on querygate's functions; it must already exist.
  std::string grant_to;
  // Storage of vector fields in generated migrations and the extension `up` installs.
  VectorStorageMode vector_storage = VectorStorageMode::kAuto;
};

struct MigrationState {
  std::string id;
  std::string description;
  bool applied = false;
  std::string executed_at;        // empty when pending
  bool file_missing = false;      // applied, but its file is gone
  bool checksum_changed = false;  // applied, but its file changed since
};

struct StatusReport {
  std::vector<MigrationState> migrations;
  // Steps that would turn the state the applied migrations produce into the live database:
  // non-empty means somebody changed the database by hand.
  Plan database_drift;
  // Steps that would turn the state all migrations produce into the schema files: non-empty
  // means the schema changed and `migrate new` is due.
  Plan unmigrated_schema_changes;

  bool HasDrift() const;
};

struct NewMigration {
  std::string id;
  std::string up_path;
  Plan up;
  Plan down;
};

// Applies, rolls back, plans and generates migrations for one database and one schema
// directory. Schema-shaped states are learnt by replaying SQL into shadow databases, so the
// role needs CREATEDB for Plan, Status and New.
class Migrator {
 public:
  explicit Migrator(MigratorOptions options) : options_(std::move(options)) {}

  // Applies every pending migration in id order, each in its own transaction (a no-transaction
  // migration statement by statement, recorded only after its last statement succeeded), under
  // an advisory lock, after installing querygate's functions; then installs the change triggers
  // and, with options.grant_to, grants the runtime role. Returns the ids applied. Fails naming
  // the migration that failed (which is rolled back whole, or for a no-transaction one left
  // unrecorded), FAILED_PRECONDITION when an applied migration's file changed, or NOT_FOUND
  // when the grant_to role does not exist.
  absl::StatusOr<std::vector<std::string>> Up();

  // Rolls back the last applied migration, or every migration after `target_id` (which stays
  // applied). Returns the ids rolled back. Fails naming a migration without a down script.
  absl::StatusOr<std::vector<std::string>> Down(std::optional<std::string> target_id);

  // Reports applied and pending migrations and drift in both directions.
  absl::StatusOr<StatusReport> Status();

  // Returns the steps that bring the live database to the schema files.
  absl::StatusOr<Plan> PlanLive();

  // Writes a migration holding the difference between the state the existing migrations
  // produce and the schema files. Fails with FAILED_PRECONDITION listing destructive steps
  // unless `allow_destructive`, or NOT_FOUND ("no changes") when there is nothing to do.
  absl::StatusOr<NewMigration> New(const std::string& name, bool allow_destructive);

  // Warnings of the last Up, New, Status or PlanLive (e.g. a vector index that is not built
  // because vectors are stored as arrays).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  // The vector storage of this run: resolved against the server for kAuto, and checked
  // available for kPgvector (FAILED_PRECONDITION otherwise). Records the index warnings.
  absl::StatusOr<schema::VectorStorage> ResolveVectorStorage(const schema::Schema& schema);

  MigratorOptions options_;
  std::vector<std::string> warnings_;
};

// Returns a FAILED_PRECONDITION error listing the destructive steps of `plan`, or OK if none.
absl::Status RefuseDestructive(const Plan& plan);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_MIGRATOR_H_
