#ifndef QUERYGATE_CLIENT_CLI_CLI_CONTEXT_H_
#define QUERYGATE_CLIENT_CLI_CLI_CONTEXT_H_

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace querygate::cli {

// Settings resolved by main from flags, environment and config file, shared by subcommands.
struct CliContext {
  std::string schema_dir = "schemas";
  std::string migrations_dir;  // empty: <schema_dir>/migrations
  std::string typed_lock;      // empty: <schema_dir>/typed.lock (docs/typed-services.md)
  std::string database_url;
  std::string target = "127.0.0.1:50051";  // gRPC server address, for the service subcommands
  std::chrono::milliseconds deadline{0};   // per call; zero: each command's default
  std::string redis_url;                   // for `publish`: config file redis.url
  // For `top`: QUERYGATE_METRICS_URL, else QUERYGATE_METRICS_LISTEN, else the config file's
  // metrics.listen.
  std::string metrics_url;
  // Credentials and transport security of the service subcommands.
  std::string token;            // --token or QUERYGATE_TOKEN
  std::string token_file;       // --token-file: read when the client is made
  bool tls = false;             // --tls; also implied by ca_file, cert_file and key_file
  std::string ca_file;          // --ca or QUERYGATE_CA: PEM roots (empty: the system's)
  std::string cert_file;        // --cert or QUERYGATE_CERT: client certificate chain (mTLS)
  std::string key_file;         // --key or QUERYGATE_KEY: its private key
  std::string tls_server_name;  // --tls-server-name: the name the certificate must carry
  // --tenant or QUERYGATE_TENANT: sent in the tenant header (servers without authentication
  // only), and the tenant of `invalidate`, `publish` and `warm`.
  std::string tenant;
  // --tenant-header or QUERYGATE_TENANT_HEADER: the server's tenancy.header.
  std::string tenant_header = "x-querygate-tenant";
  bool json_output = false;
  bool interactive = false;  // err is a terminal: live progress instead of plain lines
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;

  std::string MigrationsDir() const {
    return migrations_dir.empty() ? schema_dir + "/migrations" : migrations_dir;
  }
  std::string TypedLockPath() const {
    return typed_lock.empty() ? schema_dir + "/typed.lock" : typed_lock;
  }
};

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_CLI_CONTEXT_H_
