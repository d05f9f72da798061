#include "schema/internal/naming.h"

#include <cstdint>
#include <cstdio>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace querygate::schema::internal {
namespace {

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

const absl::flat_hash_set<absl::string_view>& ReservedWords() {
  static const auto* const kWords = new absl::flat_hash_set<absl::string_view>{
      // PostgreSQL 15 reserved key words, including "reserved (can be function or type)".
      "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
      "authorization", "binary", "both", "case", "cast", "check", "collate", "collation", "column",
      "concurrently", "constraint", "create", "cross", "current_catalog", "current_date",
      "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
      "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
      "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in",
      "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading",
      "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null",
      "offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary",
      "references", "returning", "right", "select", "session_user", "similar", "some", "symmetric",
      "system_user", "table", "tablesample", "then", "to", "trailing", "true", "union", "unique",
      "user", "using", "variadic", "verbose", "when", "where", "window", "with",
      // System columns present on every table.
      "ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"};
  return *kWords;
}

uint32_t Fnv1a(absl::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace

std::string Pluralize(absl::string_view model_name) {
  std::string name(model_name);
  if (name.empty()) return name;
  size_t n = name.size();
  if (n >= 2 && name[n - 1] == 'y' && !IsVowel(name[n - 2])) {
    return name.substr(0, n - 1) + "ies";
  }
  if (absl::EndsWith(name, "s") || absl::EndsWith(name, "x") || absl::EndsWith(name, "z") ||
      absl::EndsWith(name, "ch") || absl::EndsWith(name, "sh")) {
    return name + "es";
  }
  return name + "s";
}

bool IsValidIdentifier(absl::string_view name) {
  if (name.empty() || name.size() > kMaxIdentifierBytes) return false;
  char first = name[0];
  if (!(first == '_' || (first >= 'a' && first <= 'z'))) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsReservedIdentifier(absl::string_view name) { return ReservedWords().contains(name); }

std::string IdentifierProblem(absl::string_view name) {
  if (name.size() > kMaxIdentifierBytes) {
    return absl::StrCat("invalid identifier '", name, "': longer than 63 bytes");
  }
  if (!IsValidIdentifier(name)) {
    return absl::StrCat("invalid identifier '", name, "': must match ^[a-z_][a-z0-9_]*$");
  }
  if (IsReservedIdentifier(name)) {
    return absl::StrCat("reserved identifier '", name,
                        "': it is a PostgreSQL reserved word or system column");
  }
  return "";
}

std::string QuoteIdentifier(absl::string_view name) {
  if (IsValidIdentifier(name) && !IsReservedIdentifier(name)) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string PgObjectName(absl::string_view name1, absl::string_view name2,
                         absl::string_view label) {
  size_t overhead = label.empty() ? 0 : label.size() + 1;
  if (!name2.empty()) overhead += 1;
  size_t avail = kMaxIdentifierBytes > overhead ? kMaxIdentifierBytes - overhead : 0;
  size_t len1 = name1.size();
  size_t len2 = name2.size();
  while (len1 + len2 > avail) {
    if (len1 > len2) {
      --len1;
    } else {
      --len2;
    }
  }
  std::string name(name1.substr(0, len1));
  if (!name2.empty()) absl::StrAppend(&name, "_", name2.substr(0, len2));
  if (!label.empty()) absl::StrAppend(&name, "_", label);
  return name;
}

std::string IndexName(absl::string_view prefix, absl::string_view table,
                      const std::vector<std::string>& columns, absl::string_view suffix) {
  std::string full = absl::StrCat(prefix, "_", table, "_", absl::StrJoin(columns, "_"), suffix);
  if (full.size() <= kMaxIdentifierBytes) return full;
  char hash[9];
  std::snprintf(hash, sizeof(hash), "%08x", Fnv1a(full));
  return absl::StrCat(full.substr(0, kMaxIdentifierBytes - 9), "_", hash);
}

}  // namespace querygate::schema::internal
