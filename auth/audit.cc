#include "auth/audit.h"

#include "nlohmann/json.hpp"

namespace querygate::auth {

std::string AuditLine(const AuditEvent& event) {
  nlohmann::json line = {
      {"audit", true},
      {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", event.time, absl::UTCTimeZone())},
      {"method", event.method},
      {"subject", event.subject},
      {"auth", event.auth_method},
      {"peer", event.peer},
      {"outcome", event.outcome},
      {"detail", event.detail}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace querygate::auth
