#ifndef QUERYGATE_RPC_CALL_GUARD_H_
#define QUERYGATE_RPC_CALL_GUARD_H_

#include <grpcpp/server_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "auth/authenticator.h"
#include "auth/permissions.h"
#include "service/call_context.h"

namespace querygate::rpc {

// The edge of every call: authenticates the caller once (bearer token or client certificate),
// checks the RPC's permission, writes an audit line for denials and operator actions, and
// hands the service a CallContext carrying the identity.
class CallGuard {
 public:
  CallGuard(const auth::Authenticator* authenticator, const auth::RolePolicy* policy,
            auth::AuditSink audit);

  // Returns the call's context when the caller is authenticated and holds `permission`.
  // Fails with UNAUTHENTICATED (missing or invalid credential, with a reason that leaks no
  // secret) or PERMISSION_DENIED naming the missing permission.
  absl::StatusOr<service::CallContext> Admit(grpc::ServerContextBase* context,
                                             auth::Permission permission) const;

  // True when the caller in `ctx` holds `permission` (internal callers hold every one).
  bool Allows(const service::CallContext& ctx, auth::Permission permission) const;

  // Records the outcome of an operator action (Invalidate, Warm) admitted earlier.
  void AuditOutcome(const service::CallContext& ctx, auth::Permission permission,
                    const absl::Status& outcome, const std::string& detail) const;

 private:
  const auth::Authenticator* authenticator_;
  const auth::RolePolicy* policy_;
  auth::AuditSink audit_;
  // The one identity of every caller when auth.mode is none, built once; null otherwise.
  std::shared_ptr<const Identity> anonymous_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CALL_GUARD_H_
