#include "service/repository_page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "service/result_codec.h"

namespace querygate::service {
namespace {

constexpr char kVersion = '\x01';
constexpr size_t kChecksumSize = 16;

std::string Checksum(absl::string_view body) { return Sha256Hex(body).substr(0, kChecksumSize); }

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("page_token: ", why));
}

}  // namespace

std::string EncodePageToken(absl::string_view fingerprint, const std::vector<Value>& values) {
  QueryResult payload;
  for (size_t i = 0; i < values.size(); ++i) payload.columns.push_back({absl::StrCat(i), ""});
  payload.rows.push_back(values);
  std::string body(1, kVersion);
  absl::StrAppend(&body, fingerprint.size(), ":", fingerprint, EncodeResult(payload));
  body += Checksum(body);
  std::string token;
  absl::WebSafeBase64Escape(body, &token);
  return token;
}

absl::StatusOr<std::vector<Value>> DecodePageToken(absl::string_view token,
                                                   absl::string_view fingerprint,
                                                   size_t expected_values) {
  std::string body;
  if (!absl::WebSafeBase64Unescape(token, &body) || body.size() < 1 + kChecksumSize ||
      body[0] != kVersion) {
    return Bad("not a page token of this server");
  }
  absl::string_view content(body.data(), body.size() - kChecksumSize);
  if (Checksum(content) != absl::string_view(body).substr(content.size())) {
    return Bad("damaged");
  }
  content.remove_prefix(1);
  std::string prefix = absl::StrCat(fingerprint.size(), ":", fingerprint);
  if (content.substr(0, prefix.size()) != prefix) {
    return Bad("was issued for a different model, filter or order");
  }
  content.remove_prefix(prefix.size());
  auto payload = DecodeResult(content);
  if (!payload.ok() || payload->rows.size() != 1 || payload->rows[0].size() != expected_values) {
    return Bad("damaged");
  }
  return std::move(payload->rows[0]);
}

}  // namespace querygate::service
