#include "cache/redis_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace querygate::cache {
namespace {

constexpr absl::string_view kScheme = "redis://";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes %XX escapes; fails on a malformed one.
absl::StatusOr<std::string> PercentDecode(absl::string_view text, absl::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int high = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? HexDigit(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis url: bad percent-escape in the ", what));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

}  // namespace

std::string RedactRedisUrl(const std::string& url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, kScheme)) return "<not a redis:// url>";
  size_t at = rest.rfind('@');
  if (at == absl::string_view::npos) return url;
  absl::string_view userinfo = rest.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == absl::string_view::npos) return absl::StrCat(kScheme, "***", rest.substr(at));
  return absl::StrCat(kScheme, userinfo.substr(0, colon), ":***", rest.substr(at));
}

absl::Status ApplyRedisUrl(const std::string& url, RedisOptions& options) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, kScheme)) {
    return absl::InvalidArgumentError("redis url must start with redis://");
  }
  std::string shown = RedactRedisUrl(url);
  size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) {
    absl::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    absl::string_view user = userinfo.substr(0, colon);
    absl::string_view password =
        colon == absl::string_view::npos ? absl::string_view() : userinfo.substr(colon + 1);
    if (colon == absl::string_view::npos) {
      // "redis://secret@host": the bare userinfo is the password, as redis-cli reads it.
      password = userinfo;
      user = absl::string_view();
    }
    auto decoded_user = PercentDecode(user, "user name");
    if (!decoded_user.ok()) return decoded_user.status();
    auto decoded_password = PercentDecode(password, "password");
    if (!decoded_password.ok()) return decoded_password.status();
    if (!decoded_user->empty() && decoded_password->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis url names user \"", *decoded_user, "\" without a password"));
    }
    options.username = *std::move(decoded_user);
    options.password = *std::move(decoded_password);
    rest.remove_prefix(at + 1);
  }
  size_t slash = rest.find('/');
  if (slash != absl::string_view::npos) {
    absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !absl::SimpleAtoi(db, &options.database)) {
      return absl::InvalidArgumentError(absl::StrCat("bad redis database number in ", shown));
    }
    rest = rest.substr(0, slash);
  }
  size_t colon = rest.rfind(':');
  if (colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &options.port)) {
      return absl::InvalidArgumentError(absl::StrCat("bad redis port in ", shown));
    }
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) options.host = std::string(rest);
  return absl::OkStatus();
}

}  // namespace querygate::cache
