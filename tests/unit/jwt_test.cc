#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "auth/internal/base64url.h"
#include "auth/internal/jws_signer.h"
#include "auth/jwt_signer.h"
#include "auth/jwt_verifier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace querygate::auth {
namespace {

using internal::Base64UrlDecode;
using internal::Base64UrlEncode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// RFC 7515 appendix A and RFC 7519 section 3.1, verbatim. The claims set is
// {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}.
constexpr char kRfc7515A1Token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kRfc7515A1Key[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

constexpr char kRfc7519Section31Token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

constexpr char kRfc7515A2Token[] =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5j"
    "ujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07"
    "Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI"
    "8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
constexpr char kRfc7515A2Jwks[] = R"({"keys":[{"kty":"RSA",
  "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
  "e":"AQAB"}]})";

constexpr char kRfc7515A3Token[] =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr char kRfc7515A3Jwks[] = R"({"keys":[{"kty":"EC","crv":"P-256",
  "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})";

const absl::Time kRfcValidTime = absl::FromUnixSeconds(1300819000);
const absl::Time kNow = absl::FromUnixSeconds(1700000000);
constexpr char kSecret[] = "the-real-hs256-secret-of-32-bytes-or-more";
constexpr char kIssuer[] = "https://issuer.test";
constexpr char kAudience[] = "querygate";

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

std::string ToPem(EVP_PKEY* key, bool private_key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (private_key) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

std::string BigNumParam(EVP_PKEY* key, const char* name, int pad_to) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  std::string bytes(static_cast<size_t>(pad_to > 0 ? pad_to : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  BN_free(bn);
  return Base64UrlEncode(bytes);
}

// A key pair made for the test, with its PEM texts and JWK public members.
struct TestKey {
  KeyPtr key;
  std::string private_pem;
  std::string public_pem;

  static TestKey Rsa() { return From(KeyPtr(EVP_RSA_gen(2048))); }
  static TestKey Ec() { return From(KeyPtr(EVP_EC_gen("P-256"))); }
  static TestKey From(KeyPtr key) {
    TestKey out;
    out.private_pem = ToPem(key.get(), true);
    out.public_pem = ToPem(key.get(), false);
    out.key = std::move(key);
    return out;
  }
  Json Jwk(const std::string& kid) const {
    Json jwk = {{"kid", kid}};
    if (EVP_PKEY_is_a(key.get(), "RSA")) {
      jwk["kty"] = "RSA";
      jwk["n"] = BigNumParam(key.get(), OSSL_PKEY_PARAM_RSA_N, 0);
      jwk["e"] = BigNumParam(key.get(), OSSL_PKEY_PARAM_RSA_E, 0);
    } else {
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] = BigNumParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32);
      jwk["y"] = BigNumParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    }
    return jwk;
  }
};

JwtOptions RfcOptions(const std::string& alg) {
  JwtOptions options;
  options.algorithms = {alg};
  options.subject_claim = "iss";  // the RFC claims set has no "sub"
  if (alg == "HS256") options.hs256_secret = *Base64UrlDecode(kRfc7515A1Key);
  if (alg == "RS256") options.jwks_json = kRfc7515A2Jwks;
  if (alg == "ES256") options.jwks_json = kRfc7515A3Jwks;
  return options;
}

std::unique_ptr<JwtVerifier> MustCreate(JwtOptions options) {
  absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier = JwtVerifier::Create(std::move(options));
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return verifier.ok() ? *std::move(verifier) : nullptr;
}

void ExpectRejected(const absl::StatusOr<Identity>& result, const std::string& reason) {
  ASSERT_FALSE(result.ok()) << "accepted; expected \"" << reason << "\"";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << result.status();
  EXPECT_EQ(std::string(result.status().message()), reason);
}

struct RfcVector {
  const char* name;
  const char* alg;
  const char* token;
};

