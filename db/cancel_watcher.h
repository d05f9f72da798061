#ifndef QUERYGATE_DB_CANCEL_WATCHER_H_
#define QUERYGATE_DB_CANCEL_WATCHER_H_

#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "db/session.h"

namespace querygate::db {

// Cancels the running statement of a session once its caller has gone away. A thread polls
// the registered predicates every `interval` and cancels outside its lock, so a slow
// cancellation never holds up Watch() or another handle's release.
class CancelWatcher {
 public:
  explicit CancelWatcher(absl::Duration interval = absl::Milliseconds(10));
  ~CancelWatcher();

  // Watches `session` until the returned handle is destroyed; `cancelled` is called from the
  // watcher thread and must be cheap and thread-safe.
  class Handle {
   public:
    Handle() = default;
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&&) = delete;
    ~Handle();

   private:
    friend class CancelWatcher;
    struct Entry;
    Handle(CancelWatcher* watcher, std::list<Entry*>::iterator it) : watcher_(watcher), it_(it) {}
    CancelWatcher* watcher_ = nullptr;
    std::list<Entry*>::iterator it_;
  };

  Handle Watch(Session* session, std::function<bool()> cancelled);

 private:
  void Loop();

  const absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  // Signalled when the watcher thread has finished cancelling a batch of sessions.
  std::condition_variable cancelled_cv_;
  std::list<Handle::Entry*> entries_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_CANCEL_WATCHER_H_
