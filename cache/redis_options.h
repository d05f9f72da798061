#ifndef QUERYGATE_CACHE_REDIS_OPTIONS_H_
#define QUERYGATE_CACHE_REDIS_OPTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace querygate::cache {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;
  std::string password;
  int pool_size = 16;
  absl::Duration connect_timeout = absl::Milliseconds(200);
  // Every command gives up after this; a stopped (SIGSTOP) Redis still accepts connections.
  absl::Duration command_timeout = absl::Milliseconds(250);
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
  // Every key starts with "<key_prefix>:".
  std::string key_prefix = "qg";
};

// Fills host, port, database and password of `options` from "redis://[:password@]host[:port][/db]".
// Fails with INVALID_ARGUMENT on any other form.
absl::Status ApplyRedisUrl(const std::string& url, RedisOptions& options);

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_REDIS_OPTIONS_H_
