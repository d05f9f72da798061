#ifndef QUERYGATE_COMMON_HMAC_H_
#define QUERYGATE_COMMON_HMAC_H_

#include <string>

#include "absl/strings/string_view.h"

namespace querygate {

// Returns the raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(absl::string_view key, absl::string_view data);

// True when `a` and `b` are equal; the time taken depends only on their lengths.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Returns `n` bytes from OpenSSL's CSPRNG; aborts if the generator fails.
std::string RandomBytes(size_t n);

}  // namespace querygate

#endif  // QUERYGATE_COMMON_HMAC_H_