TEST(JwtRfcVectors, VerifyAtTheirTimeAndExpireToday) {
  const RfcVector vectors[] = {
      {"RFC 7515 A.1", "HS256", kRfc7515A1Token},
      {"RFC 7515 A.2", "RS256", kRfc7515A2Token},
      {"RFC 7515 A.3", "ES256", kRfc7515A3Token},
      {"RFC 7519 3.1", "HS256", kRfc7519Section31Token},
  };
  for (const RfcVector& vector : vectors) {
    SCOPED_TRACE(vector.name);
    std::unique_ptr<JwtVerifier> verifier = MustCreate(RfcOptions(vector.alg));
    ASSERT_NE(verifier, nullptr);
    absl::StatusOr<Identity> identity = verifier->Verify(vector.token, kRfcValidTime);
    ASSERT_TRUE(identity.ok()) << identity.status();
    EXPECT_EQ(identity->method, Identity::Method::kJwt);
    EXPECT_EQ(identity->subject, "joe");
    EXPECT_TRUE(identity->roles.empty());
    ExpectRejected(verifier->Verify(vector.token, absl::Now()), "token expired");
    // One second before exp minus the leeway is the last valid moment.
    ExpectRejected(verifier->Verify(vector.token, absl::FromUnixSeconds(1300819380 + 60)),
                   "token expired");
    EXPECT_TRUE(verifier->Verify(vector.token, absl::FromUnixSeconds(1300819380 + 59)).ok());
  }
}

TEST(JwtRfcVectors, TheRfcClaimsHaveNoSubject) {
  JwtOptions options = RfcOptions("HS256");
  options.subject_claim = "sub";
  ExpectRejected(MustCreate(options)->Verify(kRfc7515A1Token, kRfcValidTime), "missing subject");
}

TEST(JwtRfcVectors, KeysOfAnotherVectorDoNotVerify) {
  JwtOptions options = RfcOptions("RS256");
  options.algorithms = {"RS256", "ES256"};
  Json jwks = Json::parse(kRfc7515A3Jwks);
  options.jwks_json = jwks.dump();
  options.public_keys = {{"", TestKey::Rsa().public_pem}};
  ExpectRejected(MustCreate(options)->Verify(kRfc7515A2Token, kRfcValidTime), "signature invalid");
}

class JwtTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new Keys{TestKey::Rsa(), TestKey::Rsa(), TestKey::Ec(), TestKey::Ec()};
  }
  static void TearDownTestSuite() {
    delete keys_;
    keys_ = nullptr;
  }

  struct Keys {
    TestKey pem_rsa;   // configured as PEM with kid "pem-rsa"
    TestKey jwks_rsa;  // in the JWKS with kid "jwks-rsa"
    TestKey jwks_ec;   // in the JWKS with kid "jwks-ec"
    TestKey stranger;  // an EC key the verifier does not know
  };
  static Keys* keys_;

  static JwtOptions Options() {
    JwtOptions options;
    options.algorithms = {"HS256", "RS256", "ES256"};
    options.hs256_secret = kSecret;
    options.public_keys = {{"pem-rsa", keys_->pem_rsa.public_pem}};
    Json jwks = {
        {"keys", Json::array({keys_->jwks_rsa.Jwk("jwks-rsa"), keys_->jwks_ec.Jwk("jwks-ec")})}};
    options.jwks_json = jwks.dump();
    options.issuer = kIssuer;
    options.audience = kAudience;
    return options;
  }

  // A valid claims set at kNow with `changes` merged in (a null value removes the claim).
  static std::string Claims(const Json& changes = Json::object()) {
    Json claims = {{"sub", "alice"},
                   {"iss", kIssuer},
                   {"aud", kAudience},
                   {"iat", absl::ToUnixSeconds(kNow) - 10},
                   {"exp", absl::ToUnixSeconds(kNow) + 3600},
                   {"roles", Json::array({"reader"})}};
    claims.merge_patch(changes);
    return claims.dump();
  }

  static std::string Sign(const std::string& alg, const std::string& key,
                          const std::string& payload, const std::string& kid = "") {
    absl::StatusOr<std::string> token = SignJwt(alg, key, payload, kid);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }
  static std::string Hs256(const std::string& payload) { return Sign("HS256", kSecret, payload); }
  static std::string Raw(const std::string& alg, const std::string& key, const std::string& header,
                         const std::string& payload) {
    absl::StatusOr<std::string> token = internal::SignCompactJws(alg, key, header, payload);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }
  static std::string FlipSignatureByte(const std::string& token) {
    std::vector<std::string> parts = absl::StrSplit(token, '.');
    std::string signature = *Base64UrlDecode(parts[2]);
    signature[signature.size() / 2] ^= 0x01;
    return absl::StrCat(parts[0], ".", parts[1], ".", Base64UrlEncode(signature));
  }
};

