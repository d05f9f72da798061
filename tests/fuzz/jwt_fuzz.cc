// JWT verification and JWKS parsing against arbitrary bytes. Each input is tried as a whole
// token; as the payload and as the header of a token signed with the right HS256 secret (so the
// bytes get past the signature into the claim and header checks); and as a JWKS document. The
// keys are those of RFC 7515 appendix A, so the RFC tokens in the corpus verify. A refusal must
// be UNAUTHENTICATED with one of the documented reasons (INVALID_ARGUMENT for a JWKS); a crash,
// a sanitizer report or anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "auth/internal/base64url.h"
#include "auth/internal/jws_signer.h"
#include "auth/jwt_verifier.h"

namespace {

using querygate::Identity;
using querygate::auth::JwtOptions;
using querygate::auth::JwtVerifier;

constexpr char kSecretBase64Url[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr char kJwks[] = R"({"keys":[
  {"kty":"RSA","kid":"rsa","e":"AQAB",
   "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
  {"kty":"EC","kid":"ec","crv":"P-256",
   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})";
constexpr char kHeader[] = R"({"alg":"HS256","typ":"JWT"})";
constexpr char kPayload[] = R"({"iss":"joe","exp":1300819380,"roles":"a b","tenant":7})";
const absl::Time kNow = absl::FromUnixSeconds(1300819000);

const std::string& Secret() {
  static const std::string* secret =
      new std::string(*querygate::auth::internal::Base64UrlDecode(kSecretBase64Url));
  return *secret;
}

const JwtVerifier& Verifier() {
  static const JwtVerifier* verifier = [] {
    JwtOptions options;
    options.algorithms = {"HS256", "RS256", "ES256"};
    options.hs256_secret = Secret();
    options.jwks_json = kJwks;
    options.subject_claim = "iss";
    options.max_token_bytes = 2048;
    auto created = JwtVerifier::Create(options);
    if (!created.ok()) std::abort();
    return created->release();
  }();
  return *verifier;
}

bool IsDocumentedReason(absl::string_view reason) {
  for (const char* known :
       {"malformed token", "token too large", "algorithm not allowed", "unknown key id",
        "signature invalid", "token expired", "token not yet valid", "issuer mismatch",
        "audience mismatch", "missing subject"}) {
    if (reason == known) return true;
  }
  return false;
}

void Verify(absl::string_view token) {
  absl::StatusOr<Identity> identity = Verifier().Verify(token, kNow);
  if (identity.ok()) {
    if (identity->method != Identity::Method::kJwt || identity->subject.empty()) std::abort();
    for (const std::string& role : identity->roles) {
      if (role.empty()) std::abort();
    }
    return;
  }
  if (identity.status().code() != absl::StatusCode::kUnauthenticated ||
      !IsDocumentedReason(identity.status().message())) {
    std::abort();
  }
}

void VerifySigned(absl::string_view header, absl::string_view payload) {
  auto token = querygate::auth::internal::SignCompactJws("HS256", Secret(), header, payload);
  if (!token.ok()) std::abort();
  Verify(*token);
}

void ParseJwks(absl::string_view json) {
  JwtOptions options;
  options.algorithms = {"RS256"};
  options.jwks_json = std::string(json);
  auto created = JwtVerifier::Create(options);
  if (!created.ok() && created.status().code() != absl::StatusCode::kInvalidArgument) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  Verify(bytes);
  VerifySigned(kHeader, bytes);
  VerifySigned(bytes, kPayload);
  if (!bytes.empty()) ParseJwks(bytes);
  return 0;
}
