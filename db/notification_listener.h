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
  // How often an idle session is probed, so that a silently dead one is noticed (at most a
  // third of feed_timeout).
  absl::Duration liveness_interval = absl::Seconds(1);
  // How long the session may go without proving itself alive (a probe answered, a
  // notification received) before it counts as lost: on_down runs and the session is replaced.
  // Also sets the session's TCP keepalives and tcp_user_timeout, unless the URL sets them.
  absl::Duration feed_timeout = absl::Seconds(5);
};

// LISTENs on a dedicated PostgreSQL session (outside the pool) from its own thread, and
// reconnects with backoff after the session is lost. A watchdog thread declares the session
// lost when it has not answered for feed_timeout (a silent partition: the TCP connection
// stays open, nothing flows) and shuts its socket down. `on_up` runs after each successful
// LISTEN (before any payload of that session), `on_down` as soon as a session is lost (on the
// watchdog's thread after a timeout), `on_payload` for every notification; `on_up` and
// `on_down` never run concurrently and alternate.
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

  // Sessions declared lost because they did not answer within feed_timeout.
  int64_t timeouts() const { return timeouts_.load(); }

 private:
  void Run();
  void Watch();
  bool SleepUnlessStopped(absl::Duration d);
  // Starts watching the session on socket `sock`; returns its number.
  void BeginSession(int sock);
  // Records that the current session answered.
  void Heard();
  // Stops watching the current session (before its socket is closed).
  void EndSession();
  // Runs on_down once per lost session, serialized with on_up.
  void MarkDown();

  const ListenerOptions options_;
  std::function<void(const std::string&)> on_payload_;
  std::function<void()> on_up_;
  std::function<void()> on_down_;
  std::atomic<bool> up_{false};
  std::atomic<int> backend_pid_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> timeouts_{0};
  // Serializes on_up and on_down (and the up_ transitions that decide them).
  std::mutex callback_mu_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  // The watched session, guarded by mu_: its socket (-1: none), its number, when it last
  // answered.
  int sock_ = -1;
  int64_t session_ = 0;
  absl::Time heard_;
  std::thread thread_;
  std::thread watchdog_;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_NOTIFICATION_LISTENER_H_
