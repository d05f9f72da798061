#ifndef QUERYGATE_SCHEMA_INTERNAL_TENANCY_BUILDER_H_
#define QUERYGATE_SCHEMA_INTERNAL_TENANCY_BUILDER_H_

#include <vector>

#include "schema/internal/build_context.h"
#include "schema/internal/file_reader.h"

namespace querygate::schema::internal {

// Reads the top-level `tenancy` declaration into ctx.schema.tenancy. At most one file may
// declare it; problems (unknown keys, bad column or type) are reported to ctx.diag.
void ReadTenancy(const std::vector<FileDecl>& files, BuildContext& ctx);

// Runs after every model is read and before relations are resolved: decides which models are
// tenant-scoped (Model::tenant_column), checks the tenant model, and adds (or marks, when
// declared) the tenant column of every scoped model, with its reference to the tenant model.
void ApplyTenantColumns(BuildContext& ctx);

// Runs after relations are resolved: a junction table is tenant-scoped when either side is;
// it then gets the tenant column and an index on it.
void ScopeJunctions(BuildContext& ctx);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_TENANCY_BUILDER_H_
