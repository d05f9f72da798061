#include "bench/redis_workers.h"

#include <hiredis/hiredis.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace querygate::bench {
namespace {

constexpr char kScheme[] = "redis://";
constexpr int kValueTtlSeconds = 600;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// Connects to `url` with `timeout` for the connect and for each command.
absl::StatusOr<ContextPtr> Connect(const std::string& url, absl::Duration timeout) {
  if (!absl::StartsWith(url, kScheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis URL must start with ", kScheme, ": ", url));
  }
  std::string rest = url.substr(sizeof(kScheme) - 1);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  int port = 6379;
  if (colon != std::string::npos) {
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &port)) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in redis URL ", url));
    }
    rest.resize(colon);
  }
  if (rest.empty() || absl::StrContains(rest, "@") || absl::StrContains(rest, "/")) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported redis URL ", url));
  }
  ContextPtr context(redisConnectWithTimeout(rest.c_str(), port, absl::ToTimeval(timeout)));
  if (context == nullptr || context->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("redis ", url, ": ", context ? context->errstr : "out of memory"));
  }
  if (redisSetTimeout(context.get(), absl::ToTimeval(timeout)) != REDIS_OK) {
    return absl::UnavailableError(absl::StrCat("redis ", url, ": cannot set the timeout"));
  }
  return context;
}

class RedisWorker : public Worker {
 public:
  RedisWorker(ContextPtr context, std::string key)
      : context_(std::move(context)), key_(std::move(key)) {}

  CallOutcome Call(std::string* detail) override {
    ReplyPtr reply(
        static_cast<redisReply*>(redisCommand(context_.get(), "GET %b", key_.data(), key_.size())));
    if (reply == nullptr) {
      *detail = absl::StrCat("redis: ", context_->errstr);
      return CallOutcome::kError;
    }
    if (reply->type != REDIS_REPLY_STRING) {
      *detail = absl::StrCat("redis GET reply type ", reply->type);
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

 private:
  ContextPtr context_;
  std::string key_;
};

}  // namespace

absl::Status PutRedisValue(const RedisCall& call, int value_bytes) {
  auto context = Connect(call.url, call.timeout);
  if (!context.ok()) return context.status();
  std::string value(static_cast<size_t>(value_bytes), 'v');
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommand(context->get(), "SET %b %b EX %d", call.key.data(), call.key.size(),
                   value.data(), value.size(), kValueTtlSeconds)));
  if (reply == nullptr) return absl::UnavailableError(absl::StrCat("redis: ", (*context)->errstr));
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::UnavailableError(absl::StrCat("redis SET: ", std::string(reply->str, reply->len)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeRedisWorkers(const RedisCall& call,
                                                                      int concurrency) {
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < concurrency; ++i) {
    auto context = Connect(call.url, call.timeout);
    if (!context.ok()) return context.status();
    workers.push_back(std::make_unique<RedisWorker>(*std::move(context), call.key));
  }
  return workers;
}

}  // namespace querygate::bench
