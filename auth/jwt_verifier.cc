#include "auth/jwt_verifier.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "auth/internal/base64url.h"
#include "auth/internal/json_depth.h"
#include "auth/internal/jwks.h"
#include "auth/internal/jws_crypto.h"
#include "auth/internal/jwt_claims.h"
#include "auth/internal/jwt_reasons.h"
#include "auth/internal/pem_keys.h"
#include "auth/internal/public_key.h"
#include "common/hmac.h"
#include "nlohmann/json.hpp"

namespace querygate::auth {
namespace {

using internal::KeyType;
using internal::PublicKey;
using internal::Rejected;
using Json = nlohmann::json;

constexpr size_t kMinHs256SecretBytes = 32;
constexpr int kMaxHeaderDepth = 16;

enum class Algorithm { kHs256, kRs256, kEs256 };

std::optional<Algorithm> ParseAlgorithm(absl::string_view name) {
  if (name == "HS256") return Algorithm::kHs256;
  if (name == "RS256") return Algorithm::kRs256;
  if (name == "ES256") return Algorithm::kEs256;
  return std::nullopt;
}

struct Header {
  Algorithm alg = Algorithm::kHs256;
  std::optional<std::string> kid;
};

struct Segments {
  absl::string_view signing_input;  // header.payload, as sent
  std::string header;
  std::string payload;
  std::string signature;
};

// Splits a compact JWS into its three decoded segments; nullopt unless there are exactly three,
// header and payload are non-empty, and each is strict base64url.
std::optional<Segments> Split(absl::string_view token) {
  size_t first = token.find('.');
  if (first == absl::string_view::npos) return std::nullopt;
  size_t second = token.find('.', first + 1);
  if (second == absl::string_view::npos) return std::nullopt;
  if (token.find('.', second + 1) != absl::string_view::npos) return std::nullopt;
  absl::string_view header = token.substr(0, first);
  absl::string_view payload = token.substr(first + 1, second - first - 1);
  if (header.empty() || payload.empty()) return std::nullopt;
  std::optional<std::string> header_bytes = internal::Base64UrlDecode(header);
  std::optional<std::string> payload_bytes = internal::Base64UrlDecode(payload);
  std::optional<std::string> signature = internal::Base64UrlDecode(token.substr(second + 1));
  if (!header_bytes || !payload_bytes || !signature) return std::nullopt;
  return Segments{token.substr(0, second), *std::move(header_bytes), *std::move(payload_bytes),
                  *std::move(signature)};
}

uint8_t Bit(Algorithm alg) { return static_cast<uint8_t>(1u << static_cast<int>(alg)); }

// Parses and checks the JOSE header: a JSON object whose "alg" is allowed, with no "crit", a
// "typ" of JWT if any, and a string "kid" if any.
absl::StatusOr<Header> ParseHeader(const std::string& text, uint8_t allowed) {
  if (!internal::JsonDepthAtMost(text, kMaxHeaderDepth)) return Rejected(internal::kMalformedToken);
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return Rejected(internal::kMalformedToken);
  auto alg = json.find("alg");
  if (alg == json.end() || !alg->is_string()) return Rejected(internal::kMalformedToken);
  Header header;
  std::optional<Algorithm> parsed = ParseAlgorithm(alg->get_ref<const std::string&>());
  if (!parsed || (allowed & Bit(*parsed)) == 0) return Rejected(internal::kAlgorithmNotAllowed);
  header.alg = *parsed;
  if (auto typ = json.find("typ"); typ != json.end()) {
    if (!typ->is_string() || !absl::EqualsIgnoreCase(typ->get_ref<const std::string&>(), "JWT")) {
      return Rejected(internal::kMalformedToken);
    }
  }
  if (json.contains("crit")) return Rejected(internal::kMalformedToken);
  if (auto kid = json.find("kid"); kid != json.end()) {
    if (!kid->is_string()) return Rejected(internal::kMalformedToken);
    header.kid = kid->get<std::string>();
  }
  return header;
}

absl::Status CheckHmac(const std::string& secret, const Segments& segments) {
  if (!ConstantTimeEquals(HmacSha256(secret, segments.signing_input), segments.signature)) {
    return Rejected(internal::kSignatureInvalid);
  }
  return absl::OkStatus();
}

// Tries the keys of the algorithm's type that match the header's kid (all of them without one).
absl::Status CheckPublicKeySignature(const std::vector<PublicKey>& keys, const Header& header,
                                     const Segments& segments) {
  KeyType type = header.alg == Algorithm::kRs256 ? KeyType::kRsa : KeyType::kEcP256;
  bool candidate = false;
  for (const PublicKey& key : keys) {
    if (key.type != type) continue;
    if (header.kid.has_value() && !key.kid.empty() && key.kid != *header.kid) continue;
    candidate = true;
    bool verified = type == KeyType::kRsa
                        ? internal::VerifyRs256(key, segments.signing_input, segments.signature)
                        : internal::VerifyEs256(key, segments.signing_input, segments.signature);
    if (verified) return absl::OkStatus();
  }
  return Rejected(candidate ? internal::kSignatureInvalid : internal::kUnknownKeyId);
}

}  // namespace

JwtVerifier::JwtVerifier(JwtOptions options, std::vector<internal::PublicKey> keys)
    : options_(std::move(options)), keys_(std::move(keys)) {}

JwtVerifier::~JwtVerifier() = default;

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(JwtOptions options) {
  if (options.algorithms.empty()) {
    return absl::InvalidArgumentError(
        "auth.jwt.algorithms: at least one of HS256, RS256, ES256 is required");
  }
  uint8_t allowed = 0;
  for (const std::string& name : options.algorithms) {
    if (absl::EqualsIgnoreCase(name, "none")) {
      return absl::InvalidArgumentError("auth.jwt.algorithms: \"none\" is never allowed");
    }
    std::optional<Algorithm> alg = ParseAlgorithm(name);
    if (!alg) {
      return absl::InvalidArgumentError(absl::StrCat("auth.jwt.algorithms: unknown algorithm \"",
                                                     name, "\" (HS256, RS256 or ES256)"));
    }
    allowed |= Bit(*alg);
  }
  bool hs256 = (allowed & Bit(Algorithm::kHs256)) != 0;
  bool rs256 = (allowed & Bit(Algorithm::kRs256)) != 0;
  bool es256 = (allowed & Bit(Algorithm::kEs256)) != 0;
  if (hs256 && options.hs256_secret.empty()) {
    return absl::InvalidArgumentError(
        "auth.jwt.hs256_secret: HS256 is allowed but no secret is configured");
  }
  if (hs256 && options.hs256_secret.size() < kMinHs256SecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "auth.jwt.hs256_secret: the secret must be at least ", kMinHs256SecretBytes, " bytes"));
  }
  if (options.leeway < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("auth.jwt.leeway: must not be negative");
  }
  if (options.max_token_bytes == 0) {
    return absl::InvalidArgumentError("auth.jwt.max_token_bytes: must be positive");
  }
  if (options.subject_claim.empty()) {
    return absl::InvalidArgumentError("auth.jwt.subject_claim: must not be empty");
  }
  std::vector<PublicKey> keys;
  for (size_t i = 0; i < options.public_keys.size(); ++i) {
    const auto& [kid, pem] = options.public_keys[i];
    absl::StatusOr<PublicKey> key =
        internal::ParsePemPublicKey(pem, kid, absl::StrCat("auth.jwt.public_keys[", i, "]"));
    if (!key.ok()) return key.status();
    keys.push_back(*std::move(key));
  }
  if (!options.jwks_json.empty()) {
    absl::StatusOr<std::vector<PublicKey>> jwks =
        internal::ParseJwks(options.jwks_json, "auth.jwt.jwks");
    if (!jwks.ok()) return jwks.status();
    for (PublicKey& key : *jwks) keys.push_back(std::move(key));
  }
  auto has_type = [&keys](KeyType type) {
    for (const PublicKey& key : keys) {
      if (key.type == type) return true;
    }
    return false;
  };
  if (rs256 && !has_type(KeyType::kRsa)) {
    return absl::InvalidArgumentError(
        "auth.jwt: RS256 is allowed but no RSA public key is configured (public_keys or jwks)");
  }
  if (es256 && !has_type(KeyType::kEcP256)) {
    return absl::InvalidArgumentError(
        "auth.jwt: ES256 is allowed but no EC P-256 public key is configured (public_keys or "
        "jwks)");
  }
  std::unique_ptr<JwtVerifier> verifier(new JwtVerifier(std::move(options), std::move(keys)));
  verifier->allowed_algorithms_ = allowed;
  return verifier;
}

absl::StatusOr<Identity> JwtVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (token.size() > options_.max_token_bytes) return Rejected(internal::kTokenTooLarge);
  std::optional<Segments> segments = Split(token);
  if (!segments) return Rejected(internal::kMalformedToken);
  absl::StatusOr<Header> header = ParseHeader(segments->header, allowed_algorithms_);
  if (!header.ok()) return header.status();
  absl::Status signature = header->alg == Algorithm::kHs256
                               ? CheckHmac(options_.hs256_secret, *segments)
                               : CheckPublicKeySignature(keys_, *header, *segments);
  if (!signature.ok()) return signature;
  return internal::CheckClaims(segments->payload, options_, now);
}

}  // namespace querygate::auth
