#ifndef QUERYGATE_AUTH_INTERNAL_JWKS_H_
#define QUERYGATE_AUTH_INTERNAL_JWKS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/internal/public_key.h"

namespace querygate::auth::internal {

// Returns the signature keys of JWKS document `json` (RFC 7517): RSA keys from "n"/"e" and EC
// P-256 keys from "x"/"y", each with its "kid". Skips keys for other uses ("use" other than
// "sig"), other algorithms ("alg" other than RS256/ES256), other key types and other curves.
// INVALID_ARGUMENT prefixed by `field` for a document that is not a JWKS, more than 64 keys, or
// a malformed RSA/EC key.
absl::StatusOr<std::vector<PublicKey>> ParseJwks(absl::string_view json, absl::string_view field);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_JWKS_H_
