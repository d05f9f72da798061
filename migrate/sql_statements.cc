#include "migrate/sql_statements.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace querygate::migrate {
namespace {

constexpr size_t kQuotedStatementBytes = 60;

// Skips a comment, string, quoted identifier or dollar-quoted body starting at `i`; returns
// false (leaving `i`) when none starts there.
bool SkipQuoted(absl::string_view s, size_t& i) {
  if (s.substr(i, 2) == "--") {
    while (i < s.size() && s[i] != '\n') ++i;
    return true;
  }
  if (s.substr(i, 2) == "/*") {
    int depth = 0;
    while (i < s.size()) {
      if (s.substr(i, 2) == "/*") {
        ++depth;
        i += 2;
      } else if (s.substr(i, 2) == "*/") {
        i += 2;
        if (--depth == 0) break;
      } else {
        ++i;
      }
    }
    return true;
  }
  if (s[i] == '\'' || s[i] == '"') {
    char quote = s[i++];
    while (i < s.size()) {
      if (s[i] == quote && i + 1 < s.size() && s[i + 1] == quote) {
        i += 2;
      } else if (s[i++] == quote) {
        break;
      }
    }
    return true;
  }
  if (s[i] == '$') {
    size_t j = i + 1;
    while (j < s.size() && (absl::ascii_isalnum(s[j]) || s[j] == '_')) ++j;
    if (j < s.size() && s[j] == '$' && (j == i + 1 || !absl::ascii_isdigit(s[i + 1]))) {
      std::string tag(s.substr(i, j - i + 1));
      size_t end = s.find(tag, j + 1);
      i = end == absl::string_view::npos ? s.size() : end + tag.size();
      return true;
    }
  }
  return false;
}

// `statement` with comments removed and runs of space collapsed.
std::string Stripped(absl::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    if (s.substr(i, 2) == "--" || s.substr(i, 2) == "/*") {
      SkipQuoted(s, i);
      out.push_back(' ');
    } else if (SkipQuoted(s, i)) {
      absl::StrAppend(&out, s.substr(start, i - start));
    } else {
      out.push_back(absl::ascii_isspace(s[i]) ? ' ' : s[i]);
      ++i;
    }
  }
  std::string collapsed;
  for (char c : out) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed.push_back(c);
  }
  while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  return collapsed;
}

bool StartsWithWords(const std::vector<std::string>& words,
                     std::initializer_list<const char*> expected) {
  size_t i = 0;
  for (const char* word : expected) {
    if (i >= words.size() || words[i] != word) return false;
    ++i;
  }
  return true;
}

// A bare or quoted identifier, optionally schema-qualified.
bool IsPlainName(absl::string_view part) {
  if (part.empty()) return false;
  {
    size_t i = 0;
    while (i < part.size()) {
      if (part[i] == '"') {
        size_t end = part.find('"', i + 1);
        if (end == absl::string_view::npos || end == i + 1) return false;
        i = end + 1;
      } else if (absl::ascii_isalpha(part[i]) || part[i] == '_') {
        while (i < part.size() &&
               (absl::ascii_isalnum(part[i]) || part[i] == '_' || part[i] == '$')) {
          ++i;
        }
      } else {
        return false;
      }
      if (i < part.size()) {
        if (part[i] != '.') return false;
        ++i;
        if (i == part.size()) return false;
      }
    }
  }
  return true;
}

std::string Excerpt(absl::string_view statement) {
  std::string text = Stripped(statement);
  if (text.size() > kQuotedStatementBytes)
    text = absl::StrCat(text.substr(0, kQuotedStatementBytes), "...");
  return text;
}

}  // namespace

bool HasNoTransactionHeader(absl::string_view sql) {
  absl::string_view first = sql.substr(0, sql.find('\n'));
  return absl::StripTrailingAsciiWhitespace(first) == kNoTransactionHeader;
}

std::vector<std::string> SplitSqlStatements(absl::string_view script) {
  std::vector<std::string> out;
  auto flush = [&out](absl::string_view part) {
    for (;;) {
      part = absl::StripAsciiWhitespace(part);
      if (!absl::StartsWith(part, "--") && !absl::StartsWith(part, "/*")) break;
      size_t i = 0;
      SkipQuoted(part, i);
      part.remove_prefix(i);
    }
    if (!part.empty()) out.emplace_back(part);
  };
  size_t start = 0, i = 0;
  while (i < script.size()) {
    if (SkipQuoted(script, i)) continue;
    if (script[i] == ';') {
      flush(script.substr(start, i - start));
      start = ++i;
      continue;
    }
    ++i;
  }
  flush(script.substr(start));
  return out;
}

