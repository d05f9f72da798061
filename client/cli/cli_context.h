#ifndef QUERYGATE_CLIENT_CLI_CLI_CONTEXT_H_
#define QUERYGATE_CLIENT_CLI_CLI_CONTEXT_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace querygate::cli {

// Settings resolved by main from flags, environment and config file, shared by subcommands.
struct CliContext {
  std::string schema_dir = "schemas";
  std::string migrations_dir;  // empty: <schema_dir>/migrations
  std::string database_url;
  std::string target;  // gRPC server address, for the service subcommands
  bool json_output = false;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;

  std::string MigrationsDir() const {
    return migrations_dir.empty() ? schema_dir + "/migrations" : migrations_dir;
  }
};

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_CLI_CONTEXT_H_
