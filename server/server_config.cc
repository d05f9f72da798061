#include "server/server_config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/json_value.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace querygate::server {
namespace {

using Json = nlohmann::json;

using Applier =
    std::function<absl::Status(ServerConfig&, const std::string& from, const std::string& text)>;

// A setting that can come from the config file (dotted key), the environment and a flag, with
// the one function that applies it.
struct Setting {
  const char* key;
  const char* env;
  const char* flag;
  const char* help;
  Applier apply;
};

absl::StatusOr<int64_t> ToInt(const std::string& from, const std::string& text) {
  int64_t v;
  if (!absl::SimpleAtoi(text, &v) || v < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(from, ": expected a whole number >= 0, got \"", text, "\""));
  }
  return v;
}

template <typename F>
Applier Int(F field) {
  return [field](ServerConfig& c, const std::string& from, const std::string& text) {
    auto v = ToInt(from, text);
    if (!v.ok()) return v.status();
    auto& into = field(c);
    using T = std::remove_reference_t<decltype(into)>;
    if (*v > static_cast<int64_t>(std::numeric_limits<T>::max())) {
      return absl::InvalidArgumentError(absl::StrCat(from, ": ", text, " is too large"));
    }
    into = static_cast<T>(*v);
    return absl::OkStatus();
  };
}

template <typename F>
Applier Duration(F field, absl::Duration unit) {
  return [field, unit](ServerConfig& c, const std::string& from, const std::string& text) {
    auto v = ToInt(from, text);
    if (!v.ok()) return v.status();
    field(c) = unit * *v;
    return absl::OkStatus();
  };
}

template <typename F>
Applier Bool(F field) {
  return [field](ServerConfig& c, const std::string& from, const std::string& text) {
    if (text != "true" && text != "false") {
      return absl::InvalidArgumentError(absl::StrCat(from, ": expected true or false"));
    }
    field(c) = text == "true";
    return absl::OkStatus();
  };
}

template <typename F>
Applier Text(F field) {
  return [field](ServerConfig& c, const std::string&, const std::string& text) {
    field(c) = text;
    return absl::OkStatus();
  };
}

// Comma-separated in flags and the environment; a JSON array of strings in the file.
template <typename F>
Applier List(F field) {
  return [field](ServerConfig& c, const std::string&, const std::string& text) {
    std::vector<std::string>& into = field(c);
    into.clear();
    for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
      into.emplace_back(absl::StripAsciiWhitespace(part));
    }
    return absl::OkStatus();
  };
}

#define QG_FIELD(expr) \
  [](ServerConfig & c) -> auto& { return c.expr; }

