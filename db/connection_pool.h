#ifndef QUERYGATE_DB_CONNECTION_POOL_H_
#define QUERYGATE_DB_CONNECTION_POOL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/session.h"

namespace querygate::db {

// The seed's DatabaseConfig: SSL settings travel in the URL (sslmode, sslrootcert, ...).
struct PoolOptions {
  std::string url;
  int min_connections = 2;
  int max_connections = 16;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration idle_timeout = absl::Minutes(10);
  absl::Duration max_lifetime = absl::Hours(1);
  // Longest an Acquire waits for a free connection before RESOURCE_EXHAUSTED.
  absl::Duration acquire_timeout = absl::Seconds(2);
  // Idle connections unused for this long are pinged by the janitor before reuse.
  absl::Duration liveness_interval = absl::Seconds(30);
  absl::Duration janitor_interval = absl::Seconds(1);
  // Told how long each Acquire took and how it ended (OK, RESOURCE_EXHAUSTED, ...); runs on
  // the acquiring thread, outside the pool's lock. Optional.
  std::function<void(absl::Duration, absl::StatusCode)> acquire_observer;
};

// Point-in-time counts; created and broken are totals since start.
struct PoolFigures {
  int64_t active = 0;
  int64_t idle = 0;
  int64_t waiting = 0;
  int64_t connecting = 0;
  int64_t created = 0;
  int64_t broken = 0;
  int64_t max = 0;
};

class ConnectionPool;

// Exclusive use of one pooled session; gives it back (or drops it when broken) on
// destruction.
class Lease {
 public:
  Lease(ConnectionPool* pool, std::unique_ptr<Session> session, absl::Time created)
      : pool_(pool), session_(std::move(session)), created_(created) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  ~Lease();

  Session& operator*() const { return *session_; }
  Session* operator->() const { return session_.get(); }

 private:
  void Return();

  ConnectionPool* pool_ = nullptr;
  std::unique_ptr<Session> session_;
  absl::Time created_;
};

// A bounded set of PostgreSQL sessions shared by threads.
class ConnectionPool {
 public:
  virtual ~ConnectionPool() = default;

  // Returns a session for exclusive use. Fails with DEADLINE_EXCEEDED when `deadline` passes
  // first, RESOURCE_EXHAUSTED when no session frees up within the acquire timeout, or
  // UNAVAILABLE when a new connection cannot be made.
  virtual absl::StatusOr<Lease> Acquire(absl::Time deadline) = 0;

  // Returns the current counts.
  virtual PoolFigures Figures() const = 0;

 protected:
  friend class Lease;
  // Takes a session back from a lease; drops it when it is no longer healthy.
  virtual void Release(std::unique_ptr<Session> session, absl::Time created) = 0;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_CONNECTION_POOL_H_
