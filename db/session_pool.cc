#include "db/session_pool.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace querygate::db {

SessionPool::SessionPool(PoolOptions options) : options_(std::move(options)) {}

SessionPool::~SessionPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  freed_.notify_all();
  if (janitor_.joinable()) janitor_.join();
}

absl::Status SessionPool::Start() {
  for (int i = 0; i < options_.min_connections; ++i) {
    auto session = Open();
    if (!session.ok()) return session.status();
    std::lock_guard<std::mutex> lock(mu_);
    absl::Time now = absl::Now();
    idle_.push_back({*std::move(session), now, now, now});
  }
  janitor_ = std::thread([this] { JanitorLoop(); });
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Session>> SessionPool::Open() {
  auto session = Session::Connect(options_.url, options_.connect_timeout);
  if (!session.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++broken_;
    return session.status();
  }
  absl::Status setup = (*session)->Execute("SET TIME ZONE 'UTC'");
  if (!setup.ok()) return setup;
  std::lock_guard<std::mutex> lock(mu_);
  ++created_;
  return session;
}

absl::StatusOr<Lease> SessionPool::Acquire(absl::Time deadline) {
  if (!options_.acquire_observer) return AcquireUnobserved(deadline);
  const absl::Time start = absl::Now();
  absl::StatusOr<Lease> lease = AcquireUnobserved(deadline);
  options_.acquire_observer(absl::Now() - start, lease.status().code());
  return lease;
}

absl::StatusOr<Lease> SessionPool::AcquireUnobserved(absl::Time deadline) {
  absl::Time give_up = std::min(deadline, absl::Now() + options_.acquire_timeout);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (stopping_) return absl::UnavailableError("the connection pool is shutting down");
    while (!idle_.empty()) {
      IdleEntry entry = std::move(idle_.back());
      idle_.pop_back();
      if (absl::Now() - entry.created < options_.max_lifetime) {
        ++active_;
        return Lease(this, std::move(entry.session), entry.created);
      }
      lock.unlock();
      entry.session.reset();
      lock.lock();
    }
    if (TotalLocked() < options_.max_connections) {
      ++connecting_;
      lock.unlock();
      auto session = Open();
      lock.lock();
      --connecting_;
      if (!session.ok()) {
        freed_.notify_one();
        return absl::UnavailableError(
            absl::StrCat("cannot open a database connection: ", session.status().message()));
      }
      ++active_;
      return Lease(this, *std::move(session), absl::Now());
    }
    absl::Time now = absl::Now();
    if (now >= give_up) {
      if (now >= deadline) {
        return absl::DeadlineExceededError(
            "deadline passed while waiting for a database connection");
      }
      return absl::ResourceExhaustedError(
          absl::StrCat("no database connection became free within ",
                       absl::FormatDuration(options_.acquire_timeout), " (pool max ",
                       options_.max_connections, ")"));
    }
    ++waiting_;
    freed_.wait_for(lock, absl::ToChronoNanoseconds(give_up - now));
    --waiting_;
  }
}

void SessionPool::Release(std::unique_ptr<Session> session, absl::Time created) {
  std::unique_lock<std::mutex> lock(mu_);
  --active_;
  if (!session->healthy() || stopping_) {
    if (!session->healthy()) ++broken_;
    lock.unlock();
    session.reset();
    freed_.notify_one();
    return;
  }
  absl::Time now = absl::Now();
  idle_.push_back({std::move(session), created, now, now});
  lock.unlock();
  freed_.notify_one();
}

PoolFigures SessionPool::Figures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {active_,
          static_cast<int64_t>(idle_.size()),
          waiting_,
          connecting_,
          created_,
          broken_,
          options_.max_connections};
}

void SessionPool::JanitorLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.janitor_interval));
    if (stopping_) break;
    lock.unlock();
    RunJanitorPass();
    lock.lock();
  }
}

void SessionPool::RunJanitorPass() {
  std::vector<IdleEntry> expired, to_check;
  absl::Time now = absl::Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<IdleEntry> keep;
    for (IdleEntry& entry : idle_) {
      bool too_old = now - entry.created >= options_.max_lifetime;
      bool idle_long =
          now - entry.last_used >= options_.idle_timeout &&
          TotalLocked() - static_cast<int64_t>(expired.size()) > options_.min_connections;
      if (too_old || idle_long) {
        expired.push_back(std::move(entry));
      } else if (now - entry.last_checked >= options_.liveness_interval) {
        to_check.push_back(std::move(entry));
        ++active_;
      } else {
        keep.push_back(std::move(entry));
      }
    }
    idle_ = std::move(keep);
  }
  expired.clear();
  for (IdleEntry& entry : to_check) {
    bool alive = entry.session->Query("SELECT 1").ok();
    std::lock_guard<std::mutex> lock(mu_);
    --active_;
    if (alive) {
      entry.last_checked = absl::Now();
      idle_.push_front(std::move(entry));
    } else {
      ++broken_;
    }
  }
  to_check.clear();
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || TotalLocked() >= options_.min_connections) break;
      ++connecting_;
    }
    auto session = Open();
    std::lock_guard<std::mutex> lock(mu_);
    --connecting_;
    if (!session.ok()) break;
    absl::Time opened = absl::Now();
    idle_.push_front({*std::move(session), opened, opened, opened});
  }
  freed_.notify_all();
}

}  // namespace querygate::db