std::vector<Setting> Settings() {
  const absl::Duration ms = absl::Milliseconds(1);
  return {
      {"schema_dir", "QUERYGATE_SCHEMA_DIR", "--schema-dir", "schema directory (schemas)",
       Text(QG_FIELD(schema_dir))},
      {"typed.lock_file", "QUERYGATE_TYPED_LOCK", "--typed-lock",
       "field-number lock of the typed services (<schema_dir>/typed.lock)",
       Text(QG_FIELD(typed_lock_file))},
      {"listen", "QUERYGATE_LISTEN", "--listen", "host:port to serve on; port 0 picks one",
       Text(QG_FIELD(server.listen))},
      {"database.url", "QUERYGATE_DATABASE_URL", "--database-url", "PostgreSQL URL",
       Text(QG_FIELD(database.url))},
      {"database.min_connections", "QUERYGATE_DB_MIN_CONNECTIONS", "--db-min-connections",
       "pool minimum (2)", Int(QG_FIELD(database.min_connections))},
      {"database.max_connections", "QUERYGATE_DB_MAX_CONNECTIONS", "--db-max-connections",
       "pool maximum (16)", Int(QG_FIELD(database.max_connections))},
      {"database.connect_timeout_ms", "QUERYGATE_DB_CONNECT_TIMEOUT_MS", "--db-connect-timeout-ms",
       "(5000)", Duration(QG_FIELD(database.connect_timeout), ms)},
      {"database.idle_timeout_ms", "QUERYGATE_DB_IDLE_TIMEOUT_MS", "--db-idle-timeout-ms",
       "(600000)", Duration(QG_FIELD(database.idle_timeout), ms)},
      {"database.max_lifetime_ms", "QUERYGATE_DB_MAX_LIFETIME_MS", "--db-max-lifetime-ms",
       "(3600000)", Duration(QG_FIELD(database.max_lifetime), ms)},
      {"database.acquire_timeout_ms", "QUERYGATE_DB_ACQUIRE_TIMEOUT_MS", "--db-acquire-timeout-ms",
       "wait for a free connection (2000)", Duration(QG_FIELD(database.acquire_timeout), ms)},
      {"redis.url", "QUERYGATE_REDIS_URL", "--redis-url",
       "redis://[[user]:password@]host:port[/db] (redis://127.0.0.1:6379)",
       Text(QG_FIELD(redis_url))},
      {"redis.pool_size", "QUERYGATE_REDIS_POOL_SIZE", "--redis-pool-size", "(16)",
       Int(QG_FIELD(redis.pool_size))},
      {"redis.connect_timeout_ms", "QUERYGATE_REDIS_CONNECT_TIMEOUT_MS",
       "--redis-connect-timeout-ms", "(200)", Duration(QG_FIELD(redis.connect_timeout), ms)},
      {"redis.command_timeout_ms", "QUERYGATE_REDIS_COMMAND_TIMEOUT_MS",
       "--redis-command-timeout-ms", "(250)", Duration(QG_FIELD(redis.command_timeout), ms)},
      {"redis.key_prefix", "QUERYGATE_REDIS_KEY_PREFIX", "--redis-key-prefix",
       "prefix of every key (qg)", Text(QG_FIELD(redis.key_prefix))},
      {"cache.default_ttl_seconds", "QUERYGATE_CACHE_DEFAULT_TTL_SECONDS",
       "--cache-default-ttl-seconds", "(300)", Duration(QG_FIELD(default_ttl), absl::Seconds(1))},
      {"cache.stale_fill_guard", "QUERYGATE_CACHE_STALE_FILL_GUARD", "--cache-stale-fill-guard",
       "true|false; false only to demonstrate the race (true)", Bool(QG_FIELD(stale_fill_guard))},
      {"cache.l1.enabled", "QUERYGATE_CACHE_L1_ENABLED", "--cache-l1-enabled",
       "true|false: keep results in process too, coherent through leases (true)",
       Bool(QG_FIELD(l1.enabled))},
      {"cache.l1.budget_mb", "QUERYGATE_CACHE_L1_BUDGET_MB", "--cache-l1-budget-mb",
       "bytes of the in-process tier, in MiB (64)", Int(QG_FIELD(l1.budget_mb))},
      {"cache.l1.lease_ms", "QUERYGATE_CACHE_L1_LEASE_MS", "--cache-l1-lease-ms",
       "lease of the in-process tier; the same on every instance (1000)",
       Duration(QG_FIELD(l1.lease), ms)},
      {"cache.l1.await_acks", "QUERYGATE_CACHE_L1_AWAIT_ACKS", "--cache-l1-await-acks",
       "true|false; false only to demonstrate the race it prevents (true)",
       Bool(QG_FIELD(l1.await_acks))},
      {"cache.model_default_ttl_seconds", "QUERYGATE_CACHE_MODEL_DEFAULT_TTL_SECONDS",
       "--cache-model-default-ttl-seconds",
       "repository reads of models without cache_ttl; 0 disables (cache.default_ttl_seconds)",
       [](ServerConfig& c, const std::string& from, const std::string& text) -> absl::Status {
         auto v = ToInt(from, text);
         if (!v.ok()) return v.status();
         c.model_default_ttl = absl::Seconds(*v);
         return absl::OkStatus();
       }},
      {"invalidation.channel", "QUERYGATE_INVALIDATION_CHANNEL", "--invalidation-channel",
       "Redis pub/sub channel of invalidation events; empty: off (querygate:invalidate)",
       Text(QG_FIELD(invalidation_channel))},
      {"invalidation.listen", "QUERYGATE_INVALIDATION_LISTEN", "--invalidation-listen",
       "true|false: LISTEN for database change triggers (true)",
       Bool(QG_FIELD(listen_for_changes))},
      {"invalidation.skip_own_writes", "QUERYGATE_INVALIDATION_SKIP_OWN_WRITES",
       "--invalidation-skip-own-writes",
       "true|false: triggers stay silent for the server's own writes (true)",
       Bool(QG_FIELD(skip_own_write_triggers))},
      {"invalidation.feed_timeout_ms", "QUERYGATE_INVALIDATION_FEED_TIMEOUT_MS",
       "--invalidation-feed-timeout-ms",
       "a feed (LISTEN or pub/sub) unanswered this long: down, cache distrusted, reconnect (5000)",
       Duration(QG_FIELD(feed_timeout), ms)},
      {"warm.on_startup", "QUERYGATE_WARM_ON_STARTUP", "--warm-on-startup",
       "true|false: warm the configured sets at startup (true)", Bool(QG_FIELD(warm.on_startup))},
      {"warm.block_readiness", "QUERYGATE_WARM_BLOCK_READINESS", "--warm-block-readiness",
       "true|false: NOT_SERVING until the startup warm ends (false)",
       Bool(QG_FIELD(warm.block_readiness))},
      {"warm.concurrency", "QUERYGATE_WARM_CONCURRENCY", "--warm-concurrency",
       "parameter sets warmed at once (4)", Int(QG_FIELD(warm.concurrency))},
      {"warm.max_concurrency", "QUERYGATE_WARM_MAX_CONCURRENCY", "--warm-max-concurrency",
       "largest concurrency a Warm call may ask for (16)", Int(QG_FIELD(warm.max_concurrency))},
      {"warm.max_param_sets", "QUERYGATE_WARM_MAX_PARAM_SETS", "--warm-max-param-sets",
       "parameter sets per Warm call (10000)", Int(QG_FIELD(warm.max_param_sets))},
      {"warm.max_params_from_rows", "QUERYGATE_WARM_MAX_PARAMS_FROM_ROWS",
       "--warm-max-params-from-rows", "rows read from a configured params_from (10000)",
       Int(QG_FIELD(warm.max_params_from_rows))},
      {"warm.params_from_timeout_ms", "QUERYGATE_WARM_PARAMS_FROM_TIMEOUT_MS",
       "--warm-params-from-timeout-ms", "statement timeout of a configured params_from (30000)",
       Duration(QG_FIELD(warm.params_from_timeout), ms)},
      {"repository.default_page_size", "QUERYGATE_REPOSITORY_DEFAULT_PAGE_SIZE",
       "--repository-default-page-size", "List page size when none is asked (50)",
       Int(QG_FIELD(repository.default_page_size))},
      {"repository.max_page_size", "QUERYGATE_REPOSITORY_MAX_PAGE_SIZE",
       "--repository-max-page-size", "larger List page sizes are capped (1000)",
       Int(QG_FIELD(repository.max_page_size))},
      {"repository.max_filter_depth", "QUERYGATE_REPOSITORY_MAX_FILTER_DEPTH",
       "--repository-max-filter-depth", "nesting of all/any/not (8)",
       Int(QG_FIELD(repository.max_filter_depth))},
      {"repository.max_filter_nodes", "QUERYGATE_REPOSITORY_MAX_FILTER_NODES",
       "--repository-max-filter-nodes", "conditions and groups in one filter (256)",
       Int(QG_FIELD(repository.max_filter_nodes))},
      {"repository.max_in_list", "QUERYGATE_REPOSITORY_MAX_IN_LIST", "--repository-max-in-list",
       "values in an IN / NOT_IN list (1000)", Int(QG_FIELD(repository.max_in_list))},
      {"repository.max_include_depth", "QUERYGATE_REPOSITORY_MAX_INCLUDE_DEPTH",
       "--repository-max-include-depth", "dotted include levels (3)",
       Int(QG_FIELD(repository.max_include_depth))},
      {"repository.max_include_rows", "QUERYGATE_REPOSITORY_MAX_INCLUDE_ROWS",
       "--repository-max-include-rows", "related rows loaded by includes in one call (10000)",
       Int(QG_FIELD(repository.max_include_rows))},
      {"repository.max_offset", "QUERYGATE_REPOSITORY_MAX_OFFSET", "--repository-max-offset",
       "largest List offset; deeper pages go by page token (100000)",
       Int(QG_FIELD(repository.max_offset))},
      {"repository.max_batch_records", "QUERYGATE_REPOSITORY_MAX_BATCH_RECORDS",
       "--repository-max-batch-records", "records in one CreateMany (1000)",
       Int(QG_FIELD(repository.max_batch_records))},
      {"repository.max_transact_ops", "QUERYGATE_REPOSITORY_MAX_TRANSACT_OPS",
       "--repository-max-transact-ops", "operations in one Transact (100)",
       Int(QG_FIELD(repository.max_transact_ops))},
      {"limits.max_rows", "QUERYGATE_MAX_ROWS", "--max-rows", "rows per result (10000)",
       Int(QG_FIELD(reads.max_rows))},
      {"limits.default_timeout_ms", "QUERYGATE_DEFAULT_TIMEOUT_MS", "--default-timeout-ms",
       "statement timeout without a deadline (30000)",
       Duration(QG_FIELD(reads.default_timeout), ms)},
      {"limits.max_array_elements", "QUERYGATE_MAX_ARRAY_ELEMENTS", "--max-array-elements",
       "elements of one array parameter of a named query (1000)",
       Int(QG_FIELD(queries.max_array_elements))},
      {"limits.max_invalidate_names", "QUERYGATE_MAX_INVALIDATE_NAMES", "--max-invalidate-names",
       "tables, queries and tags in one Invalidate call (256)",
       Int(QG_FIELD(max_invalidate_names))},
      {"limits.max_invalidate_name_bytes", "QUERYGATE_MAX_INVALIDATE_NAME_BYTES",
       "--max-invalidate-name-bytes", "length of one name in an Invalidate call (128)",
       Int(QG_FIELD(max_invalidate_name_bytes))},
      {"server.max_receive_message_bytes", "QUERYGATE_MAX_RECEIVE_MESSAGE_BYTES",
       "--max-receive-message-bytes", "(4194304)", Int(QG_FIELD(server.max_receive_message_bytes))},
      {"server.max_send_message_bytes", "QUERYGATE_MAX_SEND_MESSAGE_BYTES",
       "--max-send-message-bytes", "(16777216)", Int(QG_FIELD(server.max_send_message_bytes))},
      {"server.max_concurrent_streams", "QUERYGATE_MAX_CONCURRENT_STREAMS",
       "--max-concurrent-streams", "(256)", Int(QG_FIELD(server.max_concurrent_streams))},
      {"server.max_threads", "QUERYGATE_MAX_THREADS", "--max-threads",
       "threads serving calls (256)", Int(QG_FIELD(server.max_threads))},
      {"server.min_pollers", "QUERYGATE_MIN_POLLERS", "--min-pollers",
       "threads kept polling for calls (2)", Int(QG_FIELD(server.min_pollers))},
      {"server.max_pollers", "QUERYGATE_MAX_POLLERS", "--max-pollers",
       "polling threads kept after a call (64)", Int(QG_FIELD(server.max_pollers))},
      {"server.shutdown_grace_ms", "QUERYGATE_SHUTDOWN_GRACE_MS", "--shutdown-grace-ms",
       "drain bound on SIGTERM (5000)", Duration(QG_FIELD(shutdown_grace), ms)},
      {"partitions.maintenance_interval_s", "QUERYGATE_PARTITIONS_MAINTENANCE_INTERVAL_S",
       "--partitions-maintenance-interval-s",
       "seconds between runs of the partition maintenance (at startup, then periodically); 0: "
       "off (3600)",
       Duration(QG_FIELD(partition_maintenance_interval), absl::Seconds(1))},
      {"server.reflection", "QUERYGATE_REFLECTION", "--reflection",
       "true|false|auto: gRPC server reflection; auto is on only without authentication (auto)",
       [](ServerConfig& c, const std::string& from, const std::string& text) -> absl::Status {
         if (text != "true" && text != "false" && text != "auto") {
           return absl::InvalidArgumentError(absl::StrCat(from, ": expected true, false or auto"));
         }
         c.reflection = text;
         return absl::OkStatus();
       }},
      {"auth.mode", "QUERYGATE_AUTH_MODE", "--auth-mode",
       "none|jwt|mtls|any: how callers authenticate (none: loopback only)",
       [](ServerConfig& c, const std::string& from, const std::string& text) -> absl::Status {
         auto mode = auth::ParseAuthMode(text);
         if (!mode.ok()) return absl::InvalidArgumentError(absl::StrCat(from, ": ", text));
         c.auth.mode = *mode;
         return absl::OkStatus();
       }},
      {"auth.insecure_no_auth", "QUERYGATE_INSECURE_NO_AUTH", "--insecure-no-auth",
       "true|false: serve without authentication on a non-loopback address (false)",
       Bool(QG_FIELD(insecure_no_auth))},
      {"auth.anonymous_roles", "QUERYGATE_AUTH_ANONYMOUS_ROLES", "--auth-anonymous-roles",
       "roles of every caller when auth.mode is none (admin)",
       List(QG_FIELD(auth.anonymous_roles))},
      {"auth.jwt.algorithms", "QUERYGATE_JWT_ALGORITHMS", "--jwt-algorithms",
       "allowed JWT algorithms, of HS256, RS256, ES256 (required for jwt)",
       List(QG_FIELD(auth.jwt.algorithms))},
      {"auth.jwt.hs256_secret_file", "QUERYGATE_JWT_HS256_SECRET_FILE", "--jwt-hs256-secret-file",
       "file holding the HS256 secret", Text(QG_FIELD(files.hs256_secret))},
      {"auth.jwt.public_key_files", "QUERYGATE_JWT_PUBLIC_KEY_FILES", "--jwt-public-key-files",
       "PEM public keys (RSA or P-256), each FILE or KID=FILE", List(QG_FIELD(files.public_keys))},
      {"auth.jwt.jwks_file", "QUERYGATE_JWT_JWKS_FILE", "--jwt-jwks-file",
       "a JWKS document; keys are picked by kid", Text(QG_FIELD(files.jwks))},
      {"auth.jwt.issuer", "QUERYGATE_JWT_ISSUER", "--jwt-issuer", "required iss (unchecked)",
       Text(QG_FIELD(auth.jwt.issuer))},
      {"auth.jwt.audience", "QUERYGATE_JWT_AUDIENCE", "--jwt-audience", "required aud (unchecked)",
       Text(QG_FIELD(auth.jwt.audience))},
      {"auth.jwt.leeway_seconds", "QUERYGATE_JWT_LEEWAY_SECONDS", "--jwt-leeway-seconds",
       "clock skew allowed on exp and nbf (60)",
       Duration(QG_FIELD(auth.jwt.leeway), absl::Seconds(1))},
      {"auth.jwt.subject_claim", "QUERYGATE_JWT_SUBJECT_CLAIM", "--jwt-subject-claim",
       "claim naming the caller (sub)", Text(QG_FIELD(auth.jwt.subject_claim))},
      {"auth.jwt.roles_claim", "QUERYGATE_JWT_ROLES_CLAIM", "--jwt-roles-claim",
       "claim holding the roles, a string or an array (roles)",
       Text(QG_FIELD(auth.jwt.roles_claim))},
      {"auth.jwt.tenant_claim", "QUERYGATE_JWT_TENANT_CLAIM", "--jwt-tenant-claim",
       "claim holding the tenant (tenant)", Text(QG_FIELD(auth.jwt.tenant_claim))},
      {"tenancy.header", "QUERYGATE_TENANCY_HEADER", "--tenancy-header",
       "metadata header carrying the caller's tenant, only with auth.mode none (development); "
       "empty: off",
       Text(QG_FIELD(tenancy.header))},
      {"tenancy.allow_privileged_role", "QUERYGATE_TENANCY_ALLOW_PRIVILEGED_ROLE",
       "--tenancy-allow-privileged-role",
       "true|false: start even when the database role bypasses row-level security (a "
       "superuser, BYPASSRLS, or owner of a tenant-scoped table); logged (false)",
       Bool(QG_FIELD(tenancy.allow_privileged_role))},
      {"tls.cert_file", "QUERYGATE_TLS_CERT_FILE", "--tls-cert-file",
       "PEM certificate chain; with tls.key_file turns TLS on", Text(QG_FIELD(files.tls_cert))},
      {"tls.key_file", "QUERYGATE_TLS_KEY_FILE", "--tls-key-file", "PEM private key",
       Text(QG_FIELD(files.tls_key))},
      {"tls.client_ca_file", "QUERYGATE_TLS_CLIENT_CA_FILE", "--tls-client-ca-file",
       "PEM CA of client certificates (mutual TLS)", Text(QG_FIELD(files.tls_client_ca))},
      {"tls.require_client_cert", "QUERYGATE_TLS_REQUIRE_CLIENT_CERT", "--tls-require-client-cert",
       "true|false: refuse connections without a client certificate (true in mtls mode)",
       Bool(QG_FIELD(server.tls.require_client_cert))},
      {"log.format", "QUERYGATE_LOG_FORMAT", "--log-format",
       "json|logfmt: one line per event on stderr (json)",
       [](ServerConfig& c, const std::string& from, const std::string& text) {
         QG_ASSIGN_OR_RETURN(c.log.format, ParseLogFormat(text, from));
         return absl::OkStatus();
       }},
      {"log.level", "QUERYGATE_LOG_LEVEL", "--log-level",
       "debug|info|warn|error: the lowest level written; debug adds a line per call (info)",
       [](ServerConfig& c, const std::string& from, const std::string& text) {
         QG_ASSIGN_OR_RETURN(c.log.level, ParseLogLevel(text, from));
         return absl::OkStatus();
       }},
      {"log.slow_call_ms", "QUERYGATE_LOG_SLOW_CALL_MS", "--log-slow-call-ms",
       "calls slower than this are logged at warn with the time of each step; 0: off (500)",
       Duration(QG_FIELD(slow_call), ms)},
      {"metrics.listen", "QUERYGATE_METRICS_LISTEN", "--metrics-listen",
       "host:port of the HTTP listener for /metrics, /healthz, /readyz, the status page / and "
       "/status.json; port 0 picks one; "
       "unauthenticated, so keep it on loopback or a private network; empty: off (empty)",
       [](ServerConfig& c, const std::string& from, const std::string& text) -> absl::Status {
         size_t colon = text.rfind(':');
         int port = 0;
         if (!text.empty() &&
             (colon == std::string::npos || colon == 0 ||
              !absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 0 || port > 65535)) {
           return absl::InvalidArgumentError(
               absl::StrCat(from, ": expected host:port (or empty), got \"", text, "\""));
         }
         c.metrics_listen = text;
         return absl::OkStatus();
       }},
      {"security.page_token_secret_file", "QUERYGATE_PAGE_TOKEN_SECRET_FILE",
       "--page-token-secret-file",
       "HMAC key of page tokens, shared by instances that share Redis (random per process)",
       Text(QG_FIELD(files.page_token_secret))},
  };
}

