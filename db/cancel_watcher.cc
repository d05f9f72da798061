#include "db/cancel_watcher.h"

#include <vector>

namespace querygate::db {

struct CancelWatcher::Handle::Entry {
  Session* session;
  std::function<bool()> cancelled;
  bool fired = false;
  bool cancelling = false;  // the watcher thread is calling session->Cancel() unlocked
};

CancelWatcher::CancelWatcher(absl::Duration interval) : interval_(interval) {
  thread_ = std::thread([this] { Loop(); });
}

CancelWatcher::~CancelWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

CancelWatcher::Handle CancelWatcher::Watch(Session* session, std::function<bool()> cancelled) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.push_front(new Handle::Entry{session, std::move(cancelled)});
  return Handle(this, entries_.begin());
}

CancelWatcher::Handle::Handle(Handle&& other) noexcept : watcher_(other.watcher_), it_(other.it_) {
  other.watcher_ = nullptr;
}

CancelWatcher::Handle::~Handle() {
  if (watcher_ == nullptr) return;
  std::unique_lock<std::mutex> lock(watcher_->mu_);
  watcher_->cancelled_cv_.wait(lock, [this] { return !(*it_)->cancelling; });
  delete *it_;
  watcher_->entries_.erase(it_);
}

void CancelWatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<Handle::Entry*> firing;
  while (!stopping_) {
    stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(interval_));
    firing.clear();
    for (Handle::Entry* entry : entries_) {
      if (!entry->fired && entry->cancelled()) {
        entry->fired = true;
        entry->cancelling = true;
        firing.push_back(entry);
      }
    }
    if (firing.empty()) continue;
    // PQcancel opens a connection to the server and may wait on it: never under the lock, or
    // every call that starts or ends a statement would wait too. The entry's handle waits for
    // `cancelling` to clear before the session can go away.
    lock.unlock();
    for (Handle::Entry* entry : firing) entry->session->Cancel();
    lock.lock();
    for (Handle::Entry* entry : firing) entry->cancelling = false;
    cancelled_cv_.notify_all();
  }
}

}  // namespace querygate::db
