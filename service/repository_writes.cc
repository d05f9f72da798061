#include "service/repository_writes.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/repository_fields.h"

namespace querygate::service {
namespace {

bool ServerMaintained(const schema::Field& field) {
  return field.is_managed_timestamp || field.is_soft_delete_marker;
}

const schema::Field* ManagedField(const schema::Model& model, absl::string_view name) {
  const schema::Field* field = model.FindField(name);
  return field != nullptr && field->is_managed_timestamp ? field : nullptr;
}

std::string Join(const std::string& prefix, absl::string_view name) {
  return prefix.empty() ? std::string(name) : absl::StrCat(prefix, ".", name);
}

// Returns the text between the first `open` after `from` and the next `close`.
std::string Between(absl::string_view text, absl::string_view open, absl::string_view close) {
  size_t start = text.find(open);
  if (start == absl::string_view::npos) return "";
  start += open.size();
  size_t end = text.find(close, start);
  if (end == absl::string_view::npos) return "";
  return std::string(text.substr(start, end - start));
}

absl::Status DescribeUniqueViolation(const absl::Status& status) {
  std::string constraint = Between(status.message(), "unique constraint \"", "\"");
  std::string columns = Between(status.message(), "Key (", ")=");
  if (constraint.empty()) return status;
  return absl::AlreadyExistsError(absl::StrCat("unique constraint ", constraint, " on (",
                                               columns.empty() ? "?" : columns,
                                               ") is violated: ", status.message()));
}

absl::StatusOr<db::ResultSet> Run(db::QueryRunner& tx, const Statement& statement) {
  auto result = tx.Query(statement.sql, statement.params);
  if (!result.ok() && result.status().code() == absl::StatusCode::kAlreadyExists) {
    return DescribeUniqueViolation(result.status());
  }
  return result;
}

}  // namespace

std::set<std::string> CascadeTables(const schema::Schema& schema, const std::string& table) {
  std::set<std::string> tables = {table};
  bool grew = true;
  while (grew) {
    grew = false;
    for (const schema::Model* model : schema.AllTables()) {
      if (tables.count(model->table)) continue;
      for (const schema::ForeignKey& fk : model->foreign_keys) {
        if (tables.count(fk.referenced_table)) {
          tables.insert(model->table);
          grew = true;
          break;
        }
      }
    }
  }
  return tables;
}

absl::StatusOr<PlannedWrite> WritePlanner::Create(const RepoCreateRequest& request,
                                                  const std::string& path) {
  QG_ASSIGN_OR_RETURN(const schema::Model* model, FindRepositoryModel(*schema_, request.model));
  for (const auto& [name, value] : request.record) {
    QG_RETURN_IF_ERROR(FindModelField(*model, name, Join(path, name)).status());
  }
  SqlParams params;
  std::vector<std::string> columns;
  std::vector<std::string> values;
  for (const schema::Field& field : model->fields) {
    std::string field_path = Join(path, field.name);
    if (ServerMaintained(field)) continue;
    auto given = request.record.find(field.name);
    // Keys are unique across tenants: a caller-chosen serial key that another tenant holds
    // would answer ALREADY_EXISTS and tell the caller that the row exists.
    if (given != request.record.end() && field.primary_key && field.auto_generated &&
        model->tenant_scoped()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field_path, ": assigned by the database on a tenant-scoped model; leave it out"));
    }
    Value generated;
    const Value* value = given == request.record.end() ? nullptr : &given->second;
    if (value == nullptr && field.type.kind == schema::TypeKind::kUuidV7) {
      QG_ASSIGN_OR_RETURN(std::string uuid, uuids_->Next());
      generated = Value::String(std::move(uuid));
      value = &generated;
    }
    if (value == nullptr) {
      if (!field.nullable && !field.has_default() && !field.auto_generated) {
        return absl::InvalidArgumentError(absl::StrCat(field_path, ": required"));
      }
      continue;
    }
    db::Cell text;
    if (value->is_null()) {
      if (!field.nullable) {
        return absl::InvalidArgumentError(absl::StrCat(field_path, ": must not be null"));
      }
    } else {
      QG_ASSIGN_OR_RETURN(text, EncodeFieldValue(*schema_, field, *value, field_path));
    }
    columns.push_back(QuoteIdent(field.column));
    values.push_back(params.Add(std::move(text), FieldCastType(field.type)));
  }
  PlannedWrite write;
  write.kind = PlannedWrite::Kind::kInsert;
  write.model = model;
  write.tables = {model->table};
  write.statement.label = absl::StrCat("Create ", model->name);
  write.statement.sql =
      columns.empty()
          ? absl::StrCat("INSERT INTO ", QuoteIdent(model->table), " DEFAULT VALUES RETURNING ",
                         SelectList(*model))
          : absl::StrCat("INSERT INTO ", QuoteIdent(model->table), " (",
                         absl::StrJoin(columns, ", "), ") VALUES (", absl::StrJoin(values, ", "),
                         ") RETURNING ", SelectList(*model));
  write.statement.params = params.Take();
  return write;
}

