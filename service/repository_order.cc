#include "service/repository_order.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace querygate::service {

absl::StatusOr<ResolvedOrder> ResolveOrder(const schema::Model& model,
                                           const std::vector<OrderTerm>& terms) {
  ResolvedOrder order;
  std::set<std::string> seen;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string path = absl::StrCat("order_by[", i, "].field");
    QG_ASSIGN_OR_RETURN(const schema::Field* field, FindModelField(model, terms[i].field, path));
    if (field->type.kind == schema::TypeKind::kJson ||
        field->type.kind == schema::TypeKind::kVector) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": cannot order by ", field->name, " (",
                                                     schema::TypeKindName(field->type.kind), ")"));
    }
    if (!seen.insert(field->name).second) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", field->name, " is named twice"));
    }
    order.fields.push_back(field);
    order.descending.push_back(terms[i].descending);
  }
  for (const schema::Field* key : KeyFields(model)) {
    if (seen.insert(key->name).second) {
      order.fields.push_back(key);
      order.descending.push_back(false);
    }
  }
  return order;
}

std::string OrderBySql(const ResolvedOrder& order) {
  std::vector<std::string> terms;
  for (size_t i = 0; i < order.fields.size(); ++i) {
    terms.push_back(
        absl::StrCat(QuoteIdent(order.fields[i]->column), order.descending[i] ? " DESC" : " ASC"));
  }
  return absl::StrJoin(terms, ", ");
}

absl::StatusOr<std::string> KeysetPredicate(const schema::Schema& schema,
                                            const ResolvedOrder& order,
                                            const std::vector<Value>& last, SqlParams& params) {
  if (last.size() != order.fields.size()) {
    return absl::InvalidArgumentError("page_token: does not match the order");
  }
  std::vector<std::string> placeholders;
  for (size_t i = 0; i < last.size(); ++i) {
    const schema::Field& field = *order.fields[i];
    if (last[i].is_null()) {
      if (!field.nullable) return absl::InvalidArgumentError("page_token: is damaged");
      placeholders.emplace_back();
      continue;
    }
    auto text = EncodeFieldValue(schema, field, last[i], "page_token", /*strict=*/false);
    if (!text.ok()) return absl::InvalidArgumentError("page_token: does not fit the order fields");
    placeholders.push_back(params.Add(*std::move(text), FieldCastType(field.type)));
  }
  // Row r comes after `last` when, for some i, r equals last on fields 0..i-1 and comes after
  // it on field i. NULL counts as larger than every value.
  std::vector<std::string> disjuncts;
  std::vector<std::string> equal_prefix;
  for (size_t i = 0; i < last.size(); ++i) {
    const schema::Field& field = *order.fields[i];
    std::string column = QuoteIdent(field.column);
    bool null = last[i].is_null();
    std::string after;
    if (!order.descending[i]) {
      if (!null) {
        after = absl::StrCat(column, " > ", placeholders[i]);
        if (field.nullable) after = absl::StrCat("(", after, " OR ", column, " IS NULL)");
      }
    } else {
      after = null ? absl::StrCat(column, " IS NOT NULL")
                   : absl::StrCat(column, " < ", placeholders[i]);
    }
    if (!after.empty()) {
      std::vector<std::string> terms = equal_prefix;
      terms.push_back(after);
      disjuncts.push_back(absl::StrCat("(", absl::StrJoin(terms, " AND "), ")"));
    }
    equal_prefix.push_back(null ? absl::StrCat(column, " IS NULL")
                                : absl::StrCat(column, " = ", placeholders[i]));
  }
  if (disjuncts.empty()) return std::string("FALSE");
  return absl::StrCat("(", absl::StrJoin(disjuncts, " OR "), ")");
}

}  // namespace querygate::service