#undef QG_FIELD

// Config-file keys that hold structures rather than one setting.
constexpr const char* kStructuredKeys[] = {"warm.sets", "auth.roles", "auth.mtls.identities"};

const Json* Lookup(const Json& root, const std::string& dotted) {
  const Json* node = &root;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    std::string part =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

// Fails naming the first key of `node` (at `path`) that is neither a setting nor a structured
// key, or a setting given as an object.
absl::Status CheckKnownKeys(const Json& node, const std::string& path,
                            const std::vector<Setting>& settings) {
  for (const auto& [key, value] : node.items()) {
    std::string dotted = path.empty() ? key : absl::StrCat(path, ".", key);
    bool setting = false;
    for (const Setting& s : settings) setting = setting || dotted == s.key;
    bool structured = false;
    for (const char* k : kStructuredKeys) structured = structured || dotted == k;
    if (structured) continue;
    if (setting) {
      if (value.is_object()) {
        return absl::InvalidArgumentError(
            absl::StrCat(dotted, ": expected a value, not an object"));
      }
      continue;
    }
    bool prefix = false;
    std::string as_prefix = absl::StrCat(dotted, ".");
    for (const Setting& s : settings) prefix = prefix || absl::StartsWith(s.key, as_prefix);
    for (const char* k : kStructuredKeys) prefix = prefix || absl::StartsWith(k, as_prefix);
    if (!prefix || !value.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown config key ", dotted));
    }
    QG_RETURN_IF_ERROR(CheckKnownKeys(value, dotted, settings));
  }
  return absl::OkStatus();
}

std::vector<std::string> StringList(const Json& value) {
  std::vector<std::string> out;
  for (const Json& item : value) out.push_back(item.get<std::string>());
  return out;
}

bool IsStringArray(const Json& value) {
  if (!value.is_array()) return false;
  for (const Json& item : value) {
    if (!item.is_string()) return false;
  }
  return true;
}

// Caps on the tenants of a configured warm set (as on those of a Warm request).
constexpr size_t kMaxWarmSetTenants = 1000;
constexpr size_t kMaxTenantBytes = 256;

absl::Status ReadWarmSets(const Json& sets, std::vector<service::WarmSet>& out) {
  if (!sets.is_array()) return absl::InvalidArgumentError("warm.sets: expected an array");
  std::set<std::string> names;
  for (size_t i = 0; i < sets.size(); ++i) {
    const Json& in = sets[i];
    std::string path = absl::StrCat("warm.sets[", i, "]");
    if (!in.is_object())
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected an object"));
    service::WarmSet set;
    for (const auto& [key, value] : in.items()) {
      if (key == "name" && value.is_string()) {
        set.name = value.get<std::string>();
      } else if (key == "query" && value.is_string()) {
        set.query = value.get<std::string>();
      } else if (key == "model" && value.is_string()) {
        set.model = value.get<std::string>();
      } else if (key == "params_from" && value.is_string()) {
        set.params_from = value.get<std::string>();
      } else if (key == "tenants" && IsStringArray(value)) {
        // Canonicalized against the schema's tenancy type when the server starts.
        if (value.size() > kMaxWarmSetTenants) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ".tenants: at most ", kMaxWarmSetTenants, " tenants per set"));
        }
        for (size_t j = 0; j < value.size(); ++j) {
          const std::string& tenant = value[j].get_ref<const std::string&>();
          if (tenant.empty() || tenant.size() > kMaxTenantBytes) {
            return absl::InvalidArgumentError(
                absl::StrCat(path, ".tenants[", j, "]: expected 1 to ", kMaxTenantBytes, " bytes"));
          }
          set.tenants.push_back(tenant);
        }
      } else if (key == "params" && value.is_array()) {
        for (const Json& params : value) {
          auto parsed = ParseJsonValue(params.dump());
          if (!parsed.ok() || parsed->kind() != Value::Kind::kStruct) {
            return absl::InvalidArgumentError(
                absl::StrCat(path, ".params: expected objects of parameter values"));
          }
          std::map<std::string, Value> map(parsed->struct_value().begin(),
                                           parsed->struct_value().end());
          set.params.push_back(std::move(map));
        }
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".", key, ": unknown or mistyped key"));
      }
    }
    if (set.query.empty() == set.model.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": name either a query or a model"));
    }
    if (!set.params_from.empty() && set.name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".name: required for a set with params_from"));
    }
    if (!set.name.empty() && !names.insert(set.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".name: \"", set.name, "\" is used twice"));
    }
    out.push_back(std::move(set));
  }
  return absl::OkStatus();
}

