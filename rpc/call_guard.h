#ifndef QUERYGATE_RPC_CALL_GUARD_H_
#define QUERYGATE_RPC_CALL_GUARD_H_

#include <grpcpp/server_context.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/authenticator.h"
#include "auth/permissions.h"
#include "schema/model.h"
#include "service/call_context.h"

namespace querygate::rpc {

// Where the caller's tenant comes from.
struct TenantOptions {
  // The schema's tenancy declaration; absent: calls carry no tenant and cost nothing extra.
  std::optional<schema::Tenancy> tenancy;
  // Metadata header read for the tenant when auth.mode is none (and only then); empty: off.
  std::string header;
};

// The longest tenant text accepted from a caller (identity, header or request field).
inline constexpr size_t kMaxTenantBytes = 256;

// True when a caller's x-request-id is kept as the call's request id: 1..128 bytes of
// [A-Za-z0-9._:-]. Any other value is replaced by a generated id.
bool IsUsableRequestId(absl::string_view id);

// Opens the trace of an admitted call with this request id (see service::CallTrace).
using TraceStarter = std::function<std::shared_ptr<service::CallTrace>(const std::string&)>;

// The edge of every call: authenticates the caller once (bearer token or client certificate),
// checks the RPC's permission, resolves the caller's tenant, writes an audit line for denials
// and operator actions, and hands the service a CallContext carrying the identity and tenant.
class CallGuard {
 public:
  CallGuard(const auth::Authenticator* authenticator, const auth::RolePolicy* policy,
            auth::AuditSink audit, TenantOptions tenants = {}, TraceStarter start_trace = {});

  // First gives the call its request id (the caller's x-request-id when usable, else 16
  // random bytes in hex) and sends it back in the initial metadata (x-request-id).
  // Returns the call's context when the caller is authenticated and holds `permission`, with
  // ctx.tenant the canonical tenant of the caller (identity, or the tenancy header without
  // authentication) when the schema declares tenancy. Fails with UNAUTHENTICATED (missing or
  // invalid credential, with a reason that leaks no secret) or PERMISSION_DENIED naming the
  // missing permission or saying why the caller's tenant is malformed ("tenant: ...").
  absl::StatusOr<service::CallContext> Admit(grpc::ServerContextBase* context,
                                             auth::Permission permission) const;

  // Returns the canonical form of a tenant named in a request field `field` (Invalidate,
  // Warm). Fails with INVALID_ARGUMENT naming the field when it is malformed, too long, or the
  // schema declares no tenancy, and PERMISSION_DENIED when `ctx` has a tenant and `raw` names
  // another one.
  absl::StatusOr<std::string> RequestTenant(const service::CallContext& ctx,
                                            const std::string& field, absl::string_view raw) const;

  // True when the schema declares tenancy.
  bool tenancy_declared() const { return tenants_.tenancy.has_value(); }

  // True when the caller in `ctx` holds `permission` (internal callers hold every one).
  bool Allows(const service::CallContext& ctx, auth::Permission permission) const;

  // Records the outcome of an operator action (Invalidate, Warm) admitted earlier.
  void AuditOutcome(const service::CallContext& ctx, auth::Permission permission,
                    const absl::Status& outcome, const std::string& detail) const;

 private:
  // Resolves the tenant of `who` (and the header when unauthenticated) into ctx.tenant.
  absl::Status ResolveTenant(grpc::ServerContextBase* context, const Identity& who,
                             service::CallContext& ctx) const;

  const auth::Authenticator* authenticator_;
  const auth::RolePolicy* policy_;
  auth::AuditSink audit_;
  TenantOptions tenants_;
  TraceStarter start_trace_;
  // The one identity of every caller when auth.mode is none, built once; null otherwise.
  std::shared_ptr<const Identity> anonymous_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CALL_GUARD_H_
