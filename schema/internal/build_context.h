#ifndef QUERYGATE_SCHEMA_INTERNAL_BUILD_CONTEXT_H_
#define QUERYGATE_SCHEMA_INTERNAL_BUILD_CONTEXT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "schema/internal/diagnostics.h"
#include "schema/internal/json_reader.h"
#include "schema/model.h"

namespace querygate::schema::internal {

// A relation as declared, before its kind and keys are resolved.
struct PendingRelation {
  size_t model_index = 0;
  Relation relation;           // name, target_model, optional, description, keys if given
  bool explicit_kind = false;  // `relationship` was given
  bool many = false;           // written as ["@model"]
  bool on_delete_given = false;
  std::string path;
};

// Where a model's parts were declared, for diagnostics, and option nodes read late.
struct ModelSite {
  std::string file;
  std::string path;
  std::string options_path;
  absl::flat_hash_map<std::string, std::string> field_paths;
  const JsonNode* indexes = nullptr;                                         // the `indexes` option
  std::vector<std::pair<std::string, const JsonNode*>> field_index_options;  // `index: {...}`
  bool usable = true;                   // false when the model is a duplicate or has no key
  std::optional<bool> tenant_scoped;    // the `tenant_scoped` option, when given
  const JsonNode* partition = nullptr;  // the `partition` option, read once fields are known
};

// State shared by the build steps. `sites` is parallel to `schema.models`.
struct BuildContext {
  Schema schema;
  std::vector<ModelSite> sites;
  std::vector<PendingRelation> relations;
  Diagnostics* diag = nullptr;
  // Where the `tenancy` declaration was read (when schema.tenancy is set).
  std::string tenancy_file;
  std::string tenancy_path;

  const ModelSite& SiteOf(const Model& model) const {
    return sites[static_cast<size_t>(&model - schema.models.data())];
  }
  std::string FieldPath(size_t model_index, const std::string& field) const {
    const ModelSite& site = sites[model_index];
    auto it = site.field_paths.find(field);
    return it != site.field_paths.end() ? it->second : JoinPath(site.path, field);
  }
  Model* FindModel(const std::string& name, size_t* index = nullptr) {
    for (size_t i = 0; i < schema.models.size(); ++i) {
      if (schema.models[i].name == name) {
        if (index != nullptr) *index = i;
        return &schema.models[i];
      }
    }
    return nullptr;
  }
};

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_BUILD_CONTEXT_H_
