#ifndef QUERYGATE_BENCH_ASYNC_LOAD_H_
#define QUERYGATE_BENCH_ASYNC_LOAD_H_

#include <grpcpp/completion_queue.h>

#include <functional>
#include <memory>
#include <string>

#include "bench/load_loop.h"

namespace querygate::bench {

// One call slot of the asynchronous load generator: at most one call in flight, restarted as
// soon as it completes.
class AsyncCall {
 public:
  virtual ~AsyncCall() = default;

  // Starts the next call on `cq`, tagged with `this`. Returns false when the slot has no call
  // left to make (then nothing was started).
  virtual bool Start(grpc::CompletionQueue* cq) = 0;

  // Judges the call that completed (its tag came back from the queue). On kError or
  // kUnexpected, fills `detail`.
  virtual CallOutcome Finish(std::string* detail) = 0;
};

// Makes the call slot number `slot` of `slots` for thread `thread`.
using AsyncCallFactory = std::function<std::unique_ptr<AsyncCall>(int thread, int slot, int slots)>;

struct AsyncOptions {
  // Client threads, each with its own completion queue; the concurrency is spread over them
  // (never more threads than calls in flight).
  int threads = 2;
};

// Keeps `concurrency` calls in flight over the client threads for the warm-up and the measured
// window of `loop`, and returns the throughput and latency of the calls that completed in the
// window (the same figures as RunClosedLoop). A slot whose Start returns false stays idle.
LoopResult RunAsyncLoop(const LoopOptions& loop, const AsyncOptions& options,
                        const AsyncCallFactory& factory, int concurrency);

// Keeps `concurrency` calls in flight until every slot's Start returns false, measuring every
// call; the window is the whole run.
LoopResult RunAsyncToCompletion(const AsyncOptions& options, const AsyncCallFactory& factory,
                                int concurrency);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_ASYNC_LOAD_H_
