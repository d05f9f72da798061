#ifndef QUERYGATE_CACHE_INVALIDATION_SUBSCRIBER_H_
#define QUERYGATE_CACHE_INVALIDATION_SUBSCRIBER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "cache/redis_options.h"

namespace querygate::cache {

struct SubscriberOptions {
  RedisOptions redis;
  std::string channel;
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
  // An idle subscription is PINGed this often; no answer within `ping_timeout` is a loss
  // (a stopped Redis keeps the TCP connection open).
  absl::Duration ping_interval = absl::Seconds(1);
  absl::Duration ping_timeout = absl::Seconds(3);
};

// SUBSCRIBEs to the invalidation channel on a dedicated connection from its own thread and
// resubscribes with backoff after any loss. Callbacks run on that thread: `on_up` after each
// confirmed SUBSCRIBE, `on_down` as soon as the subscription is lost, `on_message` for every
// message.
class InvalidationSubscriber {
 public:
  InvalidationSubscriber(SubscriberOptions options,
                         std::function<void(const std::string&)> on_message,
                         std::function<void()> on_up, std::function<void()> on_down);
  ~InvalidationSubscriber();

  // Starts the subscriber thread. Call once.
  void Start();

  bool up() const { return up_.load(); }

 private:
  void Run();
  // Runs one subscription until it is lost or the subscriber stops.
  void Subscribe();
  bool SleepUnlessStopped(absl::Duration d);

  const SubscriberOptions options_;
  std::function<void(const std::string&)> on_message_;
  std::function<void()> on_up_;
  std::function<void()> on_down_;
  std::atomic<bool> up_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  std::thread thread_;
};

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_INVALIDATION_SUBSCRIBER_H_
