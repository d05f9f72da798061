#include "schema/internal/index_builder.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schema/internal/default_value.h"
#include "schema/internal/naming.h"
#include "schema/internal/option_values.h"
#include "schema/tenancy.h"

namespace querygate::schema::internal {
namespace {

bool IsTextual(const FieldType& type) {
  return type.kind == TypeKind::kString || type.kind == TypeKind::kText;
}

bool IsGinable(const FieldType& type) {
  return type.kind == TypeKind::kJson || type.kind == TypeKind::kArray ||
         type.kind == TypeKind::kVector;
}

bool IsLanguageName(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!(c == '_' || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

// Reads one index object of `model`. `implied_field` is set for a field's `index: {...}`.
class IndexReader {
 public:
  IndexReader(const Model& model, const std::string& file, Diagnostics& diag)
      : model_(model), file_(file), diag_(diag) {}

  std::optional<Index> Read(const JsonNode& node, const std::string& path,
                            const std::string* implied_field) {
    if (!node.is_object()) {
      diag_.Error(
          file_, path,
          absl::StrCat("bad option value: an index must be an object, got ", node.KindName()));
      return std::nullopt;
    }
    Index index;
    bool ok = true;
    std::vector<std::string> field_names;
    std::string name;
    const JsonNode* fields = node.Find("fields");
    if (implied_field != nullptr) {
      field_names.push_back(*implied_field);
      if (fields != nullptr) {
        diag_.Error(file_, JoinPath(path, "fields"),
                    "unknown index option 'fields' (a field's index covers that field)");
        ok = false;
      }
    } else if (fields == nullptr || !fields->is_array() || fields->elements.empty()) {
      diag_.Error(file_, JoinPath(path, "fields"),
                  "bad option value: an index needs 'fields', a non-empty array of field names");
      ok = false;
    }
    for (const auto& [key, value] : node.members) {
      std::string key_path = JoinPath(path, key);
      if (key == "fields") {
        if (implied_field != nullptr || !value.is_array()) continue;
        for (size_t i = 0; i < value.elements.size(); ++i) {
          const JsonNode& element = value.elements[i];
          std::string element_path = absl::StrCat(key_path, "[", i, "]");
          if (!element.is_string()) {
            diag_.Error(file_, element_path, "bad option value: index fields must be strings");
            ok = false;
          } else if (std::find(field_names.begin(), field_names.end(), element.text) !=
                     field_names.end()) {
            diag_.Error(file_, element_path,
                        absl::StrCat("field '", element.text, "' is listed twice in the index"));
            ok = false;
          } else {
            field_names.push_back(element.text);
          }
        }
      } else if (key == "unique") {
        if (auto v = ReadBool(value, file_, key_path, diag_)) index.unique = *v;
      } else if (key == "where") {
        auto v = ReadString(value, file_, key_path, diag_);
        if (v.has_value() && v->empty()) {
          diag_.Error(file_, key_path, "bad option value: where must not be empty");
          ok = false;
        } else if (v.has_value()) {
          index.where = *v;
        }
      } else if (key == "name") {
        if (auto v = ReadString(value, file_, key_path, diag_)) {
          if (std::string problem = IdentifierProblem(*v); !problem.empty()) {
            diag_.Error(file_, key_path, absl::StrCat("index name: ", problem));
            ok = false;
          }
          name = *v;
        }
      } else if (key == "type") {
        auto v = ReadString(value, file_, key_path, diag_);
        if (v == "btree") {
          index.method = IndexMethod::kBtree;
        } else if (v == "gin") {
          index.method = IndexMethod::kGin;
        } else if (v == "fulltext") {
          index.method = IndexMethod::kFullText;
        } else if (v.has_value()) {
          diag_.Error(file_, key_path,
                      absl::StrCat("bad option value: unknown index type '", *v,
                                   "' (expected btree, gin, fulltext)"));
          ok = false;
        }
      } else if (key == "language") {
        auto v = ReadString(value, file_, key_path, diag_);
        if (v.has_value() && !IsLanguageName(*v)) {
          diag_.Error(file_, key_path,
                      absl::StrCat("bad option value: language '", *v,
                                   "' must be a text search configuration name like english"));
          ok = false;
        } else if (v.has_value()) {
          index.language = *v;
        }
      } else {
        diag_.Error(file_, key_path, absl::StrCat("unknown index option '", key, "'"));
        ok = false;
      }
    }
    if (node.Find("language") != nullptr && index.method != IndexMethod::kFullText) {
      diag_.Error(file_, JoinPath(path, "language"),
                  "bad option value: language is only valid for fulltext indexes");
      ok = false;
    }
    if (index.unique && index.method != IndexMethod::kBtree) {
      diag_.Error(file_, JoinPath(path, "unique"),
                  "bad option value: unique is only valid for btree indexes");
      ok = false;
    }
    for (size_t i = 0; i < field_names.size(); ++i) {
      const std::string& field_name = field_names[i];
      std::string field_path =
          implied_field != nullptr ? path : absl::StrCat(path, ".fields[", i, "]");
      const Field* field = model_.FindField(field_name);
      if (field == nullptr) {
        diag_.Error(file_, field_path,
                    absl::StrCat("index over unknown field '", field_name, "' of model '",
                                 model_.name, "'"));
        ok = false;
        continue;
      }
      if (index.method == IndexMethod::kFullText && !IsTextual(field->type)) {
        diag_.Error(file_, field_path,
                    absl::StrCat("fulltext index over non-text field '", field_name, "' (",
                                 TypeKindName(field->type.kind), "); use string or text fields"));
        ok = false;
      }
      if (index.method == IndexMethod::kGin && !IsGinable(field->type)) {
        diag_.Error(file_, field_path,
                    absl::StrCat("gin index over field '", field_name, "' of type ",
                                 TypeKindName(field->type.kind), "; use json or array fields"));
        ok = false;
      }
      index.columns.push_back(field ? field->column : field_name);
    }
    if (!ok) return std::nullopt;
    if (name.empty()) {
      if (index.method == IndexMethod::kFullText) {
        name = IndexName("idx", model_.table, index.columns, "_fts");
      } else {
        name = IndexName(index.unique ? "uq" : "idx", model_.table, index.columns, "");
      }
    }
    index.name = name;
    return index;
  }

 private:
  const Model& model_;
  const std::string& file_;
  Diagnostics& diag_;
};

bool Covers(const std::vector<Index>& indexes, const std::string& column) {
  for (const Index& index : indexes) {
    if (index.method == IndexMethod::kBtree && index.where.empty() && !index.columns.empty() &&
        index.columns[0] == column) {
      return true;
    }
  }
  return false;
}

void BuildChecks(const Schema& schema, Model& model) {
  for (const Field& field : model.fields) {
    std::string expression;
    const std::string& column = field.column;
    if (field.type.kind == TypeKind::kVector && field.type.dimensions.has_value()) {
      expression =
          absl::StrCat("cardinality(", QuoteIdentifier(column), ") = ", *field.type.dimensions);
    } else if (field.type.ScalarKind() == TypeKind::kEnum) {
      const Enum* e = schema.FindEnum(field.type.enum_name);
      if (e == nullptr || e->values.empty()) continue;
      std::vector<std::string> literals;
      for (const std::string& value : e->values) literals.push_back(SqlStringLiteral(value));
      if (field.type.IsArray()) {
        expression = absl::StrCat(QuoteIdentifier(column), " <@ ARRAY[",
                                  absl::StrJoin(literals, ", "), "]::text[]");
      } else {
        expression =
            absl::StrCat(QuoteIdentifier(column), " IN (", absl::StrJoin(literals, ", "), ")");
      }
    } else {
      continue;
    }
    model.checks.push_back(
        CheckConstraint{PgObjectName(model.table, column, "check"), column, expression});
  }
}

void BuildModelIndexes(BuildContext& ctx, size_t model_index) {
  Model& model = ctx.schema.models[model_index];
  const ModelSite& site = ctx.sites[model_index];
  Diagnostics& diag = *ctx.diag;
  IndexReader reader(model, site.file, diag);

  std::vector<Index> field_indexes;
  for (const Field& field : model.fields) {
    if (!field.index) continue;
    std::string path = JoinPath(ctx.FieldPath(model_index, field.name), "index");
    bool pk_leading =
        !model.primary_key_columns.empty() && model.primary_key_columns[0] == field.column;
    if (field.unique || pk_leading) {
      diag.Warning(site.file, path,
                   absl::StrCat("index on '", field.name,
                                "' is redundant: its UNIQUE or PRIMARY KEY constraint already "
                                "indexes it; skipped"));
      continue;
    }
    Index index;
    index.columns = {field.column};
    index.name = IndexName("idx", model.table, index.columns, "");
    index.implicit = true;
    field_indexes.push_back(std::move(index));
  }
  for (const auto& [field_name, node] : site.field_index_options) {
    std::string path = JoinPath(ctx.FieldPath(model_index, field_name), "index");
    if (std::optional<Index> index = reader.Read(*node, path, &field_name)) {
      field_indexes.push_back(std::move(*index));
    }
  }
  std::vector<Index> declared;
  if (site.indexes != nullptr) {
    std::string base = JoinPath(site.options_path, "indexes");
    for (size_t i = 0; i < site.indexes->elements.size(); ++i) {
      if (std::optional<Index> index =
              reader.Read(site.indexes->elements[i], absl::StrCat(base, "[", i, "]"), nullptr)) {
        declared.push_back(std::move(*index));
      }
    }
  }
  // A tenant-scoped model's unique indexes are unique per tenant.
  if (HasTenantKey(model)) {
    for (auto* list : {&field_indexes, &declared}) {
      for (Index& index : *list) {
        if (index.unique && std::find(index.columns.begin(), index.columns.end(),
                                      model.tenant_column) == index.columns.end()) {
          index.columns.insert(index.columns.begin(), model.tenant_column);
        }
      }
    }
  }
  std::vector<Index> fk_indexes;
  for (const ForeignKey& fk : model.foreign_keys) {
    const Field* field = model.FindField(fk.column);
    bool pk_leading =
        !model.primary_key_columns.empty() && model.primary_key_columns[0] == fk.column;
    // UNIQUE (tenant column, key) already indexes the tenant column.
    bool tenant_key_leading = HasTenantKey(model) && fk.column == model.tenant_column;
    if ((field != nullptr && field->unique) || pk_leading || tenant_key_leading ||
        Covers(field_indexes, fk.column) || Covers(declared, fk.column)) {
      continue;
    }
    Index index;
    index.columns = {fk.column};
    index.name = IndexName("idx", model.table, index.columns, "");
    index.implicit = true;
    fk_indexes.push_back(std::move(index));
  }
  for (auto* list : {&field_indexes, &fk_indexes, &declared}) {
    for (Index& index : *list) model.indexes.push_back(std::move(index));
  }
  BuildChecks(ctx.schema, model);
}

// Reports names that share PostgreSQL's relation namespace (tables, indexes, sequences).
class RelationNames {
 public:
  explicit RelationNames(Diagnostics& diag) : diag_(diag) {}

  void Add(const std::string& name, const std::string& what, const std::string& file,
           const std::string& path) {
    auto [it, inserted] = owners_.try_emplace(name, what);
    if (!inserted) {
      diag_.Error(file, path,
                  absl::StrCat("name '", name, "' of ", what, " is already used by ", it->second));
    }
  }

 private:
  Diagnostics& diag_;
  absl::flat_hash_map<std::string, std::string> owners_;
};

void RegisterNames(const Model& model, const std::string& file, const std::string& path,
                   RelationNames& names) {
  names.Add(model.primary_key_name, absl::StrCat("the primary key of ", model.table), file, path);
  if (HasTenantKey(model)) {
    names.Add(TenantKeyName(model), absl::StrCat("the tenant key of ", model.table), file, path);
  }
  for (const Field& field : model.fields) {
    if (field.auto_generated && !field.has_default()) {
      names.Add(PgObjectName(model.table, field.column, "seq"),
                absl::StrCat("the sequence of ", model.table, ".", field.column), file, path);
    }
    if (field.unique && !field.primary_key) {
      names.Add(PgObjectName(model.table, field.column, "key"),
                absl::StrCat("the unique constraint on ", model.table, ".", field.column), file,
                path);
    }
  }
  for (const Index& index : model.indexes) {
    names.Add(index.name, absl::StrCat("an index on ", model.table), file,
              JoinPath(path, "indexes"));
  }
}

}  // namespace

void BuildIndexesAndChecks(BuildContext& ctx) {
  for (size_t i = 0; i < ctx.schema.models.size(); ++i) {
    if (ctx.sites[i].usable) BuildModelIndexes(ctx, i);
  }
  RelationNames names(*ctx.diag);
  for (size_t i = 0; i < ctx.schema.models.size(); ++i) {
    const Model& model = ctx.schema.models[i];
    if (!ctx.sites[i].usable) continue;
    names.Add(model.table, absl::StrCat("the table of model '", model.name, "'"), ctx.sites[i].file,
              ctx.sites[i].path);
  }
  for (const Model& junction : ctx.schema.junctions) {
    names.Add(junction.table, absl::StrCat("the junction table '", junction.table, "'"),
              junction.source_file, "");
  }
  for (size_t i = 0; i < ctx.schema.models.size(); ++i) {
    if (!ctx.sites[i].usable) continue;
    RegisterNames(ctx.schema.models[i], ctx.sites[i].file, ctx.sites[i].path, names);
  }
  for (const Model& junction : ctx.schema.junctions) {
    RegisterNames(junction, junction.source_file, "", names);
  }
}

}  // namespace querygate::schema::internal
