#include "service/repository_fields.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "service/query_registry.h"
#include "service/result_codec.h"
#include "service/vector_text.h"

namespace querygate::service {
namespace {

using schema::TypeKind;

int64_t Utf8Length(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

absl::Status CheckScalar(const schema::Schema& schema, const schema::FieldType& type,
                         const Value& value, absl::string_view path) {
  if (value.is_null()) return absl::OkStatus();
  TypeKind kind = type.ScalarKind();
  if (kind == TypeKind::kEnum && value.kind() == Value::Kind::kString) {
    const schema::Enum* e = schema.FindEnum(type.enum_name);
    if (e != nullptr && !e->Contains(value.string_value())) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": \"", value.string_value(), "\" is not one of ", absl::StrJoin(e->values, ", ")));
    }
  }
  if (kind == TypeKind::kString && type.length && value.kind() == Value::Kind::kString &&
      Utf8Length(value.string_value()) > *type.length) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": longer than ", *type.length, " characters"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string QuoteIdent(absl::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string SqlParams::Add(db::Cell text, absl::string_view type) {
  values_.push_back(std::move(text));
  return absl::StrCat("$", values_.size(), "::", type);
}

db::PgParamType FieldBindType(const schema::FieldType& type) {
  if (type.kind == TypeKind::kVector) return {db::PgScalar::kFloat64, true};
  return BindTypeOf(type);
}

std::string FieldCastType(const schema::FieldType& type) {
  if (type.kind == TypeKind::kVector) return "real[]";
  return db::SqlTypeName(FieldBindType(type));
}

absl::Status WithPath(const absl::Status& status) {
  absl::string_view message = status.message();
  if (!absl::ConsumePrefix(&message, "parameter ")) return status;
  return absl::Status(status.code(), message);
}

absl::StatusOr<std::string> EncodeFieldValue(const schema::Schema& schema,
                                             const schema::Field& field, const Value& value,
                                             absl::string_view path, bool strict) {
  if (field.type.kind == TypeKind::kVector) {
    return EncodeVectorValue(value, field.type.dimensions, path);
  }
  if (!strict) {
    // Only kinds and ranges matter for comparisons.
  } else if (field.type.IsArray() && value.kind() == Value::Kind::kList) {
    for (size_t i = 0; i < value.list_value().size(); ++i) {
      QG_RETURN_IF_ERROR(
          CheckScalar(schema, field.type, value.list_value()[i], absl::StrCat(path, "[", i, "]")));
    }
  } else if (!field.type.IsArray()) {
    QG_RETURN_IF_ERROR(CheckScalar(schema, field.type, value, path));
  }
  auto encoded = db::EncodeParam(value, FieldBindType(field.type), path);
  if (!encoded.ok()) return WithPath(encoded.status());
  return encoded;
}

absl::StatusOr<const schema::Model*> FindRepositoryModel(const schema::Schema& schema,
                                                         absl::string_view name) {
  if (const schema::Model* model = schema.FindModel(name)) return model;
  for (const schema::Model& junction : schema.junctions) {
    if (junction.name == name) return &junction;
  }
  return absl::InvalidArgumentError(absl::StrCat("model: unknown model \"", name, "\""));
}

absl::StatusOr<const schema::Field*> FindModelField(const schema::Model& model,
                                                    absl::string_view name,
                                                    absl::string_view path) {
  const schema::Field* field = model.FindField(name);
  if (field == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": model ", model.name, " has no field \"", name, "\""));
  }
  return field;
}

std::vector<const schema::Field*> KeyFields(const schema::Model& model) {
  std::vector<const schema::Field*> keys;
  for (const std::string& column : model.primary_key_columns) {
    for (const schema::Field& field : model.fields) {
      if (field.column == column) keys.push_back(&field);
    }
  }
  return keys;
}

absl::StatusOr<std::string> KeyPredicate(const schema::Schema& schema, const schema::Model& model,
                                         const Value& id, absl::string_view path, SqlParams& params,
                                         absl::string_view alias) {
  std::vector<const schema::Field*> keys = KeyFields(model);
  if (keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": model ", model.name, " has no key"));
  }
  std::vector<Value> parts;
  if (keys.size() == 1) {
    parts.push_back(id);
  } else if (id.kind() == Value::Kind::kList && id.list_value().size() == keys.size()) {
    parts = id.list_value();
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": model ", model.name, " needs a list of ", keys.size(), " key values"));
  }
  std::string prefix = alias.empty() ? "" : absl::StrCat(alias, ".");
  std::vector<std::string> terms;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string part_path = keys.size() == 1 ? std::string(path) : absl::StrCat(path, "[", i, "]");
    if (parts[i].is_null()) {
      return absl::InvalidArgumentError(absl::StrCat(part_path, ": required"));
    }
    QG_ASSIGN_OR_RETURN(std::string text, EncodeFieldValue(schema, *keys[i], parts[i], part_path));
    terms.push_back(absl::StrCat(prefix, QuoteIdent(keys[i]->column), " = ",
                                 params.Add(std::move(text), FieldCastType(keys[i]->type))));
  }
  return absl::StrJoin(terms, " AND ");
}

std::string SelectList(const schema::Model& model, absl::string_view alias) {
  std::string prefix = alias.empty() ? "" : absl::StrCat(alias, ".");
  std::vector<std::string> columns;
  for (const schema::Field& field : model.fields) {
    columns.push_back(absl::StrCat(prefix, QuoteIdent(field.column)));
  }
  return absl::StrJoin(columns, ", ");
}

std::string NotDeletedClause(const schema::Model& model, absl::string_view alias) {
  if (!model.soft_delete) return "";
  for (const schema::Field& field : model.fields) {
    if (field.is_soft_delete_marker) {
      return absl::StrCat(" AND ", alias.empty() ? "" : absl::StrCat(alias, "."),
                          QuoteIdent(field.column), " IS NULL");
    }
  }
  return "";
}

Record RowToRecord(const schema::Model& model, const std::vector<Value>& row, size_t offset) {
  Record record;
  for (size_t i = 0; i < model.fields.size() && offset + i < row.size(); ++i) {
    if (model.fields[i].type.kind == TypeKind::kVector) {
      record.emplace(model.fields[i].name, DecodeVectorCell(row[offset + i]));
    } else {
      record.emplace(model.fields[i].name, row[offset + i]);
    }
  }
  return record;
}

std::string ValueIdentity(const Value& value) {
  std::string out;
  EncodeValue(value, out);
  return out;
}

}  // namespace querygate::service