JwtTableTest::Keys* JwtTableTest::keys_ = nullptr;

struct Case {
  Case(std::string name, std::string token, std::string reason,
       const JwtVerifier* verifier = nullptr, std::vector<std::string> roles = {"reader"},
       std::string tenant = "")
      : name(std::move(name)),
        token(std::move(token)),
        reason(std::move(reason)),
        verifier(verifier),
        roles(std::move(roles)),
        tenant(std::move(tenant)) {}

  std::string name;
  std::string token;
  std::string reason;              // empty: accepted
  const JwtVerifier* verifier;     // null: the verifier of Options()
  std::vector<std::string> roles;  // expected when accepted
  std::string tenant;              // expected when accepted
};

TEST_F(JwtTableTest, EveryCaseHasItsExactOutcome) {
  std::unique_ptr<JwtVerifier> all = MustCreate(Options());
  JwtOptions rs256_only_options = Options();
  rs256_only_options.algorithms = {"RS256"};
  std::unique_ptr<JwtVerifier> rs256_only = MustCreate(rs256_only_options);
  ASSERT_NE(all, nullptr);
  ASSERT_NE(rs256_only, nullptr);

  const std::string& rsa_private = keys_->pem_rsa.private_pem;
  const int64_t now = absl::ToUnixSeconds(kNow);
  const std::string valid_hs256 = Hs256(Claims());
  const std::string valid_rs256 = Sign("RS256", rsa_private, Claims(), "pem-rsa");
  const std::string valid_es256 = Sign("ES256", keys_->jwks_ec.private_pem, Claims(), "jwks-ec");
  std::vector<std::string> hs_parts = absl::StrSplit(valid_hs256, '.');
  const std::string none_header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");

  std::vector<Case> cases = {
      {"HS256 valid", valid_hs256, ""},
      {"RS256 PEM key by kid", valid_rs256, ""},
      {"RS256 JWKS key by kid", Sign("RS256", keys_->jwks_rsa.private_pem, Claims(), "jwks-rsa"),
       ""},
      {"ES256 JWKS key by kid", valid_es256, ""},
      {"RS256 without kid tries every RSA key",
       Sign("RS256", keys_->jwks_rsa.private_pem, Claims()), ""},
      {"ES256 without kid tries every EC key", Sign("ES256", keys_->jwks_ec.private_pem, Claims()),
       ""},
      {"typ in lower case", Raw("HS256", kSecret, R"({"alg":"HS256","typ":"jwt"})", Claims()), ""},
      {"no typ", Raw("HS256", kSecret, R"({"alg":"HS256"})", Claims()), ""},
      {"alg none, empty signature", absl::StrCat(none_header, ".", Base64UrlEncode(Claims()), "."),
       "algorithm not allowed"},
      {"alg none with an HMAC signature",
       absl::StrCat(none_header, ".", hs_parts[1], ".", hs_parts[2]), "algorithm not allowed"},
      {"alg None", Raw("HS256", kSecret, R"({"alg":"None"})", Claims()), "algorithm not allowed"},
      {"alg HS512", Raw("HS256", kSecret, R"({"alg":"HS512"})", Claims()), "algorithm not allowed"},
      {"HS256 to an RS256-only verifier", valid_hs256, "algorithm not allowed", rs256_only.get()},
      {"ES256 to an RS256-only verifier", valid_es256, "algorithm not allowed", rs256_only.get()},
      {"algorithm confusion: HMAC keyed with the RSA public PEM",
       Sign("HS256", keys_->pem_rsa.public_pem, Claims(), "pem-rsa"), "signature invalid"},
      {"algorithm confusion, HS256 not allowed",
       Sign("HS256", keys_->pem_rsa.public_pem, Claims(), "pem-rsa"), "algorithm not allowed",
       rs256_only.get()},
      {"RS256 header on an ES256 signature",
       Raw("ES256", keys_->jwks_ec.private_pem, R"({"alg":"RS256","kid":"jwks-rsa"})", Claims()),
       "signature invalid"},
      {"RS256 naming the kid of an EC key",
       Raw("RS256", rsa_private, R"({"alg":"RS256","kid":"jwks-ec"})", Claims()), "unknown key id"},
      {"expired", Hs256(Claims({{"exp", now - 3600}})), "token expired"},
      {"expired by the leeway exactly", Hs256(Claims({{"exp", now - 60}})), "token expired"},
      {"expired but within the leeway", Hs256(Claims({{"exp", now - 30}})), ""},
      {"not yet valid", Hs256(Claims({{"nbf", now + 3600}})), "token not yet valid"},
      {"not yet valid but within the leeway", Hs256(Claims({{"nbf", now + 30}})), ""},
      {"no exp at all", Hs256(Claims({{"exp", nullptr}})), ""},
      {"exp as a string", Hs256(Claims({{"exp", "9999999999"}})), "malformed token"},
      {"nbf as a boolean", Hs256(Claims({{"nbf", true}})), "malformed token"},
      {"exp as a fraction", Hs256(Claims({{"exp", static_cast<double>(now) + 0.5}})), ""},
      {"wrong iss", Hs256(Claims({{"iss", "https://evil.test"}})), "issuer mismatch"},
      {"missing iss", Hs256(Claims({{"iss", nullptr}})), "issuer mismatch"},
      {"iss as an array", Hs256(Claims({{"iss", Json::array({kIssuer})}})), "issuer mismatch"},
      {"wrong aud", Hs256(Claims({{"aud", "someone-else"}})), "audience mismatch"},
      {"missing aud", Hs256(Claims({{"aud", nullptr}})), "audience mismatch"},
      {"aud array containing the audience",
       Hs256(Claims({{"aud", Json::array({"other", kAudience})}})), ""},
      {"aud array without the audience", Hs256(Claims({{"aud", Json::array({"a", "b"})}})),
       "audience mismatch"},
      {"bad HS256 signature (a flipped byte)", FlipSignatureByte(valid_hs256), "signature invalid"},
      {"bad RS256 signature (a flipped byte)", FlipSignatureByte(valid_rs256), "signature invalid"},
      {"bad ES256 signature (a flipped byte)", FlipSignatureByte(valid_es256), "signature invalid"},
      {"HS256 signed with another secret",
       Sign("HS256", "another-secret-that-is-32-bytes-long!!", Claims()), "signature invalid"},
      {"empty signature", absl::StrCat(hs_parts[0], ".", hs_parts[1], "."), "signature invalid"},
      {"ES256 signature of the wrong length",
       absl::StrCat(valid_es256.substr(0, valid_es256.rfind('.')), ".", Base64UrlEncode("short")),
       "signature invalid"},
      {"signature by a key nobody configured",
       Sign("ES256", keys_->stranger.private_pem, Claims(), "jwks-ec"), "signature invalid"},
      {"base64 padding", absl::StrCat(valid_hs256, "="), "malformed token"},
      {"base64 padding in the header",
       absl::StrCat(Base64UrlEncode(R"({"alg":"HS256"} )"), "=.", hs_parts[1], ".", hs_parts[2]),
       "malformed token"},
      {"'+' instead of '-'", absl::StrCat(hs_parts[0], ".", hs_parts[1], "+.", hs_parts[2]),
       "malformed token"},
      {"'/' in the signature", absl::StrCat(hs_parts[0], ".", hs_parts[1], ".", "ab/d"),
       "malformed token"},
      {"a space in the payload", absl::StrCat(hs_parts[0], ". ", hs_parts[1], ".", hs_parts[2]),
       "malformed token"},
      {"impossible base64 length", absl::StrCat("QUFBQ.", hs_parts[1], ".", hs_parts[2]),
       "malformed token"},
      {"two segments", absl::StrCat(hs_parts[0], ".", hs_parts[1]), "malformed token"},
      {"four segments", absl::StrCat(valid_hs256, ".", hs_parts[2]), "malformed token"},
      {"one segment", hs_parts[1], "malformed token"},
      {"empty header", absl::StrCat(".", hs_parts[1], ".", hs_parts[2]), "malformed token"},
      {"header not JSON", Raw("HS256", kSecret, "alg=HS256", Claims()), "malformed token"},
      {"header a JSON array", Raw("HS256", kSecret, R"(["HS256"])", Claims()), "malformed token"},
      {"header without alg", Raw("HS256", kSecret, R"({"typ":"JWT"})", Claims()),
       "malformed token"},
      {"alg not a string", Raw("HS256", kSecret, R"({"alg":["HS256"]})", Claims()),
       "malformed token"},
      {"typ JOSE+JSON", Raw("HS256", kSecret, R"({"alg":"HS256","typ":"JOSE+JSON"})", Claims()),
       "malformed token"},
      {"crit header", Raw("HS256", kSecret, R"({"alg":"HS256","crit":["exp"]})", Claims()),
       "malformed token"},
      {"kid not a string", Raw("RS256", rsa_private, R"({"alg":"RS256","kid":7})", Claims()),
       "malformed token"},
      {"payload an array", Hs256(R"(["sub","alice"])"), "malformed token"},
      {"payload not JSON", Hs256("sub=alice"), "malformed token"},
      {"payload nested too deep",
       Hs256(
           absl::StrCat(R"({"sub":"alice","x":)", std::string(40, '['), std::string(40, ']'), "}")),
       "malformed token"},
      {"unknown kid", Sign("RS256", rsa_private, Claims(), "nope"), "unknown key id"},
      {"kid ignored for HS256", Sign("HS256", kSecret, Claims(), "nope"), ""},
      {"missing subject", Hs256(Claims({{"sub", nullptr}})), "missing subject"},
      {"empty subject", Hs256(Claims({{"sub", ""}})), "missing subject"},
      {"subject a number", Hs256(Claims({{"sub", 42}})), "missing subject"},
      {"roles as a string",
       Hs256(Claims({{"roles", "reader, writer  operator"}})),
       "",
       nullptr,
       {"reader", "writer", "operator"}},
      {"roles as an array",
       Hs256(Claims({{"roles", Json::array({"writer", "admin"})}})),
       "",
       nullptr,
       {"writer", "admin"}},
      {"no roles claim", Hs256(Claims({{"roles", nullptr}})), "", nullptr, {}},
      {"roles an object", Hs256(Claims({{"roles", {{"admin", true}}}})), "malformed token"},
      {"roles array with a number", Hs256(Claims({{"roles", Json::array({"reader", 1})}})),
       "malformed token"},
      {"tenant as a string", Hs256(Claims({{"tenant", "acme"}})), "", nullptr, {"reader"}, "acme"},
      {"tenant as a number", Hs256(Claims({{"tenant", 42}})), "", nullptr, {"reader"}, "42"},
      {"tenant as a negative number",
       Hs256(Claims({{"tenant", -7}})),
       "",
       nullptr,
       {"reader"},
       "-7"},
      {"tenant as the largest JSON integer",
       Hs256(Claims({{"tenant", UINT64_MAX}})),
       "",
       nullptr,
       {"reader"},
       "18446744073709551615"},
      {"tenant as a fraction", Hs256(Claims({{"tenant", 4.5}})), "malformed token"},
      {"tenant as an object", Hs256(Claims({{"tenant", {{"id", 1}}}})), "malformed token"},
      {"token too large", Hs256(Claims({{"pad", std::string(9000, 'x')}})), "token too large"},
      {"token too large, even if garbage", std::string(8193, '.'), "token too large"},
      {"empty token", "", "malformed token"},
      {"only dots", "..", "malformed token"},
  };
  ASSERT_GE(cases.size(), 20u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const JwtVerifier* verifier = c.verifier != nullptr ? c.verifier : all.get();
    absl::StatusOr<Identity> result = verifier->Verify(c.token, kNow);
    if (!c.reason.empty()) {
      ExpectRejected(result, c.reason);
      continue;
    }
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->method, Identity::Method::kJwt);
    EXPECT_EQ(result->subject, "alice");
    EXPECT_EQ(result->roles, c.roles);
    EXPECT_EQ(result->tenant, c.tenant);
  }
}

