#ifndef QUERYGATE_SERVICE_REFRESHER_H_
#define QUERYGATE_SERVICE_REFRESHER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace querygate::service {

// Runs background revalidations (stale-while-revalidate) on a few threads of its own: at
// most one job per key at a time, at most `queue_limit` waiting; what does not fit is
// dropped (the next stale read asks again).
class Refresher {
 public:
  Refresher(int threads, size_t queue_limit);
  ~Refresher();

  // Queues `job` under `key`. Returns false when a job for `key` is queued or running, or the
  // queue is full.
  bool Submit(const std::string& key, std::function<void()> job);

  // Jobs queued or running.
  size_t Pending() const;

 private:
  void Run();

  const size_t queue_limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::deque<std::pair<std::string, std::function<void()>>> queue_;
  std::set<std::string> keys_;  // queued or running
  std::vector<std::thread> threads_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REFRESHER_H_
