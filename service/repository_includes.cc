#include "service/repository_includes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "service/repository_fields.h"

namespace querygate::service {
namespace {

using schema::RelationKind;

const schema::Field* FieldByColumn(const schema::Model& model, const std::string& column) {
  for (const schema::Field& field : model.fields) {
    if (field.column == column) return &field;
  }
  return nullptr;
}

std::string KeyOrder(const schema::Model& model, absl::string_view alias) {
  std::vector<std::string> terms;
  for (const schema::Field* key : KeyFields(model)) {
    terms.push_back(
        absl::StrCat(alias.empty() ? "" : absl::StrCat(alias, "."), QuoteIdent(key->column)));
  }
  return absl::StrJoin(terms, ", ");
}

}  // namespace

absl::StatusOr<IncludeTree> ParseIncludes(const schema::Schema& schema, const schema::Model& model,
                                          const std::vector<std::string>& paths, int max_depth) {
  IncludeTree tree;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string where = absl::StrCat("include[", i, "]");
    std::vector<std::string> parts = absl::StrSplit(paths[i], '.');
    if (static_cast<int>(parts.size()) > max_depth) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": \"", paths[i],
                                                     "\" nests deeper than ", max_depth,
                                                     " levels (repository.max_include_depth)"));
    }
    const schema::Model* owner = &model;
    IncludeTree* level = &tree;
    for (const std::string& part : parts) {
      const schema::Relation* relation = part.empty() ? nullptr : owner->FindRelation(part);
      if (relation == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": model ", owner->name, " has no relation \"", part, "\""));
      }
      const schema::Model* target = schema.FindModel(relation->target_model);
      if (target == nullptr) return absl::InternalError("relation target is not a model");
      IncludeNode& node = (*level)[part];
      node.relation = relation;
      node.target = target;
      owner = target;
      level = &node.children;
    }
  }
  return tree;
}

void AddIncludeTables(const IncludeTree& tree, std::set<std::string>& tables) {
  for (const auto& [name, node] : tree) {
    tables.insert(node.target->table);
    if (node.relation->kind == RelationKind::kManyToMany) tables.insert(node.relation->through);
    AddIncludeTables(node.children, tables);
  }
}

std::string IncludeFingerprint(const IncludeTree& tree) {
  std::vector<std::string> parts;
  for (const auto& [name, node] : tree) {
    parts.push_back(node.children.empty()
                        ? name
                        : absl::StrCat(name, "(", IncludeFingerprint(node.children), ")"));
  }
  return absl::StrJoin(parts, ";");
}

