#include "auth/internal/public_key.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace querygate::auth::internal {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

bool PassesPublicCheck(EVP_PKEY* key) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  if (ctx == nullptr) return false;
  bool ok = EVP_PKEY_public_check(ctx) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

}  // namespace

bool IsP256(EVP_PKEY* key) {
  char name[64];
  size_t length = 0;
  if (!EVP_PKEY_is_a(key, "EC")) return false;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &length) != 1) return false;
  absl::string_view group(name, length);
  return group == "prime256v1" || group == "P-256";
}

absl::StatusOr<PublicKey> MakePublicKey(EvpPkeyPtr key, std::string kid, absl::string_view field) {
  PublicKey out;
  out.kid = std::move(kid);
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    int bits = EVP_PKEY_get_bits(key.get());
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": an RSA key of ", bits, " bits (",
                                                     kMinRsaBits, " to ", kMaxRsaBits,
                                                     " are accepted)"));
    }
    out.type = KeyType::kRsa;
  } else if (IsP256(key.get())) {
    out.type = KeyType::kEcP256;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": unsupported key type (an RSA or EC P-256 public key is needed)"));
  }
  if (!PassesPublicCheck(key.get())) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(field, ": the public key is not valid"));
  }
  out.key = std::move(key);
  return out;
}

}  // namespace querygate::auth::internal
