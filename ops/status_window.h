#ifndef QUERYGATE_OPS_STATUS_WINDOW_H_
#define QUERYGATE_OPS_STATUS_WINDOW_H_

// Figures over a window between two StatusSamples: histogram deltas and their quantiles, and
// the choice of the earlier sample.

#include <deque>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ops/status_sample.h"

namespace querygate::ops {

// `current` minus `earlier`, bucket by bucket. When the bounds differ, or a count went down
// (a reset), returns `current` unchanged.
BucketCounts SubtractBuckets(const BucketCounts& current, const BucketCounts& earlier);

// The q-quantile (0 <= q <= 1) of the observations in `counts`, interpolated linearly inside
// the bucket that holds it, the way Prometheus's histogram_quantile does: the first bucket
// starts at 0, and a rank in the overflow bucket answers the highest bound. nullopt when
// `counts` holds no observation or has no bounds.
std::optional<double> BucketQuantile(const BucketCounts& counts, double q);

// Keeps the recent samples so that each /status.json answer covers about the time since the
// one before it, however many viewers poll. Thread-safe.
class StatusWindow {
 public:
  // Windows are at least `min_window` long when samples allow; samples older than `keep` are
  // dropped.
  explicit StatusWindow(absl::Duration min_window = absl::Milliseconds(500),
                        absl::Duration keep = absl::Seconds(30));

  // Records `sample` and returns the sample to compare it with: the newest kept one at least
  // min_window older, else the oldest kept one older than it; nullopt when there is none (the
  // window then starts when the server did).
  std::optional<StatusSample> Baseline(const StatusSample& sample);

 private:
  const absl::Duration min_window_;
  const absl::Duration keep_;
  absl::Mutex mu_;
  std::deque<StatusSample> samples_ ABSL_GUARDED_BY(mu_);  // oldest first
};

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_STATUS_WINDOW_H_
