#include "db/internal/pqxx_result.h"

namespace querygate::db::internal {

ResultSet ToResultSet(const pqxx::result& result) {
  ResultSet out;
  const auto width = result.columns();
  out.columns.reserve(width);
  for (pqxx::row::size_type c = 0; c < width; ++c) {
    out.columns.push_back({result.column_name(c), static_cast<uint32_t>(result.column_type(c))});
  }
  out.rows.reserve(result.size());
  for (const auto& row : result) {
    std::vector<Cell> cells;
    cells.reserve(width);
    for (const auto& field : row) {
      if (field.is_null()) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(std::string(field.c_str(), field.size()));
      }
    }
    out.rows.push_back(std::move(cells));
  }
  out.affected_rows = result.affected_rows();
  return out;
}

std::vector<const char*> ParamPointers(const Params& params) {
  std::vector<const char*> pointers;
  pointers.reserve(params.size());
  for (const Cell& cell : params) pointers.push_back(cell ? cell->c_str() : nullptr);
  return pointers;
}

}  // namespace querygate::db::internal
