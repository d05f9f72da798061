#ifndef QUERYGATE_AUTH_JWT_SIGNER_H_
#define QUERYGATE_AUTH_JWT_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"

namespace querygate::auth {

// Returns the compact JWT header.payload.signature for `alg` ("HS256": `key` is the secret;
// "RS256"/"ES256": `key` is a PEM private key), with header {"alg":alg,"typ":"JWT"} plus "kid"
// when `kid` is non-empty. `payload_json` is used verbatim. INVALID_ARGUMENT for a bad key or
// alg.
absl::StatusOr<std::string> SignJwt(const std::string& alg, const std::string& key,
                                    const std::string& payload_json, const std::string& kid = "");

}  // namespace querygate::auth

#endif  // QUERYGATE_AUTH_JWT_SIGNER_H_
