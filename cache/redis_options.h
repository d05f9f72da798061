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
  // ACL user; empty: the default user (AUTH with the password alone).
  std::string username;
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

// Fills host, port, database, username and password of `options` from
// "redis://[[user]:password@]host[:port][/db]" (user and password percent-decoded). Fails with
// INVALID_ARGUMENT on any other form, with a message that never contains the password.
absl::Status ApplyRedisUrl(const std::string& url, RedisOptions& options);

// Returns `url` with the password replaced by "***", for logs and messages.
std::string RedactRedisUrl(const std::string& url);

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_REDIS_OPTIONS_H_
