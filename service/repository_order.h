#ifndef QUERYGATE_SERVICE_REPOSITORY_ORDER_H_
#define QUERYGATE_SERVICE_REPOSITORY_ORDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "schema/model.h"
#include "service/repository_fields.h"
#include "service/repository_types.h"

namespace querygate::service {

// A total order over a model's rows: the requested terms followed by the key columns not
// already named (so that no two rows tie). NULLs sort as PostgreSQL sorts them by default:
// after every value ascending, before every value descending.
struct ResolvedOrder {
  std::vector<const schema::Field*> fields;
  std::vector<bool> descending;
};

// Resolves `terms` against `model`. Fails with INVALID_ARGUMENT naming the term
// ("order_by[1].field: ...") for an unknown field, a field named twice, or a json or vector
// field.
absl::StatusOr<ResolvedOrder> ResolveOrder(const schema::Model& model,
                                           const std::vector<OrderTerm>& terms);

// Returns the ORDER BY list, e.g. "\"title\" DESC, \"id\" ASC".
std::string OrderBySql(const ResolvedOrder& order);

// Returns a predicate selecting the rows strictly after a row whose sort values are `last`
// (one per order field), consistent with OrderBySql including NULL placement. Fails with
// INVALID_ARGUMENT ("page_token: ...") when a value does not fit its field.
absl::StatusOr<std::string> KeysetPredicate(const schema::Schema& schema,
                                            const ResolvedOrder& order,
                                            const std::vector<Value>& last, SqlParams& params);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_ORDER_H_
