#ifndef QUERYGATE_AUTH_INTERNAL_JWS_CRYPTO_H_
#define QUERYGATE_AUTH_INTERNAL_JWS_CRYPTO_H_

#include <openssl/evp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/internal/public_key.h"

namespace querygate::auth::internal {

// True when `signature` is a valid RS256 (RSASSA-PKCS1-v1_5 SHA-256) signature of `input`
// under `key`, an RSA key.
bool VerifyRs256(const PublicKey& key, absl::string_view input, absl::string_view signature);

// True when `signature`, in JWS form (r||s, 32 bytes each), is a valid ES256 signature of
// `input` under `key`, a P-256 key.
bool VerifyEs256(const PublicKey& key, absl::string_view input, absl::string_view signature);

// Returns the RS256 signature of `input` under RSA private key `key`. INVALID_ARGUMENT when
// `key` is not an RSA key or signing fails.
absl::StatusOr<std::string> SignRs256(EVP_PKEY* key, absl::string_view input);

// Returns the ES256 signature of `input` in JWS form (r||s) under P-256 private key `key`.
// INVALID_ARGUMENT when `key` is not a P-256 key or signing fails.
absl::StatusOr<std::string> SignEs256(EVP_PKEY* key, absl::string_view input);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_JWS_CRYPTO_H_
