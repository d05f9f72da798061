#include "server/server_config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/json_value.h"
#include "common/sha256.h"
#include "nlohmann/json.hpp"

namespace querygate::server {
namespace {

using Json = nlohmann::json;

// A setting that can come from the config file (dotted key), the environment and a flag.
struct Setting {
  const char* key;
  const char* env;
  const char* flag;
  const char* help;
};

constexpr Setting kSettings[] = {
    {"schema_dir", "QUERYGATE_SCHEMA_DIR", "--schema-dir", "schema directory (schemas)"},
    {"listen", "QUERYGATE_LISTEN", "--listen", "host:port to serve on; port 0 picks one"},
    {"database.url", "QUERYGATE_DATABASE_URL", "--database-url", "PostgreSQL URL"},
    {"database.min_connections", "QUERYGATE_DB_MIN_CONNECTIONS", "--db-min-connections",
     "pool minimum (2)"},
    {"database.max_connections", "QUERYGATE_DB_MAX_CONNECTIONS", "--db-max-connections",
     "pool maximum (16)"},
    {"database.connect_timeout_ms", "QUERYGATE_DB_CONNECT_TIMEOUT_MS", "--db-connect-timeout-ms",
     "(5000)"},
    {"database.idle_timeout_ms", "QUERYGATE_DB_IDLE_TIMEOUT_MS", "--db-idle-timeout-ms",
     "(600000)"},
    {"database.max_lifetime_ms", "QUERYGATE_DB_MAX_LIFETIME_MS", "--db-max-lifetime-ms",
     "(3600000)"},
    {"database.acquire_timeout_ms", "QUERYGATE_DB_ACQUIRE_TIMEOUT_MS", "--db-acquire-timeout-ms",
     "wait for a free connection (2000)"},
    {"redis.url", "QUERYGATE_REDIS_URL", "--redis-url",
     "redis://host:port[/db] (redis://127.0.0.1:6379)"},
    {"redis.pool_size", "QUERYGATE_REDIS_POOL_SIZE", "--redis-pool-size", "(16)"},
    {"redis.connect_timeout_ms", "QUERYGATE_REDIS_CONNECT_TIMEOUT_MS", "--redis-connect-timeout-ms",
     "(200)"},
    {"redis.command_timeout_ms", "QUERYGATE_REDIS_COMMAND_TIMEOUT_MS", "--redis-command-timeout-ms",
     "(250)"},
    {"redis.key_prefix", "QUERYGATE_REDIS_KEY_PREFIX", "--redis-key-prefix",
     "prefix of every key (qg)"},
    {"cache.default_ttl_seconds", "QUERYGATE_CACHE_DEFAULT_TTL_SECONDS",
     "--cache-default-ttl-seconds", "(300)"},
    {"cache.stale_fill_guard", "QUERYGATE_CACHE_STALE_FILL_GUARD", "--cache-stale-fill-guard",
     "true|false; false only to demonstrate the race (true)"},
    {"invalidation.channel", "QUERYGATE_INVALIDATION_CHANNEL", "--invalidation-channel",
     "Redis pub/sub channel of invalidation events; empty: off (querygate:invalidate)"},
    {"invalidation.listen", "QUERYGATE_INVALIDATION_LISTEN", "--invalidation-listen",
     "true|false: LISTEN for database change triggers (true)"},
    {"invalidation.skip_own_writes", "QUERYGATE_INVALIDATION_SKIP_OWN_WRITES",
     "--invalidation-skip-own-writes",
     "true|false: triggers stay silent for the server's own writes (true)"},
    {"warm.on_startup", "QUERYGATE_WARM_ON_STARTUP", "--warm-on-startup",
     "true|false: warm the configured sets at startup (true)"},
    {"warm.block_readiness", "QUERYGATE_WARM_BLOCK_READINESS", "--warm-block-readiness",
     "true|false: NOT_SERVING until the startup warm ends (false)"},
    {"warm.concurrency", "QUERYGATE_WARM_CONCURRENCY", "--warm-concurrency",
     "parameter sets warmed at once (4)"},
    {"cache.model_default_ttl_seconds", "QUERYGATE_CACHE_MODEL_DEFAULT_TTL_SECONDS",
     "--cache-model-default-ttl-seconds",
     "repository reads of models without cache_ttl; 0 disables (cache.default_ttl_seconds)"},
    {"repository.default_page_size", "QUERYGATE_REPOSITORY_DEFAULT_PAGE_SIZE",
     "--repository-default-page-size", "List page size when none is asked (50)"},
    {"repository.max_page_size", "QUERYGATE_REPOSITORY_MAX_PAGE_SIZE", "--repository-max-page-size",
     "larger List page sizes are capped (1000)"},
    {"repository.max_filter_depth", "QUERYGATE_REPOSITORY_MAX_FILTER_DEPTH",
     "--repository-max-filter-depth", "nesting of all/any/not (8)"},
    {"repository.max_in_list", "QUERYGATE_REPOSITORY_MAX_IN_LIST", "--repository-max-in-list",
     "values in an IN / NOT_IN list (1000)"},
    {"repository.max_include_depth", "QUERYGATE_REPOSITORY_MAX_INCLUDE_DEPTH",
     "--repository-max-include-depth", "dotted include levels (3)"},
    {"limits.max_rows", "QUERYGATE_MAX_ROWS", "--max-rows", "rows per result (10000)"},
    {"limits.default_timeout_ms", "QUERYGATE_DEFAULT_TIMEOUT_MS", "--default-timeout-ms",
     "statement timeout without a deadline (30000)"},
    {"server.max_receive_message_bytes", "QUERYGATE_MAX_RECEIVE_MESSAGE_BYTES",
     "--max-receive-message-bytes", "(4194304)"},
    {"server.max_send_message_bytes", "QUERYGATE_MAX_SEND_MESSAGE_BYTES",
     "--max-send-message-bytes", "(16777216)"},
    {"server.max_concurrent_streams", "QUERYGATE_MAX_CONCURRENT_STREAMS",
     "--max-concurrent-streams", "(256)"},
    {"server.max_threads", "QUERYGATE_MAX_THREADS", "--max-threads", "threads serving calls (256)"},
    {"server.min_pollers", "QUERYGATE_MIN_POLLERS", "--min-pollers",
     "threads kept polling for calls (2)"},
    {"server.max_pollers", "QUERYGATE_MAX_POLLERS", "--max-pollers",
     "polling threads kept after a call (64)"},
    {"server.shutdown_grace_ms", "QUERYGATE_SHUTDOWN_GRACE_MS", "--shutdown-grace-ms",
     "drain bound on SIGTERM (5000)"},
};

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

absl::StatusOr<int64_t> ToInt(const std::string& from, const std::string& text) {
  int64_t v;
  if (!absl::SimpleAtoi(text, &v) || v < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(from, ": expected a whole number >= 0, got \"", text, "\""));
  }
  return v;
}

absl::Status Apply(ServerConfig& c, const std::string& key, const std::string& from,
                   const std::string& text) {
  auto num = [&](auto& into) -> absl::Status {
    auto v = ToInt(from, text);
    if (!v.ok()) return v.status();
    into = static_cast<std::remove_reference_t<decltype(into)>>(*v);
    return absl::OkStatus();
  };
  auto ms = [&](absl::Duration& into) -> absl::Status {
    auto v = ToInt(from, text);
    if (!v.ok()) return v.status();
    into = absl::Milliseconds(*v);
    return absl::OkStatus();
  };
  if (key == "schema_dir")
    c.schema_dir = text;
  else if (key == "listen")
    c.server.listen = text;
  else if (key == "database.url")
    c.database.url = text;
  else if (key == "database.min_connections")
    return num(c.database.min_connections);
  else if (key == "database.max_connections")
    return num(c.database.max_connections);
  else if (key == "database.connect_timeout_ms")
    return ms(c.database.connect_timeout);
  else if (key == "database.idle_timeout_ms")
    return ms(c.database.idle_timeout);
  else if (key == "database.max_lifetime_ms")
    return ms(c.database.max_lifetime);
  else if (key == "database.acquire_timeout_ms")
    return ms(c.database.acquire_timeout);
  else if (key == "redis.url")
    c.redis_url = text;
  else if (key == "redis.pool_size")
    return num(c.redis.pool_size);
  else if (key == "redis.connect_timeout_ms")
    return ms(c.redis.connect_timeout);
  else if (key == "redis.command_timeout_ms")
    return ms(c.redis.command_timeout);
  else if (key == "redis.key_prefix")
    c.redis.key_prefix = text;
  else if (key == "cache.default_ttl_seconds") {
    auto v = ToInt(from, text);
    if (!v.ok()) return v.status();
    c.default_ttl = absl::Seconds(*v);
  } else if (key == "cache.stale_fill_guard") {
    if (text != "true" && text != "false") {
      return absl::InvalidArgumentError(absl::StrCat(from, ": expected true or false"));
    }
    c.stale_fill_guard = text == "true";
  } else if (key == "cache.model_default_ttl_seconds") {
    auto v = ToInt(from, text);
    if (!v.ok()) return v.status();
    c.model_default_ttl = absl::Seconds(*v);
  } else if (key == "repository.default_page_size")
    return num(c.repository.default_page_size);
  else if (key == "repository.max_page_size")
    return num(c.repository.max_page_size);
  else if (key == "repository.max_filter_depth")
    return num(c.repository.max_filter_depth);
  else if (key == "repository.max_in_list")
    return num(c.repository.max_in_list);
  else if (key == "repository.max_include_depth")
    return num(c.repository.max_include_depth);
  else if (key == "limits.max_rows")
    return num(c.reads.max_rows);
  else if (key == "limits.default_timeout_ms")
    return ms(c.reads.default_timeout);
  else if (key == "server.max_receive_message_bytes")
    return num(c.server.max_receive_message_bytes);
  else if (key == "server.max_send_message_bytes")
    return num(c.server.max_send_message_bytes);
  else if (key == "server.max_concurrent_streams")
    return num(c.server.max_concurrent_streams);
  else if (key == "server.max_threads")
    return num(c.server.max_threads);
  else if (key == "server.min_pollers")
    return num(c.server.min_pollers);
  else if (key == "server.max_pollers")
    return num(c.server.max_pollers);
  else if (key == "server.shutdown_grace_ms")
    return ms(c.shutdown_grace);
  return absl::OkStatus();
}

absl::Status ReadWarmSets(const Json& sets, std::vector<service::WarmSet>& out) {
  if (!sets.is_array()) return absl::InvalidArgumentError("warm.sets: expected an array");
  for (size_t i = 0; i < sets.size(); ++i) {
    const Json& in = sets[i];
    std::string path = absl::StrCat("warm.sets[", i, "]");
    if (!in.is_object())
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected an object"));
    service::WarmSet set;
    for (const auto& [key, value] : in.items()) {
      if (key == "query" && value.is_string()) {
        set.query = value.get<std::string>();
      } else if (key == "model" && value.is_string()) {
        set.model = value.get<std::string>();
      } else if (key == "params_from" && value.is_string()) {
        set.params_from = value.get<std::string>();
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
    out.push_back(std::move(set));
  }
  return absl::OkStatus();
}

std::string JsonText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace

std::string ServerUsage() {
  std::string out =
      "usage: querygate-server [--config FILE] [flags]\n\n"
      "Settings win in this order: flags, environment, config file (JSON, dotted keys as\n"
      "nested objects), defaults. QUERYGATE_CONFIG names the config file too.\n\n";
  for (const Setting& s : kSettings) {
    absl::StrAppend(&out, "  ", s.flag, " / ", s.env, " / ", s.key, "\n      ", s.help, "\n");
  }
  return out;
}

absl::StatusOr<ServerConfig> LoadServerConfig(const std::vector<std::string>& args) {
  ServerConfig config;
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
    for (const Setting& s : kSettings) known = known || arg == s.flag;
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
  }
  for (const Setting& s : kSettings) {
    if (const Json* v = Lookup(file, s.key)) {
      absl::Status st = Apply(config, s.key, absl::StrCat(config_path, ": ", s.key), JsonText(*v));
      if (!st.ok()) return st;
    }
    if (const char* env = std::getenv(s.env); env != nullptr && *env != '\0') {
      absl::Status st = Apply(config, s.key, s.env, env);
      if (!st.ok()) return st;
    }
    if (auto it = flags.find(s.flag); it != flags.end()) {
      absl::Status st = Apply(config, s.key, s.flag, it->second);
      if (!st.ok()) return st;
    }
  }
  if (const Json* sets = Lookup(file, "warm.sets")) {
    absl::Status parsed = ReadWarmSets(*sets, config.warm.sets);
    if (!parsed.ok()) return parsed;
  }
  if (config.database.url.empty()) {
    return absl::InvalidArgumentError("database.url: set --database-url or QUERYGATE_DATABASE_URL");
  }
  absl::Status redis = cache::ApplyRedisUrl(config.redis_url, config.redis);
  if (!redis.ok()) return redis;
  if (config.database.min_connections > config.database.max_connections) {
    return absl::InvalidArgumentError("database.min_connections exceeds database.max_connections");
  }
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
