#ifndef QUERYGATE_OPS_STATUS_PAGE_H_
#define QUERYGATE_OPS_STATUS_PAGE_H_

#include "ops/http_listener.h"
#include "ops/metrics.h"
#include "ops/status_window.h"

namespace querygate::ops {

// The operator's live view on the metrics listener: GET / serves the embedded status page and
// GET /status.json the figures it draws, read from the same text /metrics serves.
class StatusPage {
 public:
  // `metrics` must outlive this page.
  explicit StatusPage(const Metrics* metrics) : metrics_(metrics) {}

  // Routes "/" and "/status.json" of `listener` here. This page must outlive the listener's
  // serving (stop the listener first).
  void Register(HttpListener& listener);

  // The page: 200 with the HTML document.
  HttpResponse Page() const;

  // The figures now, with rates and percentiles since the previous request (about a second
  // for a page polling every second; since start for the first): 200 with JSON, or 500 when
  // the metrics text cannot be read back.
  HttpResponse Status();

 private:
  const Metrics* metrics_;
  StatusWindow window_;
};

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_STATUS_PAGE_H_
