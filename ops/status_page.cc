#include "ops/status_page.h"

#include <string>

#include "ops/prometheus_text.h"
#include "ops/status_from_metrics.h"
#include "ops/status_json.h"
#include "ops/status_page_html.h"

namespace querygate::ops {

void StatusPage::Register(HttpListener& listener) {
  listener.Handle("/", [this](const HttpRequest&) { return Page(); });
  listener.Handle("/status.json", [this](const HttpRequest&) { return Status(); });
}

HttpResponse StatusPage::Page() const {
  return {200, "text/html; charset=utf-8", std::string(StatusPageHtml())};
}

HttpResponse StatusPage::Status() {
  absl::Time now = absl::Now();
  absl::StatusOr<std::vector<PromSample>> samples = ParsePrometheusText(metrics_->Render());
  if (!samples.ok()) {
    return {500, "text/plain; charset=utf-8", std::string(samples.status().message()) + "\n"};
  }
  StatusSample current = StatusFromMetrics(*samples, now);
  std::optional<StatusSample> baseline = window_.Baseline(current);
  return {200, "application/json", StatusJson(current, baseline)};
}

}  // namespace querygate::ops
