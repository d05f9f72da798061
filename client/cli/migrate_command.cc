#include "client/cli/migrate_command.h"

#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/schema_proto_command.h"
#include "migrate/index_migration.h"
#include "migrate/migrator.h"
#include "nlohmann/json.hpp"
#include "schema/loader.h"

namespace querygate::cli {
namespace {

constexpr char kUsage[] = R"(usage: querygate migrate <command> [options]

Commands:
  up                     apply every pending migration, each in its own transaction
  down [ID]              roll back the last migration, or every migration after ID
  status                 list applied and pending migrations and report drift
  plan                   print the SQL that brings the live database to the schema files
  new NAME               write schemas/migrations/<id>_NAME.{up,down}.sql with the
                         difference between the existing migrations and the schema files,
                         and bring the typed lock (--typed-lock) up to the schema files
  new NAME --from-advice FILE
                         write the index proposals of FILE (`querygate advise --json`
                         output; a proposal with "accepted": false is skipped) as a
                         no-transaction migration: CREATE INDEX CONCURRENTLY IF NOT EXISTS
                         up, DROP INDEX CONCURRENTLY IF EXISTS down (no database needed)

Options:
  --allow-destructive    let plan/new include drops and narrowing type changes
  --from-advice FILE     with new: see above
  --grant-to ROLE        with up: grant the server's runtime ROLE (which must exist) USAGE on
                         the schema, SELECT/INSERT/UPDATE/DELETE on every schema table,
                         USAGE/SELECT on their sequences and EXECUTE on querygate's functions,
                         at every up (also QUERYGATE_MIGRATE_GRANT_TO)
  --vector-storage auto|pgvector|array
                         how vector fields are stored (also QUERYGATE_MIGRATE_VECTOR_STORAGE;
                         default auto: pgvector when a vector field declares an index
                         and the server offers the extension). With
                         pgvector, up runs CREATE EXTENSION IF NOT EXISTS vector and new
                         writes vector(N) columns and their indexes; with array, REAL[]
                         columns and exact search (a warning names each index not built)
  --help                 show this help

Global options (before or after the command): --database-url URL, --schema-dir DIR,
--migrations-dir DIR, --config FILE. Environment: QUERYGATE_MIGRATE_URL (the owner's URL;
wins over QUERYGATE_DATABASE_URL), QUERYGATE_DATABASE_URL, QUERYGATE_SCHEMA_DIR. Plan, status and new replay SQL into a temporary shadow database, so
the role needs CREATEDB.

A migration whose first line is `-- querygate:no-transaction` runs statement by statement
outside a transaction and is recorded only after its last statement succeeded. It may hold
only CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS, DROP INDEX CONCURRENTLY IF EXISTS,
REINDEX INDEX|TABLE CONCURRENTLY, VACUUM and ANALYZE (statements safe to repeat after a
failure); an invalid index left by a failed CREATE INDEX CONCURRENTLY is dropped and rebuilt.
)";

// Brings the typed lock up to the schema files (docs/typed-services.md).
bool UpdateLockFromSchema(const CliContext& ctx) {
  schema::LoadResult loaded = schema::LoadSchemaDir(ctx.schema_dir);
  if (!loaded.ok()) return true;
  return UpdateTypedLock(ctx, loaded.schema);
}

int Fail(const CliContext& ctx, const absl::Status& status) {
  *ctx.err << "error: " << status.message() << "\n";
  return status.code() == absl::StatusCode::kFailedPrecondition &&
                 absl::StrContains(status.message(), "refusing destructive")
             ? 3
             : 1;
}

void PrintPlan(std::ostream& out, const migrate::Plan& plan) {
  for (const std::string& note : plan.Notes()) out << "-- " << note << "\n";
  for (const migrate::Change& change : plan.changes) {
    out << "-- " << change.summary << (change.destructive ? " [destructive]" : "") << "\n"
        << change.sql << "\n";
  }
}

int RunStatus(const CliContext& ctx, migrate::Migrator& migrator) {
  auto report = migrator.Status();
  if (!report.ok()) return Fail(ctx, report.status());
  std::ostream& out = *ctx.out;
  out << std::left << std::setw(16) << "ID" << std::setw(36) << "DESCRIPTION" << std::setw(10)
      << "STATE"
      << "EXECUTED AT\n";
  int pending = 0;
  for (const auto& m : report->migrations) {
    std::string state = m.applied ? "applied" : "pending";
    if (m.file_missing) state = "missing";
    if (m.checksum_changed) state = "changed";
    pending += m.applied ? 0 : 1;
    out << std::setw(16) << m.id << std::setw(36) << m.description << std::setw(10) << state
        << m.executed_at << "\n";
  }
  out << pending << " pending migration(s)\n";
  for (const auto& m : report->migrations) {
    if (m.checksum_changed) {
      out << "drift: applied migration " << m.id << "_" << m.description
          << " was changed after it was applied\n";
    }
    if (m.file_missing) {
      out << "drift: applied migration " << m.id << "_" << m.description
          << " has no file any more\n";
    }
  }
  if (!report->database_drift.empty()) {
    out << "drift: the live database differs from what the applied migrations produce:\n";
    for (const auto& change : report->database_drift.changes) {
      out << "  - " << change.summary << "\n";
    }
  }
  if (!report->unmigrated_schema_changes.empty()) {
    out << "schema files differ from what the migrations produce (run `querygate migrate new "
           "NAME`):\n";
    for (const auto& change : report->unmigrated_schema_changes.changes) {
      out << "  - " << change.summary << "\n";
    }
  }
  if (!report->HasDrift()) out << "no drift\n";
  return 0;
}

// Writes the proposals of advice file `path` as a no-transaction migration NAME.
int RunNewFromAdvice(const CliContext& ctx, const std::string& name, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    *ctx.err << "error: cannot read " << path << "\n";
    return 1;
  }
  nlohmann::json advice = nlohmann::json::parse(in, nullptr, false);
  if (advice.is_discarded() || !advice.is_object() || !advice.contains("proposals") ||
      !advice["proposals"].is_array()) {
    *ctx.err << "error: " << path
             << " is not `querygate advise --json` output (no \"proposals\" array)\n";
    return 1;
  }
  std::vector<migrate::IndexToCreate> indexes;
  const nlohmann::json& proposals = advice["proposals"];
  for (size_t i = 0; i < proposals.size(); ++i) {
    const nlohmann::json& p = proposals[i];
    std::string at = absl::StrCat("proposals[", i, "]");
    if (!p.is_object()) {
      *ctx.err << "error: " << path << ": " << at << ": not an object\n";
      return 1;
    }
    if (p.contains("accepted") && p["accepted"].is_boolean() && !p["accepted"].get<bool>()) {
      continue;
    }
    migrate::IndexToCreate index;
    bool ok = p.contains("table") && p["table"].is_string() && p.contains("index_name") &&
              p["index_name"].is_string() && p.contains("columns") && p["columns"].is_array();
    if (ok) {
      index.table = p["table"].get<std::string>();
      index.name = p["index_name"].get<std::string>();
      for (const nlohmann::json& c : p["columns"]) {
        if (!c.is_string()) ok = false;
        if (ok) index.columns.push_back(c.get<std::string>());
      }
    }
    if (!ok) {
      *ctx.err << "error: " << path << ": " << at
               << ": needs \"table\", \"index_name\" (strings) and \"columns\" (strings)\n";
      return 1;
    }
    if (p.contains("cost_before") && p["cost_before"].is_number() && p.contains("cost_after") &&
        p["cost_after"].is_number()) {
      index.note = absl::StrCat("estimated cost ", p["cost_before"].get<double>(), " -> ",
                                p["cost_after"].get<double>());
      if (p.contains("kind") && p["kind"].is_string() && p.contains("name") &&
          p["name"].is_string()) {
        absl::StrAppend(&index.note, " for ", p["kind"].get<std::string>(), " ",
                        p["name"].get<std::string>());
      }
    }
    indexes.push_back(std::move(index));
  }
  if (indexes.empty()) {
    *ctx.out << "no accepted proposals in " << path << ": nothing written\n";
    return 0;
  }
  auto written = migrate::WriteIndexMigration(ctx.MigrationsDir(), name, indexes, path);
  if (!written.ok()) return Fail(ctx, written.status());
  *ctx.out << "wrote " << *written << " (" << indexes.size()
           << " index(es)); review it, then run `querygate migrate up`\n";
  schema::LoadResult loaded = schema::LoadSchemaDir(ctx.schema_dir);
  *ctx.out << "add the indexes to the schema files too, or `migrate new` will propose dropping "
              "them:\n";
  for (const migrate::IndexToCreate& index : indexes) {
    const schema::Model* model =
        loaded.ok() ? loaded.schema.FindModelByTable(index.table) : nullptr;
    nlohmann::json fields = nlohmann::json::array();
    for (const std::string& column : index.columns) {
      std::string field = column;
      if (model != nullptr) {
        for (const schema::Field& f : model->fields) {
          if (f.column == column) field = f.name;
        }
      }
      fields.push_back(field);
    }
    *ctx.out << "  model " << (model != nullptr ? model->name : "of table " + index.table)
             << ": \"indexes\": ["
             << nlohmann::json{{"fields", fields}, {"name", index.name}}.dump() << "]\n";
  }
  return 0;
}

}  // namespace

int RunMigrateCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  bool allow_destructive = false;
  std::optional<std::string> grant_to;
  std::optional<std::string> from_advice;
  std::optional<std::string> vector_storage;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      *ctx.out << kUsage;
      return 0;
    }
    if (arg == "--allow-destructive") {
      allow_destructive = true;
    } else if (arg == "--from-advice") {
      if (i + 1 >= args.size() || args[i + 1].empty()) {
        *ctx.err << "error: --from-advice needs a file\n";
        return 2;
      }
      from_advice = args[++i];
    } else if (arg == "--vector-storage" || absl::StartsWith(arg, "--vector-storage=")) {
      if (arg == "--vector-storage") {
        if (i + 1 >= args.size()) {
          *ctx.err << "error: --vector-storage needs auto, pgvector or array\n";
          return 2;
        }
        vector_storage = args[++i];
      } else {
        vector_storage = arg.substr(std::string("--vector-storage=").size());
      }
    } else if (arg == "--grant-to" || absl::StartsWith(arg, "--grant-to=")) {
      if (arg == "--grant-to") {
        if (i + 1 >= args.size()) {
          *ctx.err << "error: --grant-to needs a role name\n";
          return 2;
        }
        grant_to = args[++i];
      } else {
        grant_to = arg.substr(std::string("--grant-to=").size());
      }
      if (grant_to->empty()) {
        *ctx.err << "error: --grant-to needs a role name\n";
        return 2;
      }
    } else if (!arg.empty() && arg[0] == '-') {
      *ctx.err << "unknown option " << arg << "\n" << kUsage;
      return 2;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.empty()) {
    *ctx.err << kUsage;
    return 2;
  }
  if (from_advice.has_value()) {
    if (positional[0] != "new" || positional.size() != 2) {
      *ctx.err << "error: --from-advice only applies to `migrate new NAME`\n";
      return 2;
    }
    return RunNewFromAdvice(ctx, positional[1], *from_advice);
  }
  if (ctx.database_url.empty()) {
    *ctx.err << "error: no database: pass --database-url or set QUERYGATE_MIGRATE_URL or "
                "QUERYGATE_DATABASE_URL\n";
    return 2;
  }
  migrate::MigratorOptions options;
  options.database_url = ctx.database_url;
  options.schema_dir = ctx.schema_dir;
  options.migrations_dir = ctx.MigrationsDir();
  if (grant_to.has_value() && positional[0] != "up") {
    *ctx.err << "error: --grant-to only applies to `migrate up`\n";
    return 2;
  }
  if (!grant_to.has_value()) {
    const char* env = std::getenv("QUERYGATE_MIGRATE_GRANT_TO");
    if (env != nullptr && *env != '\0') grant_to = env;
  }
  options.grant_to = grant_to.value_or("");
  if (!vector_storage.has_value()) {
    const char* env = std::getenv("QUERYGATE_MIGRATE_VECTOR_STORAGE");
    if (env != nullptr && *env != '\0') vector_storage = env;
  }
  if (vector_storage.has_value()) {
    std::optional<migrate::VectorStorageMode> mode =
        migrate::ParseVectorStorageMode(*vector_storage);
    if (!mode.has_value()) {
      *ctx.err << "error: --vector-storage must be auto, pgvector or array, got '"
               << *vector_storage << "'\n";
      return 2;
    }
    options.vector_storage = *mode;
  }
  migrate::Migrator migrator(options);
  struct PrintWarnings {
    const CliContext& ctx;
    const migrate::Migrator& migrator;
    ~PrintWarnings() {
      for (const std::string& w : migrator.warnings()) *ctx.err << "warning: " << w << "\n";
    }
  } print_warnings{ctx, migrator};
  const std::string& command = positional[0];
  if (command == "up" && positional.size() == 1) {
    auto applied = migrator.Up();
    if (!applied.ok()) return Fail(ctx, applied.status());
    for (const auto& id : *applied) *ctx.out << "applied " << id << "\n";
    if (applied->empty()) *ctx.out << "nothing to apply: the database is up to date\n";
    return 0;
  }
  if (command == "down" && positional.size() <= 2) {
    std::optional<std::string> target;
    if (positional.size() == 2) target = positional[1];
    auto undone = migrator.Down(target);
    if (!undone.ok()) return Fail(ctx, undone.status());
    for (const auto& id : *undone) *ctx.out << "rolled back " << id << "\n";
    if (undone->empty()) *ctx.out << "nothing to roll back\n";
    return 0;
  }
  if (command == "status" && positional.size() == 1) return RunStatus(ctx, migrator);
  if (command == "plan" && positional.size() == 1) {
    auto plan = migrator.PlanLive();
    if (!plan.ok()) return Fail(ctx, plan.status());
    if (plan->empty()) {
      *ctx.out << "-- no changes: the database matches the schema\n";
      return 0;
    }
    if (!allow_destructive) {
      absl::Status refused = migrate::RefuseDestructive(*plan);
      if (!refused.ok()) return Fail(ctx, refused);
    }
    PrintPlan(*ctx.out, *plan);
    return 0;
  }
  if (command == "new" && positional.size() == 2) {
    auto created = migrator.New(positional[1], allow_destructive);
    if (!created.ok()) {
      if (created.status().code() == absl::StatusCode::kNotFound) {
        *ctx.out << created.status().message() << "\n";
        return UpdateLockFromSchema(ctx) ? 0 : 1;
      }
      return Fail(ctx, created.status());
    }
    *ctx.out << "wrote " << created->up_path << " (" << created->up.changes.size()
             << " change(s)); review it, then run `querygate migrate up`\n";
    return UpdateLockFromSchema(ctx) ? 0 : 1;
  }
  *ctx.err << "bad migrate command\n" << kUsage;
  return 2;
}

}  // namespace querygate::cli
