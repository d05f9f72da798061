#include "tests/support/poll.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace querygate::testing {

bool PollUntil(absl::Time deadline, const std::function<bool()>& done) {
  absl::Duration pause = absl::Milliseconds(1);
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(std::min(pause, std::max(absl::ZeroDuration(), deadline - absl::Now())));
    pause = std::min(pause * 2, absl::Milliseconds(20));
  }
  return done();
}

}  // namespace querygate::testing
