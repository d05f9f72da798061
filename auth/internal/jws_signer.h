#ifndef QUERYGATE_AUTH_INTERNAL_JWS_SIGNER_H_
#define QUERYGATE_AUTH_INTERNAL_JWS_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace querygate::auth::internal {

// Returns the compact JWS base64url(header_json).base64url(payload_json).base64url(signature),
// signed with `alg` ("HS256": `key` is the secret; "RS256"/"ES256": `key` is a PEM private
// key). Both JSON texts are used verbatim, so they may say anything. INVALID_ARGUMENT for
// another alg, an empty secret, or a key that is unparsable or of the wrong type.
absl::StatusOr<std::string> SignCompactJws(absl::string_view alg, absl::string_view key,
                                           absl::string_view header_json,
                                           absl::string_view payload_json);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_JWS_SIGNER_H_
