#include "schema/internal/file_reader.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "schema/internal/naming.h"

namespace querygate::schema::internal {
namespace {

constexpr absl::string_view kModelOptions[] = {"table",
                                               "timestamps",
                                               "soft_delete",
                                               "indexes",
                                               "description",
                                               "cache_ttl",
                                               "notify_changes",
                                               "roles",
                                               "tenant_scoped",
                                               "local_cache",
                                               "stale_while_revalidate",
                                               "stale_if_error",
                                               "partition"};

bool IsModelOption(absl::string_view key) {
  for (absl::string_view option : kModelOptions) {
    if (key == option) return true;
  }
  return false;
}

void ReportDuplicateKeys(const std::string& file, const JsonNode& node, const std::string& path,
                         Diagnostics& diag) {
  if (node.is_object()) {
    for (const std::string& key : node.duplicate_keys) {
      diag.Error(file, JoinPath(path, key),
                 absl::StrCat("duplicate key '", key, "' in the same object"));
    }
    for (const auto& [key, child] : node.members) {
      ReportDuplicateKeys(file, child, JoinPath(path, key), diag);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.elements.size(); ++i) {
      ReportDuplicateKeys(file, node.elements[i], absl::StrCat(path, "[", i, "]"), diag);
    }
  }
}

bool IsStructuredModel(const JsonNode& model) {
  const JsonNode* fields = model.Find("fields");
  return fields != nullptr && fields->is_object() && fields->Find("type") == nullptr;
}

void ReadModel(const std::string& file, const std::string& name, const JsonNode& node,
               Diagnostics& diag, FileDecl& out) {
  ModelDecl decl;
  decl.name = name;
  decl.file = file;
  decl.path = JoinPath("models", name);
  if (!node.is_object()) {
    diag.Error(file, decl.path,
               absl::StrCat("a model must be a JSON object, got ", node.KindName()));
    return;
  }
  if (!IsValidIdentifier(name)) {
    diag.Error(file, decl.path,
               absl::StrCat("invalid model name '", name, "': must match ^[a-z_][a-z0-9_]*$"));
  }
  const JsonNode* members = &node;
  std::string members_path = decl.path;
  if (IsStructuredModel(node)) {
    decl.options = &node;
    decl.options_path = decl.path;
    members = node.Find("fields");
    members_path = JoinPath(decl.path, "fields");
    for (const auto& [key, value] : node.members) {
      if (key != "fields" && !IsModelOption(key)) {
        diag.Error(file, JoinPath(decl.path, key),
                   absl::StrCat("unknown model option '", key,
                                "' (expected table, timestamps, soft_delete, indexes, "
                                "description, cache_ttl, notify_changes, roles, tenant_scoped, "
                                "local_cache, stale_while_revalidate, stale_if_error, partition, "
                                "fields)"));
      }
    }
  } else if (const JsonNode* options = node.Find("$options"); options != nullptr) {
    decl.options_path = JoinPath(decl.path, "$options");
    if (!options->is_object()) {
      diag.Error(file, decl.options_path, "$options must be a JSON object");
    } else {
      decl.options = options;
      for (const auto& [key, value] : options->members) {
        if (!IsModelOption(key)) {
          diag.Error(file, JoinPath(decl.options_path, key),
                     absl::StrCat("unknown model option '", key,
                                  "' (expected table, timestamps, soft_delete, indexes, "
                                  "description, cache_ttl, notify_changes, roles, "
                                  "tenant_scoped, local_cache, stale_while_revalidate, "
                                  "stale_if_error, partition)"));
        }
      }
    }
  }
  for (const auto& [key, value] : members->members) {
    if (members == &node && key == "$options") continue;
    if (absl::StartsWith(key, "$")) {
      diag.Error(file, JoinPath(members_path, key),
                 absl::StrCat("unknown key '", key, "' (only $options is reserved)"));
      continue;
    }
    decl.members.push_back(MemberDecl{key, JoinPath(members_path, key), &value});
  }
  out.models.push_back(std::move(decl));
}

void ReadEnum(const std::string& file, const std::string& name, const JsonNode& node,
              Diagnostics& diag, FileDecl& out) {
  EnumDecl decl;
  decl.name = name;
  decl.file = file;
  decl.path = JoinPath("enums", name);
  if (std::string problem = IdentifierProblem(name); !problem.empty()) {
    diag.Error(file, decl.path, absl::StrCat("enum name: ", problem));
  }
  if (!node.is_array()) {
    diag.Error(file, decl.path,
               absl::StrCat("an enum must be an array of strings, got ", node.KindName()));
    out.enums.push_back(std::move(decl));
    return;
  }
  if (node.elements.empty()) diag.Error(file, decl.path, "enum has no values");
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < node.elements.size(); ++i) {
    const JsonNode& value = node.elements[i];
    std::string path = absl::StrCat(decl.path, "[", i, "]");
    if (!value.is_string() || value.text.empty()) {
      diag.Error(file, path, "enum values must be non-empty strings");
      continue;
    }
    if (!seen.insert(value.text).second) {
      diag.Error(file, path, absl::StrCat("duplicate enum value '", value.text, "'"));
      continue;
    }
    decl.values.push_back(value.text);
  }
  out.enums.push_back(std::move(decl));
}

}  // namespace

FileDecl ReadSchemaFile(const std::string& file, std::unique_ptr<JsonNode> root,
                        Diagnostics& diag) {
  FileDecl out;
  out.file = file;
  out.root = std::move(root);
  const JsonNode& node = *out.root;
  ReportDuplicateKeys(file, node, "", diag);
  if (!node.is_object()) {
    diag.Error(file, "",
               absl::StrCat("the top level must be a JSON object, got ", node.KindName()));
    return out;
  }
  for (const auto& [key, value] : node.members) {
    if (key == "models") {
      if (!value.is_object()) {
        diag.Error(file, key, "models must be a JSON object");
        continue;
      }
      for (const auto& [name, model] : value.members) ReadModel(file, name, model, diag, out);
    } else if (key == "enums") {
      if (!value.is_object()) {
        diag.Error(file, key, "enums must be a JSON object");
        continue;
      }
      for (const auto& [name, values] : value.members) ReadEnum(file, name, values, diag, out);
    } else if (key == "description") {
      if (!value.is_string()) {
        diag.Error(file, key, "description must be a string");
      } else {
        out.description = value.text;
      }
    } else if (key == "tenancy") {
      out.tenancy = &value;
    } else if (key != "queries") {
      diag.Error(file, key,
                 absl::StrCat("unknown top-level key '", key,
                              "' (expected models, enums, description, queries, tenancy)"));
    }
  }
  return out;
}

}  // namespace querygate::schema::internal
