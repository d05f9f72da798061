#include "service/statement_shapes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/repository_fields.h"

namespace querygate::service {
namespace {

// Consumes a constant as pg_stat_statements leaves it: "1" as sent, or "$<n>" once normalized.
bool ConsumeConstant(absl::string_view* text) {
  if (absl::ConsumePrefix(text, "1")) return true;
  if (!absl::ConsumePrefix(text, "$")) return false;
  size_t digits = 0;
  while (digits < text->size() && absl::ascii_isdigit((*text)[digits])) ++digits;
  text->remove_prefix(digits);
  return digits > 0;
}

}  // namespace

RepositoryShapes::RepositoryShapes(const schema::Schema& schema) {
  for (const schema::Model& model : schema.models) {
    models_.push_back({model.name, QuoteIdent(model.table), SelectList(model)});
  }
}

std::string RepositoryShapes::Classify(absl::string_view sql) const {
  for (const Model& m : models_) {
    auto named = [&m](absl::string_view op) { return absl::StrCat(op, " ", m.name); };
    absl::string_view rest = sql;
    if (absl::ConsumePrefix(&rest,
                            absl::StrCat("SELECT ", m.select_list, " FROM ", m.table, " WHERE "))) {
      if (absl::StrContains(rest, " = ANY(")) return named("Include");
      return named(absl::StrContains(rest, " ORDER BY ") ? "List" : "Get");
    }
    if (absl::StartsWith(sql, "SELECT j.") &&
        absl::StrContains(sql, absl::StrCat(" JOIN ", m.table, " AS t ON t."))) {
      return named("Include");
    }
    if (absl::StartsWith(sql, absl::StrCat("SELECT count(*) FROM ", m.table, " WHERE "))) {
      return named("Count");
    }
    rest = sql;
    if (absl::ConsumePrefix(&rest, "SELECT EXISTS (SELECT ") && ConsumeConstant(&rest) &&
        absl::StartsWith(rest, absl::StrCat(" FROM ", m.table, " WHERE "))) {
      return named("Exists");
    }
    rest = sql;
    if (absl::ConsumePrefix(&rest, "SELECT ") && ConsumeConstant(&rest) &&
        absl::StartsWith(rest, absl::StrCat(" FROM ", m.table, " WHERE "))) {
      return named("Update");
    }
    if (absl::StartsWith(sql, absl::StrCat("INSERT INTO ", m.table, " "))) return named("Create");
    if (absl::StartsWith(sql, absl::StrCat("DELETE FROM ", m.table, " WHERE "))) {
      return named("Delete");
    }
    if (absl::StartsWith(sql, absl::StrCat("UPDATE ", m.table, " SET "))) {
      return named(absl::StrContains(sql, " = clock_timestamp() WHERE ") ? "Delete" : "Update");
    }
  }
  return "";
}

}  // namespace querygate::service
