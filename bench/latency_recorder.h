#ifndef QUERYGATE_BENCH_LATENCY_RECORDER_H_
#define QUERYGATE_BENCH_LATENCY_RECORDER_H_

#include <cstdint>
#include <vector>

namespace querygate::bench {

// Percentiles of a set of latencies, in milliseconds.
struct LatencySummary {
  int64_t count = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

// Keeps every latency sample of one worker thread. Not thread-safe: one recorder per thread,
// merged after the threads have joined.
class LatencyRecorder {
 public:
  // Records one call that took `nanos` nanoseconds.
  void Record(int64_t nanos) { samples_.push_back(nanos); }

  // Moves every sample of `other` into this recorder.
  void Merge(LatencyRecorder&& other);

  int64_t count() const { return static_cast<int64_t>(samples_.size()); }

  // Returns exact nearest-rank percentiles over all samples; all zero when there are none.
  // Reorders the samples.
  LatencySummary Summarize();

 private:
  std::vector<int64_t> samples_;
};

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_LATENCY_RECORDER_H_
