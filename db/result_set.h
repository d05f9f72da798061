#ifndef QUERYGATE_DB_RESULT_SET_H_
#define QUERYGATE_DB_RESULT_SET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace querygate::db {

// A query parameter or result cell in PostgreSQL text format; nullopt is SQL NULL.
using Cell = std::optional<std::string>;
using Params = std::vector<Cell>;

struct ResultColumn {
  std::string name;
  uint32_t type_oid = 0;
};

// Rows of a completed query, in PostgreSQL text format.
struct ResultSet {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<Cell>> rows;
  int64_t affected_rows = 0;

  // Returns the cell at (row, col) or an empty string for NULL.
  const std::string& Text(size_t row, size_t col) const {
    static const std::string kEmpty;
    const Cell& cell = rows.at(row).at(col);
    return cell ? *cell : kEmpty;
  }
};

}  // namespace querygate::db

#endif  // QUERYGATE_DB_RESULT_SET_H_
