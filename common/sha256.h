#ifndef QUERYGATE_COMMON_SHA256_H_
#define QUERYGATE_COMMON_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace querygate {

// Returns the lowercase hex SHA-256 digest of `data` (64 characters).
std::string Sha256Hex(absl::string_view data);

}  // namespace querygate

#endif  // QUERYGATE_COMMON_SHA256_H_