namespace {

absl::Status Load(const schema::Schema& schema, const schema::Model& model, const IncludeTree& tree,
                  std::vector<Record>& records, const StatementRunner& run, int64_t max_rows,
                  int64_t& rows_left) {
  for (const auto& [name, node] : tree) {
    const schema::Relation& rel = *node.relation;
    const schema::Model& target = *node.target;
    bool belongs = rel.kind == RelationKind::kBelongsTo;
    bool many = rel.kind == RelationKind::kHasMany || rel.kind == RelationKind::kManyToMany;
    // The parent column holding the key, and the column compared with it.
    const schema::Field* parent_field =
        FieldByColumn(model, belongs ? rel.foreign_key : rel.referenced_key);
    const schema::Field* compared = nullptr;
    if (belongs) {
      compared = FieldByColumn(target, rel.referenced_key);
    } else if (rel.kind == RelationKind::kManyToMany) {
      compared = parent_field;
    } else {
      compared = FieldByColumn(target, rel.foreign_key);
    }
    if (parent_field == nullptr || compared == nullptr) {
      return absl::InternalError(
          absl::StrCat("relation ", model.name, ".", name, " has unresolved keys"));
    }
    Value::List keys;
    std::set<std::string> seen;
    for (const Record& record : records) {
      auto it = record.find(parent_field->name);
      if (it == record.end() || it->second.is_null()) continue;
      if (seen.insert(ValueIdentity(it->second)).second) keys.push_back(it->second);
    }
    std::map<std::string, std::vector<Record>> by_key;
    if (!keys.empty()) {
      SqlParams params;
      db::PgParamType array_type = FieldBindType(compared->type);
      array_type.array = true;
      auto keys_text = db::EncodeParam(Value::ListOf(std::move(keys)), array_type, name);
      if (!keys_text.ok()) return keys_text.status();
      std::string keys_param =
          params.Add(*std::move(keys_text), absl::StrCat(FieldCastType(compared->type), "[]"));
      Statement statement;
      statement.label = absl::StrCat("include ", model.name, ".", name);
      size_t offset = 0;
      std::string match_column;
      if (rel.kind == RelationKind::kManyToMany) {
        offset = 1;
        statement.sql = absl::StrCat(
            "SELECT j.", QuoteIdent(rel.foreign_key), ", ", SelectList(target, "t"), " FROM ",
            QuoteIdent(rel.through), " AS j JOIN ", QuoteIdent(target.table), " AS t ON t.",
            QuoteIdent(rel.target_key_other), " = j.", QuoteIdent(rel.other_key), " WHERE j.",
            QuoteIdent(rel.foreign_key), " = ANY(", keys_param, ")", NotDeletedClause(target, "t"),
            " ORDER BY j.", QuoteIdent(rel.foreign_key), ", ", KeyOrder(target, "t"));
      } else {
        match_column = belongs ? rel.referenced_key : rel.foreign_key;
        statement.sql =
            absl::StrCat("SELECT ", SelectList(target), " FROM ", QuoteIdent(target.table),
                         " WHERE ", QuoteIdent(match_column), " = ANY(", keys_param, ")",
                         NotDeletedClause(target), " ORDER BY ", KeyOrder(target, ""));
      }
      statement.sql += absl::StrCat(" LIMIT ", params.Add(absl::StrCat(rows_left + 1), "bigint"));
      statement.params = params.Take();
      QG_ASSIGN_OR_RETURN(SharedResult result, run(statement));
      if (static_cast<int64_t>(result->rows.size()) > rows_left) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "include: more than ", max_rows, " related rows (repository.max_include_rows)"));
      }
      rows_left -= static_cast<int64_t>(result->rows.size());
      std::vector<Record> children;
      std::vector<std::string> child_keys;
      children.reserve(result->rows.size());
      const schema::Field* match_field =
          match_column.empty() ? nullptr : FieldByColumn(target, match_column);
      for (const auto& row : result->rows) {
        children.push_back(RowToRecord(target, row, offset));
        child_keys.push_back(
            ValueIdentity(offset == 1 ? row[0] : children.back().at(match_field->name)));
      }
      QG_RETURN_IF_ERROR(Load(schema, target, node.children, children, run, max_rows, rows_left));
      for (size_t i = 0; i < children.size(); ++i) {
        by_key[child_keys[i]].push_back(std::move(children[i]));
      }
    }
    for (Record& record : records) {
      auto key = record.find(parent_field->name);
      const std::vector<Record>* found = nullptr;
      if (key != record.end() && !key->second.is_null()) {
        auto it = by_key.find(ValueIdentity(key->second));
        if (it != by_key.end()) found = &it->second;
      }
      if (many) {
        Value::List list;
        if (found != nullptr) {
          for (const Record& child : *found) list.push_back(Value::StructOf(child));
        }
        record[name] = Value::ListOf(std::move(list));
      } else {
        record[name] =
            found != nullptr && !found->empty() ? Value::StructOf(found->front()) : Value();
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadIncludes(const schema::Schema& schema, const schema::Model& model,
                          const IncludeTree& tree, std::vector<Record>& records,
                          const StatementRunner& run, int64_t max_rows) {
  int64_t rows_left = std::max<int64_t>(max_rows, 0);
  return Load(schema, model, tree, records, run, max_rows, rows_left);
}

}  // namespace querygate::service
