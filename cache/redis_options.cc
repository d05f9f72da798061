#include "cache/redis_options.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace querygate::cache {

absl::Status ApplyRedisUrl(const std::string& url, RedisOptions& options) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError(absl::StrCat("redis url must start with redis://: ", url));
  }
  size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) {
    absl::string_view auth = rest.substr(0, at);
    size_t colon = auth.find(':');
    options.password =
        std::string(colon == absl::string_view::npos ? auth : auth.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  size_t slash = rest.find('/');
  if (slash != absl::string_view::npos) {
    absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !absl::SimpleAtoi(db, &options.database)) {
      return absl::InvalidArgumentError(absl::StrCat("bad redis database number in ", url));
    }
    rest = rest.substr(0, slash);
  }
  size_t colon = rest.rfind(':');
  if (colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &options.port)) {
      return absl::InvalidArgumentError(absl::StrCat("bad redis port in ", url));
    }
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) options.host = std::string(rest);
  return absl::OkStatus();
}

}  // namespace querygate::cache
