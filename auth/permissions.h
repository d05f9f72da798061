#ifndef QUERYGATE_AUTH_PERMISSIONS_H_
#define QUERYGATE_AUTH_PERMISSIONS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/identity.h"

namespace querygate::auth {

// One permission per RPC, plus kWarmDetails (seeing the parameters of failed warm entries).
enum class Permission {
  kExecute,
  kListQueries,
  kGet,
  kList,
  kCount,
  kExists,
  kCreate,
  kCreateMany,
  kUpdate,
  kDelete,
  kTransact,
  kInvalidate,
  kWarm,
  kStats,
  kWarmDetails,
};

// The config spelling, e.g. "QueryService.Execute", "CacheService.WarmDetails".
const char* PermissionName(Permission permission);

// Parses a config spelling; nullopt for an unknown name.
std::optional<Permission> ParsePermission(const std::string& name);

// Every permission, in declaration order.
const std::vector<Permission>& AllPermissions();

// Roles and the permissions they grant.
class RolePolicy {
 public:
  // reader: Execute, ListQueries, Get, List, Count, Exists; writer: reader plus the writes;
  // operator: Invalidate, Warm, WarmDetails, Stats; admin: everything.
  static RolePolicy Defaults();

  // Replaces (or adds) `role` with `permissions` ("*" grants everything). Fails with
  // INVALID_ARGUMENT naming an unknown permission.
  absl::Status SetRole(const std::string& role, const std::vector<std::string>& permissions);

  // True when any of the identity's roles grants `permission`.
  bool Allows(const Identity& identity, Permission permission) const;

  // True when `role` is configured.
  bool HasRole(const std::string& role) const { return roles_.count(role) > 0; }

 private:
  std::map<std::string, std::set<Permission>> roles_;
};

}  // namespace querygate::auth

#endif  // QUERYGATE_AUTH_PERMISSIONS_H_
