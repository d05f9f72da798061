#include "ops/status_window.h"

#include <algorithm>
#include <numeric>

namespace querygate::ops {

uint64_t BucketCounts::Total() const {
  return std::accumulate(counts.begin(), counts.end(), uint64_t{0});
}

BucketCounts SubtractBuckets(const BucketCounts& current, const BucketCounts& earlier) {
  if (current.bounds != earlier.bounds || current.counts.size() != earlier.counts.size()) {
    return current;
  }
  BucketCounts delta = current;
  for (size_t i = 0; i < delta.counts.size(); ++i) {
    if (current.counts[i] < earlier.counts[i]) return current;
    delta.counts[i] = current.counts[i] - earlier.counts[i];
  }
  delta.sum = current.sum - earlier.sum;
  return delta;
}

std::optional<double> BucketQuantile(const BucketCounts& counts, double q) {
  uint64_t total = counts.Total();
  if (total == 0 || counts.bounds.empty() || counts.counts.size() != counts.bounds.size() + 1) {
    return std::nullopt;
  }
  q = std::clamp(q, 0.0, 1.0);
  double rank = q * static_cast<double>(total);
  uint64_t below = 0;
  for (size_t i = 0; i < counts.bounds.size(); ++i) {
    uint64_t in_bucket = counts.counts[i];
    if (in_bucket > 0 && static_cast<double>(below + in_bucket) >= rank) {
      double lower = i == 0 ? 0.0 : counts.bounds[i - 1];
      double upper = counts.bounds[i];
      double fraction = (rank - static_cast<double>(below)) / static_cast<double>(in_bucket);
      return lower + (upper - lower) * std::clamp(fraction, 0.0, 1.0);
    }
    below += in_bucket;
  }
  return counts.bounds.back();
}

StatusWindow::StatusWindow(absl::Duration min_window, absl::Duration keep)
    : min_window_(min_window), keep_(keep) {}

std::optional<StatusSample> StatusWindow::Baseline(const StatusSample& sample) {
  absl::MutexLock lock(&mu_);
  while (!samples_.empty() && samples_.front().at < sample.at - keep_) samples_.pop_front();
  std::optional<StatusSample> baseline;
  for (auto it = samples_.rbegin(); it != samples_.rend(); ++it) {
    if (it->at <= sample.at - min_window_) {
      baseline = *it;
      break;
    }
  }
  if (!baseline.has_value() && !samples_.empty() && samples_.front().at < sample.at) {
    baseline = samples_.front();
  }
  // A sample within min_window of the newest adds nothing a later window could need.
  if (samples_.empty() || sample.at - samples_.back().at >= min_window_ / 2) {
    samples_.push_back(sample);
  }
  return baseline;
}

}  // namespace querygate::ops
