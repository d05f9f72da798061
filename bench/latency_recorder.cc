#include "bench/latency_recorder.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace querygate::bench {
namespace {

constexpr double kNanosPerMilli = 1e6;

// Nearest-rank percentile `p` (0..100) of `samples`, partially sorting them.
int64_t Percentile(std::vector<int64_t>& samples, double p) {
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  size_t index = rank == 0 ? 0 : std::min(rank - 1, samples.size() - 1);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index),
                   samples.end());
  return samples[index];
}

}  // namespace

void LatencyRecorder::Merge(LatencyRecorder&& other) {
  samples_.insert(samples_.end(), std::make_move_iterator(other.samples_.begin()),
                  std::make_move_iterator(other.samples_.end()));
  other.samples_.clear();
}

LatencySummary LatencyRecorder::Summarize() {
  LatencySummary summary;
  if (samples_.empty()) return summary;
  summary.count = count();
  double total = 0;
  int64_t max = 0;
  for (int64_t s : samples_) {
    total += static_cast<double>(s);
    max = std::max(max, s);
  }
  summary.mean_ms = total / static_cast<double>(samples_.size()) / kNanosPerMilli;
  summary.max_ms = static_cast<double>(max) / kNanosPerMilli;
  summary.p50_ms = static_cast<double>(Percentile(samples_, 50)) / kNanosPerMilli;
  summary.p90_ms = static_cast<double>(Percentile(samples_, 90)) / kNanosPerMilli;
  summary.p99_ms = static_cast<double>(Percentile(samples_, 99)) / kNanosPerMilli;
  summary.p999_ms = static_cast<double>(Percentile(samples_, 99.9)) / kNanosPerMilli;
  return summary;
}

}  // namespace querygate::bench
