#include "auth/permissions.h"

#include "absl/strings/str_cat.h"

namespace querygate::auth {
namespace {

struct Named {
  Permission permission;
  const char* name;
};

constexpr Named kNames[] = {
    {Permission::kExecute, "QueryService.Execute"},
    {Permission::kListQueries, "QueryService.ListQueries"},
    {Permission::kGet, "RepositoryService.Get"},
    {Permission::kList, "RepositoryService.List"},
    {Permission::kCount, "RepositoryService.Count"},
    {Permission::kExists, "RepositoryService.Exists"},
    {Permission::kCreate, "RepositoryService.Create"},
    {Permission::kCreateMany, "RepositoryService.CreateMany"},
    {Permission::kUpdate, "RepositoryService.Update"},
    {Permission::kDelete, "RepositoryService.Delete"},
    {Permission::kTransact, "RepositoryService.Transact"},
    {Permission::kInvalidate, "CacheService.Invalidate"},
    {Permission::kWarm, "CacheService.Warm"},
    {Permission::kStats, "CacheService.Stats"},
    {Permission::kWarmDetails, "CacheService.WarmDetails"},
};

}  // namespace

const char* PermissionName(Permission permission) {
  for (const Named& n : kNames) {
    if (n.permission == permission) return n.name;
  }
  return "unknown";
}

std::optional<Permission> ParsePermission(const std::string& name) {
  for (const Named& n : kNames) {
    if (name == n.name) return n.permission;
  }
  return std::nullopt;
}

const std::vector<Permission>& AllPermissions() {
  static const auto* all = [] {
    auto* out = new std::vector<Permission>;
    for (const Named& n : kNames) out->push_back(n.permission);
    return out;
  }();
  return *all;
}

RolePolicy RolePolicy::Defaults() {
  RolePolicy policy;
  std::set<Permission> reader = {Permission::kExecute, Permission::kListQueries,
                                 Permission::kGet,     Permission::kList,
                                 Permission::kCount,   Permission::kExists};
  std::set<Permission> writer = reader;
  writer.insert({Permission::kCreate, Permission::kCreateMany, Permission::kUpdate,
                 Permission::kDelete, Permission::kTransact});
  policy.roles_["reader"] = reader;
  policy.roles_["writer"] = writer;
  policy.roles_["operator"] = {Permission::kInvalidate, Permission::kWarm, Permission::kWarmDetails,
                               Permission::kStats};
  policy.roles_["admin"] = std::set<Permission>(AllPermissions().begin(), AllPermissions().end());
  return policy;
}

absl::Status RolePolicy::SetRole(const std::string& role,
                                 const std::vector<std::string>& permissions) {
  if (role.empty()) return absl::InvalidArgumentError("auth.roles: a role name is empty");
  std::set<Permission> granted;
  for (const std::string& name : permissions) {
    if (name == "*") {
      granted.insert(AllPermissions().begin(), AllPermissions().end());
      continue;
    }
    std::optional<Permission> p = ParsePermission(name);
    if (!p) {
      return absl::InvalidArgumentError(
          absl::StrCat("auth.roles.", role, ": unknown permission \"", name, "\""));
    }
    granted.insert(*p);
  }
  roles_[role] = std::move(granted);
  return absl::OkStatus();
}

bool RolePolicy::Allows(const Identity& identity, Permission permission) const {
  for (const std::string& role : identity.roles) {
    auto it = roles_.find(role);
    if (it != roles_.end() && it->second.count(permission) > 0) return true;
  }
  return false;
}

}  // namespace querygate::auth
