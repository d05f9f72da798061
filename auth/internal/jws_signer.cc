#include "auth/internal/jws_signer.h"

#include "absl/strings/str_cat.h"
#include "auth/internal/base64url.h"
#include "auth/internal/jws_crypto.h"
#include "auth/internal/pem_keys.h"
#include "common/hmac.h"

namespace querygate::auth::internal {

absl::StatusOr<std::string> SignCompactJws(absl::string_view alg, absl::string_view key,
                                           absl::string_view header_json,
                                           absl::string_view payload_json) {
  std::string input =
      absl::StrCat(Base64UrlEncode(header_json), ".", Base64UrlEncode(payload_json));
  absl::StatusOr<std::string> signature;
  if (alg == "HS256") {
    if (key.empty()) return absl::InvalidArgumentError("HS256 needs a non-empty secret");
    signature = HmacSha256(key, input);
  } else if (alg == "RS256" || alg == "ES256") {
    absl::StatusOr<EvpPkeyPtr> private_key = ParsePemPrivateKey(key);
    if (!private_key.ok()) return private_key.status();
    signature = alg == "RS256" ? SignRs256(private_key->get(), input)
                               : SignEs256(private_key->get(), input);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported algorithm \"", alg, "\" (HS256, RS256 or ES256)"));
  }
  if (!signature.ok()) return signature.status();
  return absl::StrCat(input, ".", Base64UrlEncode(*signature));
}

}  // namespace querygate::auth::internal
