#include "service/repository_page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/hmac.h"
#include "service/result_codec.h"

namespace querygate::service {
namespace {

constexpr char kVersion = '\x02';
constexpr size_t kMacSize = 32;

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("page_token: ", why));
}

}  // namespace

std::string SealPageToken(absl::string_view secret, absl::string_view body) {
  std::string sealed = absl::StrCat(body, HmacSha256(secret, body));
  std::string token;
  absl::WebSafeBase64Escape(sealed, &token);
  return token;
}

std::string EncodePageToken(absl::string_view secret, absl::string_view fingerprint,
                            const std::vector<Value>& values) {
  QueryResult payload;
  for (size_t i = 0; i < values.size(); ++i) payload.columns.push_back({absl::StrCat(i), ""});
  payload.rows.push_back(values);
  std::string body(1, kVersion);
  absl::StrAppend(&body, fingerprint.size(), ":", fingerprint, EncodeResult(payload));
  return SealPageToken(secret, body);
}

absl::StatusOr<std::vector<Value>> DecodePageToken(absl::string_view secret,
                                                   absl::string_view token,
                                                   absl::string_view fingerprint,
                                                   size_t expected_values) {
  if (token.size() > kMaxPageTokenSize) {
    return Bad(absl::StrCat("longer than ", kMaxPageTokenSize, " characters"));
  }
  std::string sealed;
  if (!absl::WebSafeBase64Unescape(token, &sealed) || sealed.size() < 1 + kMacSize) {
    return Bad("not a page token of this server");
  }
  absl::string_view body(sealed.data(), sealed.size() - kMacSize);
  absl::string_view mac = absl::string_view(sealed).substr(body.size());
  if (!ConstantTimeEquals(HmacSha256(secret, body), mac)) {
    return Bad("not issued by this server, or altered");
  }
  if (body[0] != kVersion) return Bad("made by another version of querygate");
  body.remove_prefix(1);
  std::string prefix = absl::StrCat(fingerprint.size(), ":", fingerprint);
  if (body.substr(0, prefix.size()) != prefix) {
    return Bad("was issued for a different model, filter or order");
  }
  body.remove_prefix(prefix.size());
  auto payload = DecodeResult(body);
  if (!payload.ok() || payload->rows.size() != 1 || payload->rows[0].size() != expected_values) {
    return Bad("does not hold the sort values of this order");
  }
  return std::move(payload->rows[0]);
}

}  // namespace querygate::service
