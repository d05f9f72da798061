#include "client/cli/migrate_command.h"

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>

#include "absl/strings/match.h"
#include "migrate/migrator.h"

namespace querygate::cli {
namespace {

constexpr char kUsage[] = R"(usage: querygate migrate <command> [options]

Commands:
  up                     apply every pending migration, each in its own transaction
  down [ID]              roll back the last migration, or every migration after ID
  status                 list applied and pending migrations and report drift
  plan                   print the SQL that brings the live database to the schema files
  new NAME               write schemas/migrations/<id>_NAME.{up,down}.sql with the
                         difference between the existing migrations and the schema files

Options:
  --allow-destructive    let plan/new include drops and narrowing type changes
  --grant-to ROLE        with up: grant the server's runtime ROLE (which must exist) USAGE on
                         the schema, SELECT/INSERT/UPDATE/DELETE on every schema table,
                         USAGE/SELECT on their sequences and EXECUTE on querygate's functions,
                         at every up (also QUERYGATE_MIGRATE_GRANT_TO)
  --help                 show this help

Global options (before or after the command): --database-url URL, --schema-dir DIR,
--migrations-dir DIR, --config FILE. Environment: QUERYGATE_MIGRATE_URL (the owner's URL;
wins over QUERYGATE_DATABASE_URL), QUERYGATE_DATABASE_URL, QUERYGATE_SCHEMA_DIR. Plan, status and new replay SQL into a temporary shadow database, so
the role needs CREATEDB.
)";

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

}  // namespace

int RunMigrateCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  bool allow_destructive = false;
  std::optional<std::string> grant_to;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      *ctx.out << kUsage;
      return 0;
    }
    if (arg == "--allow-destructive") {
      allow_destructive = true;
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
  migrate::Migrator migrator(options);
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
        return 0;
      }
      return Fail(ctx, created.status());
    }
    *ctx.out << "wrote " << created->up_path << " (" << created->up.changes.size()
             << " change(s)); review it, then run `querygate migrate up`\n";
    return 0;
  }
  *ctx.err << "bad migrate command\n" << kUsage;
  return 2;
}

}  // namespace querygate::cli