TEST_F(JwtTableTest, ConfiguredClaimNames) {
  JwtOptions options = Options();
  options.subject_claim = "email";
  options.roles_claim = "scope";
  options.tenant_claim = "org";
  options.issuer.clear();
  options.audience.clear();
  std::unique_ptr<JwtVerifier> verifier = MustCreate(options);
  absl::StatusOr<Identity> identity = verifier->Verify(Hs256(Claims({{"email", "a@example.com"},
                                                                     {"scope", "read write"},
                                                                     {"org", "o-1"},
                                                                     {"iss", "anyone"},
                                                                     {"aud", nullptr}})),
                                                       kNow);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "a@example.com");
  EXPECT_THAT(identity->roles, ElementsAre("read", "write"));
  EXPECT_EQ(identity->tenant, "o-1");
}

TEST_F(JwtTableTest, PemKeyWithoutKidMatchesAnyKid) {
  JwtOptions options = Options();
  options.public_keys = {{"", keys_->pem_rsa.public_pem}};
  std::unique_ptr<JwtVerifier> verifier = MustCreate(options);
  EXPECT_TRUE(
      verifier->Verify(Sign("RS256", keys_->pem_rsa.private_pem, Claims(), "rotated"), kNow).ok());
}

TEST_F(JwtTableTest, CustomSizeCap) {
  JwtOptions options = Options();
  std::string token = Hs256(Claims());
  options.max_token_bytes = token.size();
  EXPECT_TRUE(MustCreate(options)->Verify(token, kNow).ok());
  options.max_token_bytes = token.size() - 1;
  ExpectRejected(MustCreate(options)->Verify(token, kNow), "token too large");
}

