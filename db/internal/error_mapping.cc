#include "db/internal/error_mapping.h"

#include <pqxx/except>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace querygate::db::internal {
namespace {

absl::Status Make(absl::StatusCode code, absl::string_view context, absl::string_view what) {
  absl::string_view message = absl::StripAsciiWhitespace(what);
  absl::ConsumePrefix(&message, "ERROR:  ");
  if (context.empty()) return absl::Status(code, message);
  return absl::Status(code, absl::StrCat(context, ": ", message));
}

}  // namespace

absl::StatusCode CodeForSqlState(absl::string_view state, absl::string_view message) {
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (state == "23503") return absl::StatusCode::kFailedPrecondition;
  if (state == "23502" || state == "23514" || state == "23P01") {
    return absl::StatusCode::kInvalidArgument;
  }
  if (state == "40001" || state == "40P01" || state == "25P02") return absl::StatusCode::kAborted;
  if (state == "57014") {
    return absl::StrContains(message, "statement timeout") ? absl::StatusCode::kDeadlineExceeded
                                                           : absl::StatusCode::kCancelled;
  }
  if (state == "42501") return absl::StatusCode::kPermissionDenied;
  if (state == "42601") return absl::StatusCode::kInvalidArgument;
  if (state == "42P01" || state == "42703" || state == "42883") {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (state == "55P03") return absl::StatusCode::kUnavailable;
  if (absl::StartsWith(state, "22")) return absl::StatusCode::kInvalidArgument;
  if (absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") || state == "53300") {
    return absl::StatusCode::kUnavailable;
  }
  if (absl::StartsWith(state, "53")) return absl::StatusCode::kResourceExhausted;
  return absl::StatusCode::kInternal;
}

absl::Status StatusFromCurrentException(absl::string_view context) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return Make(absl::StatusCode::kUnavailable, context, e.what());
  } catch (const pqxx::insufficient_privilege& e) {
    // libpqxx 6.4 throws this class (SQLSTATE 42501: a missing privilege, a row-level security
    // WITH CHECK violation, or querygate_current_tenant() without a tenant) without its
    // SQLSTATE, so it is mapped by type.
    return Make(absl::StatusCode::kPermissionDenied, context, e.what());
  } catch (const pqxx::sql_error& e) {
    return Make(CodeForSqlState(e.sqlstate(), e.what()), context, e.what());
  } catch (const pqxx::in_doubt_error& e) {
    return Make(absl::StatusCode::kUnknown, context, e.what());
  } catch (const pqxx::statement_completion_unknown& e) {
    return Make(absl::StatusCode::kUnknown, context, e.what());
  } catch (const pqxx::serialization_failure& e) {
    return Make(absl::StatusCode::kAborted, context, e.what());
  } catch (const pqxx::deadlock_detected& e) {
    return Make(absl::StatusCode::kAborted, context, e.what());
  } catch (const pqxx::transaction_rollback& e) {
    return Make(absl::StatusCode::kAborted, context, e.what());
  } catch (const pqxx::conversion_error& e) {
    return Make(absl::StatusCode::kInvalidArgument, context, e.what());
  } catch (const std::exception& e) {
    return Make(absl::StatusCode::kInternal, context, e.what());
  } catch (...) {
    return Make(absl::StatusCode::kInternal, context, "unknown error");
  }
}

bool IsConnectionLost(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kUnknown;
}

}  // namespace querygate::db::internal