absl::Status ReadRoles(const Json& roles, std::map<std::string, std::vector<std::string>>& out) {
  if (!roles.is_object()) {
    return absl::InvalidArgumentError("auth.roles: expected an object of role: [permissions]");
  }
  for (const auto& [role, permissions] : roles.items()) {
    if (!IsStringArray(permissions)) {
      return absl::InvalidArgumentError(
          absl::StrCat("auth.roles.", role, ": expected an array of permission names"));
    }
    out[role] = StringList(permissions);
  }
  return absl::OkStatus();
}

absl::Status ReadCertificateIdentities(const Json& list,
                                       std::vector<auth::CertificateIdentity>& out) {
  if (!list.is_array()) {
    return absl::InvalidArgumentError("auth.mtls.identities: expected an array");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& in = list[i];
    std::string path = absl::StrCat("auth.mtls.identities[", i, "]");
    if (!in.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected an object"));
    }
    auth::CertificateIdentity identity;
    for (const auto& [key, value] : in.items()) {
      if (key == "match" && value.is_string()) {
        identity.match = value.get<std::string>();
      } else if (key == "roles" && IsStringArray(value)) {
        identity.roles = StringList(value);
      } else if (key == "tenant" && value.is_string()) {
        identity.tenant = value.get<std::string>();
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".", key, ": unknown or mistyped key"));
      }
    }
    if (identity.match.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".match: required"));
    }
    out.push_back(std::move(identity));
  }
  return absl::OkStatus();
}

