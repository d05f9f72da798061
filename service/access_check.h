#ifndef QUERYGATE_SERVICE_ACCESS_CHECK_H_
#define QUERYGATE_SERVICE_ACCESS_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "schema/model.h"
#include "schema/named_query.h"
#include "service/call_context.h"
#include "service/repository_includes.h"
#include "service/repository_types.h"

namespace querygate::service {

// The role that passes every per-query and per-model check.
inline constexpr char kAdminRole[] = "admin";

// Returns true when the caller in `ctx` may act under `roles`: an internal caller (no
// identity), a holder of "admin" or of one of `roles`, or anyone when `roles` is empty.
bool HoldsOneOf(const CallContext& ctx, const std::vector<std::string>& roles);

// Returns OK when the caller may run `query`, whose plan reads `tables`: it needs one of the
// query's roles and the read roles of every model whose table the plan reads, so a named query
// never exposes rows its caller could not read through the repository. Else PERMISSION_DENIED
// "query <name>: requires one of the roles [a, b]" or the model's denial.
absl::Status CheckQueryAccess(const schema::NamedQuery& query,
                              const std::vector<std::string>& tables, const schema::Schema& schema,
                              const CallContext& ctx);

enum class ModelAccess { kRead, kWrite };

// Returns OK when the caller may read (or write) `model`; a junction table needs the roles of
// both models it joins. Else PERMISSION_DENIED "model <name>: reading requires one of the
// roles [a, b]" (or "writing requires ...").
absl::Status CheckModelAccess(const schema::Schema& schema, const schema::Model& model,
                              ModelAccess access, const CallContext& ctx);

// The same for the model (or junction table) named `model`; OK for an unknown name, which the
// caller's own lookup reports.
absl::Status CheckModelAccess(const schema::Schema& schema, absl::string_view model,
                              ModelAccess access, const CallContext& ctx);

// Returns OK when the caller may read every model `tree` includes, else the first denial.
absl::Status CheckIncludeAccess(const schema::Schema& schema, const IncludeTree& tree,
                                const CallContext& ctx);

// Returns OK when the caller may write the model of every op, else the first denial prefixed
// by "ops[<i>]: ".
absl::Status CheckTransactAccess(const schema::Schema& schema, const std::vector<RepoWriteOp>& ops,
                                 const CallContext& ctx);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_ACCESS_CHECK_H_
