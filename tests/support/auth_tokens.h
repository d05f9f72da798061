#ifndef QUERYGATE_TESTS_SUPPORT_AUTH_TOKENS_H_
#define QUERYGATE_TESTS_SUPPORT_AUTH_TOKENS_H_

#include <grpcpp/client_context.h>

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/server_config.h"

namespace querygate::testing {

// The HS256 secret every secured test server trusts.
inline constexpr char kTestJwtSecret[] = "querygate-test-secret-0123456789abcdef";

// Turns on JWT authentication (HS256 with kTestJwtSecret) in `config`.
void UseTestJwt(server::ServerConfig& config);

// Returns an HS256 token for `subject` with `roles`, valid until `expires` (and `tenant` when
// not empty); aborts the test binary when signing fails.
std::string TestToken(const std::string& subject, const std::vector<std::string>& roles,
                      absl::Time expires = absl::Now() + absl::Hours(1),
                      const std::string& tenant = "");

// Adds "authorization: Bearer <token>" to `context`.
void Authorize(grpc::ClientContext& context, const std::string& token);

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_AUTH_TOKENS_H_
