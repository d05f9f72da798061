#include "client/types.h"

#include "absl/strings/str_cat.h"

namespace querygate::client {

const char* CacheStatusName(CacheStatus status) {
  switch (status) {
    case CacheStatus::kHit:
      return "HIT";
    case CacheStatus::kMiss:
      return "MISS";
    case CacheStatus::kBypass:
      return "BYPASS";
    case CacheStatus::kStale:
      return "STALE";
    case CacheStatus::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

const char* HealthStatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::kServing:
      return "SERVING";
    case HealthStatus::kNotServing:
      return "NOT_SERVING";
    case HealthStatus::kServiceUnknown:
      return "SERVICE_UNKNOWN";
    case HealthStatus::kUnknown:
      break;
  }
  return "UNKNOWN";
}

std::optional<size_t> Result::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  return std::nullopt;
}

absl::StatusOr<const Value*> Result::Cell(size_t row, std::string_view column) const {
  if (row >= rows.size()) {
    return absl::OutOfRangeError(absl::StrCat("row ", row, " of ", rows.size()));
  }
  std::optional<size_t> index = ColumnIndex(column);
  if (!index || *index >= rows[row].size()) {
    return absl::NotFoundError(
        absl::StrCat("no column ", absl::string_view(column.data(), column.size())));
  }
  return &rows[row][*index];
}

Filter Filter::Where(std::string field, Operator op, Value value) {
  Filter f;
  f.kind = Kind::kCondition;
  f.field = std::move(field);
  f.op = op;
  f.value = std::move(value);
  return f;
}

Filter Filter::All(std::vector<Filter> filters) {
  Filter f;
  f.kind = Kind::kAll;
  f.children = std::move(filters);
  return f;
}

Filter Filter::Any(std::vector<Filter> filters) {
  Filter f;
  f.kind = Kind::kAny;
  f.children = std::move(filters);
  return f;
}

Filter Filter::Not(Filter filter) {
  Filter f;
  f.kind = Kind::kNot;
  f.children.push_back(std::move(filter));
  return f;
}

}  // namespace querygate::client
