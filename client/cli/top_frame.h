#ifndef QUERYGATE_CLIENT_CLI_TOP_FRAME_H_
#define QUERYGATE_CLIENT_CLI_TOP_FRAME_H_

// One screen of `querygate top`, rendered from the server's /status.json document.

#include <string>

#include "nlohmann/json.hpp"

namespace querygate::cli {

// Renders `status` (the /status.json document; missing fields show as "-") as lines of at
// most `width` characters: a header (version, uptime, backends, warm), the rates and
// percentiles, the feeds, and tables of the top named queries and models with up to
// `max_rows` rows each. Ends with a newline; contains no terminal control sequences.
std::string RenderTopFrame(const nlohmann::json& status, int width = 100, int max_rows = 10);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_TOP_FRAME_H_
