#ifndef QUERYGATE_SERVER_SERVER_CONFIG_H_
#define QUERYGATE_SERVER_SERVER_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cache/redis_options.h"
#include "db/connection_pool.h"
#include "rpc/grpc_server.h"
#include "service/cache_admin.h"
#include "service/database_reader.h"
#include "service/query_service.h"
#include "service/repository_service.h"

namespace querygate::server {

struct ServerConfig {
  std::string schema_dir = "schemas";
  db::PoolOptions database;
  std::string redis_url = "redis://127.0.0.1:6379";
  cache::RedisOptions redis;
  rpc::ServerOptions server;
  service::QueryServiceOptions queries;
  service::DatabaseReaderOptions reads;
  // Stamp fills with the generations read before the database read. Off only to
  // demonstrate the stale-fill race it prevents.
  bool stale_fill_guard = true;
  // Redis pub/sub channel of invalidation events; "" turns the subscriber off.
  std::string invalidation_channel = "querygate:invalidate";
  // LISTEN for the change-notification triggers' NOTIFY.
  bool listen_for_changes = true;
  // Silence the triggers for the server's own writes (it invalidates those itself).
  bool skip_own_write_triggers = true;
  // How long startup waits for the invalidation feeds before serving (uncached meanwhile).
  absl::Duration feed_wait = absl::Seconds(3);
  service::WarmOptions warm;
  absl::Duration default_ttl = absl::Minutes(5);
  // Cache lifetime of repository reads of models without cache_ttl; unset: default_ttl.
  std::optional<absl::Duration> model_default_ttl;
  // Page, filter and include limits of RepositoryService (schema_version and default_ttl are
  // filled in by the app).
  service::RepositoryOptions repository;
  absl::Duration shutdown_grace = absl::Seconds(5);
};

// Builds the configuration from, in increasing precedence: defaults, the JSON config file
// (--config or QUERYGATE_CONFIG), QUERYGATE_* environment variables, command-line flags.
// Fails with INVALID_ARGUMENT naming the bad flag, variable or key.
absl::StatusOr<ServerConfig> LoadServerConfig(const std::vector<std::string>& args);

// Returns the usage text listing every flag and environment variable.
std::string ServerUsage();

// Returns a hash over the names and contents of the *.json files in `dir`.
std::string SchemaVersion(const std::string& dir);

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_SERVER_CONFIG_H_
