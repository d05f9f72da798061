#include "schema/internal/model_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "schema/internal/default_value.h"
#include "schema/internal/naming.h"
#include "schema/internal/option_values.h"
#include "schema/internal/type_parser.h"
#include "schema/internal/vector_index_reader.h"

namespace querygate::schema::internal {
namespace {

constexpr int kMaxVarcharLength = 10485760;
constexpr int kMaxNumericPrecision = 1000;
constexpr int kMaxDimensions = 16000;

constexpr absl::string_view kFieldKeys[] = {
    "type",      "nullable", "primary_key", "unique",      "default",   "index",     "length",
    "precision", "scale",    "dimensions",  "description", "on_delete", "references"};
constexpr absl::string_view kRelationKeys[] = {"type",        "relationship", "foreign_key",
                                               "other_key",   "through",      "on_delete",
                                               "description", "nullable"};

template <size_t N>
bool Contains(const absl::string_view (&keys)[N], absl::string_view key) {
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

// Reads a model member: a field or a relation.
class MemberReader {
 public:
  MemberReader(const ModelDecl& decl, size_t model_index,
               const std::vector<std::string>& model_names, BuildContext& ctx)
      : decl_(decl), model_index_(model_index), model_names_(model_names), ctx_(ctx) {}

  void Read(const MemberDecl& member) {
    const JsonNode& value = *member.value;
    const JsonNode* type_node = &value;
    const JsonNode* options = nullptr;
    std::string type_path = member.path;
    if (value.is_object()) {
      options = &value;
      type_node = value.Find("type");
      type_path = JoinPath(member.path, "type");
      if (type_node == nullptr) {
        Error(member.path, "missing 'type'");
        return;
      }
    } else if (!value.is_string() && !value.is_array()) {
      Error(member.path, absl::StrCat("a field must be a type string, a [\"type\"] array or an "
                                      "object, got ",
                                      value.KindName()));
      return;
    }
    std::optional<TypeSpelling> spelling = ParseTypeNode(*type_node, type_path);
    if (!spelling.has_value()) return;

    bool is_model_ref = false;
    if (spelling->is_reference) {
      bool is_enum = ctx_.schema.FindEnum(spelling->reference) != nullptr;
      is_model_ref = std::find(model_names_.begin(), model_names_.end(), spelling->reference) !=
                     model_names_.end();
      if (!is_enum && !is_model_ref) {
        Error(type_path, absl::StrCat("unknown reference '@", spelling->reference,
                                      "': no model or enum with that name"));
        return;
      }
    }
    bool wants_relation = options != nullptr && options->Find("relationship") != nullptr;
    if (wants_relation && !is_model_ref) {
      Error(type_path, "a relationship's type must reference a model (\"@model\" or [\"@model\"])");
      return;
    }
    if (is_model_ref) {
      ReadRelation(member, *spelling, options);
    } else {
      ReadField(member, *spelling, options);
    }
  }

 private:
  Model& model() { return ctx_.schema.models[model_index_]; }
  ModelSite& site() { return ctx_.sites[model_index_]; }
  void Error(const std::string& path, std::string message) {
    ctx_.diag->Error(decl_.file, path, std::move(message));
  }

  std::optional<TypeSpelling> ParseTypeNode(const JsonNode& node, const std::string& path) {
    std::string text;
    bool array_form = false;
    if (node.is_string()) {
      text = node.text;
    } else if (node.is_array() && node.elements.size() == 1 && node.elements[0].is_string()) {
      text = node.elements[0].text;
      array_form = true;
    } else {
      Error(path,
            "a type must be a string or an array holding one type string, e.g. "
            "[\"string\"]");
      return std::nullopt;
    }
    absl::StatusOr<TypeSpelling> parsed = ParseTypeSpelling(text);
    if (!parsed.ok()) {
      Error(path, std::string(parsed.status().message()));
      return std::nullopt;
    }
    if (array_form) {
      if (parsed->is_array || parsed->nullable) {
        Error(path, absl::StrCat("array element type '", text,
                                 "' must be a plain type (no '?' or '[]')"));
        return std::nullopt;
      }
      parsed->is_array = true;
      if (!parsed->is_reference) {
        if (!IsArrayElementKind(parsed->type.kind)) {
          Error(path, absl::StrCat("arrays of '", TypeKindName(parsed->type.kind),
                                   "' are not supported"));
          return std::nullopt;
        }
        parsed->type.element_kind = parsed->type.kind;
        parsed->type.kind = TypeKind::kArray;
      }
    }
    return *std::move(parsed);
  }

  void ReadField(const MemberDecl& member, const TypeSpelling& spelling, const JsonNode* options) {
    Field field;
    field.name = member.name;
    field.column = member.name;
    field.type = spelling.type;
    field.nullable = spelling.nullable;
    if (spelling.is_reference) {
      field.type.enum_name = spelling.reference;
      if (spelling.is_array) {
        field.type.kind = TypeKind::kArray;
        field.type.element_kind = TypeKind::kEnum;
      } else {
        field.type.kind = TypeKind::kEnum;
      }
    }
    if (std::string problem = IdentifierProblem(member.name); !problem.empty()) {
      Error(member.path, absl::StrCat("field name: ", problem));
    }
    if (model().FindField(member.name) != nullptr) {
      Error(member.path, absl::StrCat("duplicate field '", member.name, "'"));
      return;
    }
    const JsonNode* default_node = nullptr;
    if (options != nullptr) {
      for (const auto& [key, value] : options->members) {
        std::string path = JoinPath(member.path, key);
        if (!Contains(kFieldKeys, key)) {
          Error(path, absl::StrCat("unknown field option '", key, "'"));
          continue;
        }
        if (key == "nullable") {
          if (auto v = ReadBool(value, decl_.file, path, *ctx_.diag)) field.nullable |= *v;
        } else if (key == "primary_key") {
          if (auto v = ReadBool(value, decl_.file, path, *ctx_.diag)) field.primary_key = *v;
        } else if (key == "unique") {
          if (auto v = ReadBool(value, decl_.file, path, *ctx_.diag)) field.unique = *v;
        } else if (key == "default") {
          default_node = &value;
        } else if (key == "index") {
          ReadFieldIndex(field, value, path);
        } else if (key == "length") {
          if (auto v = ReadInteger(value, decl_.file, path, *ctx_.diag)) {
            field.type.length =
                static_cast<int>(std::clamp<int64_t>(*v, -1, kMaxVarcharLength + 1));
          }
        } else if (key == "precision") {
          if (auto v = ReadInteger(value, decl_.file, path, *ctx_.diag)) {
            field.type.precision = static_cast<int>(std::clamp<int64_t>(*v, -1, 100000));
          }
        } else if (key == "scale") {
          if (auto v = ReadInteger(value, decl_.file, path, *ctx_.diag)) {
            field.type.scale = static_cast<int>(std::clamp<int64_t>(*v, -1, 100000));
          }
        } else if (key == "dimensions") {
          if (auto v = ReadInteger(value, decl_.file, path, *ctx_.diag)) {
            field.type.dimensions = static_cast<int>(std::clamp<int64_t>(*v, -1, 100000));
          }
        } else if (key == "description") {
          if (auto v = ReadString(value, decl_.file, path, *ctx_.diag)) field.description = *v;
        } else if (key == "on_delete") {
          field.on_delete = ReadOnDelete(value, decl_.file, path, *ctx_.diag);
        } else if (key == "references") {
          ReadReferences(field, value, path);
        }
      }
    }
    bool type_ok = CheckTypeOptions(field, member.path, options);
    if (default_node != nullptr && type_ok) {
      const Enum* enum_def =
          field.type.enum_name.empty() ? nullptr : ctx_.schema.FindEnum(field.type.enum_name);
      absl::StatusOr<DefaultSql> sql =
          DefaultToSql(field.type, field.nullable, *default_node, enum_def);
      if (!sql.ok()) {
        Error(JoinPath(member.path, "default"), std::string(sql.status().message()));
      } else {
        field.default_sql = sql->sql;
        field.default_is_literal = sql->is_literal;
      }
    }
    site().field_paths[field.name] = member.path;
    model().fields.push_back(std::move(field));
  }

  void ReadFieldIndex(Field& field, const JsonNode& value, const std::string& path) {
    if (field.type.kind == TypeKind::kVector) {
      field.vector_index = ReadVectorIndex(value, decl_.file, path, *ctx_.diag);
      return;
    }
    if (value.is_bool()) {
      field.index = value.bool_value;
      return;
    }
    if (!value.is_object()) {
      Error(path, absl::StrCat("bad option value: index must be true, false or an object, got ",
                               value.KindName()));
      return;
    }
    site().field_index_options.emplace_back(field.name, &value);
  }

  void ReadReferences(Field& field, const JsonNode& value, const std::string& path) {
    std::optional<std::string> text = ReadString(value, decl_.file, path, *ctx_.diag);
    if (!text.has_value()) return;
    absl::string_view name = *text;
    if (name.empty() || name[0] != '@') {
      Error(path, absl::StrCat("references must be \"@model\", got '", *text, "'"));
      return;
    }
    name.remove_prefix(1);
    if (std::find(model_names_.begin(), model_names_.end(), name) == model_names_.end()) {
      Error(path, absl::StrCat("unknown reference '@", name, "': no model with that name"));
      return;
    }
    field.references_model = std::string(name);
  }

  // Checks length/precision/scale/dimensions against the type; false if the type is unusable.
  bool CheckTypeOptions(Field& field, const std::string& path, const JsonNode* options) {
    auto option_path = [&](absl::string_view key) {
      return options != nullptr && options->Find(key) != nullptr ? JoinPath(path, std::string(key))
                                                                 : JoinPath(path, "type");
    };
    FieldType& type = field.type;
    bool ok = true;
    if (type.length.has_value()) {
      if (type.kind != TypeKind::kString) {
        Error(option_path("length"), "bad option value: length is only valid for string fields");
        ok = false;
      } else if (*type.length <= 0 || *type.length > kMaxVarcharLength) {
        Error(option_path("length"), absl::StrCat("bad option value: length must be between 1 "
                                                  "and ",
                                                  kMaxVarcharLength));
        ok = false;
      }
    }
    if (type.precision.has_value() || type.scale.has_value()) {
      if (type.kind != TypeKind::kDecimal) {
        Error(option_path(type.precision.has_value() ? "precision" : "scale"),
              "bad option value: precision and scale are only valid for decimal fields");
        ok = false;
      } else if (!type.precision.has_value()) {
        Error(option_path("scale"), "bad option value: scale needs precision");
        ok = false;
      } else if (*type.precision < 1 || *type.precision > kMaxNumericPrecision) {
        Error(option_path("precision"),
              absl::StrCat("bad option value: precision must be between 1 and ",
                           kMaxNumericPrecision));
        ok = false;
      } else if (type.scale.value_or(0) < 0 || type.scale.value_or(0) > *type.precision) {
        Error(option_path("scale"), "bad option value: scale must be between 0 and the precision");
        ok = false;
      } else if (!type.scale.has_value()) {
        type.scale = 0;
      }
    }
    if (type.kind == TypeKind::kVector) {
      if (!type.dimensions.has_value()) {
        Error(path, "bad option value: vector fields need 'dimensions'");
        ok = false;
      } else if (*type.dimensions < 1 || *type.dimensions > kMaxDimensions) {
        Error(option_path("dimensions"),
              absl::StrCat("bad option value: dimensions must be between 1 and ", kMaxDimensions));
        ok = false;
      }
    } else if (type.dimensions.has_value()) {
      Error(option_path("dimensions"),
            "bad option value: dimensions is only valid for vector fields");
      ok = false;
    }
    if (type.kind == TypeKind::kString && !type.length.has_value()) type.length = 255;
    return ok;
  }

  void ReadRelation(const MemberDecl& member, const TypeSpelling& spelling,
                    const JsonNode* options) {
    PendingRelation pending;
    pending.model_index = model_index_;
    pending.path = member.path;
    pending.many = spelling.is_array;
    Relation& relation = pending.relation;
    relation.name = member.name;
    relation.target_model = spelling.reference;
    relation.optional = spelling.nullable;
    if (!IsValidIdentifier(member.name)) {
      Error(member.path, absl::StrCat("invalid relation name '", member.name,
                                      "': must match ^[a-z_][a-z0-9_]*$"));
    }
    if (model().FindField(member.name) != nullptr || HasRelation(member.name)) {
      Error(member.path, absl::StrCat("duplicate field '", member.name, "'"));
      return;
    }
    bool ok = true;
    if (options != nullptr) {
      for (const auto& [key, value] : options->members) {
        std::string path = JoinPath(member.path, key);
        if (!Contains(kRelationKeys, key)) {
          Error(path, absl::StrCat("unknown relationship option '", key, "'"));
          ok = false;
          continue;
        }
        if (key == "relationship") {
          ok &= ReadKind(pending, value, path);
        } else if (key == "foreign_key" || key == "other_key") {
          std::optional<std::string> column = ReadString(value, decl_.file, path, *ctx_.diag);
          if (!column.has_value()) {
            ok = false;
          } else if (std::string problem = IdentifierProblem(*column); !problem.empty()) {
            Error(path, absl::StrCat(key, ": ", problem));
            ok = false;
          } else {
            (key == "foreign_key" ? relation.foreign_key : relation.other_key) = *column;
          }
        } else if (key == "through") {
          std::optional<std::string> table = ReadString(value, decl_.file, path, *ctx_.diag);
          if (!table.has_value()) {
            ok = false;
          } else if (std::string problem = IdentifierProblem(*table); !problem.empty()) {
            Error(path, absl::StrCat("through table name: ", problem));
            ok = false;
          } else {
            relation.through = *table;
          }
        } else if (key == "on_delete") {
          std::optional<OnDelete> action = ReadOnDelete(value, decl_.file, path, *ctx_.diag);
          if (action.has_value()) {
            relation.on_delete = *action;
            pending.on_delete_given = true;
          } else {
            ok = false;
          }
        } else if (key == "description") {
          if (auto v = ReadString(value, decl_.file, path, *ctx_.diag)) relation.description = *v;
        } else if (key == "nullable") {
          if (auto v = ReadBool(value, decl_.file, path, *ctx_.diag)) relation.optional |= *v;
        }
      }
    }
    if (ok) ctx_.relations.push_back(std::move(pending));
    site().field_paths[member.name] = member.path;
  }

  bool ReadKind(PendingRelation& pending, const JsonNode& value, const std::string& path) {
    std::optional<std::string> text = ReadString(value, decl_.file, path, *ctx_.diag);
    if (!text.has_value()) return false;
    static constexpr std::pair<absl::string_view, RelationKind> kKinds[] = {
        {"belongs_to", RelationKind::kBelongsTo},
        {"has_one", RelationKind::kHasOne},
        {"has_many", RelationKind::kHasMany},
        {"many_to_many", RelationKind::kManyToMany}};
    for (const auto& [name, kind] : kKinds) {
      if (*text != name) continue;
      pending.relation.kind = kind;
      pending.explicit_kind = true;
      bool wants_many = kind == RelationKind::kHasMany || kind == RelationKind::kManyToMany;
      if (wants_many != pending.many) {
        Error(path, absl::StrCat(name, wants_many ? " needs an array type [\"@model\"]"
                                                  : " needs a single \"@model\" type"));
        return false;
      }
      return true;
    }
    Error(path, absl::StrCat("unknown relationship '", *text,
                             "' (expected has_one, has_many, belongs_to, many_to_many)"));
    return false;
  }

  bool HasRelation(const std::string& name) const {
    for (const PendingRelation& pending : ctx_.relations) {
      if (pending.model_index == model_index_ && pending.relation.name == name) return true;
    }
    return false;
  }

  const ModelDecl& decl_;
  size_t model_index_;
  const std::vector<std::string>& model_names_;
  BuildContext& ctx_;
};

// Reads `roles: {"read": [...], "write": [...]}`.
void ReadModelRoles(const ModelDecl& decl, const JsonNode& value, const std::string& path,
                    Model& model, Diagnostics& diag) {
  if (!value.is_object()) {
    diag.Error(decl.file, path,
               absl::StrCat("bad option value: roles must be an object with \"read\" and/or "
                            "\"write\", got ",
                            value.KindName()));
    return;
  }
  for (const auto& [key, roles] : value.members) {
    std::string key_path = JoinPath(path, key);
    if (key != "read" && key != "write") {
      diag.Error(decl.file, key_path,
                 absl::StrCat("unknown roles key '", key, "' (expected read, write)"));
      continue;
    }
    if (auto v = ReadRoles(roles, decl.file, key_path, diag)) {
      (key == "read" ? model.read_roles : model.write_roles) = *std::move(v);
    }
  }
}

void ReadOptions(const ModelDecl& decl, Model& model, ModelSite& site, Diagnostics& diag) {
  if (decl.options == nullptr) return;
  for (const auto& [key, value] : decl.options->members) {
    std::string path = JoinPath(decl.options_path, key);
    if (key == "table") {
      if (auto v = ReadString(value, decl.file, path, diag)) {
        if (std::string problem = IdentifierProblem(*v); !problem.empty()) {
          diag.Error(decl.file, path, absl::StrCat("table name: ", problem));
        }
        model.table = *v;
      }
    } else if (key == "timestamps") {
      if (auto v = ReadBool(value, decl.file, path, diag)) model.timestamps = *v;
    } else if (key == "soft_delete") {
      if (auto v = ReadBool(value, decl.file, path, diag)) model.soft_delete = *v;
    } else if (key == "description") {
      if (auto v = ReadString(value, decl.file, path, diag)) model.description = *v;
    } else if (key == "notify_changes") {
      if (auto v = ReadBool(value, decl.file, path, diag)) model.notify_changes = *v;
    } else if (key == "cache_ttl") {
      if (auto v = ReadInteger(value, decl.file, path, diag)) {
        if (*v < 0) {
          diag.Error(decl.file, path, "bad option value: cache_ttl must be >= 0 seconds");
        } else {
          model.cache_ttl_seconds = *v;
        }
      }
    } else if (key == "local_cache") {
      if (auto v = ReadBool(value, decl.file, path, diag)) model.local_cache = *v;
    } else if (key == "stale_while_revalidate" || key == "stale_if_error") {
      if (auto v = ReadInteger(value, decl.file, path, diag)) {
        if (*v < 0 || *v > 86400) {
          diag.Error(decl.file, path,
                     absl::StrCat("bad option value: ", key, " must be 0 to 86400 seconds"));
        } else {
          (key == "stale_if_error" ? model.stale_if_error_seconds
                                   : model.stale_while_revalidate_seconds) = *v;
        }
      }
    } else if (key == "tenant_scoped") {
      site.tenant_scoped = ReadBool(value, decl.file, path, diag);
    } else if (key == "partition") {
      site.partition = &value;
    } else if (key == "roles") {
      ReadModelRoles(decl, value, path, model, diag);
    } else if (key == "indexes") {
      if (!value.is_array()) {
        diag.Error(decl.file, path, "bad option value: indexes must be an array of objects");
      } else {
        site.indexes = &value;
      }
    }
  }
}

bool IsKeyKind(TypeKind kind) {
  return kind == TypeKind::kInt32 || kind == TypeKind::kInt64 || kind == TypeKind::kUuid ||
         kind == TypeKind::kUuidV7 || kind == TypeKind::kString || kind == TypeKind::kText;
}

void ResolvePrimaryKey(Model& model, ModelSite& site, Diagnostics& diag) {
  std::vector<Field*> marked;
  for (Field& field : model.fields) {
    if (field.primary_key) marked.push_back(&field);
  }
  if (marked.size() > 1) {
    diag.Error(site.file, site.field_paths[marked[1]->name],
               absl::StrCat("model '", model.name,
                            "' has more than one primary_key field (composite keys are not "
                            "supported)"));
    site.usable = false;
    return;
  }
  Field* key = marked.empty() ? model.FindField("id") : marked[0];
  if (key == nullptr) {
    diag.Error(site.file, site.path,
               absl::StrCat("model '", model.name,
                            "' has no primary key: add an 'id' field or mark a field "
                            "\"primary_key\": true"));
    site.usable = false;
    return;
  }
  std::string path = site.field_paths[key->name];
  key->primary_key = true;
  key->unique = false;
  model.primary_key = key->name;
  model.primary_key_columns = {key->column};
  if (key->nullable) {
    diag.Error(site.file, path, "a primary key cannot be nullable");
  }
  if (!IsKeyKind(key->type.kind)) {
    diag.Error(site.file, path,
               absl::StrCat("primary key type '", TypeKindName(key->type.kind),
                            "' is not supported (use int32, int64, uuid, uuid_v7, string or "
                            "text)"));
    site.usable = false;
    return;
  }
  if (!key->has_default()) {
    switch (key->type.kind) {
      case TypeKind::kInt32:
      case TypeKind::kInt64:
        key->auto_generated = true;
        break;
      case TypeKind::kUuidV7:
        key->default_sql = "generate_uuid_v7()";
        key->auto_generated = true;
        break;
      case TypeKind::kUuid:
        key->default_sql = "gen_random_uuid()";
        key->auto_generated = true;
        break;
      default:
        break;
    }
  } else if (!key->default_is_literal) {
    key->auto_generated = true;
  }
}

void AddManagedTimestamp(Model& model, ModelSite& site, Diagnostics& diag, const std::string& name,
                         bool soft_delete) {
  Field* existing = model.FindField(name);
  std::string option = soft_delete ? "soft_delete" : "timestamps";
  if (existing == nullptr) {
    Field field;
    field.name = name;
    field.column = name;
    field.type.kind = TypeKind::kDateTime;
    field.nullable = soft_delete;
    if (!soft_delete) {
      field.default_sql = "now()";
      field.default_is_literal = false;
    }
    field.is_managed_timestamp = !soft_delete;
    field.is_soft_delete_marker = soft_delete;
    model.fields.push_back(std::move(field));
    return;
  }
  std::string path = site.field_paths[name];
  if (existing->type.kind != TypeKind::kDateTime) {
    diag.Error(site.file, path, absl::StrCat(option, ": field '", name, "' must be a datetime"));
    return;
  }
  if (soft_delete) {
    if (!existing->nullable) {
      diag.Error(site.file, path, "soft_delete: field 'deleted_at' must be nullable (datetime?)");
    }
    existing->is_soft_delete_marker = true;
    return;
  }
  existing->is_managed_timestamp = true;
  if (!existing->has_default()) {
    existing->default_sql = "now()";
    existing->default_is_literal = false;
  }
}

}  // namespace

void ReadModelDecl(const ModelDecl& decl, const std::vector<std::string>& model_names,
                   BuildContext& ctx) {
  size_t index = ctx.schema.models.size();
  Model& model = ctx.schema.models.emplace_back();
  model.name = decl.name;
  model.source_file = decl.file;
  ModelSite& site = ctx.sites.emplace_back();
  site.file = decl.file;
  site.path = decl.path;
  site.options_path = decl.options_path;

  ReadOptions(decl, model, site, *ctx.diag);
  if (model.table.empty()) {
    model.table = Pluralize(decl.name);
    if (std::string problem = IdentifierProblem(model.table);
        !problem.empty() && IsValidIdentifier(decl.name)) {
      ctx.diag->Error(decl.file, decl.path, absl::StrCat("table name: ", problem));
    }
  }
  model.primary_key_name = PgObjectName(model.table, "", "pkey");

  MemberReader reader(decl, index, model_names, ctx);
  for (const MemberDecl& member : decl.members) reader.Read(member);

  Model& built = ctx.schema.models[index];
  ModelSite& built_site = ctx.sites[index];
  ResolvePrimaryKey(built, built_site, *ctx.diag);
  if (built.timestamps) {
    AddManagedTimestamp(built, built_site, *ctx.diag, "created_at", false);
    AddManagedTimestamp(built, built_site, *ctx.diag, "updated_at", false);
  }
  if (built.soft_delete) AddManagedTimestamp(built, built_site, *ctx.diag, "deleted_at", true);
}

}  // namespace querygate::schema::internal
