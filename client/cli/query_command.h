#ifndef QUERYGATE_CLIENT_CLI_QUERY_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_QUERY_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"

namespace querygate::cli {

// `querygate query NAME --param k=v ...`: parses each value by the parameter's declared type
// (from ListQueries), runs the query and prints the rows. `args` excludes the command word.
// Returns 0, 1 when the server fails the call (status on ctx.err), or 2 on bad usage.
int RunQueryCommand(const CliContext& ctx, const std::vector<std::string>& args);

// `querygate queries`: lists the registered queries. Exit status as above.
int RunQueriesCommand(const CliContext& ctx, const std::vector<std::string>& args);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_QUERY_COMMAND_H_
