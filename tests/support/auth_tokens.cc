#include "tests/support/auth_tokens.h"

#include <cstdlib>
#include <iostream>

#include "auth/jwt_signer.h"
#include "nlohmann/json.hpp"

namespace querygate::testing {

void UseTestJwt(server::ServerConfig& config) {
  config.auth.mode = auth::AuthMode::kJwt;
  config.auth.jwt.algorithms = {"HS256"};
  config.auth.jwt.hs256_secret = kTestJwtSecret;
}

std::string TestToken(const std::string& subject, const std::vector<std::string>& roles,
                      absl::Time expires, const std::string& tenant) {
  nlohmann::json claims = {
      {"sub", subject}, {"roles", roles}, {"exp", absl::ToUnixSeconds(expires)}};
  if (!tenant.empty()) claims["tenant"] = tenant;
  auto token = auth::SignJwt("HS256", kTestJwtSecret, claims.dump());
  if (!token.ok()) {
    std::cerr << "signing a test token failed: " << token.status() << "\n";
    std::abort();
  }
  return *token;
}

void Authorize(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", "Bearer " + token);
}

}  // namespace querygate::testing
