#ifndef QUERYGATE_OPS_STATUS_FROM_METRICS_H_
#define QUERYGATE_OPS_STATUS_FROM_METRICS_H_

// The status page's figures, read from the samples /metrics serves (see
// docs/operations.md, "Status page and querygate top", for which metric feeds which figure).

#include <vector>

#include "absl/time/time.h"
#include "ops/prometheus_text.h"
#include "ops/status_sample.h"

namespace querygate::ops {

// Builds the sample at `now` from parsed /metrics samples. Calls and latency leave out the
// grpc.* services (health checks, reflection); histograms are summed over their other labels.
// The database counts as healthy while the pool holds a connection (the /readyz test) unless
// a querygate_database_up gauge says otherwise. Figures absent from `samples` stay at their
// defaults (unknown health stays nullopt).
StatusSample StatusFromMetrics(const std::vector<PromSample>& samples, absl::Time now);

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_STATUS_FROM_METRICS_H_
