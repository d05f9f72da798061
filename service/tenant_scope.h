#ifndef QUERYGATE_SERVICE_TENANT_SCOPE_H_
#define QUERYGATE_SERVICE_TENANT_SCOPE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "schema/model.h"
#include "service/call_context.h"

namespace querygate::service {

// Which tables belong to tenants, and what that means for one call: whether it may run, the
// scope slot of its cache key and the generations its cached result depends on.
class TenantScope {
 public:
  // Reads the scoped tables of `schema` (which must not change afterwards); without a tenancy
  // declaration every table is global.
  explicit TenantScope(const schema::Schema* schema);

  // True when `table` is the table of a tenant-scoped model or junction.
  bool IsScoped(const std::string& table) const;
  // True when any of `tables` is scoped.
  bool AnyScoped(const std::set<std::string>& tables) const;
  // True when `tables` is non-empty and every one of them is scoped.
  bool AllScoped(const std::set<std::string>& tables) const;

  // OK unless a table in `tables` is scoped and the caller has no tenant: then
  // PERMISSION_DENIED "<what> is tenant-scoped and the caller has no tenant".
  absl::Status Require(const CallContext& ctx, const std::set<std::string>& tables,
                       absl::string_view what) const;
  // The same for a read already known to be scoped (`scoped`) or not.
  static absl::Status RequireIfScoped(const CallContext& ctx, bool scoped, absl::string_view what);

  // The scope slot of the cache key of a read of `tables`: "tenant:<tenant>" when one of them
  // is scoped, else "" (an entry shared by every caller). Call after Require.
  std::string KeyScope(const CallContext& ctx, const std::set<std::string>& tables) const;
  // The same for a read already known to be scoped (`scoped`) or not.
  static std::string KeyScopeIfScoped(const CallContext& ctx, bool scoped);

  // Appends the cache dependencies of a read of `tables`: TableDependency of each, plus
  // TenantTableDependency(table, ctx.tenant) of each scoped table.
  void AddDependencies(const CallContext& ctx, const std::set<std::string>& tables,
                       std::vector<std::string>& dependencies) const;

  // The tenant whose entries a committed write by `ctx` of `tables` invalidates precisely:
  // ctx.tenant when every touched table is scoped, else "" (the write may have changed what
  // every tenant sees, e.g. a cascade from a global row).
  std::string WriteTenant(const CallContext& ctx, const std::set<std::string>& tables) const;

 private:
  std::set<std::string> scoped_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_TENANT_SCOPE_H_