absl::StatusOr<PlannedWrite> WritePlanner::Update(const RepoUpdateRequest& request,
                                                  const std::string& path) {
  QG_ASSIGN_OR_RETURN(const schema::Model* model, FindRepositoryModel(*schema_, request.model));
  std::string record_path = Join(path, "record");
  for (const auto& [name, value] : request.record) {
    QG_RETURN_IF_ERROR(FindModelField(*model, name, Join(record_path, name)).status());
  }
  std::vector<const schema::Field*> targets;
  if (request.update_mask) {
    for (size_t i = 0; i < request.update_mask->size(); ++i) {
      QG_ASSIGN_OR_RETURN(
          const schema::Field* field,
          FindModelField(*model, (*request.update_mask)[i],
                         absl::StrCat(Join(path, "update_mask.paths"), "[", i, "]")));
      targets.push_back(field);
    }
  } else {
    for (const schema::Field& field : model->fields) {
      if (request.record.count(field.name)) targets.push_back(&field);
    }
  }
  std::vector<const schema::Field*> keys = KeyFields(*model);
  SqlParams params;
  std::vector<std::string> sets;
  std::set<std::string> done;
  for (const schema::Field* field : targets) {
    if (!done.insert(field->name).second || ServerMaintained(*field)) continue;
    std::string field_path = Join(record_path, field->name);
    auto given = request.record.find(field->name);
    Value null_value;
    const Value& value = given == request.record.end() ? null_value : given->second;
    bool is_key = std::find(keys.begin(), keys.end(), field) != keys.end();
    if (is_key) {
      bool same = keys.size() == 1 && !request.update_mask &&
                  ValueIdentity(value) == ValueIdentity(request.id);
      if (same) continue;
      return absl::InvalidArgumentError(absl::StrCat(field_path, ": the key cannot change"));
    }
    db::Cell text;
    if (value.is_null()) {
      if (!field->nullable) {
        return absl::InvalidArgumentError(absl::StrCat(field_path, ": must not be null"));
      }
    } else {
      QG_ASSIGN_OR_RETURN(text, EncodeFieldValue(*schema_, *field, value, field_path));
    }
    sets.push_back(absl::StrCat(QuoteIdent(field->column), " = ",
                                params.Add(std::move(text), FieldCastType(field->type))));
  }
  const schema::Field* updated_at = ManagedField(*model, "updated_at");
  if (updated_at != nullptr) {
    // Strictly later than before, so that expected_updated_at always sees a change.
    std::string column = QuoteIdent(updated_at->column);
    sets.push_back(absl::StrCat(column, " = greatest(clock_timestamp(), ", column,
                                " + interval '1 microsecond')"));
  }
  if (sets.empty()) {
    if (keys.empty()) return absl::InvalidArgumentError("model: has no key");
    std::string column = QuoteIdent(keys[0]->column);
    sets.push_back(absl::StrCat(column, " = ", column));
  }
  std::string id_path = Join(path, "id");
  QG_ASSIGN_OR_RETURN(std::string where,
                      KeyPredicate(*schema_, *model, request.id, id_path, params));
  absl::StrAppend(&where, NotDeletedClause(*model));
  PlannedWrite write;
  write.kind = PlannedWrite::Kind::kUpdate;
  write.model = model;
  write.tables = {model->table};
  std::string guard;
  if (request.expected_updated_at) {
    const schema::Field* field = model->FindField("updated_at");
    if (field == nullptr || field->type.kind != schema::TypeKind::kDateTime) {
      return absl::InvalidArgumentError(absl::StrCat(Join(path, "expected_updated_at"), ": model ",
                                                     model->name, " has no updated_at field"));
    }
    QG_ASSIGN_OR_RETURN(
        std::string text,
        EncodeFieldValue(*schema_, *field, Value::Time(*request.expected_updated_at),
                         Join(path, "expected_updated_at")));
    guard = absl::StrCat(" AND ", QuoteIdent(field->column), " = ",
                         params.Add(std::move(text), "timestamptz"));
    write.optimistic = true;
  }
  write.statement.label = absl::StrCat("Update ", model->name);
  write.statement.sql =
      absl::StrCat("UPDATE ", QuoteIdent(model->table), " SET ", absl::StrJoin(sets, ", "),
                   " WHERE ", where, guard, " RETURNING ", SelectList(*model));
  write.statement.params = params.Take();
  SqlParams exists_params;
  QG_ASSIGN_OR_RETURN(std::string exists_where,
                      KeyPredicate(*schema_, *model, request.id, id_path, exists_params));
  write.exists.label = absl::StrCat("Update ", model->name);
  write.exists.sql = absl::StrCat("SELECT 1 FROM ", QuoteIdent(model->table), " WHERE ",
                                  exists_where, NotDeletedClause(*model));
  write.exists.params = exists_params.Take();
  return write;
}

