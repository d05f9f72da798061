#ifndef QUERYGATE_CLIENT_CLI_SERVICE_COMMAND_H_
#define QUERYGATE_CLIENT_CLI_SERVICE_COMMAND_H_

// What the subcommands that talk to a querygate server share: argument parsing, the client
// and call options from the CliContext, and exit statuses.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "client/cli/cli_context.h"
#include "client/client.h"

namespace querygate::cli {

// Exit statuses of every service subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the server or the operation failed
inline constexpr int kExitUsage = 2;    // bad arguments

struct OptionSpec {
  OptionSpec(std::string name, bool takes_value = true, std::string alias = "")
      : name(std::move(name)), takes_value(takes_value), alias(std::move(alias)) {}
  std::string name;  // "--param"
  bool takes_value;
  std::string alias;  // "-p", optional
};

struct ParsedArgs {
  std::vector<std::string> positional;
  // Options in command-line order (flags have an empty value), with aliases resolved.
  std::vector<std::pair<std::string, std::string>> ordered;
  bool help = false;

  bool Has(const std::string& name) const;
  // The last value of `name`, or `fallback`.
  std::string Last(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> All(const std::string& name) const;
};

// Parses `args` against `spec`: "--name value", "--name=value", aliases, "--help"/"-h", and
// "--" ending the options. Fails with INVALID_ARGUMENT for an unknown option or a missing
// value.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<OptionSpec>& spec);

// Prints "error: <message>" and a pointer to --help on ctx.err; returns kExitUsage.
int UsageError(const CliContext& ctx, const std::string& command, const std::string& message);

// The connection options every service subcommand takes (main parses them anywhere on the
// line), appended to each command's help.
inline constexpr char kConnectionOptionsHelp[] = R"(
Connection options (anywhere on the line):
  --target HOST:PORT     server (also QUERYGATE_TARGET; default 127.0.0.1:50051)
  --token TOKEN          bearer token, sent as "authorization: Bearer TOKEN" (also
                         QUERYGATE_TOKEN); without TLS it travels in clear text
  --token-file FILE      read the token from FILE (keeps it out of the process list)
  --tls                  use TLS, trusting the system's root certificates
  --ca FILE              use TLS, trusting the PEM certificates in FILE (also QUERYGATE_CA)
  --cert FILE            client certificate chain for mutual TLS (also QUERYGATE_CERT)
  --key FILE             the client certificate's private key (also QUERYGATE_KEY)
  --tls-server-name NAME check the server's certificate against NAME instead of the host
  --tenant T             act as tenant T on a development server without authentication: sent
                         in the --tenant-header metadata (also QUERYGATE_TENANT); servers with
                         authentication take the tenant from the token or certificate
  --tenant-header NAME   the server's tenancy.header (also QUERYGATE_TENANT_HEADER; default
                         x-querygate-tenant)
)";

// Returns the client options for ctx: target, ctx.deadline (or `default_deadline`; zero means
// none), the bearer token, the tenant header and TLS (files read here). Fails with INVALID_ARGUMENT
// naming the option for an unreadable file, --token together with --token-file, or --cert without
// --key.
absl::StatusOr<client::ClientOptions> ClientOptionsFor(
    const CliContext& ctx, std::chrono::milliseconds default_deadline = std::chrono::seconds(30));

// Creates a client with ClientOptionsFor(ctx, default_deadline). Fails like it.
absl::StatusOr<std::unique_ptr<client::Client>> MakeClient(
    const CliContext& ctx, std::chrono::milliseconds default_deadline = std::chrono::seconds(30));

// Parses "bypass", "refresh", "only-cached" (or "only_cached") and "default".
absl::StatusOr<client::CacheMode> ParseCacheMode(const std::string& text);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_SERVICE_COMMAND_H_
