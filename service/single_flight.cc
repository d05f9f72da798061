#include "service/single_flight.h"

namespace querygate::service {

absl::StatusOr<SharedResult> SingleFlight::Do(
    const std::string& key, absl::Time deadline,
    const std::function<absl::StatusOr<SharedResult>()>& load, bool* leader) {
  std::shared_ptr<Call> call;
  bool is_leader = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_.find(key);
    if (it == calls_.end()) {
      call = std::make_shared<Call>();
      calls_.emplace(key, call);
      is_leader = true;
    } else {
      call = it->second;
    }
  }
  if (leader != nullptr) *leader = is_leader;
  if (is_leader) {
    absl::StatusOr<SharedResult> outcome = load();
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.erase(key);
    }
    {
      std::lock_guard<std::mutex> lock(call->mu);
      call->outcome = outcome;
      call->done = true;
    }
    call->done_cv.notify_all();
    return outcome;
  }
  std::unique_lock<std::mutex> lock(call->mu);
  if (deadline == absl::InfiniteFuture()) {
    call->done_cv.wait(lock, [&] { return call->done; });
  } else if (!call->done_cv.wait_for(lock, absl::ToChronoNanoseconds(deadline - absl::Now()),
                                     [&] { return call->done; })) {
    return absl::DeadlineExceededError("deadline passed while waiting for a concurrent load");
  }
  return call->outcome;
}

}  // namespace querygate::service
