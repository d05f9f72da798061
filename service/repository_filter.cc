#include "service/repository_filter.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/repository_fulltext.h"

namespace querygate::service {
namespace {

using schema::TypeKind;

bool IsTextual(const schema::FieldType& type) {
  return !type.IsArray() && (type.kind == TypeKind::kString || type.kind == TypeKind::kText ||
                             type.kind == TypeKind::kEnum);
}

bool IsOrderable(const schema::FieldType& type) {
  return type.kind != TypeKind::kJson && type.kind != TypeKind::kVector;
}

// True when `filter` has more than `max_nodes` nodes; holds at most max_nodes of them.
bool MoreNodesThan(const Filter& filter, int max_nodes) {
  int64_t seen = 1;
  if (seen > max_nodes) return true;
  std::vector<const Filter*> pending{&filter};
  while (!pending.empty()) {
    const Filter* node = pending.back();
    pending.pop_back();
    seen += static_cast<int64_t>(node->children.size());
    if (seen > max_nodes) return true;
    for (const Filter& child : node->children) pending.push_back(&child);
  }
  return false;
}

class Compiler {
 public:
  Compiler(const schema::Schema& schema, const schema::Model& model, const FilterLimits& limits,
           SqlParams& params)
      : schema_(schema), model_(model), limits_(limits), params_(params) {}

