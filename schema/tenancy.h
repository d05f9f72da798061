#ifndef QUERYGATE_SCHEMA_TENANCY_H_
#define QUERYGATE_SCHEMA_TENANCY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "schema/model.h"

namespace querygate::schema {

// The transaction-local PostgreSQL setting that carries the caller's tenant.
inline constexpr char kTenantSetting[] = "querygate.tenant";
// The SQL function that returns the current tenant (typed), failing when none is set.
inline constexpr char kCurrentTenantFunction[] = "querygate_current_tenant";
// The name of the row-level security policy on every tenant-scoped table.
inline constexpr char kTenantPolicyName[] = "querygate_tenant_isolation";

// Returns the canonical text of tenant id `raw` for `tenancy`: uuid lowercase 8-4-4-4-12,
// int64/int32 plain decimal in range, string as is (1..255 bytes, no NUL). Fails with
// INVALID_ARGUMENT "tenant: ..." when `raw` is malformed.
absl::StatusOr<std::string> CanonicalTenant(const Tenancy& tenancy, absl::string_view raw);

// Whether `model` gets the constraint UNIQUE (tenant column, primary key) that composite foreign
// keys reference: tenant-scoped models other than the tenant model and junction tables.
bool HasTenantKey(const Model& model);

// The name of that constraint: "<table>_<tenant column>_<key column>_key".
std::string TenantKeyName(const Model& model);

// CREATE OR REPLACE FUNCTION querygate_current_tenant() returning the tenancy type: reads
// kTenantSetting and raises SQLSTATE 42501 when it is unset or empty.
std::string CurrentTenantFunctionSql(const Tenancy& tenancy);

}  // namespace querygate::schema

#endif  // QUERYGATE_SCHEMA_TENANCY_H_
