#ifndef QUERYGATE_DB_INTERNAL_PQXX_RESULT_H_
#define QUERYGATE_DB_INTERNAL_PQXX_RESULT_H_

#include <pqxx/pqxx>
#include <vector>

#include "db/result_set.h"

namespace querygate::db::internal {

// Copies a libpqxx result into a ResultSet of text cells.
ResultSet ToResultSet(const pqxx::result& result);

// Returns libpq-ready parameter pointers (nullptr for NULL) that borrow from `params`.
std::vector<const char*> ParamPointers(const Params& params);

}  // namespace querygate::db::internal

#endif  // QUERYGATE_DB_INTERNAL_PQXX_RESULT_H_
