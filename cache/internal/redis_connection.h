#ifndef QUERYGATE_CACHE_INTERNAL_REDIS_CONNECTION_H_
#define QUERYGATE_CACHE_INTERNAL_REDIS_CONNECTION_H_

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cache/redis_options.h"

namespace querygate::cache::internal {

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

// Opens a context with connect and command timeouts, authenticates and selects the
// database. Fails with UNAVAILABLE.
absl::StatusOr<Context> Connect(const RedisOptions& options);

// Sends one command (binary-safe arguments) and returns its reply. Fails with UNAVAILABLE on
// I/O errors or timeouts (the context is then dead) and INTERNAL on an error reply.
absl::StatusOr<Reply> Command(redisContext* context, const std::vector<std::string>& args);

// Sends several commands in one round trip and returns their replies in order. Fails like
// Command.
absl::StatusOr<std::vector<Reply>> Pipeline(redisContext* context,
                                            const std::vector<std::vector<std::string>>& commands);

}  // namespace querygate::cache::internal

#endif  // QUERYGATE_CACHE_INTERNAL_REDIS_CONNECTION_H_
