#include "migrate/migrator.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "db/session.h"
#include "migrate/change_triggers.h"
#include "migrate/introspect.h"
#include "migrate/partition_setup.h"
#include "migrate/shadow_workspace.h"
#include "migrate/sql_ident.h"
#include "migrate/sql_statements.h"
#include "schema/ddl.h"
#include "schema/loader.h"
#include "schema/tenancy.h"

namespace querygate::migrate {
namespace {

constexpr char kBootstrapSql[] = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  id text PRIMARY KEY,
  description text NOT NULL,
  checksum text NOT NULL,
  executed_at timestamptz NOT NULL DEFAULT now()
);)sql";

struct AppliedRecord {
  std::string description;
  std::string checksum;
  std::string executed_at;
};

using AppliedMap = std::map<std::string, AppliedRecord>;

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

std::string Label(const MigrationFile& m) { return absl::StrCat(m.id, "_", m.description); }

absl::StatusOr<schema::Schema> LoadSchema(const std::string& schema_dir) {
  schema::LoadResult loaded = schema::LoadSchemaDir(schema_dir);
  if (!loaded.ok()) {
    std::vector<std::string> lines;
    for (const auto& error : loaded.errors) lines.push_back(error.ToString());
    return absl::InvalidArgumentError(
        absl::StrCat("the schema in ", schema_dir, " is invalid:\n", absl::StrJoin(lines, "\n")));
  }
  return std::move(loaded.schema);
}

constexpr char kCreateVectorExtensionSql[] = "CREATE EXTENSION IF NOT EXISTS vector;\n";

// The DDL of `schema` for a database storing vectors as `storage`.
std::string DesiredDdl(const schema::Schema& schema, schema::VectorStorage storage) {
  schema::DdlOptions ddl;
  ddl.vector_storage = storage;
  return schema::GenerateDdl(schema, ddl);
}

// The extension and functions that migrations of `schema` use beyond generate_uuid_v7().
std::string ExtraFunctionsSql(const schema::Schema& schema, schema::VectorStorage storage) {
  std::string sql;
  if (storage == schema::VectorStorage::kPgvector && schema::HasVectorFields(schema)) {
    sql = kCreateVectorExtensionSql;
  }
  if (schema.tenancy.has_value()) {
    absl::StrAppend(&sql, schema::CurrentTenantFunctionSql(*schema.tenancy));
  }
  if (schema::HasVectorFields(schema)) absl::StrAppend(&sql, schema::VectorFunctionsSql());
  return sql;
}

absl::StatusOr<AppliedMap> ReadApplied(db::Session& session) {
  QG_ASSIGN_OR_RETURN(db::ResultSet exists,
                      session.Query("SELECT to_regclass('schema_migrations') IS NOT NULL"));
  AppliedMap applied;
  if (exists.Text(0, 0) != "t") return applied;
  QG_ASSIGN_OR_RETURN(
      db::ResultSet rows,
      session.Query("SELECT id, description, checksum, executed_at::text FROM schema_migrations"));
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    applied[rows.Text(r, 0)] = {rows.Text(r, 1), rows.Text(r, 2), rows.Text(r, 3)};
  }
  return applied;
}

absl::StatusOr<std::unique_ptr<ShadowWorkspace>> OpenWorkspace(const MigratorOptions& options,
                                                               const schema::Schema& schema,
                                                               schema::VectorStorage storage) {
  return ShadowWorkspace::Open(options.database_url, options.connect_timeout,
                               ExtraFunctionsSql(schema, storage));
}

// Fails with NOT_FOUND unless the role `role` exists.
absl::Status CheckRoleExists(db::Session& session, const std::string& role) {
  QG_ASSIGN_OR_RETURN(db::ResultSet rows,
                      session.Query("SELECT 1 FROM pg_roles WHERE rolname = $1", {role}));
  if (rows.rows.empty()) {
    return absl::NotFoundError(
        absl::StrCat("grant-to: role \"", role, "\" does not exist; create it first"));
  }
  return absl::OkStatus();
}

