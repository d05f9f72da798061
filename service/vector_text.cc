#include "service/vector_text.h"

#include <cmath>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace querygate::service {
namespace {

absl::Status DimensionError(absl::string_view path, int expected, size_t got) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": expected ", expected, " dimensions, got ", got));
}

Value ExactFloat(float f) { return Value::Double(static_cast<double>(f)); }

}  // namespace

absl::StatusOr<std::string> EncodeFloatVector(const std::vector<float>& vector,
                                              std::optional<int> dimensions,
                                              absl::string_view path) {
  if (dimensions.has_value() && vector.size() != static_cast<size_t>(*dimensions)) {
    return DimensionError(path, *dimensions, vector.size());
  }
  if (vector.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": empty vector"));
  std::string out = "{";
  for (size_t i = 0; i < vector.size(); ++i) {
    if (!std::isfinite(vector[i])) {
      return absl::InvalidArgumentError(absl::StrCat(path, "[", i, "]: not finite"));
    }
    if (i > 0) out.push_back(',');
    absl::StrAppendFormat(&out, "%.9g", static_cast<double>(vector[i]));
  }
  out.push_back('}');
  return out;
}

absl::StatusOr<std::string> EncodeVectorValue(const Value& value, std::optional<int> dimensions,
                                              absl::string_view path) {
  if (value.kind() != Value::Kind::kList) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a list of numbers"));
  }
  const Value::List& list = value.list_value();
  if (dimensions.has_value() && list.size() != static_cast<size_t>(*dimensions)) {
    return DimensionError(path, *dimensions, list.size());
  }
  std::vector<float> floats;
  floats.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    double v;
    if (list[i].kind() == Value::Kind::kDouble) {
      v = list[i].double_value();
    } else if (list[i].kind() == Value::Kind::kInt) {
      v = static_cast<double>(list[i].int_value());
    } else {
      return absl::InvalidArgumentError(absl::StrCat(path, "[", i, "]: expected a number"));
    }
    float f = static_cast<float>(v);
    if (!std::isfinite(v) || !std::isfinite(f)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, "[", i, "]: not finite (or outside the float32 range)"));
    }
    floats.push_back(f);
  }
  return EncodeFloatVector(floats, std::nullopt, path);
}

Value DecodeVectorCell(const Value& cell) {
  Value::List out;
  if (cell.kind() == Value::Kind::kList) {
    out.reserve(cell.list_value().size());
    for (const Value& item : cell.list_value()) {
      if (item.kind() != Value::Kind::kDouble) return cell;
      out.push_back(ExactFloat(static_cast<float>(item.double_value())));
    }
    return Value::ListOf(std::move(out));
  }
  if (cell.kind() != Value::Kind::kString) return cell;
  absl::string_view text = cell.string_value();
  if (!absl::ConsumePrefix(&text, "[") || !absl::ConsumeSuffix(&text, "]")) return cell;
  if (text.empty()) return Value::ListOf({});
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::string copy(part);
    char* end = nullptr;
    float f = std::strtof(copy.c_str(), &end);
    if (end == copy.c_str()) return cell;
    out.push_back(ExactFloat(f));
  }
  return Value::ListOf(std::move(out));
}

}  // namespace querygate::service
