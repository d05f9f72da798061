#ifndef QUERYGATE_SCHEMA_INTERNAL_INDEX_BUILDER_H_
#define QUERYGATE_SCHEMA_INTERNAL_INDEX_BUILDER_H_

#include "schema/internal/build_context.h"

namespace querygate::schema::internal {

// Fills Model::indexes (field `index` options, foreign-key indexes, then the `indexes` option)
// and Model::checks (enum and vector CHECKs) of every model, then reports index or constraint
// names that collide with each other or with a table. Run after ResolveRelations.
void BuildIndexesAndChecks(BuildContext& ctx);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_INDEX_BUILDER_H_