  absl::StatusOr<std::string> Compile(const Filter& filter, int depth, const std::string& path) {
    if (depth > limits_.max_depth) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": filters nest deeper than ",
                                                     limits_.max_depth,
                                                     " levels (repository.max_filter_depth)"));
    }
    switch (filter.kind) {
      case Filter::Kind::kEmpty:
        return std::string("TRUE");
      case Filter::Kind::kCondition:
        return Condition(filter, absl::StrCat(path, ".condition"));
      case Filter::Kind::kAll:
      case Filter::Kind::kAny: {
        bool all = filter.kind == Filter::Kind::kAll;
        if (filter.children.empty()) return std::string(all ? "TRUE" : "FALSE");
        std::vector<std::string> parts;
        for (size_t i = 0; i < filter.children.size(); ++i) {
          QG_ASSIGN_OR_RETURN(std::string part,
                              Compile(filter.children[i], depth + 1,
                                      absl::StrCat(path, all ? ".all[" : ".any[", i, "]")));
          parts.push_back(std::move(part));
        }
        return absl::StrCat("(", absl::StrJoin(parts, all ? " AND " : " OR "), ")");
      }
      case Filter::Kind::kNot: {
        if (filter.children.size() != 1) {
          return absl::InvalidArgumentError(absl::StrCat(path, ".not: needs one filter"));
        }
        QG_ASSIGN_OR_RETURN(std::string inner,
                            Compile(filter.children[0], depth + 1, absl::StrCat(path, ".not")));
        return absl::StrCat("(NOT ", inner, ")");
      }
    }
    return absl::InternalError("unknown filter kind");
  }

 private:
  absl::Status Unsupported(const std::string& path, absl::string_view op,
                           const schema::Field& field) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".op: ", op, " is not supported on ",
                                                   field.name, " (",
                                                   schema::TypeKindName(field.type.kind), ")"));
  }

  absl::StatusOr<std::string> Bind(const schema::Field& field, const Value& value,
                                   const std::string& path) {
    if (value.is_null()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": a value is required (use IS_NULL to test for null)"));
    }
    QG_ASSIGN_OR_RETURN(std::string text,
                        EncodeFieldValue(schema_, field, value, path, /*strict=*/false));
    return params_.Add(std::move(text), FieldCastType(field.type));
  }

  absl::StatusOr<std::string> BindList(const schema::Field& field, const Value& value,
                                       const std::string& path) {
    if (value.kind() != Value::Kind::kList) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": expected a list_value, got ", KindName(value.kind())));
    }
    if (static_cast<int64_t>(value.list_value().size()) > limits_.max_in_list) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": more than ", limits_.max_in_list,
                                                     " values (repository.max_in_list)"));
    }
    for (size_t i = 0; i < value.list_value().size(); ++i) {
      const Value& item = value.list_value()[i];
      std::string item_path = absl::StrCat(path, "[", i, "]");
      if (item.is_null()) {
        return absl::InvalidArgumentError(
            absl::StrCat(item_path, ": null is not allowed (use IS_NULL)"));
      }
      QG_RETURN_IF_ERROR(
          EncodeFieldValue(schema_, field, item, item_path, /*strict=*/false).status());
    }
    db::PgParamType type = FieldBindType(field.type);
    type.array = true;
    auto text = db::EncodeParam(value, type, path);
    if (!text.ok()) return WithPath(text.status());
    return params_.Add(*std::move(text), absl::StrCat(FieldCastType(field.type), "[]"));
  }

  absl::StatusOr<std::string> Match(const schema::Field& field, const Value& value,
                                    const std::string& path) {
    FullTextIndexes found = FindFullTextIndexes(model_, field);
    if (found.single == nullptr && found.multi == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".field: MATCH needs a fulltext index covering ", field.name));
    }
    if (value.kind() != Value::Kind::kString) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".value: expected a string, got ", KindName(value.kind())));
    }
    if (value.string_value().size() > kMaxFullTextQueryBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".value: longer than ", kMaxFullTextQueryBytes, " bytes"));
    }
    QG_ASSIGN_OR_RETURN(std::string placeholder, Bind(field, value, absl::StrCat(path, ".value")));
    auto expression = [&](const schema::Index& index) {
      return absl::StrCat(TsVectorSql(index), " @@ ", TsQuerySql(index, placeholder));
    };
    if (found.single != nullptr) return expression(*found.single);
    // The combined document of a multi-column index contains every lexeme of the field, so
    // its (indexed) test is a necessary condition; the second test makes it exact.
    schema::Index own = *found.multi;
    own.columns = {field.column};
    return absl::StrCat("(", expression(*found.multi), " AND ", expression(own), ")");
  }

  absl::StatusOr<std::string> Condition(const Filter& filter, const std::string& path) {
    QG_ASSIGN_OR_RETURN(const schema::Field* field,
                        FindModelField(model_, filter.field, absl::StrCat(path, ".field")));
    std::string column = QuoteIdent(field->column);
    std::string value_path = absl::StrCat(path, ".value");
    auto compare = [&](absl::string_view op, absl::string_view name,
                       bool ordered) -> absl::StatusOr<std::string> {
      if (ordered && !IsOrderable(field->type)) return Unsupported(path, name, *field);
      QG_ASSIGN_OR_RETURN(std::string placeholder, Bind(*field, filter.value, value_path));
      return absl::StrCat(column, " ", op, " ", placeholder);
    };
    auto list_ok = [&](absl::string_view name) -> absl::Status {
      if (field->type.IsArray() || !IsOrderable(field->type)) {
        return Unsupported(path, name, *field);
      }
      return absl::OkStatus();
    };
    switch (filter.op) {
      case FilterOp::kUnspecified:
        return absl::InvalidArgumentError(absl::StrCat(path, ".op: an operator is required"));
      case FilterOp::kEq:
        return compare("=", "EQ", false);
      case FilterOp::kNe:
        return compare("<>", "NE", false);
      case FilterOp::kLt:
        return compare("<", "LT", true);
      case FilterOp::kLe:
        return compare("<=", "LE", true);
      case FilterOp::kGt:
        return compare(">", "GT", true);
      case FilterOp::kGe:
        return compare(">=", "GE", true);
      case FilterOp::kIn: {
        QG_RETURN_IF_ERROR(list_ok("IN"));
        QG_ASSIGN_OR_RETURN(std::string placeholder, BindList(*field, filter.value, value_path));
        return absl::StrCat(column, " = ANY(", placeholder, ")");
      }
      case FilterOp::kNotIn: {
        QG_RETURN_IF_ERROR(list_ok("NOT_IN"));
        QG_ASSIGN_OR_RETURN(std::string placeholder, BindList(*field, filter.value, value_path));
        return absl::StrCat(column, " <> ALL(", placeholder, ")");
      }
      case FilterOp::kIsNull:
      case FilterOp::kIsNotNull:
        if (!filter.value.is_null()) {
          return absl::InvalidArgumentError(
              absl::StrCat(value_path, ": IS_NULL and IS_NOT_NULL take no value"));
        }
        return absl::StrCat(column, filter.op == FilterOp::kIsNull ? " IS NULL" : " IS NOT NULL");
      case FilterOp::kBetween: {
        if (!IsOrderable(field->type)) return Unsupported(path, "BETWEEN", *field);
        if (filter.value.kind() != Value::Kind::kList || filter.value.list_value().size() != 2) {
          return absl::InvalidArgumentError(
              absl::StrCat(value_path, ": BETWEEN takes a list_value of two bounds"));
        }
        QG_ASSIGN_OR_RETURN(std::string low, Bind(*field, filter.value.list_value()[0],
                                                  absl::StrCat(value_path, "[0]")));
        QG_ASSIGN_OR_RETURN(std::string high, Bind(*field, filter.value.list_value()[1],
                                                   absl::StrCat(value_path, "[1]")));
        return absl::StrCat(column, " BETWEEN ", low, " AND ", high);
      }
      case FilterOp::kLike:
      case FilterOp::kILike: {
        bool like = filter.op == FilterOp::kLike;
        if (!IsTextual(field->type)) return Unsupported(path, like ? "LIKE" : "ILIKE", *field);
        if (filter.value.kind() != Value::Kind::kString) {
          return absl::InvalidArgumentError(
              absl::StrCat(value_path, ": expected a string, got ", KindName(filter.value.kind())));
        }
        auto text = db::EncodeParam(filter.value, {db::PgScalar::kText, false}, value_path);
        if (!text.ok()) return WithPath(text.status());
        return absl::StrCat(column, like ? " LIKE " : " ILIKE ", params_.Add(*text, "text"));
      }
      case FilterOp::kMatch:
        if (!IsTextual(field->type)) return Unsupported(path, "MATCH", *field);
        return Match(*field, filter.value, path);
    }
    return absl::InvalidArgumentError(absl::StrCat(path, ".op: unknown operator"));
  }

  const schema::Schema& schema_;
  const schema::Model& model_;
  const FilterLimits& limits_;
  SqlParams& params_;
};

}  // namespace

absl::StatusOr<std::string> CompileFilter(const schema::Schema& schema, const schema::Model& model,
                                          const Filter& filter, const FilterLimits& limits,
                                          SqlParams& params) {
  if (MoreNodesThan(filter, limits.max_nodes)) {
    return absl::InvalidArgumentError(absl::StrCat("filter: more than ", limits.max_nodes,
                                                   " conditions and groups "
                                                   "(repository.max_filter_nodes)"));
  }
  Compiler compiler(schema, model, limits, params);
  return compiler.Compile(filter, 1, "filter");
}

}  // namespace querygate::service
