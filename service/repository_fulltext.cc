#include "service/repository_fulltext.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/repository_fields.h"

namespace querygate::service {
namespace {

// The index's text search configuration as a regconfig literal (the name comes from the
// schema, never from a caller).
std::string LanguageSql(const schema::Index& index) {
  std::string out = "'";
  for (char c : index.language) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return absl::StrCat(out, "'::regconfig");
}

}  // namespace

FullTextIndexes FindFullTextIndexes(const schema::Model& model, const schema::Field& field) {
  FullTextIndexes found;
  for (const schema::Index& index : model.indexes) {
    if (index.method != schema::IndexMethod::kFullText) continue;
    for (const std::string& column : index.columns) {
      if (column != field.column) continue;
      if (index.columns.size() == 1 && found.single == nullptr) found.single = &index;
      if (index.columns.size() > 1 && found.multi == nullptr) found.multi = &index;
    }
  }
  return found;
}

std::string TsVectorSql(const schema::Index& index) {
  std::vector<std::string> parts;
  for (const std::string& column : index.columns) {
    parts.push_back(absl::StrCat("coalesce(", QuoteIdent(column), ", '')"));
  }
  return absl::StrCat("to_tsvector(", LanguageSql(index), ", ", absl::StrJoin(parts, " || ' ' || "),
                      ")");
}

std::string TsQuerySql(const schema::Index& index, absl::string_view placeholder) {
  return absl::StrCat("plainto_tsquery(", LanguageSql(index), ", ", placeholder, ")");
}

}  // namespace querygate::service
