#ifndef QUERYGATE_OPS_STATUS_PAGE_HTML_H_
#define QUERYGATE_OPS_STATUS_PAGE_HTML_H_

#include <string_view>

namespace querygate::ops {

// The status page (ops/status_page.html, embedded at build time): one self-contained HTML
// document that polls status.json every second.
std::string_view StatusPageHtml();

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_STATUS_PAGE_HTML_H_
