#include "client/cli/params_from.h"

#include "absl/strings/str_cat.h"
#include "db/isolated_session.h"
#include "db/pg_text.h"

namespace querygate::cli {

absl::StatusOr<std::vector<Value::Struct>> ReadParamSets(const std::string& database_url,
                                                         const std::string& sql, int64_t max_rows,
                                                         absl::Duration timeout) {
  auto session = db::IsolatedSession::Connect(database_url, absl::Seconds(10));
  if (!session.ok()) return session.status();
  auto rows = (*session)->QueryReadOnly(sql, max_rows, timeout);
  if (!rows.ok()) return rows.status();
  std::vector<Value::Struct> out;
  out.reserve(rows->rows.size());
  for (size_t r = 0; r < rows->rows.size(); ++r) {
    Value::Struct params;
    for (size_t c = 0; c < rows->columns.size(); ++c) {
      const db::Cell& cell = rows->rows[r][c];
      Value value;
      if (cell) {
        auto decoded = db::DecodeCell(rows->columns[c].type_oid, *cell);
        if (!decoded.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("row ", r + 1, ", column \"",
                                                         rows->columns[c].name,
                                                         "\": ", decoded.status().message()));
        }
        value = *std::move(decoded);
      }
      params[rows->columns[c].name] = std::move(value);
    }
    out.push_back(std::move(params));
  }
  return out;
}

}  // namespace querygate::cli
