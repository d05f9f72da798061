#ifndef QUERYGATE_AUTH_INTERNAL_PUBLIC_KEY_H_
#define QUERYGATE_AUTH_INTERNAL_PUBLIC_KEY_H_

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace querygate::auth::internal {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

enum class KeyType { kRsa, kEcP256 };

// A public key that verifies RS256 (kRsa) or ES256 (kEcP256) signatures.
struct PublicKey {
  std::string kid;  // empty: the key matches any "kid"
  KeyType type = KeyType::kRsa;
  EvpPkeyPtr key;
};

// True when `key` is an EC key on the P-256 curve.
bool IsP256(EVP_PKEY* key);

// Wraps `key` as a PublicKey after checking it: an RSA key of 2048 to 8192 bits, or an EC key
// on P-256, that passes OpenSSL's public-key check. INVALID_ARGUMENT prefixed by `field`
// otherwise.
absl::StatusOr<PublicKey> MakePublicKey(EvpPkeyPtr key, std::string kid, absl::string_view field);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_PUBLIC_KEY_H_