absl::StatusOr<PlannedWrite> WritePlanner::Delete(const RepoDeleteRequest& request,
                                                  const std::string& path) {
  QG_ASSIGN_OR_RETURN(const schema::Model* model, FindRepositoryModel(*schema_, request.model));
  SqlParams params;
  QG_ASSIGN_OR_RETURN(std::string where,
                      KeyPredicate(*schema_, *model, request.id, Join(path, "id"), params));
  PlannedWrite write;
  write.model = model;
  const schema::Field* marker = nullptr;
  for (const schema::Field& field : model->fields) {
    if (field.is_soft_delete_marker) marker = &field;
  }
  if (model->soft_delete && marker != nullptr && !request.hard) {
    write.kind = PlannedWrite::Kind::kSoftDelete;
    write.tables = {model->table};
    write.statement.sql =
        absl::StrCat("UPDATE ", QuoteIdent(model->table), " SET ", QuoteIdent(marker->column),
                     " = clock_timestamp() WHERE ", where, NotDeletedClause(*model), " RETURNING ",
                     SelectList(*model));
  } else {
    write.kind = PlannedWrite::Kind::kHardDelete;
    write.tables = CascadeTables(*schema_, model->table);
    write.statement.sql = absl::StrCat("DELETE FROM ", QuoteIdent(model->table), " WHERE ", where,
                                       " RETURNING ", SelectList(*model));
  }
  write.statement.label = absl::StrCat("Delete ", model->name);
  write.statement.params = params.Take();
  return write;
}

absl::StatusOr<std::optional<Record>> RunWrite(db::QueryRunner& tx, const PlannedWrite& write) {
  QG_ASSIGN_OR_RETURN(db::ResultSet rows, Run(tx, write.statement));
  if (rows.rows.empty()) {
    if (write.kind != PlannedWrite::Kind::kUpdate) return std::optional<Record>();
    QG_ASSIGN_OR_RETURN(db::ResultSet found, Run(tx, write.exists));
    if (!found.rows.empty() && write.optimistic) {
      return absl::AbortedError(
          absl::StrCat(write.model->name, ": the row changed since expected_updated_at"));
    }
    return absl::NotFoundError(absl::StrCat(write.model->name, ": no row with this id"));
  }
  QG_ASSIGN_OR_RETURN(SharedResult result, ToQueryResult(rows, 0));
  return std::optional<Record>(RowToRecord(*write.model, result->rows.at(0)));
}

}  // namespace querygate::service