std::vector<std::string> LeadingWords(absl::string_view statement, size_t max_words) {
  std::string text = Stripped(statement);
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size() && words.size() < max_words) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    size_t start = i;
    if (text[i] == '"') {
      SkipQuoted(text, i);
      while (i < text.size() && text[i] != ' ' && text[i] != '(') ++i;
      words.push_back(text.substr(start, i - start));
      continue;
    }
    if (text[i] == '(') {
      words.push_back("(");
      ++i;
      continue;
    }
    while (i < text.size() && text[i] != ' ' && text[i] != '(') {
      if (text[i] == '"') {
        SkipQuoted(text, i);
      } else {
        ++i;
      }
    }
    std::string word = text.substr(start, i - start);
    bool quoted = absl::StrContains(word, '"');
    words.push_back(quoted ? word : absl::AsciiStrToUpper(word));
  }
  return words;
}

bool NeedsNoTransaction(absl::string_view statement) {
  std::vector<std::string> w = LeadingWords(statement, 6);
  return StartsWithWords(w, {"CREATE", "INDEX", "CONCURRENTLY"}) ||
         StartsWithWords(w, {"CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"}) ||
         StartsWithWords(w, {"DROP", "INDEX", "CONCURRENTLY"}) ||
         StartsWithWords(w, {"REINDEX", "INDEX", "CONCURRENTLY"}) ||
         StartsWithWords(w, {"REINDEX", "TABLE", "CONCURRENTLY"}) || StartsWithWords(w, {"VACUUM"});
}

absl::StatusOr<std::vector<std::string>> NoTransactionStatements(absl::string_view sql,
                                                                 absl::string_view path) {
  std::vector<std::string> statements = SplitSqlStatements(sql);
  if (statements.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": a no-transaction migration must hold at least one statement"));
  }
  for (size_t i = 0; i < statements.size(); ++i) {
    std::vector<std::string> w = LeadingWords(statements[i], 8);
    bool allowed =
        StartsWithWords(w, {"CREATE", "INDEX", "CONCURRENTLY", "IF", "NOT", "EXISTS"}) ||
        StartsWithWords(w, {"CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", "IF", "NOT", "EXISTS"}) ||
        StartsWithWords(w, {"DROP", "INDEX", "CONCURRENTLY", "IF", "EXISTS"}) ||
        StartsWithWords(w, {"REINDEX", "INDEX", "CONCURRENTLY"}) ||
        StartsWithWords(w, {"REINDEX", "TABLE", "CONCURRENTLY"}) ||
        StartsWithWords(w, {"VACUUM"}) || StartsWithWords(w, {"ANALYZE"});
    if (!allowed) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": statement ", i + 1, " (", Excerpt(statements[i]),
          ") is not allowed in a no-transaction migration, which may hold only CREATE [UNIQUE] "
          "INDEX CONCURRENTLY IF NOT EXISTS, DROP INDEX CONCURRENTLY IF EXISTS, REINDEX "
          "INDEX|TABLE CONCURRENTLY, VACUUM and ANALYZE; put it in a migration of its own"));
    }
  }
  return statements;
}

std::string ConcurrentIndexName(absl::string_view statement) {
  std::vector<std::string> w = LeadingWords(statement, 9);
  size_t at = 0;
  if (StartsWithWords(w, {"CREATE", "INDEX", "CONCURRENTLY", "IF", "NOT", "EXISTS"})) {
    at = 6;
  } else if (StartsWithWords(
                 w, {"CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", "IF", "NOT", "EXISTS"})) {
    at = 7;
  } else {
    return "";
  }
  if (at >= w.size()) return "";
  // LeadingWords upper-cases bare words; take the name as written from the statement.
  std::string text = Stripped(statement);
  std::string upper_name = w[at];
  size_t pos = 0;
  for (size_t k = 0; k < at; ++k) {
    pos = text.find(' ', pos);
    if (pos == std::string::npos) return "";
    ++pos;
  }
  std::string name = text.substr(pos, upper_name.size());
  if (!absl::EqualsIgnoreCase(name, upper_name) || absl::EqualsIgnoreCase(name, "ON") ||
      !IsPlainName(name)) {
    return "";
  }
  return name;
}

}  // namespace querygate::migrate
