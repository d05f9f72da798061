#ifndef QUERYGATE_DB_SESSION_POOL_H_
#define QUERYGATE_DB_SESSION_POOL_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "db/connection_pool.h"

namespace querygate::db {

// ConnectionPool over Session connections. Connection states: connecting (a slot reserved
// while a new connection is made), idle (in `idle_`, most recently used last), active (leased
// out, or being pinged by the janitor), and broken (dropped; counted in figures). A janitor
// thread closes idle connections past idle_timeout (down to min_connections) or max_lifetime,
// pings long-idle ones, and refills to min_connections.
class SessionPool : public ConnectionPool {
 public:
  explicit SessionPool(PoolOptions options);
  ~SessionPool() override;

  // Opens min_connections sessions. Fails with the first connection error.
  absl::Status Start();

  absl::StatusOr<Lease> Acquire(absl::Time deadline) override;
  PoolFigures Figures() const override;

 protected:
  void Release(std::unique_ptr<Session> session, absl::Time created) override;

 private:
  struct IdleEntry {
    std::unique_ptr<Session> session;
    absl::Time created;
    absl::Time last_used;
    absl::Time last_checked;
  };

  absl::StatusOr<std::unique_ptr<Session>> Open();
  // Acquire without telling options_.acquire_observer.
  absl::StatusOr<Lease> AcquireUnobserved(absl::Time deadline);
  void JanitorLoop();
  void RunJanitorPass();
  int64_t TotalLocked() const { return static_cast<int64_t>(idle_.size()) + active_ + connecting_; }

  const PoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::condition_variable stop_cv_;
  std::deque<IdleEntry> idle_;
  int64_t active_ = 0;
  int64_t connecting_ = 0;
  int64_t waiting_ = 0;
  int64_t created_ = 0;
  int64_t broken_ = 0;
  bool stopping_ = false;
  std::thread janitor_;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_SESSION_POOL_H_
