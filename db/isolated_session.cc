#include "db/isolated_session.h"

#include <libpq-fe.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "db/connection_url.h"
#include "db/internal/error_mapping.h"

namespace querygate::db {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// SQLSTATE 25006: the statement tried to write inside the READ ONLY transaction.
constexpr char kReadOnlyViolation[] = "25006";

absl::Status ErrorOf(const PGresult* result, PGconn* conn) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message(primary != nullptr ? primary : PQerrorMessage(conn));
  absl::StripTrailingAsciiWhitespace(&message);
  if (state == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("database connection failed", message.empty() ? "" : ": ", message));
  }
  absl::StatusCode code = absl::string_view(state) == kReadOnlyViolation
                              ? absl::StatusCode::kInvalidArgument
                              : internal::CodeForSqlState(state, message);
  return absl::Status(code, message);
}

// Runs a statement of ours (no caller text) with bound `params` and checks that it succeeded.
absl::Status RunOwn(PGconn* conn, const char* sql, const std::vector<const char*>& params = {}) {
  Result result(PQexecParams(conn, sql, static_cast<int>(params.size()), nullptr, params.data(),
                             nullptr, nullptr, 0));
  ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return absl::OkStatus();
  return ErrorOf(result.get(), conn);
}

void CopyColumns(const PGresult* result, ResultSet& out) {
  int width = PQnfields(result);
  out.columns.reserve(width);
  for (int c = 0; c < width; ++c) {
    out.columns.push_back({PQfname(result, c), static_cast<uint32_t>(PQftype(result, c))});
  }
}

std::vector<Cell> CopyRow(const PGresult* result) {
  int width = PQnfields(result);
  std::vector<Cell> cells;
  cells.reserve(width);
  for (int c = 0; c < width; ++c) {
    if (PQgetisnull(result, 0, c)) {
      cells.emplace_back(std::nullopt);
    } else {
      cells.emplace_back(std::string(PQgetvalue(result, 0, c), PQgetlength(result, 0, c)));
    }
  }
  return cells;
}

void CancelRunning(PGconn* conn) {
  PGcancel* cancel = PQgetCancel(conn);
  if (cancel == nullptr) return;
  char error[256];
  PQcancel(cancel, error, sizeof error);
  PQfreeCancel(cancel);
}

}  // namespace

struct IsolatedSession::Impl {
  ~Impl() { PQfinish(conn); }
  PGconn* conn = nullptr;
  bool used = false;
};

IsolatedSession::IsolatedSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IsolatedSession::~IsolatedSession() = default;

absl::StatusOr<std::unique_ptr<IsolatedSession>> IsolatedSession::Connect(
    absl::string_view url, absl::Duration connect_timeout) {
  int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(connect_timeout, absl::Seconds(1))));
  std::string conninfo = WithDefaultParam(url, "connect_timeout", absl::StrCat(seconds));
  conninfo = WithDefaultParam(conninfo, "application_name", "querygate-isolated");
  auto impl = std::make_unique<Impl>();
  impl->conn = PQconnectdb(conninfo.c_str());
  if (impl->conn == nullptr) return absl::UnavailableError("connecting: out of memory");
  if (PQstatus(impl->conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(impl->conn);
    absl::StripTrailingAsciiWhitespace(&message);
    return absl::UnavailableError(
        absl::StrCat("connecting to ", RedactPassword(url), ": ", message));
  }
  return std::unique_ptr<IsolatedSession>(new IsolatedSession(std::move(impl)));
}

absl::StatusOr<ResultSet> IsolatedSession::QueryReadOnly(absl::string_view sql, int64_t max_rows,
                                                         absl::Duration timeout,
                                                         const LocalSettings& settings) {
  if (impl_->used) {
    return absl::FailedPreconditionError("an isolated session runs a single statement");
  }
  impl_->used = true;
  PGconn* conn = impl_->conn;
  int64_t ms =
      std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1))));
  std::string timeout_text = absl::StrCat(ms);
  absl::Status begun = RunOwn(conn, "BEGIN READ ONLY");
  if (begun.ok()) {
    begun =
        RunOwn(conn, "SELECT set_config('statement_timeout', $1, true)", {timeout_text.c_str()});
  }
  for (const auto& [setting, value] : settings) {
    if (!begun.ok()) break;
    begun = RunOwn(conn, "SELECT set_config($1, $2, true)", {setting.c_str(), value.c_str()});
  }
  if (!begun.ok()) return begun;
  std::string text(sql);
  if (PQsendQueryParams(conn, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
    return ErrorOf(nullptr, conn);
  }
  PQsetSingleRowMode(conn);
  ResultSet out;
  absl::Status status;
  bool returned_rows = false;
  while (Result result{PQgetResult(conn)}) {
    switch (PQresultStatus(result.get())) {
      case PGRES_SINGLE_TUPLE:
        if (out.columns.empty()) CopyColumns(result.get(), out);
        if (static_cast<int64_t>(out.rows.size()) >= max_rows) {
          CancelRunning(conn);
          return absl::ResourceExhaustedError(
              absl::StrCat("the statement returned more than ", max_rows, " rows"));
        }
        out.rows.push_back(CopyRow(result.get()));
        break;
      case PGRES_TUPLES_OK:
        if (out.columns.empty()) CopyColumns(result.get(), out);
        returned_rows = true;
        break;
      case PGRES_COMMAND_OK:
        if (status.ok()) status = absl::InvalidArgumentError("the statement returns no rows");
        break;
      default:
        if (status.ok()) status = ErrorOf(result.get(), conn);
        break;
    }
  }
  if (status.ok() && !returned_rows) status = ErrorOf(nullptr, conn);
  if (!status.ok()) return status;
  absl::Status ended = RunOwn(conn, "ROLLBACK");
  if (!ended.ok()) return ended;
  return out;
}

}  // namespace querygate::db
