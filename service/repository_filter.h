#ifndef QUERYGATE_SERVICE_REPOSITORY_FILTER_H_
#define QUERYGATE_SERVICE_REPOSITORY_FILTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "schema/model.h"
#include "service/repository_fields.h"
#include "service/repository_types.h"

namespace querygate::service {

// Caps on a filter; each error names the repository setting that raises it.
struct FilterLimits {
  int max_depth = 8;       // a lone condition has depth 1; each all/any/not adds one
  int max_in_list = 1000;  // values in an IN / NOT_IN list
  int max_nodes = 256;     // conditions and groups (all/any/not) in the whole tree
};

// Compiles `filter` into a SQL boolean expression over `model`'s columns. Field names are
// checked against the model and quoted; every value is bound through `params` with a typed
// cast. Returns "TRUE" for an empty filter. Fails with INVALID_ARGUMENT naming the filter
// path ("filter.all[1].condition.field: ...") for an unknown field, a missing operator, an
// operator the field's type does not support, a mistyped value, a null value where one is
// needed, MATCH on a field no fulltext index covers, or a tree past `limits`. The nodes are
// counted, stopping past the cap, before anything is compiled.
absl::StatusOr<std::string> CompileFilter(const schema::Schema& schema, const schema::Model& model,
                                          const Filter& filter, const FilterLimits& limits,
                                          SqlParams& params);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_FILTER_H_
