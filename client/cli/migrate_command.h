#ifndef QUERYGATE_CLIENT_CLI_MIGRATE_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_MIGRATE_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"

namespace querygate::cli {

// Runs `querygate migrate <up|down|status|plan|new> ...`. Returns the process exit code:
// 0 on success, 1 on failure (message on ctx.err), 2 on bad usage, 3 when a plan or new
// migration was refused as destructive.
int RunMigrateCommand(const CliContext& ctx, const std::vector<std::string>& args);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_MIGRATE_COMMAND_H_
