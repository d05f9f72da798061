#ifndef QUERYGATE_AUTH_INTERNAL_JWT_CLAIMS_H_
#define QUERYGATE_AUTH_INTERNAL_JWT_CLAIMS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "auth/jwt_verifier.h"
#include "common/identity.h"

namespace querygate::auth::internal {

// Checks the claims set `payload_json` of a token whose signature is already verified: "exp"
// and "nbf" against `now` with the leeway, "iss" and "aud" when configured. Returns the
// identity from the subject, roles and tenant claims. UNAUTHENTICATED with a jwt_reasons.h
// reason otherwise ("malformed token" for a non-object or a claim of the wrong type).
absl::StatusOr<Identity> CheckClaims(absl::string_view payload_json, const JwtOptions& options,
                                     absl::Time now);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_JWT_CLAIMS_H_