constexpr char kOwnedSequencesSql[] = R"sql(
SELECT s.relname, t.relname
FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace
ORDER BY 1)sql";

// Grants `role` what the server needs at run time on the schema's tables, their sequences and
// querygate's functions. Idempotent.
absl::Status GrantRuntimeRole(db::Session& session, const schema::Schema& schema,
                              const std::string& role) {
  const std::string grantee = QuoteIdent(role);
  QG_ASSIGN_OR_RETURN(db::ResultSet current, session.Query("SELECT current_schema()"));
  std::vector<std::string> statements;
  statements.push_back(
      absl::StrCat("GRANT USAGE ON SCHEMA ", QuoteIdent(current.Text(0, 0)), " TO ", grantee));
  std::set<std::string> tables;
  for (const schema::Model* model : schema.AllTables()) {
    QG_ASSIGN_OR_RETURN(db::ResultSet exists, session.Query("SELECT to_regclass($1) IS NOT NULL",
                                                            {QuoteIdent(model->table)}));
    if (exists.Text(0, 0) != "t") continue;
    tables.insert(model->table);
    statements.push_back(absl::StrCat("GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ",
                                      QuoteIdent(model->table), " TO ", grantee));
  }
  QG_ASSIGN_OR_RETURN(db::ResultSet sequences, session.Query(kOwnedSequencesSql));
  for (size_t r = 0; r < sequences.rows.size(); ++r) {
    if (!tables.count(sequences.Text(r, 1))) continue;
    statements.push_back(absl::StrCat("GRANT USAGE, SELECT ON SEQUENCE ",
                                      QuoteIdent(sequences.Text(r, 0)), " TO ", grantee));
  }
  statements.push_back(absl::StrCat("GRANT EXECUTE ON FUNCTION generate_uuid_v7() TO ", grantee));
  statements.push_back(
      absl::StrCat("GRANT EXECUTE ON FUNCTION querygate_notify_change() TO ", grantee));
  if (std::string grant = PartitionGrantSql(schema, grantee); !grant.empty()) {
    statements.push_back(std::move(grant));
  }
  if (schema.tenancy.has_value()) {
    statements.push_back(absl::StrCat("GRANT EXECUTE ON FUNCTION ", schema::kCurrentTenantFunction,
                                      "() TO ", grantee));
  }
  if (schema::HasVectorFields(schema)) {
    for (const std::string& function : schema::VectorFunctionSignatures()) {
      statements.push_back(absl::StrCat("GRANT EXECUTE ON FUNCTION ", function, " TO ", grantee));
    }
  }
  return session.Transact([&](db::Transaction& tx) {
    for (const std::string& statement : statements) {
      QG_RETURN_IF_ERROR(tx.Execute(absl::StrCat(statement, ";")));
    }
    return absl::OkStatus();
  });
}

std::vector<Script> ScriptsOf(const std::vector<MigrationFile>& files) {
  std::vector<Script> scripts;
  for (const MigrationFile& file : files) {
    scripts.push_back(
        {Label(file), &file.up_sql, file.transactional ? nullptr : &file.up_statements});
  }
  return scripts;
}

// Holds the migration advisory lock for the lifetime of the object.
class MigrationLock {
 public:
  static absl::StatusOr<MigrationLock> Acquire(db::Session& session, int64_t key) {
    QG_RETURN_IF_ERROR(session.Query("SELECT pg_advisory_lock($1)", {absl::StrCat(key)}).status());
    return MigrationLock(session, key);
  }
  MigrationLock(MigrationLock&& other) noexcept : session_(other.session_), key_(other.key_) {
    other.session_ = nullptr;
  }
  MigrationLock(const MigrationLock&) = delete;
  ~MigrationLock() {
    if (session_ != nullptr && session_->healthy()) {
      (void)session_->Query("SELECT pg_advisory_unlock($1)", {absl::StrCat(key_)});
    }
  }

