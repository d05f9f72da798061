#ifndef QUERYGATE_TESTS_SUPPORT_REDIS_COMMAND_H_
#define QUERYGATE_TESTS_SUPPORT_REDIS_COMMAND_H_

#include <hiredis/hiredis.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace querygate::testing {

// Sends one command to 127.0.0.1:`port` on a connection of its own (2 s timeouts). Returns a
// string, status or integer reply as text; nullopt for nil, an error or a failure.
inline std::optional<std::string> RedisCommand(int port, const std::vector<std::string>& args) {
  timeval timeout{2, 0};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (context == nullptr || context->err) {
    if (context != nullptr) redisFree(context);
    return std::nullopt;
  }
  redisSetTimeout(context, timeout);
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data()));
  std::optional<std::string> out;
  if (reply != nullptr) {
    if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) {
      out = std::string(reply->str, reply->len);
    } else if (reply->type == REDIS_REPLY_INTEGER) {
      out = absl::StrCat(reply->integer);
    }
    freeReplyObject(reply);
  }
  redisFree(context);
  return out;
}

// The number of L1 leases under `prefix` that are still valid by Redis's clock, or -1.
inline int LiveLeases(int port, const std::string& prefix) {
  constexpr char kScript[] =
      "local t = redis.call('TIME') "
      "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
      "return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')";
  std::optional<std::string> n = RedisCommand(port, {"EVAL", kScript, "1", prefix + ":l1:leases"});
  return n ? std::stoi(*n) : -1;
}

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_REDIS_COMMAND_H_
