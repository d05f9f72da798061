#include "cache/internal/redis_connection.h"

#include "absl/strings/str_cat.h"

namespace querygate::cache::internal {
namespace {

absl::Status ContextError(redisContext* context, const char* what) {
  return absl::UnavailableError(
      absl::StrCat("redis ", what, ": ", context->errstr[0] ? context->errstr : "no reply"));
}

void Append(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data());
}

absl::StatusOr<Reply> Read(redisContext* context) {
  void* raw = nullptr;
  if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
    return ContextError(context, "read failed");
  }
  Reply reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::InternalError(absl::StrCat("redis error: ", std::string(reply->str, reply->len)));
  }
  return reply;
}

}  // namespace

absl::StatusOr<Context> Connect(const RedisOptions& options) {
  Context context(redisConnectWithTimeout(options.host.c_str(), options.port,
                                          absl::ToTimeval(options.connect_timeout)));
  if (context == nullptr) return absl::UnavailableError("redis: out of memory");
  if (context->err) return ContextError(context.get(), "connect failed");
  if (redisSetTimeout(context.get(), absl::ToTimeval(options.command_timeout)) != REDIS_OK) {
    return ContextError(context.get(), "set timeout failed");
  }
  if (!options.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!options.username.empty()) auth.push_back(options.username);
    auth.push_back(options.password);
    auto reply = Command(context.get(), auth);
    if (!reply.ok()) {
      return absl::UnavailableError(absl::StrCat("redis authentication failed",
                                                 options.username.empty() ? "" : " as ",
                                                 options.username, ": ", reply.status().message()));
    }
  }
  if (options.database != 0) {
    auto reply = Command(context.get(), {"SELECT", absl::StrCat(options.database)});
    if (!reply.ok()) return absl::UnavailableError(reply.status().message());
  }
  return context;
}

absl::StatusOr<Reply> Command(redisContext* context, const std::vector<std::string>& args) {
  Append(context, args);
  return Read(context);
}

absl::StatusOr<std::vector<Reply>> Pipeline(redisContext* context,
                                            const std::vector<std::vector<std::string>>& commands) {
  for (const auto& args : commands) Append(context, args);
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  absl::Status first_error;
  for (size_t i = 0; i < commands.size(); ++i) {
    auto reply = Read(context);
    if (!reply.ok()) {
      if (reply.status().code() == absl::StatusCode::kUnavailable) return reply.status();
      if (first_error.ok()) first_error = reply.status();
      replies.emplace_back();
      continue;
    }
    replies.push_back(*std::move(reply));
  }
  if (!first_error.ok()) return first_error;
  return replies;
}

}  // namespace querygate::cache::internal
