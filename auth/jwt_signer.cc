#include "auth/jwt_signer.h"

#include "auth/internal/jws_signer.h"
#include "nlohmann/json.hpp"

namespace querygate::auth {

absl::StatusOr<std::string> SignJwt(const std::string& alg, const std::string& key,
                                    const std::string& payload_json, const std::string& kid) {
  nlohmann::ordered_json header;
  header["alg"] = alg;
  header["typ"] = "JWT";
  if (!kid.empty()) header["kid"] = kid;
  std::string header_json =
      header.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return internal::SignCompactJws(alg, key, header_json, payload_json);
}

}  // namespace querygate::auth
