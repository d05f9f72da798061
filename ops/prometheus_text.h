#ifndef QUERYGATE_OPS_PROMETHEUS_TEXT_H_
#define QUERYGATE_OPS_PROMETHEUS_TEXT_H_

// Reads back the Prometheus text exposition format (version 0.0.4), so that the status page
// shows exactly the figures /metrics serves.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace querygate::ops {

struct PromSample {
  std::string name;  // with any _bucket/_sum/_count suffix
  std::map<std::string, std::string> labels;
  double value = 0;

  // The label's value, or "" when absent.
  std::string Label(const std::string& key) const;
};

// Parses every sample line of `text`; comments and blank lines are skipped, timestamps
// ignored. Fails with INVALID_ARGUMENT naming the line number of a malformed line.
absl::StatusOr<std::vector<PromSample>> ParsePrometheusText(absl::string_view text);

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_PROMETHEUS_TEXT_H_