struct BadOptions {
  std::string name;
  JwtOptions options;
  std::string message;
};

TEST_F(JwtTableTest, CreateRejectsUnusableSettings) {
  auto with = [](auto change) {
    JwtOptions options = Options();
    change(options);
    return options;
  };
  std::vector<BadOptions> cases = {
      {"no algorithm", with([](JwtOptions& o) { o.algorithms.clear(); }), "auth.jwt.algorithms"},
      {"none", with([](JwtOptions& o) {
         o.algorithms = {"HS256", "none"};
       }),
       "\"none\" is never allowed"},
      {"NONE", with([](JwtOptions& o) { o.algorithms = {"NONE"}; }), "\"none\" is never allowed"},
      {"unknown algorithm", with([](JwtOptions& o) { o.algorithms = {"HS384"}; }),
       "unknown algorithm \"HS384\""},
      {"HS256 without a secret", with([](JwtOptions& o) { o.hs256_secret.clear(); }),
       "auth.jwt.hs256_secret"},
      {"HS256 with a short secret", with([](JwtOptions& o) { o.hs256_secret = "short"; }),
       "at least 32 bytes"},
      {"RS256 without an RSA key", with([](JwtOptions& o) {
         o.public_keys.clear();
         o.jwks_json = Json{{"keys", Json::array({keys_->jwks_ec.Jwk("ec")})}}.dump();
       }),
       "no RSA public key"},
      {"ES256 without an EC key", with([](JwtOptions& o) { o.jwks_json.clear(); }),
       "no EC P-256 public key"},
      {"unparsable PEM", with([](JwtOptions& o) {
         o.public_keys.push_back({"x", "-----BEGIN PUBLIC KEY-----\nAAAA"});
       }),
       "auth.jwt.public_keys[1]"},
      {"private key as public key", with([](JwtOptions& o) {
         o.public_keys = {{"x", keys_->pem_rsa.private_pem}};
       }),
       "auth.jwt.public_keys[0]"},
      {"JWKS not JSON", with([](JwtOptions& o) { o.jwks_json = "{keys:"; }), "auth.jwt.jwks"},
      {"JWKS without keys", with([](JwtOptions& o) { o.jwks_json = R"({"kid":"x"})"; }),
       "\"keys\" must be an array"},
      {"JWKS RSA key without n",
       with([](JwtOptions& o) { o.jwks_json = R"({"keys":[{"kty":"RSA","e":"AQAB"}]})"; }),
       "auth.jwt.jwks.keys[0]"},
      {"JWKS EC point off the curve", with([](JwtOptions& o) {
         Json jwk = keys_->jwks_ec.Jwk("ec");
         std::string y = *Base64UrlDecode(jwk["y"].get<std::string>());
         y[31] ^= 0x01;
         jwk["y"] = Base64UrlEncode(y);
         o.jwks_json = Json{{"keys", Json::array({jwk})}}.dump();
       }),
       "auth.jwt.jwks.keys[0]"},
      {"JWKS with padded base64", with([](JwtOptions& o) {
         o.jwks_json = R"({"keys":[{"kty":"RSA","n":"AQAB==","e":"AQAB"}]})";
       }),
       "auth.jwt.jwks.keys[0]"},
      {"negative leeway", with([](JwtOptions& o) { o.leeway = absl::Seconds(-1); }),
       "auth.jwt.leeway"},
      {"zero size cap", with([](JwtOptions& o) { o.max_token_bytes = 0; }),
       "auth.jwt.max_token_bytes"},
      {"empty subject claim", with([](JwtOptions& o) { o.subject_claim.clear(); }),
       "auth.jwt.subject_claim"},
  };
  for (const BadOptions& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier = JwtVerifier::Create(c.options);
    ASSERT_FALSE(verifier.ok());
    EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(verifier.status().message(), HasSubstr(c.message));
  }
}

