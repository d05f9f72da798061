#include "migrate/catalog.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "migrate/sql_ident.h"

namespace querygate::migrate {

const CatalogColumn* CatalogTable::FindColumn(const std::string& column) const {
  for (const CatalogColumn& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

std::string CatalogPolicy::CreateSql(const std::string& table) const {
  std::vector<std::string> role_names;
  for (const std::string& role : roles) {
    role_names.push_back(role == "public" ? "PUBLIC" : QuoteIdent(role));
  }
  if (role_names.empty()) role_names.push_back("PUBLIC");
  std::string sql = absl::StrCat("CREATE POLICY ", QuoteIdent(name), " ON ", QuoteIdent(table),
                                 " AS ", permissive ? "PERMISSIVE" : "RESTRICTIVE", " FOR ",
                                 command, " TO ", absl::StrJoin(role_names, ", "));
  if (qual.has_value()) absl::StrAppend(&sql, " USING (", *qual, ")");
  if (with_check.has_value()) absl::StrAppend(&sql, " WITH CHECK (", *with_check, ")");
  return sql;
}

}  // namespace querygate::migrate