std::string JsonText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (IsStringArray(value)) return absl::StrJoin(StringList(value), ",");
  return value.dump();
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& setting, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(setting, ": cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1 << 20)) {
    return absl::InvalidArgumentError(absl::StrCat(setting, ": ", path, " is larger than 1 MiB"));
  }
  return text.str();
}

// Reads the key material the *_file settings name into the config.
absl::Status ReadKeyFiles(ServerConfig& c) {
  if (!c.files.hs256_secret.empty()) {
    QG_ASSIGN_OR_RETURN(c.auth.jwt.hs256_secret,
                        ReadKeyFile("auth.jwt.hs256_secret_file", c.files.hs256_secret));
    while (!c.auth.jwt.hs256_secret.empty() &&
           (c.auth.jwt.hs256_secret.back() == '\n' || c.auth.jwt.hs256_secret.back() == '\r')) {
      c.auth.jwt.hs256_secret.pop_back();
    }
  }
  c.auth.jwt.public_keys.clear();
  for (const std::string& entry : c.files.public_keys) {
    std::string kid;
    std::string path = entry;
    if (size_t eq = entry.find('='); eq != std::string::npos) {
      kid = entry.substr(0, eq);
      path = entry.substr(eq + 1);
    }
    QG_ASSIGN_OR_RETURN(std::string pem, ReadKeyFile("auth.jwt.public_key_files", path));
    c.auth.jwt.public_keys.emplace_back(kid, std::move(pem));
  }
  if (!c.files.jwks.empty()) {
    QG_ASSIGN_OR_RETURN(c.auth.jwt.jwks_json, ReadKeyFile("auth.jwt.jwks_file", c.files.jwks));
  }
  if (c.files.tls_cert.empty() != c.files.tls_key.empty()) {
    return absl::InvalidArgumentError("tls.cert_file and tls.key_file: set both or neither");
  }
  if (!c.files.tls_cert.empty()) {
    QG_ASSIGN_OR_RETURN(c.server.tls.cert_chain_pem,
                        ReadKeyFile("tls.cert_file", c.files.tls_cert));
    QG_ASSIGN_OR_RETURN(c.server.tls.private_key_pem, ReadKeyFile("tls.key_file", c.files.tls_key));
  }
  if (!c.files.tls_client_ca.empty()) {
    if (c.files.tls_cert.empty()) {
      return absl::InvalidArgumentError("tls.client_ca_file: needs tls.cert_file and tls.key_file");
    }
    QG_ASSIGN_OR_RETURN(c.server.tls.client_ca_pem,
                        ReadKeyFile("tls.client_ca_file", c.files.tls_client_ca));
  }
  if (!c.files.page_token_secret.empty()) {
    QG_ASSIGN_OR_RETURN(c.page_token_secret,
                        ReadKeyFile("security.page_token_secret_file", c.files.page_token_secret));
    if (c.page_token_secret.size() < 16) {
      return absl::InvalidArgumentError(
          "security.page_token_secret_file: the secret must be at least 16 bytes");
    }
  }
  return absl::OkStatus();
}

