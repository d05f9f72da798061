#ifndef QUERYGATE_DB_INTERNAL_ERROR_MAPPING_H_
#define QUERYGATE_DB_INTERNAL_ERROR_MAPPING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace querygate::db::internal {

// Converts the exception being handled (call only inside a catch block) into a status:
// unique_violation -> ALREADY_EXISTS, foreign key -> FAILED_PRECONDITION, check/not-null/data
// errors -> INVALID_ARGUMENT, serialization/deadlock -> ABORTED, broken connection ->
// UNAVAILABLE, statement timeout -> DEADLINE_EXCEEDED, cancel -> CANCELLED, else INTERNAL.
absl::Status StatusFromCurrentException(absl::string_view context);

// Maps a SQLSTATE code and server message to a status code; exposed for unit tests.
absl::StatusCode CodeForSqlState(absl::string_view sqlstate, absl::string_view message);

// True for codes after which the connection can no longer be trusted.
bool IsConnectionLost(const absl::Status& status);

}  // namespace querygate::db::internal

#endif  // QUERYGATE_DB_INTERNAL_ERROR_MAPPING_H_
