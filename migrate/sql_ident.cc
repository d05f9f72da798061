#include "migrate/sql_ident.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace querygate::migrate {
namespace {

// PostgreSQL's reserved and type/function-name keywords (keywords appendix, PostgreSQL 15).
constexpr std::array<absl::string_view, 95> kKeywords = {"all",
                                                         "analyse",
                                                         "analyze",
                                                         "and",
                                                         "any",
                                                         "array",
                                                         "as",
                                                         "asc",
                                                         "asymmetric",
                                                         "authorization",
                                                         "binary",
                                                         "both",
                                                         "case",
                                                         "cast",
                                                         "check",
                                                         "collate",
                                                         "collation",
                                                         "column",
                                                         "concurrently",
                                                         "constraint",
                                                         "create",
                                                         "cross",
                                                         "current_catalog",
                                                         "current_date",
                                                         "current_role",
                                                         "current_schema",
                                                         "current_time",
                                                         "current_timestamp",
                                                         "current_user",
                                                         "default",
                                                         "deferrable",
                                                         "desc",
                                                         "distinct",
                                                         "do",
                                                         "else",
                                                         "end",
                                                         "except",
                                                         "false",
                                                         "fetch",
                                                         "for",
                                                         "foreign",
                                                         "freeze",
                                                         "from",
                                                         "full",
                                                         "grant",
                                                         "group",
                                                         "having",
                                                         "ilike",
                                                         "in",
                                                         "initially",
                                                         "inner",
                                                         "intersect",
                                                         "into",
                                                         "is",
                                                         "isnull",
                                                         "join",
                                                         "lateral",
                                                         "leading",
                                                         "left",
                                                         "like",
                                                         "limit",
                                                         "localtime",
                                                         "localtimestamp",
                                                         "natural",
                                                         "not",
                                                         "notnull",
                                                         "null",
                                                         "offset",
                                                         "on",
                                                         "only",
                                                         "or",
                                                         "order",
                                                         "outer",
                                                         "overlaps",
                                                         "placing",
                                                         "primary",
                                                         "references",
                                                         "returning",
                                                         "right",
                                                         "select",
                                                         "session_user",
                                                         "similar",
                                                         "some",
                                                         "symmetric",
                                                         "table",
                                                         "tablesample",
                                                         "then",
                                                         "to",
                                                         "trailing",
                                                         "true",
                                                         "union",
                                                         "unique",
                                                         "user",
                                                         "using",
                                                         "variadic"};

bool IsPlain(absl::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return std::find(kKeywords.begin(), kKeywords.end(), name) == kKeywords.end();
}

}  // namespace

std::string QuoteIdent(absl::string_view name) {
  if (IsPlain(name)) return std::string(name);
  return "\"" + absl::StrReplaceAll(name, {{"\"", "\"\""}}) + "\"";
}

}  // namespace querygate::migrate
