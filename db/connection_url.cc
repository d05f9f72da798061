#include "db/connection_url.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace querygate::db {
namespace {

bool IsUri(absl::string_view url) {
  return absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://");
}

// Byte ranges of a URI: [0, path_begin) authority, [path_begin, query_begin) "/db", rest query.
struct UriParts {
  size_t path_begin;
  size_t query_begin;
};

UriParts SplitUri(absl::string_view url) {
  size_t authority = url.find("://") + 3;
  size_t query = url.find('?', authority);
  if (query == absl::string_view::npos) query = url.size();
  size_t path = url.find('/', authority);
  if (path == absl::string_view::npos || path > query) path = query;
  return {path, query};
}

// Returns the value of `key` in a conninfo string, or npos-marked empty when absent.
bool ConninfoHas(absl::string_view conninfo, absl::string_view key) {
  size_t pos = 0;
  while ((pos = conninfo.find(key, pos)) != absl::string_view::npos) {
    bool starts = pos == 0 || conninfo[pos - 1] == ' ';
    size_t after = pos + key.size();
    while (after < conninfo.size() && conninfo[after] == ' ') ++after;
    if (starts && after < conninfo.size() && conninfo[after] == '=') return true;
    pos += key.size();
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> WithDatabase(absl::string_view url, absl::string_view database) {
  if (url.empty()) return absl::InvalidArgumentError("database url is empty");
  if (!IsUri(url)) return absl::StrCat(url, " dbname=", database);
  UriParts parts = SplitUri(url);
  return absl::StrCat(url.substr(0, parts.path_begin), "/", database,
                      url.substr(parts.query_begin));
}

std::string WithDefaultParam(absl::string_view url, absl::string_view key,
                             absl::string_view value) {
  if (!IsUri(url)) {
    if (ConninfoHas(url, key)) return std::string(url);
    return absl::StrCat(url, url.empty() ? "" : " ", key, "=", value);
  }
  UriParts parts = SplitUri(url);
  absl::string_view query = url.substr(parts.query_begin);
  std::string needle = absl::StrCat(key, "=");
  if (absl::StrContains(query, absl::StrCat("?", needle)) ||
      absl::StrContains(query, absl::StrCat("&", needle))) {
    return std::string(url);
  }
  return absl::StrCat(url, query.empty() ? "?" : "&", key, "=", value);
}

std::string DatabaseName(absl::string_view url) {
  if (!IsUri(url)) {
    size_t pos = url.find("dbname=");
    if (pos == absl::string_view::npos) return "";
    size_t end = url.find(' ', pos);
    return std::string(url.substr(pos + 7, end == absl::string_view::npos ? end : end - pos - 7));
  }
  UriParts parts = SplitUri(url);
  if (parts.path_begin >= parts.query_begin) return "";
  return std::string(url.substr(parts.path_begin + 1, parts.query_begin - parts.path_begin - 1));
}

std::string RedactPassword(absl::string_view url) {
  if (!IsUri(url)) {
    size_t pos = url.find("password=");
    if (pos == absl::string_view::npos) return std::string(url);
    size_t end = url.find(' ', pos);
    return absl::StrCat(url.substr(0, pos), "password=***",
                        end == absl::string_view::npos ? "" : url.substr(end));
  }
  size_t authority = url.find("://") + 3;
  size_t at = url.rfind('@', SplitUri(url).path_begin);
  if (at == absl::string_view::npos || at < authority) return std::string(url);
  size_t colon = url.find(':', authority);
  if (colon == absl::string_view::npos || colon > at) return std::string(url);
  return absl::StrCat(url.substr(0, colon + 1), "***", url.substr(at));
}

}  // namespace querygate::db
