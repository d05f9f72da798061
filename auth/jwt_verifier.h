#ifndef QUERYGATE_AUTH_JWT_VERIFIER_H_
#define QUERYGATE_AUTH_JWT_VERIFIER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/identity.h"

namespace querygate::auth {

namespace internal {
struct PublicKey;
}  // namespace internal

struct JwtOptions {
  // Allowed: a subset of "HS256", "RS256", "ES256"; must not be empty. "none" is refused.
  std::vector<std::string> algorithms;
  // Raw secret bytes, at least 32 (RFC 7518 section 3.2); required iff HS256 is allowed.
  std::string hs256_secret;
  // PEM public keys (RSA or EC P-256, or certificates), each with a key id ("" = any kid).
  std::vector<std::pair<std::string, std::string>> public_keys;  // {kid, pem}
  // A JWKS document (RSA "n"/"e", EC P-256 "x"/"y"); keys are picked by "kid".
  std::string jwks_json;
  std::string issuer;    // empty: "iss" is not checked
  std::string audience;  // empty: "aud" is not checked ("aud" may be a string or an array)
  absl::Duration leeway = absl::Seconds(60);
  std::string subject_claim = "sub";
  std::string roles_claim = "roles";    // a string (space or comma separated) or string array
  std::string tenant_claim = "tenant";  // a string, or an integer taken as its decimal text
  size_t max_token_bytes = 8192;
};

// Verifies compact JWS tokens (RFC 7515/7519) with pinned algorithms and maps their claims to
// an identity. Thread-safe.
class JwtVerifier {
 public:
  // Fails with INVALID_ARGUMENT naming the setting: no, unknown or "none" algorithm, HS256
  // without a secret (or one under 32 bytes), RS256/ES256 without a key of that type, an
  // unparsable PEM or JWKS, a negative leeway, a zero size cap or an empty subject claim name.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(JwtOptions options);

  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // Returns the identity (method kJwt, subject, roles, tenant) of a valid token at time `now`.
  // Fails with UNAUTHENTICATED and exactly one of: "malformed token", "token too large",
  // "algorithm not allowed", "unknown key id", "signature invalid", "token expired",
  // "token not yet valid", "issuer mismatch", "audience mismatch", "missing subject".
  absl::StatusOr<Identity> Verify(absl::string_view token, absl::Time now) const;

 private:
  JwtVerifier(JwtOptions options, std::vector<internal::PublicKey> keys);

  JwtOptions options_;
  uint8_t allowed_algorithms_ = 0;  // one bit per allowed algorithm
  std::vector<internal::PublicKey> keys_;
};

}  // namespace querygate::auth

#endif  // QUERYGATE_AUTH_JWT_VERIFIER_H_
