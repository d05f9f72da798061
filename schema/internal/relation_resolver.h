#ifndef QUERYGATE_SCHEMA_INTERNAL_RELATION_RESOLVER_H_
#define QUERYGATE_SCHEMA_INTERNAL_RELATION_RESOLVER_H_

#include "schema/internal/build_context.h"

namespace querygate::schema::internal {

// Resolves ctx.relations and `references` fields into Model::relations, one ForeignKey per
// referencing column (Model::foreign_keys) and the many_to_many junction tables
// (Schema::junctions). Reports unresolvable or inconsistent relations to ctx.diag.
void ResolveRelations(BuildContext& ctx);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_RELATION_RESOLVER_H_
