#ifndef QUERYGATE_SERVICE_REPOSITORY_PAGE_TOKEN_H_
#define QUERYGATE_SERVICE_REPOSITORY_PAGE_TOKEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace querygate::service {

// Returns an opaque, URL-safe page token carrying the sort values of the last row of a page
// and `fingerprint` (a hash of the model, filter and order it is valid for). Layout before
// base64url: version byte 1, the fingerprint, the values in the result codec, and a 16-hex
// SHA-256 checksum over all of it.
std::string EncodePageToken(absl::string_view fingerprint, const std::vector<Value>& values);

// Returns the sort values in a token made by EncodePageToken. Fails with INVALID_ARGUMENT
// ("page_token: ...") for text that is not such a token, a damaged token, a token made for
// another fingerprint, or one not holding `expected_values` values.
absl::StatusOr<std::vector<Value>> DecodePageToken(absl::string_view token,
                                                   absl::string_view fingerprint,
                                                   size_t expected_values);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_PAGE_TOKEN_H_
