#include "server/log_wiring.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace querygate::server {
namespace {

constexpr size_t kMaxPayloadBytes = 256;

// Returns the password parameters of `text` ("password=", "sslpassword=") with their values,
// quoted ('...') or bare (up to a space, '&' or ';'), replaced by "***".
std::string RedactPasswordParams(absl::string_view text) {
  std::string out;
  size_t at = 0;
  while (true) {
    size_t found = text.find("password=", at);
    if (found == absl::string_view::npos) break;
    size_t value = found + 9;
    size_t end = value;
    if (end < text.size() && text[end] == '\'') {
      ++end;
      while (end < text.size() && text[end] != '\'') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && text[end] != ' ' && text[end] != '&' && text[end] != ';') ++end;
    }
    absl::StrAppend(&out, text.substr(at, value - at), "***");
    at = end;
  }
  absl::StrAppend(&out, text.substr(at));
  return out;
}

// Returns "file <path>" when key material was read from `path`, else `otherwise`.
std::string KeySource(const std::string& path, absl::string_view otherwise) {
  return path.empty() ? std::string(otherwise) : absl::StrCat("file ", path);
}

}  // namespace

std::string RedactUrl(absl::string_view url) {
  std::string out(url);
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t authority = scheme + 3;
    // The last '@' ends the user info even when the password holds '/', '?' or '@'; an '@'
    // further on (path, query) only redacts more than needed.
    size_t at = out.rfind('@');
    if (at != std::string::npos && at >= authority) {
      size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        out = absl::StrCat(out.substr(0, colon + 1), "***", out.substr(at));
      }
    }
  }
  return RedactPasswordParams(out);
}

LogFields StartupFields(const ServerConfig& config) {
  const bool tls = !config.server.tls.cert_chain_pem.empty();
  LogFields fields = {
      {"listen", config.server.listen},
      {"schema_dir", config.schema_dir},
      {"database_url", RedactUrl(config.database.url)},
      {"database_max_connections", config.database.max_connections},
      {"redis_url", RedactUrl(config.redis_url)},
      {"redis_key_prefix", config.redis.key_prefix},
      {"invalidation_channel", config.invalidation_channel},
      {"listen_for_changes", config.listen_for_changes},
      {"auth_mode", config.auth.mode == auth::AuthMode::kNone   ? "none"
                    : config.auth.mode == auth::AuthMode::kJwt  ? "jwt"
                    : config.auth.mode == auth::AuthMode::kMtls ? "mtls"
                                                                : "any"},
      {"jwt_algorithms", absl::StrJoin(config.auth.jwt.algorithms, ",")},
      {"jwt_hs256_secret",
       KeySource(config.files.hs256_secret, config.auth.jwt.hs256_secret.empty() ? "none" : "set")},
      {"jwt_public_keys", static_cast<int64_t>(config.auth.jwt.public_keys.size())},
      {"jwt_jwks",
       KeySource(config.files.jwks, config.auth.jwt.jwks_json.empty() ? "none" : "set")},
      {"tls", tls},
      {"tls_key", KeySource(config.files.tls_key, tls ? "set" : "none")},
      {"tls_client_ca", KeySource(config.files.tls_client_ca,
                                  config.server.tls.client_ca_pem.empty() ? "none" : "set")},
      {"page_token_secret", KeySource(config.files.page_token_secret,
                                      config.page_token_secret.empty() ? "random" : "set")},
      {"reflection", config.reflection},
      {"warm_sets", static_cast<int64_t>(config.warm.sets.size())},
      {"warm_on_startup", config.warm.on_startup},
      {"tenancy_header", config.tenancy.header},
      {"log_format", config.log.format == LogFormat::kJson ? "json" : "logfmt"},
      {"log_level", LogLevelName(config.log.level)},
      {"log_slow_call_ms", absl::ToInt64Milliseconds(config.slow_call)},
  };
  return fields;
}

void LogStartup(Logger* log, const ServerConfig& config) {
  if (log != nullptr) log->Info("starting", StartupFields(config));
}

void LogFeedTransition(Logger* log, absl::string_view feed, bool up) {
  if (log == nullptr) return;
  if (up) {
    log->Info("invalidation feed up", {{"feed", feed}});
  } else {
    log->Warn("invalidation feed down: reads bypass the cache until it is back", {{"feed", feed}},
              absl::StrCat("feed down ", feed));
  }
}

void LogDroppedEvent(Logger* log, absl::string_view feed, absl::string_view reason,
                     absl::string_view payload) {
  if (log == nullptr) return;
  log->Warn("invalidation event dropped",
            {{"feed", feed},
             {"reason", reason},
             {"payload", payload.substr(0, kMaxPayloadBytes)},
             {"payload_bytes", static_cast<int64_t>(payload.size())}},
            absl::StrCat("event dropped ", feed));
}

void LogWarmSummary(Logger* log, const absl::Status& status, const service::WarmProgress& last) {
  if (log == nullptr) return;
  LogFields fields = {{"status", absl::StatusCodeToString(status.code())},
                      {"total", last.total},
                      {"done", last.done},
                      {"failed", last.failed},
                      {"elapsed_ms", absl::ToInt64Milliseconds(last.elapsed)}};
  if (!status.ok()) fields.emplace_back("error", status.message());
  if (status.ok() && last.failed == 0) {
    log->Info("warm finished", fields);
  } else {
    log->Warn("warm finished with failures", fields);
  }
}

void BackendLog::Observe(const cache::CacheHealth& redis, const db::PoolFigures& pool) {
  if (log_ == nullptr) return;
  if (redis.healthy != redis_healthy_ || (first_ && !redis.healthy)) {
    if (redis.healthy) {
      log_->Info("redis recovered");
    } else {
      log_->Error(
          "redis unavailable: reads bypass the cache",
          {{"error", redis.last_error}, {"consecutive_failures", redis.consecutive_failures}},
          "redis unavailable");
    }
    redis_healthy_ = redis.healthy;
  }
  int64_t broken = pool.broken - broken_;
  bool connected = pool.idle + pool.active > 0;
  if (database_healthy_ && !connected && broken > 0) {
    log_->Error("postgresql unavailable: no pooled connection is usable",
                {{"broken", broken}, {"connecting", pool.connecting}}, "postgresql unavailable");
    database_healthy_ = false;
  } else if (!database_healthy_ && connected) {
    log_->Info("postgresql recovered", {{"connections", pool.idle + pool.active}});
    database_healthy_ = true;
  }
  if (broken > 0 && !first_) {
    log_->Warn("broken database connections dropped; the pool opens new ones",
               {{"broken", broken}, {"broken_total", pool.broken}}, "pool broken");
  }
  broken_ = pool.broken;
  first_ = false;
}

}  // namespace querygate::server
