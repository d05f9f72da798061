#include "schema/internal/tenancy_builder.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "schema/internal/naming.h"
#include "schema/internal/option_values.h"
#include "schema/tenancy.h"

namespace querygate::schema::internal {
namespace {

// Key kinds that store the same values (uuid_v7 is a uuid, text holds what string holds).
TypeKind KeyGroup(TypeKind kind) {
  if (kind == TypeKind::kUuidV7) return TypeKind::kUuid;
  if (kind == TypeKind::kText) return TypeKind::kString;
  return kind;
}

bool MatchesTenancyType(const FieldType& type, const Tenancy& tenancy) {
  return !type.IsArray() && KeyGroup(type.kind) == KeyGroup(tenancy.type.kind);
}

std::string TenantDefaultSql() { return absl::StrCat(kCurrentTenantFunction, "()"); }

std::optional<FieldType> ParseTenancyType(absl::string_view text) {
  FieldType type;
  if (text == "uuid") {
    type.kind = TypeKind::kUuid;
  } else if (text == "int64") {
    type.kind = TypeKind::kInt64;
  } else if (text == "int32") {
    type.kind = TypeKind::kInt32;
  } else if (text == "string") {
    type.kind = TypeKind::kString;
    type.length = 255;
  } else {
    return std::nullopt;
  }
  return type;
}

Field TenantField(const Tenancy& tenancy) {
  Field field;
  field.name = tenancy.column;
  field.column = tenancy.column;
  field.type = tenancy.type;
  field.nullable = false;
  field.default_sql = TenantDefaultSql();
  field.default_is_literal = false;
  field.is_tenant_column = true;
  return field;
}

// Reads one `tenancy` object; returns nullopt (after reporting) when it is unusable.
std::optional<Tenancy> ParseTenancy(const JsonNode& node, const std::string& file,
                                    Diagnostics& diag) {
  const std::string path = "tenancy";
  if (!node.is_object()) {
    diag.Error(file, path,
               absl::StrCat("tenancy must be an object like {\"column\": \"organization_id\", "
                            "\"type\": \"uuid\"}, got ",
                            node.KindName()));
    return std::nullopt;
  }
  Tenancy tenancy;
  bool ok = true;
  bool has_column = false;
  bool has_type = false;
  for (const auto& [key, value] : node.members) {
    std::string key_path = JoinPath(path, key);
    if (key == "column") {
      std::optional<std::string> column = ReadString(value, file, key_path, diag);
      if (!column.has_value()) {
        ok = false;
      } else if (std::string problem = IdentifierProblem(*column); !problem.empty()) {
        diag.Error(file, key_path, absl::StrCat("tenant column name: ", problem));
        ok = false;
      } else {
        tenancy.column = *column;
        has_column = true;
      }
    } else if (key == "type") {
      std::optional<std::string> text = ReadString(value, file, key_path, diag);
      std::optional<FieldType> type;
      if (text.has_value()) type = ParseTenancyType(*text);
      if (text.has_value() && !type.has_value()) {
        diag.Error(file, key_path,
                   absl::StrCat("unknown tenant type '", *text,
                                "' (expected uuid, int64, int32, string)"));
      }
      if (!type.has_value()) {
        ok = false;
      } else {
        tenancy.type = *type;
        has_type = true;
      }
    } else if (key == "model") {
      std::optional<std::string> name = ReadString(value, file, key_path, diag);
      if (!name.has_value()) {
        ok = false;
        continue;
      }
      absl::string_view model = *name;
      if (!model.empty() && model[0] == '@') model.remove_prefix(1);
      if (!IsValidIdentifier(model)) {
        diag.Error(file, key_path, absl::StrCat("tenant model '", *name, "' is not a model name"));
        ok = false;
      } else {
        tenancy.model = std::string(model);
      }
    } else {
      diag.Error(file, key_path,
                 absl::StrCat("unknown tenancy key '", key, "' (expected column, type, model)"));
      ok = false;
    }
  }
  if (!has_column && node.Find("column") == nullptr) {
    diag.Error(file, path, "tenancy needs 'column', the tenant column name");
    ok = false;
  }
  if (!has_type && node.Find("type") == nullptr) {
    diag.Error(file, path, "tenancy needs 'type' (uuid, int64, int32 or string)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return tenancy;
}

// Checks a declared tenant column of a scoped model and marks it; false after reporting.
bool MarkDeclaredTenantColumn(const Tenancy& tenancy, const ModelSite& site, Field& field,
                              const std::string& path, Diagnostics& diag) {
  if (field.primary_key) {
    diag.Error(site.file, path,
               absl::StrCat("the tenant column '", tenancy.column,
                            "' cannot be the primary key of a tenant-scoped model"));
    return false;
  }
  if (!MatchesTenancyType(field.type, tenancy)) {
    diag.Error(site.file, path,
               absl::StrCat("the tenant column '", tenancy.column, "' must have the tenancy type ",
                            TypeKindName(tenancy.type.kind), ", got ",
                            field.type.IsArray() ? "an array" : TypeKindName(field.type.kind)));
    return false;
  }
  if (field.nullable) {
    diag.Error(site.file, path,
               absl::StrCat("the tenant column '", tenancy.column, "' cannot be nullable"));
    return false;
  }
  if (field.has_default()) {
    diag.Error(site.file, JoinPath(path, "default"),
               absl::StrCat("the tenant column '", tenancy.column,
                            "' has no declared default: it defaults to the caller's tenant (",
                            TenantDefaultSql(), ")"));
    return false;
  }
  if (!tenancy.model.empty() && !field.references_model.empty() &&
      field.references_model != tenancy.model) {
    diag.Error(site.file, JoinPath(path, "references"),
               absl::StrCat("the tenant column '", tenancy.column,
                            "' can only reference the tenant model '@", tenancy.model, "'"));
    return false;
  }
  field.is_tenant_column = true;
  field.default_sql = TenantDefaultSql();
  field.default_is_literal = false;
  if (!tenancy.model.empty()) field.references_model = tenancy.model;
  return true;
}

}  // namespace

void ReadTenancy(const std::vector<FileDecl>& files, BuildContext& ctx) {
  const FileDecl* first = nullptr;
  for (const FileDecl& file : files) {
    if (file.tenancy == nullptr) continue;
    if (first != nullptr) {
      ctx.diag->Error(file.file, "tenancy",
                      absl::StrCat("tenancy is declared more than once (first in ", first->file,
                                   "); declare it in one file"));
      continue;
    }
    first = &file;
    ctx.tenancy_file = file.file;
    ctx.tenancy_path = "tenancy";
    ctx.schema.tenancy = ParseTenancy(*file.tenancy, file.file, *ctx.diag);
  }
}

void ApplyTenantColumns(BuildContext& ctx) {
  Diagnostics& diag = *ctx.diag;
  if (!ctx.schema.tenancy.has_value()) {
    for (size_t i = 0; i < ctx.schema.models.size(); ++i) {
      const ModelSite& site = ctx.sites[i];
      if (site.tenant_scoped.has_value()) {
        diag.Error(site.file, JoinPath(site.options_path, "tenant_scoped"),
                   "tenant_scoped needs a top-level 'tenancy' declaration");
      }
    }
    return;
  }
  const Tenancy& tenancy = *ctx.schema.tenancy;
  size_t tenant_index = ctx.schema.models.size();
  if (!tenancy.model.empty()) {
    Model* tenant_model = ctx.FindModel(tenancy.model, &tenant_index);
    std::string model_path = JoinPath(ctx.tenancy_path, "model");
    if (tenant_model == nullptr) {
      diag.Error(
          ctx.tenancy_file, model_path,
          absl::StrCat("unknown tenant model '", tenancy.model, "': no model with that name"));
      tenant_index = ctx.schema.models.size();
    } else if (ctx.sites[tenant_index].usable) {
      const Field* key = tenant_model->PrimaryKeyField();
      if (key == nullptr || !MatchesTenancyType(key->type, tenancy)) {
        diag.Error(ctx.tenancy_file, model_path,
                   absl::StrCat("the tenant model '", tenancy.model,
                                "' needs a primary key of the tenancy type ",
                                TypeKindName(tenancy.type.kind), ", but its key '",
                                key == nullptr ? "" : key->name, "' is ",
                                key == nullptr ? "missing" : TypeKindName(key->type.kind)));
        ctx.sites[tenant_index].usable = false;
      }
    }
  }
  for (size_t i = 0; i < ctx.schema.models.size(); ++i) {
    Model& model = ctx.schema.models[i];
    ModelSite& site = ctx.sites[i];
    if (!site.usable || !site.tenant_scoped.value_or(true)) continue;
    if (i == tenant_index) {
      model.tenant_column = model.primary_key_columns.front();
      continue;
    }
    bool conflict = false;
    for (const PendingRelation& pending : ctx.relations) {
      if (pending.model_index == i && pending.relation.name == tenancy.column) {
        diag.Error(site.file, pending.path,
                   absl::StrCat("'", tenancy.column,
                                "' is the tenant column of this tenant-scoped model; it cannot "
                                "be a relation (set \"tenant_scoped\": false to opt out)"));
        conflict = true;
      }
    }
    if (conflict) continue;
    if (Field* declared = model.FindField(tenancy.column)) {
      if (!MarkDeclaredTenantColumn(tenancy, site, *declared, ctx.FieldPath(i, declared->name),
                                    diag)) {
        continue;
      }
    } else {
      Field field = TenantField(tenancy);
      field.references_model = tenancy.model;
      auto key = std::find_if(model.fields.begin(), model.fields.end(),
                              [](const Field& f) { return f.primary_key; });
      auto position = key == model.fields.end() ? model.fields.begin() : key + 1;
      model.fields.insert(position, std::move(field));
    }
    model.tenant_column = tenancy.column;
  }
}

void ScopeJunctions(BuildContext& ctx) {
  if (!ctx.schema.tenancy.has_value()) return;
  const Tenancy& tenancy = *ctx.schema.tenancy;
  for (Model& junction : ctx.schema.junctions) {
    bool scoped = false;
    for (const ForeignKey& fk : junction.foreign_keys) {
      const Model* side = ctx.schema.FindModel(fk.referenced_model);
      scoped = scoped || (side != nullptr && side->tenant_scoped());
    }
    if (!scoped) continue;
    if (Field* existing = junction.FindField(tenancy.column)) {
      // A junction column that points at the tenant model already names the tenant.
      const ForeignKey* fk = junction.FindForeignKey(existing->column);
      if (fk == nullptr || fk->referenced_model != tenancy.model ||
          !MatchesTenancyType(existing->type, tenancy)) {
        ctx.diag->Error(
            junction.source_file, "",
            absl::StrCat("junction table '", junction.table, "' has a column '", tenancy.column,
                         "' that is not the tenant column; rename its key with "
                         "foreign_key/other_key"));
        continue;
      }
      existing->is_tenant_column = true;
    } else {
      // No index of its own: the junction's primary key leads with the tenant column.
      junction.fields.insert(junction.fields.begin(), TenantField(tenancy));
    }
    junction.tenant_column = tenancy.column;
  }
}

}  // namespace querygate::schema::internal
