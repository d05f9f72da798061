#ifndef QUERYGATE_RPC_BLOCKING_EXECUTOR_H_
#define QUERYGATE_RPC_BLOCKING_EXECUTOR_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace querygate::rpc {

// A fixed set of threads for work that blocks on the database, so that gRPC's callback
// threads never wait on PostgreSQL. The queue is bounded: when it is full, Submit refuses.
class BlockingExecutor {
 public:
  BlockingExecutor(int threads, int max_queued);
  // Runs every task already queued, then joins the threads.
  ~BlockingExecutor();

  // Queues `task`; returns false (and drops it) when max_queued tasks are already waiting.
  bool Submit(std::function<void()> task);

 private:
  void Work();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_BLOCKING_EXECUTOR_H_
