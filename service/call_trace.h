#ifndef QUERYGATE_SERVICE_CALL_TRACE_H_
#define QUERYGATE_SERVICE_CALL_TRACE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace querygate::service {

// Where one call spent its time, for the slow-call log line: nanoseconds per step, summed
// over the step's repeats (a retried read waits for the pool twice), and the query or model
// name the call named. Filled from any thread of the call.
struct CallTrace {
  // The longest name kept; a longer one is cut.
  static constexpr size_t kMaxNameBytes = 128;

  std::atomic<int64_t> pool_wait_ns{0};
  std::atomic<int64_t> database_ns{0};
  std::atomic<int64_t> redis_ns{0};
  std::atomic<int64_t> encode_ns{0};

  // Records the query or model name (at most kMaxNameBytes of it).
  void SetName(absl::string_view name) {
    absl::MutexLock lock(&mu);
    absl::string_view kept = name.substr(0, kMaxNameBytes);
    this->name.assign(kept.data(), kept.size());
  }
  // Returns the name recorded, or "".
  std::string Name() const {
    absl::MutexLock lock(&mu);
    return name;
  }

  mutable absl::Mutex mu;
  std::string name ABSL_GUARDED_BY(mu);
};

// Adds the time from its construction to its destruction to one step of a trace; does
// nothing without a trace.
class StepTimer {
 public:
  StepTimer(CallTrace* trace, std::atomic<int64_t> CallTrace::*step)
      : step_(trace == nullptr ? nullptr : &(trace->*step)),
        start_(step_ == nullptr ? absl::InfinitePast() : absl::Now()) {}
  ~StepTimer() {
    if (step_ != nullptr) step_->fetch_add(absl::ToInt64Nanoseconds(absl::Now() - start_));
  }
  StepTimer(const StepTimer&) = delete;
  StepTimer& operator=(const StepTimer&) = delete;

 private:
  std::atomic<int64_t>* step_;
  absl::Time start_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CALL_TRACE_H_