// Cross-setting rules that no single setting can check.
absl::Status CheckConsistency(ServerConfig& c) {
  if (c.database.url.empty()) {
    return absl::InvalidArgumentError("database.url: set --database-url or QUERYGATE_DATABASE_URL");
  }
  if (c.database.min_connections > c.database.max_connections) {
    return absl::InvalidArgumentError("database.min_connections exceeds database.max_connections");
  }
  if (c.l1.budget_mb < 1 || c.l1.budget_mb > 1 << 20) {
    return absl::InvalidArgumentError("cache.l1.budget_mb: must be between 1 and 1048576");
  }
  if (c.l1.lease < absl::Milliseconds(100) || c.l1.lease > absl::Minutes(1)) {
    return absl::InvalidArgumentError("cache.l1.lease_ms: must be between 100 and 60000");
  }
  if (c.partition_maintenance_interval < absl::ZeroDuration() ||
      c.partition_maintenance_interval > absl::Hours(24 * 7)) {
    return absl::InvalidArgumentError(
        "partitions.maintenance_interval_s: must be between 0 (off) and 604800");
  }
  if (c.feed_timeout < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError("invalidation.feed_timeout_ms: must be at least 100");
  }
  if (c.warm.concurrency < 1 || c.warm.concurrency > c.warm.max_concurrency) {
    return absl::InvalidArgumentError(absl::StrCat("warm.concurrency: must be between 1 and ",
                                                   c.warm.max_concurrency,
                                                   " (warm.max_concurrency)"));
  }
  if (!c.tenancy.header.empty()) {
    if (c.auth.mode != auth::AuthMode::kNone) {
      return absl::InvalidArgumentError(
          "tenancy.header: only with auth.mode none (development); an authenticated caller's "
          "tenant comes from its token or certificate (auth.jwt.tenant_claim, "
          "auth.mtls.identities[].tenant)");
    }
    QG_RETURN_IF_ERROR(CheckTenancyHeader(c.tenancy.header));
  }
  bool mtls = c.auth.mode == auth::AuthMode::kMtls || c.auth.mode == auth::AuthMode::kAny;
  if (mtls && c.server.tls.client_ca_pem.empty()) {
    return absl::InvalidArgumentError(
        "auth.mode: mtls and any need tls.cert_file, tls.key_file and tls.client_ca_file");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTenancyHeader(const std::string& header) {
  bool valid = !header.empty() && !absl::StartsWith(header, "grpc-") &&
               !absl::EndsWith(header, "-bin") && header != "authorization" && header != "te" &&
               header != "content-type" && header != "user-agent";
  for (char c : header) {
    valid = valid &&
            ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
  }
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tenancy.header: \"", header,
        "\" is not a usable metadata name: lowercase letters, digits, '-', '_' and '.', not "
        "reserved (grpc-*, authorization, ...) and not binary (*-bin)"));
  }
  return absl::OkStatus();
}

