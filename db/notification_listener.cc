#include "db/notification_listener.h"

#include <sys/socket.h>

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "db/connection_url.h"

namespace querygate::db {
namespace {

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& connection, const std::string& channel,
           const std::function<void(const std::string&)>& on_payload)
      : pqxx::notification_receiver(connection, channel), on_payload_(on_payload) {}

  void operator()(const std::string& payload, int) override { on_payload_(payload); }

 private:
  const std::function<void(const std::string&)>& on_payload_;
};

}  // namespace

NotificationListener::NotificationListener(ListenerOptions options,
                                           std::function<void(const std::string&)> on_payload,
                                           std::function<void()> on_up,
                                           std::function<void()> on_down)
    : options_(std::move(options)),
      on_payload_(std::move(on_payload)),
      on_up_(std::move(on_up)),
      on_down_(std::move(on_down)) {}

NotificationListener::~NotificationListener() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
  }
  stop_cv_.notify_all();
  // A listener blocked on a silent session is freed by the watchdog within feed_timeout.
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
}

void NotificationListener::Start() {
  watchdog_ = std::thread([this] { Watch(); });
  thread_ = std::thread([this] { Run(); });
}

bool NotificationListener::SleepUnlessStopped(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(d), [this] { return stopping_.load(); });
  return !stopping_.load();
}

void NotificationListener::BeginSession(int sock) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    sock_ = sock;
    ++session_;
    heard_ = absl::Now();
  }
  stop_cv_.notify_all();
}

void NotificationListener::Heard() {
  std::lock_guard<std::mutex> lock(mu_);
  heard_ = absl::Now();
}

void NotificationListener::EndSession() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    sock_ = -1;
  }
  stop_cv_.notify_all();
}

void NotificationListener::MarkDown() {
  std::lock_guard<std::mutex> lock(callback_mu_);
  if (up_.exchange(false)) on_down_();
}

void NotificationListener::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!(stopping_.load() && sock_ < 0)) {
    if (sock_ < 0) {
      stop_cv_.wait(lock);
      continue;
    }
    absl::Time deadline = heard_ + options_.feed_timeout;
    absl::Time now = absl::Now();
    if (now < deadline) {
      stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(deadline - now));
      continue;
    }
    int sock = sock_;
    int64_t session = session_;
    lock.unlock();
    {
      // Under callback_mu_ so that this session's on_down cannot follow the next one's on_up.
      std::lock_guard<std::mutex> callbacks(callback_mu_);
      bool same = false;
      {
        std::lock_guard<std::mutex> state(mu_);
        same = sock_ == sock && session_ == session;
        if (same) {
          // Unblocks the listener's thread: its next read or write fails, so it reconnects.
          ::shutdown(sock, SHUT_RDWR);
          sock_ = -1;
        }
      }
      if (same) {
        timeouts_.fetch_add(1);
        if (up_.exchange(false)) on_down_();
      }
    }
    lock.lock();
  }
}

void NotificationListener::Run() {
  int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout));
  std::string conninfo = WithDefaultParam(options_.url, "connect_timeout", absl::StrCat(seconds));
  conninfo = WithDefaultParam(conninfo, "application_name", "querygate-listener");
  // The kernel gives up on a peer that stops acknowledging or answering keepalives about as
  // soon as the watchdog gives up on the session.
  int64_t timeout_ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(options_.feed_timeout));
  int64_t idle_s = std::max<int64_t>(1, timeout_ms / 2000);
  int64_t count = std::max<int64_t>(1, (timeout_ms / 1000 - idle_s));
  conninfo = WithDefaultParam(conninfo, "keepalives", "1");
  conninfo = WithDefaultParam(conninfo, "keepalives_idle", absl::StrCat(idle_s));
  conninfo = WithDefaultParam(conninfo, "keepalives_interval", "1");
  conninfo = WithDefaultParam(conninfo, "keepalives_count", absl::StrCat(count));
  conninfo = WithDefaultParam(conninfo, "tcp_user_timeout", absl::StrCat(timeout_ms));
  absl::Duration probe_every = std::min(options_.liveness_interval, options_.feed_timeout / 3);
  absl::Duration backoff = options_.min_backoff;
  while (!stopping_.load()) {
    try {
      pqxx::connection connection(conninfo);
      // Destroyed after the receiver (whose UNLISTEN may block too) and before the connection.
      struct Watched {
        NotificationListener* self;
        ~Watched() { self->EndSession(); }
      } watched{this};
      BeginSession(connection.sock());
      Receiver receiver(connection, options_.channel, on_payload_);
      connection.get_notifs();
      Heard();
      backend_pid_.store(connection.backendpid());
      {
        std::lock_guard<std::mutex> lock(callback_mu_);
        up_.store(true);
        on_up_();
      }
      backoff = options_.min_backoff;
      absl::Time last_probe = absl::Now();
      while (!stopping_.load()) {
        if (connection.await_notification(0, 100000) > 0) Heard();
        if (absl::Now() - last_probe >= probe_every) {
          pqxx::nontransaction probe(connection);
          probe.exec("SELECT 1");
          last_probe = absl::Now();
          Heard();
        }
      }
    } catch (...) {
    }
    backend_pid_.store(0);
    MarkDown();
    if (!SleepUnlessStopped(backoff)) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace querygate::db