TEST_F(JwtTableTest, JwksSkipsKeysItDoesNotUse) {
  JwtOptions options = Options();
  Json jwks = {{"keys", Json::array({{{"kty", "oct"}, {"k", "AAAA"}},
                                     {{"kty", "EC"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "AA"}},
                                     {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AA"}},
                                     [&] {
                                       Json jwk = keys_->jwks_rsa.Jwk("enc");
                                       jwk["use"] = "enc";
                                       return jwk;
                                     }(),
                                     [&] {
                                       Json jwk = keys_->jwks_rsa.Jwk("ps256");
                                       jwk["alg"] = "PS256";
                                       return jwk;
                                     }(),
                                     keys_->jwks_ec.Jwk("jwks-ec")})}};
  options.jwks_json = jwks.dump();
  std::unique_ptr<JwtVerifier> verifier = MustCreate(options);
  ASSERT_NE(verifier, nullptr);
  ExpectRejected(
      verifier->Verify(Sign("RS256", keys_->jwks_rsa.private_pem, Claims(), "enc"), kNow),
      "unknown key id");
  ExpectRejected(
      verifier->Verify(Sign("RS256", keys_->jwks_rsa.private_pem, Claims(), "ps256"), kNow),
      "unknown key id");
  EXPECT_TRUE(
      verifier->Verify(Sign("ES256", keys_->jwks_ec.private_pem, Claims(), "jwks-ec"), kNow).ok());
}

TEST_F(JwtTableTest, SignerRejectsBadKeysAndAlgorithms) {
  struct BadSign {
    std::string alg;
    std::string key;
  };
  const BadSign cases[] = {
      {"none", kSecret},
      {"HS512", kSecret},
      {"HS256", ""},
      {"RS256", "not a key"},
      {"RS256", keys_->jwks_ec.private_pem},
      {"ES256", keys_->pem_rsa.private_pem},
      {"RS256", keys_->pem_rsa.public_pem},
  };
  for (const BadSign& c : cases) {
    SCOPED_TRACE(c.alg);
    absl::StatusOr<std::string> token = SignJwt(c.alg, c.key, Claims());
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<std::string> token = SignJwt("HS256", kSecret, "{}", "k\"1");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*Base64UrlDecode(token->substr(0, token->find('.'))),
            R"({"alg":"HS256","typ":"JWT","kid":"k\"1"})");
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    std::string text = Base64UrlEncode(data);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    std::optional<std::string> back = Base64UrlDecode(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, data);
    data.push_back(static_cast<char>(i * 37 + 250));
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, DecodingIsStrict) {
  EXPECT_EQ(Base64UrlDecode("-_8"), std::optional<std::string>("\xfb\xff"));
  EXPECT_EQ(Base64UrlDecode(""), std::optional<std::string>(""));
  for (const char* bad : {"-_8=", "+/8", "AB=C", "A", "ABCDE", "AB C", "AB\nC", "QR", "QUF"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
  EXPECT_TRUE(Base64UrlDecode("QQ").has_value());
  EXPECT_TRUE(Base64UrlDecode("QUE").has_value());
}

}  // namespace
}  // namespace querygate::auth