 private:
  MigrationLock(db::Session& session, int64_t key) : session_(&session), key_(key) {}
  db::Session* session_;
  int64_t key_;
};

constexpr char kInvalidIndexSql[] =
    "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid";

// Runs the statements of a no-transaction migration one by one. Before a CREATE INDEX
// CONCURRENTLY IF NOT EXISTS, an invalid index of that name (left by an earlier failed run,
// which IF NOT EXISTS would otherwise keep) is dropped. Fails naming the statement.
absl::Status RunWithoutTransaction(db::Session& session,
                                   const std::vector<std::string>& statements) {
  for (size_t i = 0; i < statements.size(); ++i) {
    std::string at = absl::StrCat("statement ", i + 1, " of ", statements.size());
    if (std::string index = ConcurrentIndexName(statements[i]); !index.empty()) {
      auto invalid = session.Query(kInvalidIndexSql, {index});
      if (!invalid.ok()) return Annotate(invalid.status(), at);
      if (!invalid->rows.empty()) {
        absl::Status dropped =
            session.Execute(absl::StrCat("DROP INDEX CONCURRENTLY IF EXISTS ", index));
        if (!dropped.ok()) return Annotate(dropped, absl::StrCat(at, ": dropping invalid index"));
      }
    }
    absl::Status status = session.Execute(statements[i]);
    if (!status.ok()) return Annotate(status, at);
  }
  return absl::OkStatus();
}

absl::Status CheckAppliedUnchanged(const AppliedMap& applied,
                                   const std::vector<MigrationFile>& files) {
  std::map<std::string, const MigrationFile*> by_id;
  for (const MigrationFile& file : files) by_id[file.id] = &file;
  std::vector<std::string> problems;
  for (const auto& [id, record] : applied) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      problems.push_back(
          absl::StrCat("applied migration ", id, "_", record.description, " has no file any more"));
    } else if (it->second->checksum != record.checksum) {
      problems.push_back(absl::StrCat("applied migration ", Label(*it->second),
                                      " was changed after it was applied (", it->second->up_path,
                                      ")"));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrJoin(problems, "; "));
}

