// querygate: the command-line tool. Settings win in this order: flags, environment
// (QUERYGATE_*), the config file (--config or QUERYGATE_CONFIG), built-in defaults.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/cli/cli_context.h"
#include "client/cli/crud_command.h"
#include "client/cli/health_command.h"
#include "client/cli/insights_command.h"
#include "client/cli/invalidate_command.h"
#include "client/cli/migrate_command.h"
#include "client/cli/query_command.h"
#include "client/cli/schema_command.h"
#include "client/cli/stats_command.h"
#include "client/cli/top_command.h"
#include "client/cli/warm_command.h"
#include "nlohmann/json.hpp"

namespace {

constexpr char kUsage[] = R"(usage: querygate [global options] <command> [args]

Queries and rows (talk to a querygate server):
  query NAME --param k=v run a named query; values parsed by the declared types
  queries [NAME]         list the named queries with parameters, columns and ttl
  get MODEL ID           one row by primary key
  list MODEL             rows matching --where filters (field=value, field>=value, ...)
  create MODEL           insert a row (--set field=value, --data JSON)
  update MODEL ID        update fields of a row
  delete MODEL ID        delete a row (--hard to bypass soft delete)

Cache and operations:
  invalidate             invalidate cached results by --table, --query or --tag
  publish                publish an invalidation event on Redis (no server needed)
  warm                   warm the cache, with a progress bar and a summary
  stats                  cache counters, pool figures and health as tables
  insights               pg_stat_statements per named query and repository shape, table
                         and index usage, connections (the database monitor)
  advise                 index proposals checked with hypothetical indexes (hypopg)
  top                    live figures from the metrics listener, redrawn every second
  health                 the gRPC health of the server and its backends

Schema (talk to PostgreSQL directly):
  schema validate|sql    check the schema files, print their DDL
  migrate up|down|status|plan|new
                         manage the database schema

Run `querygate <command> --help` for each command's arguments.

Global options (accepted anywhere on the line):
  --target HOST:PORT     querygate server (also QUERYGATE_TARGET; default 127.0.0.1:50051)
  --token TOKEN          bearer token for the server (also QUERYGATE_TOKEN)
  --token-file FILE      read the bearer token from FILE
  --tls                  connect with TLS, trusting the system's root certificates
  --ca FILE              connect with TLS, trusting the PEM certificates in FILE (also
                         QUERYGATE_CA)
  --cert FILE, --key FILE
                         client certificate and key for mutual TLS (also QUERYGATE_CERT,
                         QUERYGATE_KEY)
  --tls-server-name NAME check the server's certificate against NAME
  --tenant T             the tenant to act as on a development server without authentication
                         (sent in the tenant header), and of invalidate/publish/warm (also
                         QUERYGATE_TENANT)
  --tenant-header NAME   the server's tenancy.header (also QUERYGATE_TENANT_HEADER; default
                         x-querygate-tenant)
  --deadline DURATION    per call, e.g. 500ms, 10s, 1m (default 30s; warm: none)
  --json                 machine-readable output (JSON on stdout)
  --config FILE          JSON config file (also QUERYGATE_CONFIG): target, redis.url,
                         database.url, schema_dir, migrations_dir, typed.lock_file
  --database-url URL     PostgreSQL URL (also QUERYGATE_DATABASE_URL; for migrate,
                         QUERYGATE_MIGRATE_URL wins over it when set)
  --schema-dir DIR       schema directory, default "schemas" (also QUERYGATE_SCHEMA_DIR)
  --migrations-dir DIR   migrations directory, default <schema-dir>/migrations
  --typed-lock FILE      field-number lock of the typed services, default
                         <schema-dir>/typed.lock (also QUERYGATE_TYPED_LOCK)
  --help                 show this help

