#ifndef QUERYGATE_COMMON_STATUS_MACROS_H_
#define QUERYGATE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns the status of `expr` from the enclosing function when it is not OK.
#define QG_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status qg_status_ = (expr);      \
    if (!qg_status_.ok()) return qg_status_; \
  } while (false)

#define QG_STATUS_CONCAT_INNER_(a, b) a##b
#define QG_STATUS_CONCAT_(a, b) QG_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::StatusOr<T>); returns its status when not OK, else assigns the
// value to `lhs` (which may be a declaration such as `auto x`).
#define QG_ASSIGN_OR_RETURN(lhs, expr) \
  QG_ASSIGN_OR_RETURN_IMPL_(QG_STATUS_CONCAT_(qg_statusor_, __LINE__), lhs, expr)

#define QG_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)     \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // QUERYGATE_COMMON_STATUS_MACROS_H_
