#ifndef QUERYGATE_SERVER_SERVER_CONFIG_H_
#define QUERYGATE_SERVER_SERVER_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/authenticator.h"
#include "cache/redis_options.h"
#include "common/logger.h"
#include "db/connection_pool.h"
#include "rpc/grpc_server.h"
#include "service/cache_admin.h"
#include "service/database_reader.h"
#include "service/query_service.h"
#include "service/repository_service.h"

namespace querygate::server {

struct ServerConfig {
  std::string schema_dir = "schemas";
  // The field-number lock of the typed services (docs/typed-services.md); empty:
  // <schema_dir>/typed.lock. A missing file numbers fields in declared order.
  std::string typed_lock_file;
  db::PoolOptions database;
  std::string redis_url = "redis://127.0.0.1:6379";
  cache::RedisOptions redis;
  rpc::ServerOptions server;
  service::QueryServiceOptions queries;
  service::DatabaseReaderOptions reads;
  // Stamp fills with the generations read before the database read. Off only to
  // demonstrate the stale-fill race it prevents.
  bool stale_fill_guard = true;
  // The in-process cache tier (docs/caching.md, "The in-process tier").
  struct L1 {
    bool enabled = true;
    int64_t budget_mb = 64;
    // Lease of each instance; every instance sharing a Redis must use the same value.
    absl::Duration lease = absl::Seconds(1);
    // Invalidations wait for every lease holder; false only to demonstrate the race.
    bool await_acks = true;
  } l1;
  // Redis pub/sub channel of invalidation events; "" turns the subscriber off.
  std::string invalidation_channel = "querygate:invalidate";
  // LISTEN for the change-notification triggers' NOTIFY.
  bool listen_for_changes = true;
  // Silence the triggers for the server's own writes (it invalidates those itself).
  bool skip_own_write_triggers = true;
  // How long the LISTEN session may go without answering before the database feed is
  // reported down (the cache distrusted) and the session replaced; also its TCP keepalive and
  // tcp_user_timeout bound.
  absl::Duration feed_timeout = absl::Milliseconds(5000);
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
  // Period of the partition maintenance (partitions created ahead, retention applied) when the
  // schema has partitioned models; it also runs once at startup. Zero turns it off.
  absl::Duration partition_maintenance_interval = absl::Hours(1);
  // host:port of the operators' HTTP listener (/metrics, /healthz, /readyz); "" turns it off.
  std::string metrics_listen;
  // The server's log: format (log.format) and level (log.level).
  LoggerOptions log;
  // Calls slower than this are logged at warn with the time of each step
  // (log.slow_call_ms); zero turns it off.
  absl::Duration slow_call = absl::Milliseconds(500);

  // Who may call, and how they prove it (docs/security.md). Key material is read from the
  // *_file settings into `auth` and `server.tls` by LoadServerConfig.
  auth::AuthOptions auth;
  // Permissions of roles that replace or extend the defaults (auth.roles).
  std::map<std::string, std::vector<std::string>> role_permissions;
  // Serve unauthenticated on a non-loopback address anyway (logged as a warning).
  bool insecure_no_auth = false;
  // "auto": reflection on when auth.mode is none, off otherwise; "true"/"false" force it.
  std::string reflection = "auto";
  // HMAC key of page tokens; instances that share Redis must share it. Empty: a random key
  // per process (logged as a warning).
  std::string page_token_secret;
  // The files key material came from, for messages.
  struct {
    std::string hs256_secret, jwks, tls_cert, tls_key, tls_client_ca, page_token_secret;
    std::vector<std::string> public_keys;
  } files;
  // Invalidate limits: names per request and bytes per name.
  int max_invalidate_names = 256;
  int max_invalidate_name_bytes = 128;
  // Multi-tenancy settings of the edge and startup (docs/security.md, "Tenants").
  struct Tenancy {
    // Metadata header carrying the caller's tenant, read only when auth.mode is none (local
    // development); empty: off.
    std::string header;
    // Start even when the database role is a superuser, has BYPASSRLS or owns a tenant-scoped
    // table (logged as a warning): tenant isolation is then not enforced by PostgreSQL.
    bool allow_privileged_role = false;
  } tenancy;
};

// Fails with INVALID_ARGUMENT unless `header` can name a text metadata entry a caller sends:
// lowercase letters, digits, '-', '_' and '.', neither reserved nor binary (*-bin).
absl::Status CheckTenancyHeader(const std::string& header);

// True when `listen` ("host:port") names a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopbackListen(const std::string& listen);

// Builds the configuration from, in increasing precedence: defaults, the JSON config file
// (--config or QUERYGATE_CONFIG), QUERYGATE_* environment variables, command-line flags, and
// reads the key files it names. Fails with INVALID_ARGUMENT naming the bad flag, variable or
// key (an unknown config-file key included), or an unreadable file.
absl::StatusOr<ServerConfig> LoadServerConfig(const std::vector<std::string>& args);

// Returns the usage text listing every flag and environment variable.
std::string ServerUsage();

// Returns a hash over the names and contents of the *.json files in `dir`.
std::string SchemaVersion(const std::string& dir);

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_SERVER_CONFIG_H_
