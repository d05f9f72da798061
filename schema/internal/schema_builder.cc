#include "schema/internal/schema_builder.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "schema/internal/build_context.h"
#include "schema/internal/index_builder.h"
#include "schema/internal/model_reader.h"
#include "schema/internal/partition_builder.h"
#include "schema/internal/relation_resolver.h"
#include "schema/internal/tenancy_builder.h"

namespace querygate::schema::internal {

Schema BuildSchema(const std::vector<FileDecl>& files, Diagnostics& diag) {
  BuildContext ctx;
  ctx.diag = &diag;
  ReadTenancy(files, ctx);

  absl::flat_hash_map<std::string, std::string> enum_files;
  for (const FileDecl& file : files) {
    for (const EnumDecl& decl : file.enums) {
      auto [it, inserted] = enum_files.try_emplace(decl.name, decl.file);
      if (!inserted) {
        diag.Error(
            decl.file, decl.path,
            absl::StrCat("duplicate enum '", decl.name, "' (first defined in ", it->second, ")"));
        continue;
      }
      ctx.schema.enums.push_back(Enum{decl.name, decl.values, "", decl.file});
    }
  }

  absl::flat_hash_map<std::string, std::string> model_files;
  std::vector<const ModelDecl*> models;
  std::vector<std::string> model_names;
  for (const FileDecl& file : files) {
    for (const ModelDecl& decl : file.models) {
      auto [it, inserted] = model_files.try_emplace(decl.name, decl.file);
      if (!inserted) {
        diag.Error(
            decl.file, decl.path,
            absl::StrCat("duplicate model '", decl.name, "' (first defined in ", it->second, ")"));
        continue;
      }
      if (enum_files.contains(decl.name)) {
        diag.Error(decl.file, decl.path,
                   absl::StrCat("'", decl.name,
                                "' names both a model and an enum; '@' references would be "
                                "ambiguous"));
      }
      models.push_back(&decl);
      model_names.push_back(decl.name);
    }
  }
  for (const ModelDecl* decl : models) ReadModelDecl(*decl, model_names, ctx);

  absl::flat_hash_map<std::string, size_t> tables;
  for (size_t i = 0; i < ctx.schema.models.size(); ++i) {
    const Model& model = ctx.schema.models[i];
    auto [it, inserted] = tables.try_emplace(model.table, i);
    if (!inserted) {
      diag.Error(ctx.sites[i].file, ctx.sites[i].path,
                 absl::StrCat("models '", ctx.schema.models[it->second].name, "' and '", model.name,
                              "' both map to table '", model.table, "'"));
      ctx.sites[i].usable = false;
    }
  }

  ApplyTenantColumns(ctx);
  ResolveRelations(ctx);
  ScopeJunctions(ctx);
  BuildIndexesAndChecks(ctx);
  ResolvePartitioning(ctx);
  return std::move(ctx.schema);
}

}  // namespace querygate::schema::internal
