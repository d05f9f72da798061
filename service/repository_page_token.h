#ifndef QUERYGATE_SERVICE_REPOSITORY_PAGE_TOKEN_H_
#define QUERYGATE_SERVICE_REPOSITORY_PAGE_TOKEN_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace querygate::service {

// The longest page token DecodePageToken reads, in characters.
inline constexpr size_t kMaxPageTokenSize = 4096;

// Returns `body` sealed into an opaque, URL-safe token: base64url (no padding) of the body
// followed by its HMAC-SHA256 under `secret`. EncodePageToken seals its own body with it;
// tests and fuzzers use it to seal arbitrary bodies.
std::string SealPageToken(absl::string_view secret, absl::string_view body);

// Returns a page token carrying the sort values of the last row of a page, valid only for
// `fingerprint` (a hash of the model, filter and order) and only on servers holding `secret`.
// Body layout: version byte 2, the length-prefixed fingerprint, the values in the result codec.
// The result can be longer than kMaxPageTokenSize when the values are long.
std::string EncodePageToken(absl::string_view secret, absl::string_view fingerprint,
                            const std::vector<Value>& values);

// Returns the sort values in a token made by EncodePageToken under `secret`. The MAC is checked
// before anything in the body is read. Fails with INVALID_ARGUMENT ("page_token: ...") for a
// token longer than kMaxPageTokenSize, text that is not a token, a tampered or truncated token,
// one sealed under another secret, one made for another fingerprint, or one not holding
// `expected_values` values.
absl::StatusOr<std::vector<Value>> DecodePageToken(absl::string_view secret,
                                                   absl::string_view token,
                                                   absl::string_view fingerprint,
                                                   size_t expected_values);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_PAGE_TOKEN_H_
