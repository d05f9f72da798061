#ifndef QUERYGATE_SERVICE_REPOSITORY_NEAREST_H_
#define QUERYGATE_SERVICE_REPOSITORY_NEAREST_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "schema/model.h"
#include "service/repository_fields.h"
#include "service/repository_scoring.h"
#include "service/repository_types.h"

namespace querygate::service {

// Compiles request.nearest (which must be set) into distance columns, a bound, an order and
// a limit of k rows. Fails with INVALID_ARGUMENT naming the field ("nearest.vector: ...").
absl::StatusOr<ScoredQuery> CompileNearest(const schema::Schema& schema, const schema::Model& model,
                                           const RepoListRequest& request, int64_t max_k,
                                           SqlParams& params);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_NEAREST_H_
