#ifndef QUERYGATE_CLIENT_CLI_STATS_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_STATS_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"

namespace querygate::cli {

// `querygate stats`; see its --help. `args` excludes the command word. Returns 0 on success,
// 1 on failure (message on ctx.err), 2 on bad usage.
int RunStatsCommand(const CliContext& ctx, const std::vector<std::string>& args);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_STATS_COMMAND_H_
