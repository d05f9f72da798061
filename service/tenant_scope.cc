#include "service/tenant_scope.h"

#include "absl/strings/str_cat.h"
#include "service/query_registry.h"

namespace querygate::service {

TenantScope::TenantScope(const schema::Schema* schema) {
  if (!schema->tenancy) return;
  for (const schema::Model* model : schema->AllTables()) {
    if (model->tenant_scoped()) scoped_.insert(model->table);
  }
}

bool TenantScope::IsScoped(const std::string& table) const { return scoped_.count(table) > 0; }

bool TenantScope::AnyScoped(const std::set<std::string>& tables) const {
  for (const std::string& table : tables) {
    if (IsScoped(table)) return true;
  }
  return false;
}

bool TenantScope::AllScoped(const std::set<std::string>& tables) const {
  if (tables.empty()) return false;
  for (const std::string& table : tables) {
    if (!IsScoped(table)) return false;
  }
  return true;
}

absl::Status TenantScope::Require(const CallContext& ctx, const std::set<std::string>& tables,
                                  absl::string_view what) const {
  return RequireIfScoped(ctx, AnyScoped(tables), what);
}

absl::Status TenantScope::RequireIfScoped(const CallContext& ctx, bool scoped,
                                          absl::string_view what) {
  if (!scoped || !ctx.tenant.empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(what, " is tenant-scoped and the caller has no tenant"));
}

std::string TenantScope::KeyScope(const CallContext& ctx,
                                  const std::set<std::string>& tables) const {
  return KeyScopeIfScoped(ctx, AnyScoped(tables));
}

std::string TenantScope::KeyScopeIfScoped(const CallContext& ctx, bool scoped) {
  if (!scoped || ctx.tenant.empty()) return "";
  return absl::StrCat("tenant:", ctx.tenant);
}

void TenantScope::AddDependencies(const CallContext& ctx, const std::set<std::string>& tables,
                                  std::vector<std::string>& dependencies) const {
  for (const std::string& table : tables) {
    dependencies.push_back(TableDependency(table));
    if (!ctx.tenant.empty() && IsScoped(table)) {
      dependencies.push_back(TenantTableDependency(table, ctx.tenant));
    }
  }
}

std::string TenantScope::WriteTenant(const CallContext& ctx,
                                     const std::set<std::string>& tables) const {
  return AllScoped(tables) ? ctx.tenant : "";
}

}  // namespace querygate::service
