#ifndef QUERYGATE_AUTH_INTERNAL_JWT_REASONS_H_
#define QUERYGATE_AUTH_INTERNAL_JWT_REASONS_H_

#include "absl/status/status.h"

namespace querygate::auth::internal {

// The reasons JwtVerifier::Verify gives; callers see them verbatim, so none names a secret.
inline constexpr char kMalformedToken[] = "malformed token";
inline constexpr char kTokenTooLarge[] = "token too large";
inline constexpr char kAlgorithmNotAllowed[] = "algorithm not allowed";
inline constexpr char kUnknownKeyId[] = "unknown key id";
inline constexpr char kSignatureInvalid[] = "signature invalid";
inline constexpr char kTokenExpired[] = "token expired";
inline constexpr char kTokenNotYetValid[] = "token not yet valid";
inline constexpr char kIssuerMismatch[] = "issuer mismatch";
inline constexpr char kAudienceMismatch[] = "audience mismatch";
inline constexpr char kMissingSubject[] = "missing subject";

// Returns UNAUTHENTICATED with `reason`, one of the constants above.
inline absl::Status Rejected(const char* reason) { return absl::UnauthenticatedError(reason); }

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_JWT_REASONS_H_