Exit status: 0 on success; 1 when an operation fails, printed as
"error: <gRPC status code>: <message>" on stderr; 2 on bad usage.
)";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// Applies the config file's settings to `ctx`; returns false (after printing why) on error.
bool ApplyConfigFile(const std::string& path, querygate::cli::CliContext& ctx) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "error: cannot read config file " << path << "\n";
    return false;
  }
  nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    std::cerr << "error: config file " << path << " is not a JSON object\n";
    return false;
  }
  if (config.contains("database") && config["database"].contains("url")) {
    ctx.database_url = config["database"]["url"].get<std::string>();
  }
  if (config.contains("schema_dir")) ctx.schema_dir = config["schema_dir"].get<std::string>();
  if (config.contains("migrations_dir")) {
    ctx.migrations_dir = config["migrations_dir"].get<std::string>();
  }
  if (config.contains("typed") && config["typed"].contains("lock_file")) {
    ctx.typed_lock = config["typed"]["lock_file"].get<std::string>();
  }
  if (config.contains("target")) ctx.target = config["target"].get<std::string>();
  if (config.contains("redis") && config["redis"].contains("url")) {
    ctx.redis_url = config["redis"]["url"].get<std::string>();
  }
  if (config.contains("metrics") && config["metrics"].contains("listen")) {
    ctx.metrics_url = config["metrics"]["listen"].get<std::string>();
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  querygate::cli::CliContext ctx;
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  std::vector<std::string> args(argv + 1, argv + argc);

  std::string config_path = Env("QUERYGATE_CONFIG");
  ctx.interactive = isatty(STDERR_FILENO) == 1;
  std::string flag_database_url, flag_schema_dir, flag_migrations_dir, flag_target, flag_deadline;
  std::string flag_token, flag_ca, flag_cert, flag_key, flag_tenant, flag_tenant_header;
  std::string flag_typed_lock;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) {
        std::cerr << "error: " << arg << " needs a value\n";
        std::exit(2);
      }
      into = args[++i];
    };
    if (arg == "--config") {
      value(config_path);
    } else if (arg == "--database-url") {
      value(flag_database_url);
    } else if (arg == "--schema-dir") {
      value(flag_schema_dir);
    } else if (arg == "--migrations-dir") {
      value(flag_migrations_dir);
    } else if (arg == "--typed-lock") {
      value(flag_typed_lock);
    } else if (arg == "--target") {
      value(flag_target);
    } else if (arg == "--deadline") {
      value(flag_deadline);
    } else if (arg == "--token") {
      value(flag_token);
    } else if (arg == "--token-file") {
      value(ctx.token_file);
    } else if (arg == "--ca") {
      value(flag_ca);
    } else if (arg == "--cert") {
      value(flag_cert);
    } else if (arg == "--key") {
      value(flag_key);
    } else if (arg == "--tls-server-name") {
      value(ctx.tls_server_name);
    } else if (arg == "--tenant") {
      value(flag_tenant);
    } else if (arg == "--tenant-header") {
      value(flag_tenant_header);
    } else if (arg == "--tls") {
      ctx.tls = true;
    } else if (arg == "--json") {
      ctx.json_output = true;
    } else {
      rest.push_back(arg);
    }
  }
  if (!config_path.empty() && !ApplyConfigFile(config_path, ctx)) return 2;
  auto pick = [](std::string& into, const std::string& flag, const char* env) {
    if (!flag.empty()) {
      into = flag;
    } else if (!Env(env).empty()) {
      into = Env(env);
    }
  };
  pick(ctx.database_url, flag_database_url, "QUERYGATE_DATABASE_URL");
  // Migrations run as the owner of the schema, the server as a runtime role (docs/tenancy.md).
  if (!rest.empty() && rest[0] == "migrate") {
    pick(ctx.database_url, flag_database_url, "QUERYGATE_MIGRATE_URL");
  }
  pick(ctx.schema_dir, flag_schema_dir, "QUERYGATE_SCHEMA_DIR");
  pick(ctx.migrations_dir, flag_migrations_dir, "QUERYGATE_MIGRATIONS_DIR");
  pick(ctx.typed_lock, flag_typed_lock, "QUERYGATE_TYPED_LOCK");
  pick(ctx.target, flag_target, "QUERYGATE_TARGET");
  pick(ctx.metrics_url, "", "QUERYGATE_METRICS_LISTEN");  // the server's own setting
  pick(ctx.metrics_url, "", "QUERYGATE_METRICS_URL");
  if (ctx.token_file.empty()) pick(ctx.token, flag_token, "QUERYGATE_TOKEN");
  if (!ctx.token_file.empty() && !flag_token.empty()) ctx.token = flag_token;
  pick(ctx.ca_file, flag_ca, "QUERYGATE_CA");
  pick(ctx.cert_file, flag_cert, "QUERYGATE_CERT");
  pick(ctx.key_file, flag_key, "QUERYGATE_KEY");
  pick(ctx.tenant, flag_tenant, "QUERYGATE_TENANT");
  pick(ctx.tenant_header, flag_tenant_header, "QUERYGATE_TENANT_HEADER");
  if (!flag_deadline.empty()) {
    absl::Duration deadline;
    if (!absl::ParseDuration(flag_deadline, &deadline) || deadline <= absl::ZeroDuration()) {
      std::cerr << "error: --deadline needs a positive duration such as 500ms or 10s\n";
      return 2;
    }
    ctx.deadline = std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline));
  }

  if (rest.empty() || rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help") {
    (rest.empty() ? std::cerr : std::cout) << kUsage;
    return rest.empty() ? 2 : 0;
  }
  std::string command = rest[0];
  std::vector<std::string> sub(rest.begin() + 1, rest.end());
  if (command == "schema") return querygate::cli::RunSchemaCommand(ctx, sub);
  if (command == "migrate") return querygate::cli::RunMigrateCommand(ctx, sub);
  using Command = int (*)(const querygate::cli::CliContext&, const std::vector<std::string>&);
  static const std::map<std::string, Command> kCommands = {
      {"query", querygate::cli::RunQueryCommand},
      {"queries", querygate::cli::RunQueriesCommand},
      {"get", querygate::cli::RunGetCommand},
      {"list", querygate::cli::RunListCommand},
      {"create", querygate::cli::RunCreateCommand},
      {"update", querygate::cli::RunUpdateCommand},
      {"delete", querygate::cli::RunDeleteCommand},
      {"invalidate", querygate::cli::RunInvalidateCommand},
      {"publish", querygate::cli::RunPublishCommand},
      {"warm", querygate::cli::RunWarmCommand},
      {"stats", querygate::cli::RunStatsCommand},
      {"insights", querygate::cli::RunInsightsCommand},
      {"advise", querygate::cli::RunAdviseCommand},
      {"top", querygate::cli::RunTopCommand},
      {"health", querygate::cli::RunHealthCommand},
  };
  if (auto it = kCommands.find(command); it != kCommands.end()) return it->second(ctx, sub);
  std::cerr << "error: unknown command " << command << "\n" << kUsage;
  return 2;
}
