#ifndef QUERYGATE_AUTH_INTERNAL_PEM_KEYS_H_
#define QUERYGATE_AUTH_INTERNAL_PEM_KEYS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/internal/public_key.h"

namespace querygate::auth::internal {

// Parses a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or "CERTIFICATE" (its subject key).
// INVALID_ARGUMENT prefixed by `field` when the text holds neither or the key is unsupported.
absl::StatusOr<PublicKey> ParsePemPublicKey(absl::string_view pem, std::string kid,
                                            absl::string_view field);

// Parses a PEM private key (PKCS#8, or traditional RSA/EC). INVALID_ARGUMENT when unparsable or
// encrypted.
absl::StatusOr<EvpPkeyPtr> ParsePemPrivateKey(absl::string_view pem);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_PEM_KEYS_H_
