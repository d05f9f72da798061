#ifndef QUERYGATE_COMMON_IDENTITY_H_
#define QUERYGATE_COMMON_IDENTITY_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace querygate {

// Who is calling, as proven at the edge (a verified JWT, a client certificate, or the
// anonymous caller of an unauthenticated loopback server).
struct Identity {
  enum class Method { kNone, kJwt, kCertificate };
  Method method = Method::kNone;
  std::string subject;             // "sub" claim, or the certificate's CN/SAN that matched
  std::vector<std::string> roles;  // as mapped from claims or config
  std::string tenant;              // empty: none (used by tenancy)
  // When the credential stops being valid (a JWT's exp plus the leeway).
  absl::Time expires = absl::InfiniteFuture();

  bool HasRole(const std::string& role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  // "jwt", "certificate" or "anonymous", for audit lines.
  const char* MethodName() const {
    switch (method) {
      case Method::kJwt:
        return "jwt";
      case Method::kCertificate:
        return "certificate";
      case Method::kNone:
        break;
    }
    return "anonymous";
  }
};

}  // namespace querygate

#endif  // QUERYGATE_COMMON_IDENTITY_H_
