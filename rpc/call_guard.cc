#include "rpc/call_guard.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>

#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/hmac.h"
#include "rpc/call_context.h"
#include "schema/tenancy.h"

namespace querygate::rpc {
namespace {

auth::PeerCredentials PeerOf(grpc::ServerContextBase* context) {
  auth::PeerCredentials peer;
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end()) peer.authorization.emplace(it->second.data(), it->second.size());
  std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const char* property : {GRPC_X509_CN_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
      for (const grpc::string_ref& value : auth->FindPropertyValues(property)) {
        peer.certificate_names.emplace_back(value.data(), value.size());
      }
    }
  }
  return peer;
}

// Returns the caller's x-request-id when usable, else a fresh random id (32 hex digits).
std::string RequestIdOf(grpc::ServerContextBase* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("x-request-id");
  if (it != metadata.end()) {
    absl::string_view sent(it->second.data(), it->second.size());
    if (IsUsableRequestId(sent)) return std::string(sent);
  }
  return absl::BytesToHexString(RandomBytes(16));
}

// True for the actions whose outcome is audited (AuditOutcome), which need the caller's address.
bool IsOperatorAction(auth::Permission permission) {
  return permission == auth::Permission::kInvalidate || permission == auth::Permission::kWarm;
}

}  // namespace

bool IsUsableRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

CallGuard::CallGuard(const auth::Authenticator* authenticator, const auth::RolePolicy* policy,
                     auth::AuditSink audit, TenantOptions tenants, TraceStarter start_trace)
    : authenticator_(authenticator),
      policy_(policy),
      audit_(std::move(audit)),
      tenants_(std::move(tenants)),
      start_trace_(std::move(start_trace)) {
  if (authenticator_->mode() == auth::AuthMode::kNone) {
    auto anonymous = authenticator_->Authenticate({}, absl::Now());
    if (anonymous.ok()) anonymous_ = std::make_shared<const Identity>(*std::move(anonymous));
  }
}

absl::StatusOr<service::CallContext> CallGuard::Admit(grpc::ServerContextBase* context,
                                                      auth::Permission permission) const {
  std::string request_id = RequestIdOf(context);
  context->AddInitialMetadata("x-request-id", request_id);
  absl::Time now = absl::Now();
  auto deny = [&](const absl::Status& status, const Identity* who) {
    if (audit_) {
      auth::AuditEvent event;
      event.time = now;
      event.method = auth::PermissionName(permission);
      event.subject = who != nullptr ? who->subject : "";
      event.auth_method = who != nullptr ? who->MethodName() : "none";
      event.peer = context->peer();
      event.outcome = absl::StatusCodeToString(status.code());
      event.detail = std::string(status.message());
      audit_(event);
    }
    return status;
  };
  std::shared_ptr<const Identity> who = anonymous_;
  if (who == nullptr) {
    auto identity = authenticator_->Authenticate(PeerOf(context), now);
    if (!identity.ok()) return deny(identity.status(), nullptr);
    who = std::make_shared<const Identity>(*std::move(identity));
  }
  if (!policy_->Allows(*who, permission)) {
    return deny(absl::PermissionDeniedError(
                    absl::StrCat("missing permission ", auth::PermissionName(permission))),
                who.get());
  }
  service::CallContext ctx = MakeCallContext(context);
  if (tenants_.tenancy.has_value()) {
    absl::Status tenant = ResolveTenant(context, *who, ctx);
    if (!tenant.ok()) return deny(tenant, who.get());
  }
  ctx.identity = std::move(who);
  if (IsOperatorAction(permission)) ctx.peer = context->peer();
  if (start_trace_) ctx.trace = start_trace_(request_id);
  ctx.request_id = std::move(request_id);
  return ctx;
}

absl::Status CallGuard::ResolveTenant(grpc::ServerContextBase* context, const Identity& who,
                                      service::CallContext& ctx) const {
  absl::string_view raw = who.tenant;
  // Only the anonymous caller of a server without authentication may name its tenant in a
  // header; an authenticated caller's tenant comes from its credential alone.
  if (anonymous_ != nullptr && !tenants_.header.empty()) {
    const auto& metadata = context->client_metadata();
    auto [first, last] = metadata.equal_range(tenants_.header);
    if (first != last) {
      if (std::next(first) != last) {
        return absl::PermissionDeniedError(
            absl::StrCat("tenant: the ", tenants_.header, " header is sent more than once"));
      }
      raw = absl::string_view(first->second.data(), first->second.size());
    }
  }
  if (raw.empty()) return absl::OkStatus();
  if (raw.size() > kMaxTenantBytes) {
    return absl::PermissionDeniedError(
        absl::StrCat("tenant: longer than ", kMaxTenantBytes, " bytes"));
  }
  absl::StatusOr<std::string> canonical = schema::CanonicalTenant(*tenants_.tenancy, raw);
  if (!canonical.ok()) return absl::PermissionDeniedError(canonical.status().message());
  ctx.tenant = *std::move(canonical);
  return absl::OkStatus();
}

absl::StatusOr<std::string> CallGuard::RequestTenant(const service::CallContext& ctx,
                                                     const std::string& field,
                                                     absl::string_view raw) const {
  if (raw.empty()) return std::string();
  if (!tenants_.tenancy.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": the schema declares no tenancy"));
  }
  if (raw.size() > kMaxTenantBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", kMaxTenantBytes, " bytes"));
  }
  absl::StatusOr<std::string> canonical = schema::CanonicalTenant(*tenants_.tenancy, raw);
  if (!canonical.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", absl::StripPrefix(canonical.status().message(), "tenant: ")));
  }
  if (!ctx.tenant.empty() && *canonical != ctx.tenant) {
    return absl::PermissionDeniedError(
        absl::StrCat(field, ": names another tenant than the caller's"));
  }
  return canonical;
}

bool CallGuard::Allows(const service::CallContext& ctx, auth::Permission permission) const {
  return ctx.identity == nullptr || policy_->Allows(*ctx.identity, permission);
}

void CallGuard::AuditOutcome(const service::CallContext& ctx, auth::Permission permission,
                             const absl::Status& outcome, const std::string& detail) const {
  if (!audit_) return;
  auth::AuditEvent event;
  event.time = absl::Now();
  event.method = auth::PermissionName(permission);
  if (ctx.identity != nullptr) {
    event.subject = ctx.identity->subject;
    event.auth_method = ctx.identity->MethodName();
  }
  event.peer = ctx.peer;
  event.outcome = absl::StatusCodeToString(outcome.code());
  event.detail = outcome.ok() ? detail : absl::StrCat(detail, ": ", outcome.message());
  audit_(event);
}

}  // namespace querygate::rpc
