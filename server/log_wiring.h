#ifndef QUERYGATE_SERVER_LOG_WIRING_H_
#define QUERYGATE_SERVER_LOG_WIRING_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cache/query_cache.h"
#include "common/logger.h"
#include "db/connection_pool.h"
#include "server/server_config.h"
#include "service/warmer.h"

// The server's own log events (docs/operations.md, "Logs"). Every function takes a nullable
// Logger* and does nothing without one.
namespace querygate::server {

// Returns `url` (PostgreSQL URI or conninfo, or Redis URL) with every password replaced by
// "***": the user-info password and any password= / sslpassword= parameter, quoted or not.
std::string RedactUrl(absl::string_view url);

// Returns the settings logged at startup. Secrets never appear: URLs are redacted, and key
// material (page token secret, JWT secret and keys, TLS keys) is named by its file only.
LogFields StartupFields(const ServerConfig& config);

// Logs "starting" at info with StartupFields(config).
void LogStartup(Logger* log, const ServerConfig& config);

// Logs an invalidation feed ("pubsub", "database") going up (info) or down (warn).
void LogFeedTransition(Logger* log, absl::string_view feed, bool up);

// Logs an invalidation event that was dropped: unparsable, or refused by the hub (`reason`),
// with at most 256 bytes of its payload. Rate-limited per feed.
void LogDroppedEvent(Logger* log, absl::string_view feed, absl::string_view reason,
                     absl::string_view payload);

// Logs the end of a warm run: its status and figures (info, or warn with failures).
void LogWarmSummary(Logger* log, const absl::Status& status, const service::WarmProgress& last);

// Watches the backends' figures (polled by the server's ticker) and logs their transitions:
// Redis and PostgreSQL failures (error) and recoveries (info), and broken pooled connections
// replaced (warn, with the count since the previous poll). Not thread-safe: one poller.
class BackendLog {
 public:
  explicit BackendLog(Logger* log) : log_(log) {}

  // Compares with the previous poll and logs what changed. The first poll only logs failures.
  void Observe(const cache::CacheHealth& redis, const db::PoolFigures& pool);

 private:
  Logger* log_;
  bool first_ = true;
  bool redis_healthy_ = true;
  bool database_healthy_ = true;
  int64_t broken_ = 0;
};

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_LOG_WIRING_H_
