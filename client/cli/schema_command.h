#ifndef QUERYGATE_CLIENT_CLI_SCHEMA_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_SCHEMA_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"

namespace querygate::cli {

// Runs `schema validate` or `schema sql` over ctx.schema_dir; `args` excludes the word
// "schema". Returns the process exit code: 0 on success, 1 when the schema has errors, 2 on
// bad usage. Output goes to ctx.out, diagnostics to ctx.err.
int RunSchemaCommand(const CliContext& ctx, const std::vector<std::string>& args);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_SCHEMA_COMMAND_H_
