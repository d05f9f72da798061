#ifndef QUERYGATE_AUTH_INTERNAL_BASE64URL_H_
#define QUERYGATE_AUTH_INTERNAL_BASE64URL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace querygate::auth::internal {

// Returns the unpadded base64url text (RFC 4648 section 5) of `data`.
std::string Base64UrlEncode(absl::string_view data);

// Returns the bytes of unpadded base64url `text`, or nullopt when it has padding, a character
// outside [A-Za-z0-9_-], an impossible length, or non-zero unused bits in its last character.
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace querygate::auth::internal

#endif  // QUERYGATE_AUTH_INTERNAL_BASE64URL_H_
