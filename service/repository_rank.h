#ifndef QUERYGATE_SERVICE_REPOSITORY_RANK_H_
#define QUERYGATE_SERVICE_REPOSITORY_RANK_H_

#include "absl/status/statusor.h"
#include "schema/model.h"
#include "service/repository_fields.h"
#include "service/repository_scoring.h"
#include "service/repository_types.h"

namespace querygate::service {

// Compiles request.rank_by (which must be set) into a match predicate, a rank column and a
// relevance order. Fails with INVALID_ARGUMENT naming the field ("rank_by.field: ...").
absl::StatusOr<ScoredQuery> CompileRank(const schema::Schema& schema, const schema::Model& model,
                                        const RepoListRequest& request, SqlParams& params);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_RANK_H_
