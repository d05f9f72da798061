#ifndef QUERYGATE_CLIENT_CLI_INSIGHTS_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_INSIGHTS_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"
#include "client/insights_types.h"
#include "nlohmann/json.hpp"

namespace querygate::cli {

// `querygate insights`; see its --help. `args` excludes the command word. Returns 0 on success,
// 1 on failure (message on ctx.err), 2 on bad usage.
int RunInsightsCommand(const CliContext& ctx, const std::vector<std::string>& args);

// `querygate advise`; see its --help. Returns like RunInsightsCommand.
int RunAdviseCommand(const CliContext& ctx, const std::vector<std::string>& args);

// The JSON form of `advise --json`, which `migrate new --from-advice` reads.
nlohmann::json AdviceJson(const client::IndexAdvice& advice);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_INSIGHTS_COMMAND_H_
