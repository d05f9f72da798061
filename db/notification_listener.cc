#include "db/notification_listener.h"

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
  stopping_.store(true);
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NotificationListener::Start() {
  thread_ = std::thread([this] { Run(); });
}

bool NotificationListener::SleepUnlessStopped(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(d), [this] { return stopping_.load(); });
  return !stopping_.load();
}

void NotificationListener::Run() {
  int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout));
  std::string conninfo = WithDefaultParam(options_.url, "connect_timeout", absl::StrCat(seconds));
  conninfo = WithDefaultParam(conninfo, "application_name", "querygate-listener");
  absl::Duration backoff = options_.min_backoff;
  while (!stopping_.load()) {
    try {
      pqxx::connection connection(conninfo);
      Receiver receiver(connection, options_.channel, on_payload_);
      connection.get_notifs();
      backend_pid_.store(connection.backendpid());
      up_.store(true);
      on_up_();
      backoff = options_.min_backoff;
      absl::Time last_probe = absl::Now();
      while (!stopping_.load()) {
        connection.await_notification(0, 100000);
        if (absl::Now() - last_probe >= options_.liveness_interval) {
          pqxx::nontransaction probe(connection);
          probe.exec("SELECT 1");
          last_probe = absl::Now();
        }
      }
    } catch (...) {
    }
    backend_pid_.store(0);
    if (up_.exchange(false)) on_down_();
    if (!SleepUnlessStopped(backoff)) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace querygate::db
