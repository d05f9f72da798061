#include "auth/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/sha256.h"

namespace querygate::auth {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(std::string(why));
}

}  // namespace

absl::StatusOr<AuthMode> ParseAuthMode(const std::string& text) {
  if (text == "none") return AuthMode::kNone;
  if (text == "jwt") return AuthMode::kJwt;
  if (text == "mtls") return AuthMode::kMtls;
  if (text == "any") return AuthMode::kAny;
  return absl::InvalidArgumentError(
      absl::StrCat("auth.mode: expected none, jwt, mtls or any, got \"", text, "\""));
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(AuthOptions options) {
  std::unique_ptr<Authenticator> out(new Authenticator(std::move(options)));
  AuthMode mode = out->options_.mode;
  if (mode == AuthMode::kJwt || mode == AuthMode::kAny) {
    auto verifier = JwtVerifier::Create(out->options_.jwt);
    if (!verifier.ok()) return verifier.status();
    out->jwt_ = *std::move(verifier);
  }
  if ((mode == AuthMode::kMtls || mode == AuthMode::kAny) && out->options_.certificates.empty()) {
    return absl::InvalidArgumentError(
        "auth.mtls.identities: mode mtls needs at least one certificate identity");
  }
  return out;
}

absl::StatusOr<Identity> Authenticator::Authenticate(const PeerCredentials& peer,
                                                     absl::Time now) const {
  if (options_.mode == AuthMode::kNone) {
    Identity anonymous;
    anonymous.roles = options_.anonymous_roles;
    return anonymous;
  }
  bool try_jwt = options_.mode == AuthMode::kJwt ||
                 (options_.mode == AuthMode::kAny && peer.authorization.has_value());
  if (try_jwt) {
    if (!peer.authorization.has_value() || peer.authorization->empty()) {
      return Unauthenticated("missing bearer token");
    }
    absl::string_view value = *peer.authorization;
    if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
      return Unauthenticated("authorization is not a bearer token");
    }
    value.remove_prefix(7);
    value = absl::StripAsciiWhitespace(value);
    if (value.empty()) return Unauthenticated("missing bearer token");
    return VerifyBearer(value, now);
  }
  if (peer.certificate_names.empty()) return Unauthenticated("missing client certificate");
  for (const std::string& name : peer.certificate_names) {
    for (const CertificateIdentity& known : options_.certificates) {
      if (known.match == name) {
        Identity identity;
        identity.method = Identity::Method::kCertificate;
        identity.subject = name;
        identity.roles = known.roles;
        identity.tenant = known.tenant;
        return identity;
      }
    }
  }
  return Unauthenticated("client certificate is not mapped to an identity");
}

absl::StatusOr<Identity> Authenticator::VerifyBearer(absl::string_view token,
                                                     absl::Time now) const {
  std::string key = Sha256Hex(token);
  {
    std::lock_guard<std::mutex> lock(verified_mu_);
    auto it = verified_.find(key);
    if (it != verified_.end()) {
      if (now < it->second.expires) return it->second;
      verified_.erase(it);
      return Unauthenticated("token expired");
    }
  }
  auto identity = jwt_->Verify(token, now);
  if (!identity.ok()) return Unauthenticated(identity.status().message());
  std::lock_guard<std::mutex> lock(verified_mu_);
  if (verified_.size() >= kVerifiedTokens) verified_.clear();
  verified_.emplace(std::move(key), *identity);
  return identity;
}

}  // namespace querygate::auth
