#ifndef QUERYGATE_DB_NOTIFICATION_LISTENER_H_
#define QUERYGATE_DB_NOTIFICATION_LISTENER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"

namespace querygate::db {

struct ListenerOptions {
  std::string url;
  std::string channel;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
  // How often an idle session is probed, so that a silently dead one is noticed.
  absl::Duration liveness_interval = absl::Seconds(1);
};

// LISTENs on a dedicated PostgreSQL session (outside the pool) from its own thread, and
// reconnects with backoff after the session is lost. Callbacks run on that thread:
// `on_up` after each successful LISTEN (before any payload of that session), `on_down` as
// soon as a session is lost, `on_payload` for every notification.
class NotificationListener {
 public:
  NotificationListener(ListenerOptions options, std::function<void(const std::string&)> on_payload,
                       std::function<void()> on_up, std::function<void()> on_down);
  ~NotificationListener();

  // Starts the listening thread. Call once.
  void Start();

  // True while a LISTEN session is established.
  bool up() const { return up_.load(); }

  // The server process id of the current session, or 0.
  int backend_pid() const { return backend_pid_.load(); }

 private:
  void Run();
  bool SleepUnlessStopped(absl::Duration d);

  const ListenerOptions options_;
  std::function<void(const std::string&)> on_payload_;
  std::function<void()> on_up_;
  std::function<void()> on_down_;
  std::atomic<bool> up_{false};
  std::atomic<int> backend_pid_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  std::thread thread_;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_NOTIFICATION_LISTENER_H_
