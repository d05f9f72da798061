#include "auth/internal/jwt_claims.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/internal/json_depth.h"
#include "auth/internal/jwt_reasons.h"
#include "nlohmann/json.hpp"

namespace querygate::auth::internal {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 16;

// Reads NumericDate claim `name`: nullopt when absent, an error when not a finite number.
absl::StatusOr<std::optional<double>> NumericDate(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) return Rejected(kMalformedToken);
  double value = it->get<double>();
  if (!std::isfinite(value)) return Rejected(kMalformedToken);
  return value;
}

// Returns when the token stops being valid (exp plus the leeway; never without exp).
absl::StatusOr<absl::Time> CheckTimes(const Json& claims, const JwtOptions& options,
                                      absl::Time now) {
  absl::StatusOr<std::optional<double>> exp = NumericDate(claims, "exp");
  if (!exp.ok()) return exp.status();
  absl::StatusOr<std::optional<double>> nbf = NumericDate(claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  double now_seconds = absl::ToDoubleSeconds(now - absl::UnixEpoch());
  double leeway = absl::ToDoubleSeconds(options.leeway);
  if (exp->has_value() && now_seconds >= **exp + leeway) return Rejected(kTokenExpired);
  if (nbf->has_value() && now_seconds < **nbf - leeway) return Rejected(kTokenNotYetValid);
  if (!exp->has_value()) return absl::InfiniteFuture();
  return absl::UnixEpoch() + absl::Seconds(**exp) + options.leeway;
}

bool AudienceMatches(const Json& claims, const std::string& audience) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return *it == audience;
  if (!it->is_array()) return false;
  for (const Json& item : *it) {
    if (item.is_string() && item == audience) return true;
  }
  return false;
}

absl::StatusOr<std::vector<std::string>> Roles(const Json& claims, const std::string& name) {
  std::vector<std::string> roles;
  auto it = claims.find(name);
  if (it == claims.end()) return roles;
  if (it->is_string()) {
    for (absl::string_view role : absl::StrSplit(it->get_ref<const std::string&>(),
                                                 absl::ByAnyChar(" ,"), absl::SkipEmpty())) {
      roles.emplace_back(role);
    }
    return roles;
  }
  if (!it->is_array()) return Rejected(kMalformedToken);
  for (const Json& item : *it) {
    if (!item.is_string()) return Rejected(kMalformedToken);
    if (!item.get_ref<const std::string&>().empty()) roles.push_back(item.get<std::string>());
  }
  return roles;
}

absl::StatusOr<std::string> Tenant(const Json& claims, const std::string& name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return absl::StrCat(it->get<uint64_t>());
  if (it->is_number_integer()) return absl::StrCat(it->get<int64_t>());
  return Rejected(kMalformedToken);
}

}  // namespace

absl::StatusOr<Identity> CheckClaims(absl::string_view payload_json, const JwtOptions& options,
                                     absl::Time now) {
  if (!JsonDepthAtMost(payload_json, kMaxDepth)) return Rejected(kMalformedToken);
  Json claims =
      Json::parse(payload_json.begin(), payload_json.end(), nullptr, /*allow_exceptions=*/false);
  if (claims.is_discarded() || !claims.is_object()) return Rejected(kMalformedToken);
  absl::StatusOr<absl::Time> expires = CheckTimes(claims, options, now);
  if (!expires.ok()) return expires.status();
  if (!options.issuer.empty()) {
    auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() || *iss != options.issuer) {
      return Rejected(kIssuerMismatch);
    }
  }
  if (!options.audience.empty() && !AudienceMatches(claims, options.audience)) {
    return Rejected(kAudienceMismatch);
  }
  Identity identity;
  identity.method = Identity::Method::kJwt;
  identity.expires = *expires;
  auto subject = claims.find(options.subject_claim);
  if (subject == claims.end() || !subject->is_string() ||
      subject->get_ref<const std::string&>().empty()) {
    return Rejected(kMissingSubject);
  }
  identity.subject = subject->get<std::string>();
  absl::StatusOr<std::vector<std::string>> roles = Roles(claims, options.roles_claim);
  if (!roles.ok()) return roles.status();
  identity.roles = *std::move(roles);
  absl::StatusOr<std::string> tenant = Tenant(claims, options.tenant_claim);
  if (!tenant.ok()) return tenant.status();
  identity.tenant = *std::move(tenant);
  return identity;
}

}  // namespace querygate::auth::internal