bool IsLoopbackListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || host == "::1") return true;
  std::vector<std::string> parts = absl::StrSplit(host, '.');
  int first = 0;
  return parts.size() == 4 && absl::SimpleAtoi(parts[0], &first) && first == 127;
}

std::string ServerUsage() {
  std::string out =
      "usage: querygate-server [--config FILE] [flags]\n\n"
      "Settings win in this order: flags, environment, config file (JSON, dotted keys as\n"
      "nested objects), defaults. QUERYGATE_CONFIG names the config file too. The config file\n"
      "alone holds warm.sets, auth.roles and auth.mtls.identities (docs/security.md).\n\n";
  for (const Setting& s : Settings()) {
    absl::StrAppend(&out, "  ", s.flag, " / ", s.env, " / ", s.key, "\n      ", s.help, "\n");
  }
  return out;
}

absl::StatusOr<ServerConfig> LoadServerConfig(const std::vector<std::string>& args) {
  ServerConfig config;
  const std::vector<Setting> settings = Settings();
  std::map<std::string, std::string> flags;
  std::string config_path;
  if (const char* env = std::getenv("QUERYGATE_CONFIG")) config_path = env;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg == "--insecure-no-auth") {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(arg, ": needs a value"));
    }
    if (arg == "--config") {
      config_path = value;
      continue;
    }
    bool known = false;
    for (const Setting& s : settings) known = known || arg == s.flag;
    if (!known) return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    flags[arg] = value;
  }
  Json file = Json::object();
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in)
      return absl::InvalidArgumentError(absl::StrCat("cannot read config file ", config_path));
    file = Json::parse(in, nullptr, false);
    if (file.is_discarded() || !file.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", config_path, " is not a JSON object"));
    }
    absl::Status known = CheckKnownKeys(file, "", settings);
    if (!known.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(config_path, ": ", known.message()));
    }
  }
  for (const Setting& s : settings) {
    if (const Json* v = Lookup(file, s.key)) {
      QG_RETURN_IF_ERROR(s.apply(config, absl::StrCat(config_path, ": ", s.key), JsonText(*v)));
    }
    if (const char* env = std::getenv(s.env); env != nullptr && *env != '\0') {
      QG_RETURN_IF_ERROR(s.apply(config, s.env, env));
    }
    if (auto it = flags.find(s.flag); it != flags.end()) {
      QG_RETURN_IF_ERROR(s.apply(config, s.flag, it->second));
    }
  }
  if (const Json* sets = Lookup(file, "warm.sets")) {
    QG_RETURN_IF_ERROR(ReadWarmSets(*sets, config.warm.sets));
  }
  if (const Json* roles = Lookup(file, "auth.roles")) {
    QG_RETURN_IF_ERROR(ReadRoles(*roles, config.role_permissions));
  }
  if (const Json* identities = Lookup(file, "auth.mtls.identities")) {
    QG_RETURN_IF_ERROR(ReadCertificateIdentities(*identities, config.auth.certificates));
  }
  bool mtls_mode = config.auth.mode == auth::AuthMode::kMtls;
  bool require_set = Lookup(file, "tls.require_client_cert") != nullptr ||
                     std::getenv("QUERYGATE_TLS_REQUIRE_CLIENT_CERT") != nullptr ||
                     flags.count("--tls-require-client-cert") > 0;
  if (mtls_mode && !require_set) config.server.tls.require_client_cert = true;
  QG_RETURN_IF_ERROR(ReadKeyFiles(config));
  QG_RETURN_IF_ERROR(cache::ApplyRedisUrl(config.redis_url, config.redis));
  QG_RETURN_IF_ERROR(CheckConsistency(config));
  return config;
}

std::string SchemaVersion(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string all;
  for (const fs::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    absl::StrAppend(&all, path.filename().string(), "\n", text.str().size(), "\n", text.str());
  }
  return Sha256Hex(all).substr(0, 16);
}

}  // namespace querygate::server
