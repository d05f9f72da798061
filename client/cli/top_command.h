#ifndef QUERYGATE_CLIENT_CLI_TOP_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_TOP_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"

namespace querygate::cli {

// `querygate top`; see its --help. `args` excludes the command word. With --once returns 0 on
// success and 1 when the status cannot be read; otherwise redraws until the process is
// interrupted. Returns 2 on bad usage.
int RunTopCommand(const CliContext& ctx, const std::vector<std::string>& args);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_TOP_COMMAND_H_
