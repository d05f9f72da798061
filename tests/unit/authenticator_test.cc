// auth::Authenticator: modes, bearer parsing, certificate mapping, the verified-token memory.
#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "auth/jwt_signer.h"
#include "auth/permissions.h"

namespace querygate::auth {
namespace {

constexpr char kSecret[] = "authenticator-test-secret-0123456789abcdef";
const absl::Time kNow = absl::FromUnixSeconds(1800000000);

std::string Token(int64_t exp) {
  auto token = SignJwt("HS256", kSecret,
                       absl::StrCat(R"({"sub":"ann","roles":["reader"],"exp":)", exp, "}"));
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

std::unique_ptr<Authenticator> Make(AuthMode mode) {
  AuthOptions options;
  options.mode = mode;
  options.jwt.algorithms = {"HS256"};
  options.jwt.hs256_secret = kSecret;
  options.jwt.leeway = absl::ZeroDuration();
  options.certificates = {{"ops-client", {"operator"}, "t1"}};
  auto made = Authenticator::Create(options);
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *std::move(made) : nullptr;
}

PeerCredentials Bearer(const std::string& value) {
  PeerCredentials peer;
  peer.authorization = value;
  return peer;
}

TEST(AuthenticatorTest, NoneModeGivesEveryoneTheAnonymousRoles) {
  auto auth = Make(AuthMode::kNone);
  auto identity = auth->Authenticate({}, kNow);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->method, Identity::Method::kNone);
  EXPECT_EQ(identity->roles, std::vector<std::string>{"admin"});
}

TEST(AuthenticatorTest, BearerHeaderForms) {
  auto auth = Make(AuthMode::kJwt);
  std::string token = Token(absl::ToUnixSeconds(kNow) + 60);
  EXPECT_TRUE(auth->Authenticate(Bearer("Bearer " + token), kNow).ok());
  EXPECT_TRUE(auth->Authenticate(Bearer("bearer  " + token + " "), kNow).ok());
  EXPECT_EQ(auth->Authenticate({}, kNow).status().message(), "missing bearer token");
  EXPECT_EQ(auth->Authenticate(Bearer("Bearer "), kNow).status().message(), "missing bearer token");
  EXPECT_EQ(auth->Authenticate(Bearer("Basic dTpw"), kNow).status().message(),
            "authorization is not a bearer token");
  EXPECT_EQ(auth->Authenticate(Bearer("Bearer x.y.z"), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AuthenticatorTest, ARememberedTokenStillExpires) {
  auto auth = Make(AuthMode::kJwt);
  std::string token = Token(absl::ToUnixSeconds(kNow) + 10);
  auto first = auth->Authenticate(Bearer("Bearer " + token), kNow);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->subject, "ann");
  EXPECT_EQ(first->expires, kNow + absl::Seconds(10));
  auto again = auth->Authenticate(Bearer("Bearer " + token), kNow + absl::Seconds(9));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->roles, std::vector<std::string>{"reader"});
  auto late = auth->Authenticate(Bearer("Bearer " + token), kNow + absl::Seconds(10));
  EXPECT_EQ(late.status().message(), "token expired");
  auto later = auth->Authenticate(Bearer("Bearer " + token), kNow + absl::Seconds(11));
  EXPECT_EQ(later.status().message(), "token expired");
}

TEST(AuthenticatorTest, CertificatesMapByCommonNameOrSan) {
  auto auth = Make(AuthMode::kMtls);
  PeerCredentials peer;
  peer.certificate_names = {"somebody", "ops-client"};
  auto identity = auth->Authenticate(peer, kNow);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->method, Identity::Method::kCertificate);
  EXPECT_EQ(identity->subject, "ops-client");
  EXPECT_EQ(identity->tenant, "t1");
  peer.certificate_names = {"stranger"};
  EXPECT_EQ(auth->Authenticate(peer, kNow).status().message(),
            "client certificate is not mapped to an identity");
  EXPECT_EQ(auth->Authenticate({}, kNow).status().message(), "missing client certificate");
}

TEST(AuthenticatorTest, AnyModePrefersTheBearerToken) {
  auto auth = Make(AuthMode::kAny);
  PeerCredentials peer = Bearer("Bearer " + Token(absl::ToUnixSeconds(kNow) + 60));
  peer.certificate_names = {"ops-client"};
  auto identity = auth->Authenticate(peer, kNow);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->subject, "ann");
  peer.authorization.reset();
  EXPECT_EQ(auth->Authenticate(peer, kNow)->subject, "ops-client");
}

TEST(RolePolicyTest, DefaultsAndOverrides) {
  RolePolicy policy = RolePolicy::Defaults();
  Identity reader;
  reader.roles = {"reader"};
  EXPECT_TRUE(policy.Allows(reader, Permission::kExecute));
  EXPECT_FALSE(policy.Allows(reader, Permission::kCreate));
  EXPECT_FALSE(policy.Allows(reader, Permission::kStats));
  ASSERT_TRUE(policy.SetRole("reader", {"CacheService.Stats"}).ok());
  EXPECT_TRUE(policy.Allows(reader, Permission::kStats));
  EXPECT_FALSE(policy.Allows(reader, Permission::kExecute));
  EXPECT_EQ(policy.SetRole("x", {"QueryService.Explode"}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(policy.SetRole("root", {"*"}).ok());
  Identity root;
  root.roles = {"root"};
  for (Permission p : AllPermissions()) EXPECT_TRUE(policy.Allows(root, p));
}

}  // namespace
}  // namespace querygate::auth
