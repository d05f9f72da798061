#include "auth/internal/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "auth/internal/base64url.h"
#include "auth/internal/json_depth.h"
#include "nlohmann/json.hpp"

namespace querygate::auth::internal {
namespace {

constexpr size_t kMaxKeys = 64;
constexpr int kMaxDepth = 16;
constexpr size_t kP256CoordinateBytes = 32;

using Json = nlohmann::json;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

absl::Status Bad(absl::string_view where, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", why));
}

// Returns the decoded base64url string member `name`, or nullopt when absent, not a string or
// not base64url.
std::optional<std::string> Member(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return Base64UrlDecode(it->get_ref<const std::string&>());
}

// Creates a public key of OpenSSL key type `type_name` from `params`; null on failure.
EvpPkeyPtr FromParams(const char* type_name, OSSL_PARAM* params) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr);
  if (ctx == nullptr) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  return EvpPkeyPtr(key);
}

EvpPkeyPtr RsaFromComponents(const std::string& n, const std::string& e) {
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()),
                       nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()),
                       nullptr));
  if (bn_n == nullptr || bn_e == nullptr) return nullptr;
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  if (builder == nullptr) return nullptr;
  OSSL_PARAM* params = nullptr;
  if (OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1) {
    params = OSSL_PARAM_BLD_to_param(builder);
  }
  OSSL_PARAM_BLD_free(builder);
  if (params == nullptr) return nullptr;
  EvpPkeyPtr key = FromParams("RSA", params);
  OSSL_PARAM_free(params);
  return key;
}

EvpPkeyPtr P256FromCoordinates(const std::string& x, const std::string& y) {
  std::string point = absl::StrCat("\x04", x, y);
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  return FromParams("EC", params);
}

// Returns the key of `jwk`, nullopt for a key this verifier does not use, or an error.
absl::StatusOr<std::optional<PublicKey>> ParseKey(const Json& jwk, const std::string& where) {
  if (!jwk.is_object()) return Bad(where, "a key must be a JSON object");
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) return Bad(where, "\"kty\" must be a string");
  std::string kid;
  if (auto it = jwk.find("kid"); it != jwk.end()) {
    if (!it->is_string()) return Bad(where, "\"kid\" must be a string");
    kid = it->get<std::string>();
  }
  if (auto use = jwk.find("use"); use != jwk.end() && *use != "sig") return std::nullopt;
  auto alg = jwk.find("alg");
  const std::string& type = kty->get_ref<const std::string&>();
  EvpPkeyPtr key;
  if (type == "RSA") {
    if (alg != jwk.end() && *alg != "RS256") return std::nullopt;
    std::optional<std::string> n = Member(jwk, "n");
    std::optional<std::string> e = Member(jwk, "e");
    if (!n || !e || n->empty() || e->empty()) {
      return Bad(where, "an RSA key needs base64url \"n\" and \"e\"");
    }
    key = RsaFromComponents(*n, *e);
  } else if (type == "EC") {
    if (alg != jwk.end() && *alg != "ES256") return std::nullopt;
    auto crv = jwk.find("crv");
    if (crv == jwk.end() || !crv->is_string()) return Bad(where, "\"crv\" must be a string");
    if (*crv != "P-256") return std::nullopt;
    std::optional<std::string> x = Member(jwk, "x");
    std::optional<std::string> y = Member(jwk, "y");
    if (!x || !y || x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
      return Bad(where, "a P-256 key needs base64url \"x\" and \"y\" of 32 bytes each");
    }
    key = P256FromCoordinates(*x, *y);
  } else {
    return std::nullopt;
  }
  ERR_clear_error();
  if (key == nullptr) return Bad(where, "the public key is not valid");
  absl::StatusOr<PublicKey> made = MakePublicKey(std::move(key), std::move(kid), where);
  if (!made.ok()) return made.status();
  return std::optional<PublicKey>(*std::move(made));
}

}  // namespace

absl::StatusOr<std::vector<PublicKey>> ParseJwks(absl::string_view json, absl::string_view field) {
  if (!JsonDepthAtMost(json, kMaxDepth)) return Bad(field, "not a JSON document");
  Json document = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Bad(field, "not a JSON document");
  if (!document.is_object()) return Bad(field, "a JWKS must be a JSON object");
  auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array()) return Bad(field, "\"keys\" must be an array");
  if (keys->size() > kMaxKeys) {
    return Bad(field, absl::StrCat("more than ", kMaxKeys, " keys"));
  }
  std::vector<PublicKey> out;
  for (size_t i = 0; i < keys->size(); ++i) {
    absl::StatusOr<std::optional<PublicKey>> key =
        ParseKey((*keys)[i], absl::StrCat(field, ".keys[", i, "]"));
    if (!key.ok()) return key.status();
    if (key->has_value()) out.push_back(std::move(**key));
  }
  return out;
}

}  // namespace querygate::auth::internal
