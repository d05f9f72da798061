#ifndef QUERYGATE_CLIENT_CLI_CRUD_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_CRUD_COMMAND_H_

// The repository subcommands: get, list, create, update and delete rows of a model.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/cli/cli_context.h"
#include "client/types.h"

namespace querygate::cli {

// Each takes the arguments after its command word and returns 0 on success, 1 when the call
// fails (error: CODE: message on ctx.err; for delete also when no row was deleted), or 2 on
// bad usage.
int RunGetCommand(const CliContext& ctx, const std::vector<std::string>& args);
int RunListCommand(const CliContext& ctx, const std::vector<std::string>& args);
int RunCreateCommand(const CliContext& ctx, const std::vector<std::string>& args);
int RunUpdateCommand(const CliContext& ctx, const std::vector<std::string>& args);
int RunDeleteCommand(const CliContext& ctx, const std::vector<std::string>& args);

// Parses a --where filter "FIELD OP VALUE" (no spaces needed), OP one of
//   =  != < <= > >=   compare; "=null" is IS NULL, "!=null" IS NOT NULL, a JSON array after
//                     = or != is IN or NOT IN
//   ~  ~~             LIKE, ILIKE (the value is the pattern as written)
//   @@                full-text MATCH
// The value is read as by ParseLooseValue. Fails with INVALID_ARGUMENT.
absl::StatusOr<client::Filter> ParseWhere(const std::string& text);

// Parses "--order" text: comma-separated fields, each "-field" or "field:desc" for
// descending. Fails with INVALID_ARGUMENT for an empty field.
absl::StatusOr<std::vector<client::Order>> ParseOrder(const std::string& text);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_CRUD_COMMAND_H_
