#include "cache/invalidation_subscriber.h"

#include <poll.h>

#include <algorithm>

#include "cache/internal/redis_connection.h"

namespace querygate::cache {
namespace {

bool IsArrayOf(const redisReply* reply, size_t n, const char* kind) {
  return reply->type == REDIS_REPLY_ARRAY && reply->elements >= n &&
         reply->element[0]->type == REDIS_REPLY_STRING &&
         std::string(reply->element[0]->str, reply->element[0]->len) == kind;
}

}  // namespace

InvalidationSubscriber::InvalidationSubscriber(SubscriberOptions options,
                                               std::function<void(const std::string&)> on_message,
                                               std::function<void()> on_up,
                                               std::function<void()> on_down)
    : options_(std::move(options)),
      on_message_(std::move(on_message)),
      on_up_(std::move(on_up)),
      on_down_(std::move(on_down)) {}

InvalidationSubscriber::~InvalidationSubscriber() {
  stopping_.store(true);
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InvalidationSubscriber::Start() {
  thread_ = std::thread([this] { Run(); });
}

bool InvalidationSubscriber::SleepUnlessStopped(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(d), [this] { return stopping_.load(); });
  return !stopping_.load();
}

void InvalidationSubscriber::Run() {
  absl::Duration backoff = options_.min_backoff;
  while (!stopping_.load()) {
    absl::Time started = absl::Now();
    Subscribe();
    if (up_.exchange(false)) on_down_();
    if (absl::Now() - started > options_.max_backoff) backoff = options_.min_backoff;
    if (!SleepUnlessStopped(backoff)) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

void InvalidationSubscriber::Subscribe() {
  auto context = internal::Connect(options_.redis);
  if (!context.ok()) return;
  redisContext* c = context->get();
  if (redisAppendCommand(c, "SUBSCRIBE %b", options_.channel.data(), options_.channel.size()) !=
      REDIS_OK) {
    return;
  }
  int done = 0;
  while (!done) {
    if (redisBufferWrite(c, &done) != REDIS_OK) return;
  }
  absl::Time last_traffic = absl::Now();
  absl::Time ping_sent = absl::InfiniteFuture();
  while (!stopping_.load()) {
    pollfd fd{c->fd, POLLIN, 0};
    int ready = poll(&fd, 1, 100);
    if (ready < 0) return;
    absl::Time now = absl::Now();
    if (ready == 0) {
      if (ping_sent != absl::InfiniteFuture()) {
        if (now - ping_sent > options_.ping_timeout) return;
      } else if (now - last_traffic > options_.ping_interval) {
        if (redisAppendCommand(c, "PING") != REDIS_OK) return;
        done = 0;
        while (!done) {
          if (redisBufferWrite(c, &done) != REDIS_OK) return;
        }
        ping_sent = now;
      }
      if (!up_.load() && now - last_traffic > options_.ping_timeout) return;
      continue;
    }
    if (redisBufferRead(c) != REDIS_OK) return;
    last_traffic = now;
    ping_sent = absl::InfiniteFuture();
    while (true) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(c, &raw) != REDIS_OK) return;
      if (raw == nullptr) break;
      internal::Reply reply(static_cast<redisReply*>(raw));
      if (IsArrayOf(reply.get(), 3, "subscribe")) {
        if (!up_.exchange(true)) on_up_();
      } else if (IsArrayOf(reply.get(), 3, "message") &&
                 reply->element[2]->type == REDIS_REPLY_STRING) {
        on_message_(std::string(reply->element[2]->str, reply->element[2]->len));
      }
    }
  }
}

}  // namespace querygate::cache