bool HasVectorIndexes(const schema::Schema& schema) {
  for (const schema::Model* model : schema.AllTables()) {
    for (const schema::Field& field : model->fields) {
      if (field.vector_index.has_value()) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<VectorStorageMode> ParseVectorStorageMode(absl::string_view text) {
  if (text == "auto") return VectorStorageMode::kAuto;
  if (text == "pgvector") return VectorStorageMode::kPgvector;
  if (text == "array") return VectorStorageMode::kArray;
  return std::nullopt;
}

absl::StatusOr<schema::VectorStorage> Migrator::ResolveVectorStorage(const schema::Schema& schema) {
  warnings_.clear();
  schema::VectorStorage storage = schema::VectorStorage::kArray;
  bool wanted = options_.vector_storage == VectorStorageMode::kPgvector ||
                (options_.vector_storage == VectorStorageMode::kAuto && HasVectorIndexes(schema));
  if (schema::HasVectorFields(schema) && wanted) {
    QG_ASSIGN_OR_RETURN(auto session,
                        db::Session::Connect(options_.database_url, options_.connect_timeout));
    QG_ASSIGN_OR_RETURN(
        db::ResultSet rows,
        session->Query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"));
    if (!rows.rows.empty()) {
      storage = schema::VectorStorage::kPgvector;
    } else if (options_.vector_storage == VectorStorageMode::kPgvector) {
      return absl::FailedPreconditionError(
          "vector-storage pgvector: the server does not offer the vector extension "
          "(pg_available_extensions); install pgvector or use --vector-storage array");
    }
  }
  warnings_ = schema::VectorIndexWarnings(schema, storage);
  return storage;
}

bool StatusReport::HasDrift() const {
  if (!database_drift.empty()) return true;
  for (const MigrationState& m : migrations) {
    if (m.file_missing || m.checksum_changed) return true;
  }
  return false;
}

absl::Status RefuseDestructive(const Plan& plan) {
  std::vector<Change> destructive = plan.Destructive();
  if (destructive.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const Change& change : destructive) lines.push_back(absl::StrCat("  - ", change.summary));
  return absl::FailedPreconditionError(
      absl::StrCat("refusing destructive changes (pass --allow-destructive to accept):\n",
                   absl::StrJoin(lines, "\n")));
}

absl::StatusOr<std::vector<std::string>> Migrator::Up() {
  QG_ASSIGN_OR_RETURN(std::vector<MigrationFile> files, ReadMigrations(options_.migrations_dir));
  QG_ASSIGN_OR_RETURN(schema::Schema schema, LoadSchema(options_.schema_dir));
  QG_ASSIGN_OR_RETURN(auto session,
                      db::Session::Connect(options_.database_url, options_.connect_timeout));
  if (!options_.grant_to.empty()) QG_RETURN_IF_ERROR(CheckRoleExists(*session, options_.grant_to));
  QG_ASSIGN_OR_RETURN(MigrationLock lock, MigrationLock::Acquire(*session, options_.lock_key));
  QG_ASSIGN_OR_RETURN(schema::VectorStorage storage, ResolveVectorStorage(schema));
  std::string functions = schema::QuerygateFunctionsSql(schema);
  if (storage == schema::VectorStorage::kPgvector) {
    functions = absl::StrCat(kCreateVectorExtensionSql, functions);
  }
  QG_RETURN_IF_ERROR(session->Transact([&functions](db::Transaction& tx) {
    QG_RETURN_IF_ERROR(tx.Execute(kBootstrapSql));
    return tx.Execute(functions);
  }));
  QG_ASSIGN_OR_RETURN(AppliedMap applied, ReadApplied(*session));
  QG_RETURN_IF_ERROR(CheckAppliedUnchanged(applied, files));
  std::vector<std::string> done;
  for (const MigrationFile& file : files) {
    if (applied.count(file.id)) continue;
    if (!file.transactional) {
      absl::Status status = RunWithoutTransaction(*session, file.up_statements);
      if (status.ok()) {
        status = session
                     ->Query(
                         "INSERT INTO schema_migrations (id, description, checksum) VALUES "
                         "($1, $2, $3)",
                         {file.id, file.description, file.checksum})
                     .status();
      }
      if (!status.ok()) {
        return Annotate(status, absl::StrCat("migration ", Label(file),
                                             " (no transaction) failed and is not recorded; the "
                                             "statements before the failed one stay applied and "
                                             "are repeated safely by the next run"));
      }
      done.push_back(Label(file));
      continue;
    }
    absl::Status status = session->Transact([&](db::Transaction& tx) {
      QG_RETURN_IF_ERROR(tx.Execute(file.up_sql));
      return tx
          .Query("INSERT INTO schema_migrations (id, description, checksum) VALUES ($1, $2, $3)",
                 {file.id, file.description, file.checksum})
          .status();
    });
    if (!status.ok()) {
      return Annotate(status,
                      absl::StrCat("migration ", Label(file), " failed and was rolled back"));
    }
    done.push_back(Label(file));
  }
  std::string triggers = ChangeTriggerSql(schema);
  absl::Status installed =
      session->Transact([&](db::Transaction& tx) { return tx.Execute(triggers); });
  if (!installed.ok()) return Annotate(installed, "installing change-notification triggers");
  absl::Status partitions = InstallPartitionMaintenance(*session, schema);
  if (!partitions.ok()) return Annotate(partitions, "creating partitions");
  if (!options_.grant_to.empty()) {
    absl::Status granted = GrantRuntimeRole(*session, schema, options_.grant_to);
    if (!granted.ok()) {
      return Annotate(granted, absl::StrCat("granting role \"", options_.grant_to, "\""));
    }
  }
  return done;
}

absl::StatusOr<std::vector<std::string>> Migrator::Down(std::optional<std::string> target_id) {
  QG_ASSIGN_OR_RETURN(std::vector<MigrationFile> files, ReadMigrations(options_.migrations_dir));
  QG_ASSIGN_OR_RETURN(auto session,
                      db::Session::Connect(options_.database_url, options_.connect_timeout));
  QG_ASSIGN_OR_RETURN(MigrationLock lock, MigrationLock::Acquire(*session, options_.lock_key));
  QG_ASSIGN_OR_RETURN(AppliedMap applied, ReadApplied(*session));
  if (target_id && !applied.count(*target_id)) {
    return absl::NotFoundError(absl::StrCat("migration ", *target_id, " is not applied"));
  }
  std::vector<const MigrationFile*> to_undo;
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    if (!applied.count(it->id)) continue;
    if (target_id && it->id == *target_id) break;
    to_undo.push_back(&*it);
    if (!target_id) break;
  }
  std::vector<std::string> done;
  for (const MigrationFile* file : to_undo) {
    if (!file->down_sql) {
      return absl::FailedPreconditionError(
          absl::StrCat("migration ", Label(*file), " has no down script"));
    }
    if (!file->down_transactional) {
      absl::Status status = RunWithoutTransaction(*session, file->down_statements);
      if (status.ok()) {
        status = session->Query("DELETE FROM schema_migrations WHERE id = $1", {file->id}).status();
      }
      if (!status.ok()) {
        return Annotate(status, absl::StrCat("rolling back ", Label(*file),
                                             " (no transaction) failed; it stays recorded"));
      }
      done.push_back(Label(*file));
      continue;
    }
    absl::Status status = session->Transact([&](db::Transaction& tx) {
      QG_RETURN_IF_ERROR(tx.Execute(*file->down_sql));
      return tx.Query("DELETE FROM schema_migrations WHERE id = $1", {file->id}).status();
    });
    if (!status.ok()) {
      return Annotate(status, absl::StrCat("rolling back ", Label(*file), " failed"));
    }
    done.push_back(Label(*file));
  }
  return done;
}

absl::StatusOr<StatusReport> Migrator::Status() {
  QG_ASSIGN_OR_RETURN(std::vector<MigrationFile> files, ReadMigrations(options_.migrations_dir));
  QG_ASSIGN_OR_RETURN(schema::Schema desired_schema, LoadSchema(options_.schema_dir));
  QG_ASSIGN_OR_RETURN(schema::VectorStorage storage, ResolveVectorStorage(desired_schema));
  const std::string desired_ddl = DesiredDdl(desired_schema, storage);
  QG_ASSIGN_OR_RETURN(auto session,
                      db::Session::Connect(options_.database_url, options_.connect_timeout));
  QG_ASSIGN_OR_RETURN(AppliedMap applied, ReadApplied(*session));
  StatusReport report;
  std::vector<MigrationFile> applied_files;
  for (const MigrationFile& file : files) {
    MigrationState state;
    state.id = file.id;
    state.description = file.description;
    auto it = applied.find(file.id);
    if (it != applied.end()) {
      state.applied = true;
      state.executed_at = it->second.executed_at;
      state.checksum_changed = it->second.checksum != file.checksum;
      applied_files.push_back(file);
    }
    report.migrations.push_back(std::move(state));
  }
  for (const auto& [id, record] : applied) {
    bool known = false;
    for (const MigrationFile& file : files) known = known || file.id == id;
    if (!known) {
      MigrationState orphan;
      orphan.id = id;
      orphan.description = record.description;
      orphan.applied = true;
      orphan.executed_at = record.executed_at;
      orphan.file_missing = true;
      report.migrations.push_back(orphan);
    }
  }
  QG_ASSIGN_OR_RETURN(auto shadow, OpenWorkspace(options_, desired_schema, storage));
  QG_ASSIGN_OR_RETURN(Catalog expected, shadow->Replay(ScriptsOf(applied_files)));
  QG_ASSIGN_OR_RETURN(Catalog live_raw, IntrospectCatalog(*session));
  QG_ASSIGN_OR_RETURN(Catalog live, shadow->Normalize(live_raw));
  report.database_drift = DiffCatalogs(expected, live);
  Catalog all = expected;
  if (applied_files.size() != files.size()) {
    QG_ASSIGN_OR_RETURN(all, shadow->Replay(ScriptsOf(files)));
  }
  QG_ASSIGN_OR_RETURN(Catalog desired, shadow->Replay({{"the schema files", &desired_ddl}}));
  report.unmigrated_schema_changes = DiffCatalogs(all, desired);
  return report;
}

absl::StatusOr<Plan> Migrator::PlanLive() {
  QG_ASSIGN_OR_RETURN(schema::Schema desired_schema, LoadSchema(options_.schema_dir));
  QG_ASSIGN_OR_RETURN(schema::VectorStorage storage, ResolveVectorStorage(desired_schema));
  const std::string desired_ddl = DesiredDdl(desired_schema, storage);
  QG_ASSIGN_OR_RETURN(auto shadow, OpenWorkspace(options_, desired_schema, storage));
  QG_ASSIGN_OR_RETURN(Catalog desired, shadow->Replay({{"the schema files", &desired_ddl}}));
  QG_ASSIGN_OR_RETURN(auto session,
                      db::Session::Connect(options_.database_url, options_.connect_timeout));
  QG_ASSIGN_OR_RETURN(Catalog live_raw, IntrospectCatalog(*session));
  QG_ASSIGN_OR_RETURN(Catalog live, shadow->Normalize(live_raw));
  return DiffCatalogs(live, desired);
}

absl::StatusOr<NewMigration> Migrator::New(const std::string& name, bool allow_destructive) {
  QG_ASSIGN_OR_RETURN(std::vector<MigrationFile> files, ReadMigrations(options_.migrations_dir));
  QG_ASSIGN_OR_RETURN(schema::Schema desired_schema, LoadSchema(options_.schema_dir));
  QG_ASSIGN_OR_RETURN(schema::VectorStorage storage, ResolveVectorStorage(desired_schema));
  const std::string desired_ddl = DesiredDdl(desired_schema, storage);
  QG_ASSIGN_OR_RETURN(auto shadow, OpenWorkspace(options_, desired_schema, storage));
  QG_ASSIGN_OR_RETURN(Catalog prior, shadow->Replay(ScriptsOf(files)));
  QG_ASSIGN_OR_RETURN(Catalog desired, shadow->Replay({{"the schema files", &desired_ddl}}));
  NewMigration result;
  result.up = DiffCatalogs(prior, desired);
  if (result.up.empty()) {
    return absl::NotFoundError("no changes: the existing migrations already produce the schema");
  }
  if (!allow_destructive) QG_RETURN_IF_ERROR(RefuseDestructive(result.up));
  result.down = DiffCatalogs(desired, prior);
  result.id = NextMigrationId(files);
  std::string stem = absl::StrCat(result.id, "_", SanitizeMigrationName(name));
  auto header = [&](const Plan& plan, absl::string_view direction) {
    std::string text =
        absl::StrCat("-- ", stem, " (", direction, "): generated by `querygate migrate new` from ",
                     options_.schema_dir, ". Review it, then commit it.\n");
    for (const std::string& note : plan.Notes()) absl::StrAppend(&text, "-- ", note, "\n");
    for (const Change& change : plan.changes) {
      absl::StrAppend(&text, "--   ", change.summary, change.destructive ? " [destructive]" : "",
                      "\n");
    }
    return absl::StrCat(text, "\n", plan.Sql());
  };
  QG_ASSIGN_OR_RETURN(result.up_path,
                      WriteMigration(options_.migrations_dir, result.id, name,
                                     header(result.up, "up"), header(result.down, "down")));
  return result;
}

}  // namespace querygate::migrate
