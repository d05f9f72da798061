#ifndef QUERYGATE_CLIENT_CLIENT_OPTIONS_H_
#define QUERYGATE_CLIENT_CLIENT_OPTIONS_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "client/types.h"

namespace querygate::client {

// Retries of UNAVAILABLE for reads (Execute, ListQueries, Get, List, Count, Stats, Health).
// Writes (Create, Update, Delete, Invalidate) and Warm are never retried. Every attempt
// shares the call's deadline; a retry that would sleep past it is not made.
struct RetryOptions {
  int max_attempts = 3;  // 1 disables retries
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{1000};
  double multiplier = 2.0;
};

// Transport security. Disabled: plaintext.
struct TlsOptions {
  bool enabled = false;
  std::string root_certs_pem;  // empty: the system roots
  std::string cert_chain_pem;  // client certificate, for mutual TLS
  std::string private_key_pem;
  std::string server_name_override;  // testing only: the name to check the certificate against
};

struct ClientOptions {
  std::string target = "127.0.0.1:50051";  // host:port, or any gRPC target URI
  // Deadline of a call without CallOptions::deadline; zero or negative: none.
  std::chrono::milliseconds default_deadline{10000};
  RetryOptions retry;
  TlsOptions tls;
  // Sent as "authorization: Bearer <token>" on every call (also over plaintext channels, so
  // keep those on loopback); empty: none.
  std::string bearer_token;
  // Called before every call (and retry) for a fresh token; wins over bearer_token. An empty
  // result sends no authorization.
  std::function<std::string()> token_source;
  // For development servers without authentication only: sent as the metadata header
  // `tenant_header` (the server's tenancy.header) on every call; empty: none. A server with
  // authentication ignores it and takes the tenant from the token or certificate.
  std::string tenant;
  std::string tenant_header = "x-querygate-tenant";
  // Called before each retry with the number of the failed attempt (1-based) and its status.
  std::function<void(int attempt, const absl::Status& status)> on_retry;
};

// Per-call settings.
struct CallOptions {
  std::optional<std::chrono::milliseconds> deadline;  // unset: ClientOptions::default_deadline
  CacheMode cache_mode = CacheMode::kDefault;         // reads only
};

}  // namespace querygate::client

#endif  // QUERYGATE_CLIENT_CLIENT_OPTIONS_H_
