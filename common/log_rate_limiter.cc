#include "common/log_rate_limiter.h"

namespace querygate {

LogRateLimiter::Decision LogRateLimiter::Admit(absl::string_view key, absl::Time now) {
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() >= limit_.max_keys) {
      for (auto old = windows_.begin(); old != windows_.end();) {
        bool ended = now >= old->second.start + limit_.window;
        old = ended && old->second.suppressed == 0 ? windows_.erase(old) : std::next(old);
      }
    }
    if (windows_.size() >= limit_.max_keys) key = "*";
    it = windows_.try_emplace(std::string(key), Window{now}).first;
  }
  Window& window = it->second;
  Decision decision;
  if (now >= window.start + limit_.window) {
    decision.suppressed_before = window.suppressed;
    window = Window{now};
  }
  if (window.written < limit_.lines) {
    ++window.written;
    decision.write = true;
  } else {
    ++window.suppressed;
  }
  return decision;
}

std::vector<std::pair<std::string, int64_t>> LogRateLimiter::TakeEnded(absl::Time now) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now < it->second.start + limit_.window) {
      ++it;
      continue;
    }
    if (it->second.suppressed > 0) out.emplace_back(it->first, it->second.suppressed);
    it = windows_.erase(it);
  }
  return out;
}

}  // namespace querygate
