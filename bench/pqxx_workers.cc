#include "bench/pqxx_workers.h"

#include <exception>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"

namespace querygate::bench {
namespace {

constexpr char kStatement[] = "querygate_bench";
constexpr int kConnectTimeoutSeconds = 5;

class PqxxWorker : public Worker {
 public:
  PqxxWorker(std::unique_ptr<pqxx::connection> connection, const PqxxCall& call, int64_t first_id)
      : connection_(std::move(connection)),
        id_range_(call.id_range),
        next_id_(first_id),
        expected_rows_(call.expected_rows),
        form_(call.form),
        timeout_ms_(absl::StrCat(absl::ToInt64Milliseconds(call.statement_timeout))) {}

  CallOutcome Call(std::string* detail) override {
    int64_t id = next_id_;
    next_id_ = next_id_ % id_range_ + 1;
    try {
      pqxx::nontransaction tx(*connection_);
      pqxx::result rows =
          form_ == PqxxForm::kExecPrepared
              ? tx.exec_prepared(kStatement, id)
              : tx.exec(absl::StrCat("SELECT set_config('statement_timeout', '", timeout_ms_,
                                     "', true); EXECUTE ", kStatement, "(", id, ")"));
      if (expected_rows_ >= 0 && static_cast<int64_t>(rows.size()) != expected_rows_) {
        *detail = absl::StrCat(rows.size(), " rows where ", expected_rows_, " were expected");
        return CallOutcome::kUnexpected;
      }
      return CallOutcome::kOk;
    } catch (const std::exception& e) {
      *detail = absl::StrCat("libpqxx: ", e.what());
      return CallOutcome::kError;
    }
  }

 private:
  std::unique_ptr<pqxx::connection> connection_;
  int64_t id_range_;
  int64_t next_id_;
  int64_t expected_rows_;
  PqxxForm form_;
  std::string timeout_ms_;
};

}  // namespace

std::string WithConnectTimeout(const std::string& url) {
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  return absl::StrCat(url, std::string(1, separator), "connect_timeout=", kConnectTimeoutSeconds);
}

absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakePqxxWorkers(
    const std::string& database_url, const PqxxCall& call, int concurrency) {
  std::vector<std::unique_ptr<Worker>> workers;
  try {
    for (int i = 0; i < concurrency; ++i) {
      auto connection = std::make_unique<pqxx::connection>(WithConnectTimeout(database_url));
      connection->prepare(kStatement, call.sql);
      {
        pqxx::nontransaction tx(*connection);
        tx.exec(absl::StrCat("SET statement_timeout = ",
                             absl::ToInt64Milliseconds(call.statement_timeout)));
        // libpqxx 6.4 prepares lazily; the first use prepares on the server, as the server
        // form's EXECUTE needs.
        tx.exec_prepared(kStatement, 1);
      }
      int64_t first_id = 1 + (i * call.id_range / concurrency);
      workers.push_back(std::make_unique<PqxxWorker>(std::move(connection), call, first_id));
    }
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL: ", e.what()));
  }
  return workers;
}

}  // namespace querygate::bench
