#ifndef QUERYGATE_AUTH_AUTHENTICATOR_H_
#define QUERYGATE_AUTH_AUTHENTICATOR_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/jwt_verifier.h"
#include "common/identity.h"

namespace querygate::auth {

// How callers prove who they are.
enum class AuthMode {
  kNone,  // nobody is asked; everyone is the anonymous identity (loopback only by default)
  kJwt,   // a bearer token in the "authorization" metadata
  kMtls,  // a client certificate mapped to roles in config
  kAny,   // a bearer token when one is sent, else a client certificate
};

// Parses "none", "jwt", "mtls" or "any"; INVALID_ARGUMENT otherwise.
absl::StatusOr<AuthMode> ParseAuthMode(const std::string& text);

// A client certificate subject that maps to an identity.
struct CertificateIdentity {
  std::string match;  // the certificate's common name or one of its subject alternative names
  std::vector<std::string> roles;
  std::string tenant;
};

struct AuthOptions {
  AuthMode mode = AuthMode::kNone;
  // Roles of the anonymous caller when mode is kNone.
  std::vector<std::string> anonymous_roles = {"admin"};
  JwtOptions jwt;
  std::vector<CertificateIdentity> certificates;
};

// What the transport knows about the caller.
struct PeerCredentials {
  std::optional<std::string> authorization;    // the "authorization" metadata value, if sent
  std::vector<std::string> certificate_names;  // verified client certificate: CN, then SANs
};

// Turns credentials into an identity.
class Authenticator {
 public:
  // Fails with INVALID_ARGUMENT for unusable JWT settings (no algorithm, a bad key).
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(AuthOptions options);

  // Returns the caller's identity. Fails with UNAUTHENTICATED and a reason that contains no
  // secret ("missing bearer token", "token expired", "signature invalid", ...). A verified
  // token is remembered (by its SHA-256, up to kVerifiedTokens of them) until it expires, so a
  // caller reusing it pays for the signature check once.
  absl::StatusOr<Identity> Authenticate(const PeerCredentials& peer, absl::Time now) const;

  static constexpr size_t kVerifiedTokens = 4096;

  AuthMode mode() const { return options_.mode; }

 private:
  explicit Authenticator(AuthOptions options) : options_(std::move(options)) {}
  absl::StatusOr<Identity> VerifyBearer(absl::string_view token, absl::Time now) const;

  AuthOptions options_;
  std::unique_ptr<JwtVerifier> jwt_;
  mutable std::mutex verified_mu_;
  // SHA-256 of a verified token -> its identity; cleared when full.
  mutable std::unordered_map<std::string, Identity> verified_;
};

// One audited event: a denied call or an operator action.
struct AuditEvent {
  absl::Time time;
  std::string method;  // e.g. "CacheService.Invalidate"
  std::string subject;
  std::string auth_method;  // "jwt", "certificate", "anonymous", "none" (not authenticated)
  std::string peer;
  std::string outcome;  // "OK" or the status code name
  std::string detail;   // the reason, or what the action did
};

using AuditSink = std::function<void(const AuditEvent&)>;

}  // namespace querygate::auth

#endif  // QUERYGATE_AUTH_AUTHENTICATOR_H_
