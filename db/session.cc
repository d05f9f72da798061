#include "db/session.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "db/connection_url.h"
#include "db/internal/error_mapping.h"
#include "db/internal/pqxx_result.h"

namespace querygate::db {

struct Session::Impl {
  explicit Impl(const std::string& conninfo) : connection(conninfo) {}
  pqxx::connection connection;
  std::set<std::string> prepared;
};

struct Transaction::Impl {
  explicit Impl(pqxx::connection& connection) : work(connection) {}
  pqxx::work work;
};

namespace {

absl::StatusOr<ResultSet> RunParams(pqxx::transaction_base& tx, absl::string_view sql,
                                    const Params& params) {
  try {
    std::string text(sql);
    if (params.empty()) return internal::ToResultSet(tx.exec(text));
    auto pointers = internal::ParamPointers(params);
    return internal::ToResultSet(
        tx.exec_params(text, pqxx::prepare::make_dynamic_params(pointers)));
  } catch (...) {
    return internal::StatusFromCurrentException("");
  }
}

absl::Status RunScript(pqxx::transaction_base& tx, absl::string_view sql) {
  try {
    tx.exec(std::string(sql));
    return absl::OkStatus();
  } catch (...) {
    return internal::StatusFromCurrentException("");
  }
}

}  // namespace

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

absl::StatusOr<std::unique_ptr<Session>> Session::Connect(absl::string_view url,
                                                          absl::Duration connect_timeout) {
  int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(connect_timeout, absl::Seconds(1))));
  std::string conninfo = WithDefaultParam(url, "connect_timeout", absl::StrCat(seconds));
  conninfo = WithDefaultParam(conninfo, "application_name", "querygate");
  try {
    auto impl = std::make_unique<Impl>(conninfo);
    return std::unique_ptr<Session>(new Session(std::move(impl)));
  } catch (...) {
    return internal::StatusFromCurrentException(
        absl::StrCat("connecting to ", RedactPassword(url)));
  }
}

absl::Status Session::Track(absl::Status status) {
  if (internal::IsConnectionLost(status)) healthy_ = false;
  return status;
}

absl::StatusOr<ResultSet> Session::Query(absl::string_view sql, const Params& params) {
  try {
    pqxx::nontransaction tx(impl_->connection);
    auto result = RunParams(tx, sql, params);
    if (!result.ok()) return Track(result.status());
    return result;
  } catch (...) {
    return Track(internal::StatusFromCurrentException(""));
  }
}

absl::Status Session::Execute(absl::string_view sql) {
  try {
    pqxx::nontransaction tx(impl_->connection);
    return Track(RunScript(tx, sql));
  } catch (...) {
    return Track(internal::StatusFromCurrentException(""));
  }
}

absl::Status Session::Transact(const std::function<absl::Status(Transaction&)>& body) {
  std::unique_ptr<Transaction::Impl> tx_impl;
  try {
    tx_impl = std::make_unique<Transaction::Impl>(impl_->connection);
  } catch (...) {
    return Track(internal::StatusFromCurrentException("begin"));
  }
  Transaction tx(this, std::move(tx_impl));
  absl::Status status = body(tx);
  try {
    if (status.ok()) {
      tx.impl_->work.commit();
    } else {
      tx.impl_->work.abort();
    }
  } catch (...) {
    return Track(internal::StatusFromCurrentException(status.ok() ? "commit" : "rollback"));
  }
  return Track(status);
}

absl::Status Session::Prepare(const std::string& name, const std::string& sql) {
  try {
    impl_->connection.prepare(name, sql);
    impl_->connection.prepare_now(name);
    impl_->prepared.insert(name);
    return absl::OkStatus();
  } catch (...) {
    try {
      impl_->connection.unprepare(name);
    } catch (...) {
    }
    return Track(internal::StatusFromCurrentException(absl::StrCat("preparing ", name)));
  }
}

absl::StatusOr<ResultSet> Session::QueryPreparedWithTimeout(const std::string& name,
                                                            const Params& params,
                                                            absl::Duration timeout,
                                                            const LocalSettings& settings) {
  int64_t ms =
      std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1))));
  try {
    pqxx::nontransaction tx(impl_->connection);
    // One simple-query string runs as one implicit transaction, so the settings made local
    // here hold for the EXECUTE and end with it.
    std::string sql = absl::StrCat("SELECT set_config('statement_timeout', '", ms, "', true)");
    for (const auto& [setting, value] : settings) {
      absl::StrAppend(&sql, ", set_config(", tx.quote(setting), ", ", tx.quote(value), ", true)");
    }
    absl::StrAppend(&sql, "; EXECUTE ", tx.quote_name(name), "(");
    for (size_t i = 0; i < params.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += params[i] ? tx.quote(*params[i]) : "NULL";
    }
    sql += ")";
    if (params.empty()) sql.resize(sql.size() - 2);
    return internal::ToResultSet(tx.exec(sql));
  } catch (...) {
    return Track(internal::StatusFromCurrentException(""));
  }
}

bool Session::IsPrepared(const std::string& name) const { return impl_->prepared.count(name); }

void Session::Cancel() {
  try {
    impl_->connection.cancel_query();
  } catch (...) {
  }
}

int Session::backend_pid() const { return impl_->connection.backendpid(); }

Transaction::Transaction(Session* session, std::unique_ptr<Impl> impl)
    : session_(session), impl_(std::move(impl)) {}
Transaction::~Transaction() = default;

absl::StatusOr<ResultSet> Transaction::Query(absl::string_view sql, const Params& params) {
  auto result = RunParams(impl_->work, sql, params);
  if (!result.ok()) return session_->Track(result.status());
  return result;
}

absl::Status Transaction::Execute(absl::string_view sql) {
  return session_->Track(RunScript(impl_->work, sql));
}

absl::StatusOr<ResultSet> Transaction::QueryPrepared(const std::string& name,
                                                     const Params& params) {
  try {
    auto pointers = internal::ParamPointers(params);
    return internal::ToResultSet(
        impl_->work.exec_prepared(name, pqxx::prepare::make_dynamic_params(pointers)));
  } catch (...) {
    return session_->Track(internal::StatusFromCurrentException(""));
  }
}

}  // namespace querygate::db
