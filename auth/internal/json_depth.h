#ifndef QUERYGATE_AUTH_INTERNAL_JSON_DEPTH_H_
#define QUERYGATE_AUTH_INTERNAL_JSON_DEPTH_H_

#include "absl/strings/string_view.h"

namespace querygate::auth::internal {

// True when no array or object in JSON `text` is nested deeper than `max_depth` (the top-level
// value is depth 1). Brackets inside strings do not count. False also for a closing bracket
// without its opener; other syntax is left to the parser.
bool JsonDepthAtMost(absl::string_view text, int max_depth);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_JSON_DEPTH_H_
