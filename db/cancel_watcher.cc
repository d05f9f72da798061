#include "db/cancel_watcher.h"

namespace querygate::db {

struct CancelWatcher::Handle::Entry {
  Session* session;
  std::function<bool()> cancelled;
  bool fired = false;
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
  std::lock_guard<std::mutex> lock(watcher_->mu_);
  delete *it_;
  watcher_->entries_.erase(it_);
}

void CancelWatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(interval_));
    for (Handle::Entry* entry : entries_) {
      if (!entry->fired && entry->cancelled()) {
        entry->fired = true;
        entry->session->Cancel();
      }
    }
  }
}

}  // namespace querygate::db
