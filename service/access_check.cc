#include "service/access_check.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace querygate::service {
namespace {

std::string RoleList(const std::vector<std::string>& roles) {
  return absl::StrCat("[", absl::StrJoin(roles, ", "), "]");
}

const schema::Model* FindAnyModel(const schema::Schema& schema, absl::string_view name) {
  if (const schema::Model* model = schema.FindModel(name)) return model;
  for (const schema::Model& junction : schema.junctions) {
    if (junction.name == name) return &junction;
  }
  return nullptr;
}

const std::string& OpModel(const RepoWriteOp& op) {
  switch (op.kind) {
    case RepoWriteOp::Kind::kUpdate:
      return op.update.model;
    case RepoWriteOp::Kind::kDelete:
      return op.del.model;
    case RepoWriteOp::Kind::kCreate:
      break;
  }
  return op.create.model;
}

}  // namespace

bool HoldsOneOf(const CallContext& ctx, const std::vector<std::string>& roles) {
  if (ctx.identity == nullptr || roles.empty()) return true;
  if (ctx.identity->HasRole(kAdminRole)) return true;
  for (const std::string& role : roles) {
    if (ctx.identity->HasRole(role)) return true;
  }
  return false;
}

absl::Status CheckQueryAccess(const schema::NamedQuery& query,
                              const std::vector<std::string>& tables, const schema::Schema& schema,
                              const CallContext& ctx) {
  if (!HoldsOneOf(ctx, query.roles)) {
    return absl::PermissionDeniedError(
        absl::StrCat("query ", query.name, ": requires one of the roles ", RoleList(query.roles)));
  }
  if (ctx.identity == nullptr) return absl::OkStatus();
  for (const std::string& table : tables) {
    const schema::Model* model = schema.FindModelByTable(table);
    if (model == nullptr) continue;
    absl::Status readable = CheckModelAccess(schema, *model, ModelAccess::kRead, ctx);
    if (!readable.ok()) {
      return absl::PermissionDeniedError(
          absl::StrCat("query ", query.name, " reads ", readable.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckModelAccess(const schema::Schema& schema, const schema::Model& model,
                              ModelAccess access, const CallContext& ctx) {
  if (model.is_junction) {
    for (const schema::ForeignKey& fk : model.foreign_keys) {
      const schema::Model* end = schema.FindModel(fk.referenced_model);
      if (end == nullptr) continue;
      QG_RETURN_IF_ERROR(CheckModelAccess(schema, *end, access, ctx));
    }
    return absl::OkStatus();
  }
  bool read = access == ModelAccess::kRead;
  const std::vector<std::string>& roles = read ? model.read_roles : model.write_roles;
  if (HoldsOneOf(ctx, roles)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("model ", model.name, ": ",
                                                  read ? "reading" : "writing",
                                                  " requires one of the roles ", RoleList(roles)));
}

absl::Status CheckModelAccess(const schema::Schema& schema, absl::string_view model,
                              ModelAccess access, const CallContext& ctx) {
  if (ctx.identity == nullptr) return absl::OkStatus();
  const schema::Model* found = FindAnyModel(schema, model);
  if (found == nullptr) return absl::OkStatus();
  return CheckModelAccess(schema, *found, access, ctx);
}

absl::Status CheckIncludeAccess(const schema::Schema& schema, const IncludeTree& tree,
                                const CallContext& ctx) {
  if (ctx.identity == nullptr) return absl::OkStatus();
  for (const auto& [name, node] : tree) {
    QG_RETURN_IF_ERROR(CheckModelAccess(schema, *node.target, ModelAccess::kRead, ctx));
    QG_RETURN_IF_ERROR(CheckIncludeAccess(schema, node.children, ctx));
  }
  return absl::OkStatus();
}

absl::Status CheckTransactAccess(const schema::Schema& schema, const std::vector<RepoWriteOp>& ops,
                                 const CallContext& ctx) {
  if (ctx.identity == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < ops.size(); ++i) {
    absl::Status status = CheckModelAccess(schema, OpModel(ops[i]), ModelAccess::kWrite, ctx);
    if (!status.ok()) {
      return absl::PermissionDeniedError(absl::StrCat("ops[", i, "]: ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace querygate::service
