#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "schema/named_query.h"

namespace querygate::schema {
namespace {

bool IsIdentStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdentChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

// Returns the index just past a literal or comment starting at `i`, or `i` if none starts.
size_t SkipQuoted(const std::string& sql, size_t i) {
  char c = sql[i];
  if (c == '\'' || c == '"') {
    size_t j = i + 1;
    while (j < sql.size()) {
      if (sql[j] == c) {
        if (j + 1 < sql.size() && sql[j + 1] == c) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      if (c == '\'' && sql[j] == '\\' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e')) ++j;
      ++j;
    }
    return sql.size();
  }
  if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
    size_t end = sql.find('\n', i);
    return end == std::string::npos ? sql.size() : end;
  }
  if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
    size_t end = sql.find("*/", i + 2);
    return end == std::string::npos ? sql.size() : end + 2;
  }
  if (c == '$') {
    size_t j = i + 1;
    while (j < sql.size() && IsIdentChar(sql[j]) && !absl::ascii_isdigit(sql[i + 1])) ++j;
    if (j < sql.size() && sql[j] == '$') {
      std::string tag = sql.substr(i, j - i + 1);
      size_t end = sql.find(tag, j + 1);
      return end == std::string::npos ? sql.size() : end + tag.size();
    }
  }
  return i;
}

}  // namespace

PositionalSql RewriteNamedParams(const std::string& sql,
                                 const std::vector<std::pair<std::string, std::string>>& casts) {
  PositionalSql out;
  size_t i = 0;
  while (i < sql.size()) {
    size_t skipped = SkipQuoted(sql, i);
    if (skipped != i) {
      out.sql.append(sql, i, skipped - i);
      i = skipped;
      continue;
    }
    char c = sql[i];
    if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
      out.sql += "::";
      i += 2;
      continue;
    }
    if (c == ':' && i + 1 < sql.size() && IsIdentStart(sql[i + 1]) &&
        (i == 0 || !IsIdentChar(sql[i - 1]))) {
      size_t j = i + 1;
      while (j < sql.size() && IsIdentChar(sql[j])) ++j;
      std::string name = sql.substr(i + 1, j - i - 1);
      size_t index = 0;
      while (index < out.order.size() && out.order[index] != name) ++index;
      if (index == out.order.size()) out.order.push_back(name);
      absl::StrAppend(&out.sql, "$", index + 1);
      for (const auto& [param, cast] : casts) {
        if (param == name && !cast.empty()) absl::StrAppend(&out.sql, "::", cast);
      }
      i = j;
      continue;
    }
    out.sql.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace querygate::schema
