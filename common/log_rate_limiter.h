#ifndef QUERYGATE_COMMON_LOG_RATE_LIMITER_H_
#define QUERYGATE_COMMON_LOG_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace querygate {

// How many lines of one key a window lets through, and how many keys are tracked.
struct LogRateLimit {
  int lines = 5;
  absl::Duration window = absl::Seconds(10);
  // Keys tracked at once; lines of further keys share the key "*" while the table is full.
  size_t max_keys = 1024;
};

// Counts lines per key in fixed windows that start at a key's first line: the first `lines`
// of a window are written, the rest only counted. Not thread-safe; times come from the
// caller, so tests need no clock.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(LogRateLimit limit = {}) : limit_(limit) {}

  // The verdict on one line.
  struct Decision {
    bool write = false;
    // Lines of this key suppressed in its previous window, not reported yet: the caller
    // writes a summary of them (before this line).
    int64_t suppressed_before = 0;
  };

  // Counts a line of `key` at `now`.
  Decision Admit(absl::string_view key, absl::Time now);

  // Returns (key, count) for each window ended by `now` that suppressed lines, once, and
  // forgets every ended window.
  std::vector<std::pair<std::string, int64_t>> TakeEnded(absl::Time now);

  // Keys tracked now (tests).
  size_t tracked() const { return windows_.size(); }

 private:
  struct Window {
    absl::Time start;
    int64_t written = 0;
    int64_t suppressed = 0;
  };

  LogRateLimit limit_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace querygate

#endif  // QUERYGATE_COMMON_LOG_RATE_LIMITER_H_
