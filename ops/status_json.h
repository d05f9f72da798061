#ifndef QUERYGATE_OPS_STATUS_JSON_H_
#define QUERYGATE_OPS_STATUS_JSON_H_

// The /status.json document read by the status page and `querygate top`; its fields are
// listed in docs/operations.md ("Status page and querygate top").

#include <optional>
#include <string>

#include "ops/status_sample.h"

namespace querygate::ops {

// Returns the document for `current`: totals since start, and rates, hit ratios and
// percentiles over the window since `baseline` (since the server started when nullopt). The
// `top` busiest named queries and models (those read at least once) are listed, busiest
// first. Ratios and percentiles without data are null.
std::string StatusJson(const StatusSample& current, const std::optional<StatusSample>& baseline,
                       int top = 10);

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_STATUS_JSON_H_
