#ifndef QUERYGATE_CLIENT_CLI_INVALIDATE_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_INVALIDATE_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"

namespace querygate::cli {

// `querygate invalidate --table T --query Q --tag G`: asks the server to invalidate. Returns
// 0, 1 when the call fails (status on ctx.err), or 2 on bad usage.
int RunInvalidateCommand(const CliContext& ctx, const std::vector<std::string>& args);

// `querygate publish --table T ...`: publishes an invalidation event on the Redis channel
// every querygate server subscribes to, without going through a server. Exit status as above
// (1 when Redis cannot be reached).
int RunPublishCommand(const CliContext& ctx, const std::vector<std::string>& args);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_INVALIDATE_COMMAND_H_
