#ifndef QUERYGATE_CLIENT_CLI_SCHEMA_PROTO_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_SCHEMA_PROTO_COMMAND_H_

#include <string>
#include <vector>

#include "client/cli/cli_context.h"
#include "schema/model.h"

namespace querygate::cli {

// Runs `schema proto [--out DIR] [--no-lock-update]`: writes querygate/models/v1/common.proto
// and models.proto under DIR (default: the current directory) from the schema and
// ctx.TypedLockPath(), and updates that lock unless --no-lock-update. `args` excludes
// "schema proto". Returns 0, 1 (schema or I/O error) or 2 (bad usage).
int RunSchemaProtoCommand(const CliContext& ctx, const std::vector<std::string>& args);

// Brings the typed lock at ctx.TypedLockPath() up to `schema` and says so on ctx.out when it
// changed. Returns false (after printing the error on ctx.err) when it cannot be updated.
bool UpdateTypedLock(const CliContext& ctx, const schema::Schema& schema);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_SCHEMA_PROTO_COMMAND_H_
