#include "client/cli/output.h"

#include <charconv>
#include <cmath>
#include <ostream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace querygate::cli {

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows,
                        const std::vector<Align>& align) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) widths[i] = DisplayWidth(header[i]);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string empty;
      const std::string& cell = i < cells.size() ? cells[i] : empty;
      size_t pad = widths[i] - DisplayWidth(cell);
      if (i > 0) line += "  ";
      bool right = i < align.size() && align[i] == Align::kRight;
      if (right) line.append(pad, ' ');
      line += cell;
      if (!right) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  emit(header);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  emit(rule);
  for (const auto& row : rows) emit(row);
  return out;
}

namespace {

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, result.ptr);
}

std::string EscapeCell(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrCat("\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string FormatTimestamp(Timestamp timestamp) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::FromUnixMicros(timestamp.micros),
                          absl::UTCTimeZone());
}

std::string FormatMillis(int64_t millis) {
  if (millis < 1000) return absl::StrCat(millis, "ms");
  if (millis < 60000) {
    return absl::StrCat(millis / 1000, ".", (millis % 1000) / 100, "s");
  }
  return absl::FormatDuration(absl::Seconds(millis / 1000));
}

std::string ValueToCell(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      return "NULL";
    case Value::Kind::kBool:
      return value.bool_value() ? "true" : "false";
    case Value::Kind::kInt:
      return absl::StrCat(value.int_value());
    case Value::Kind::kDouble:
      return FormatDouble(value.double_value());
    case Value::Kind::kString:
      return EscapeCell(value.string_value());
    case Value::Kind::kBytes:
      return absl::StrCat("\\x", absl::BytesToHexString(value.bytes_value()));
    case Value::Kind::kTimestamp:
      return FormatTimestamp(value.time_value());
    case Value::Kind::kList:
    case Value::Kind::kStruct:
      return EscapeCell(ValueToJson(value).dump());
  }
  return "";
}

nlohmann::json ValueToJson(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kBool:
      return value.bool_value();
    case Value::Kind::kInt:
      return value.int_value();
    case Value::Kind::kDouble:
      if (!std::isfinite(value.double_value())) return FormatDouble(value.double_value());
      return value.double_value();
    case Value::Kind::kString:
      return value.string_value();
    case Value::Kind::kBytes:
      return absl::Base64Escape(value.bytes_value());
    case Value::Kind::kTimestamp:
      return FormatTimestamp(value.time_value());
    case Value::Kind::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& item : value.list_value()) out.push_back(ValueToJson(item));
      return out;
    }
    case Value::Kind::kStruct:
      return StructToJson(value.struct_value());
  }
  return nullptr;
}

nlohmann::json StructToJson(const Value::Struct& fields) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : fields) out[key] = ValueToJson(item);
  return out;
}

Value JsonToValue(const nlohmann::json& json, bool timestamps) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Value();
    case nlohmann::json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value::Int(static_cast<int64_t>(u));
      return Value::Double(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value::Double(json.get<double>());
    case nlohmann::json::value_t::string: {
      const std::string& s = json.get_ref<const std::string&>();
      if (timestamps) {
        absl::Time t;
        std::string error;
        if (s.size() >= 20 && s[10] == 'T' && absl::ParseTime(absl::RFC3339_full, s, &t, &error)) {
          return Value::Time({absl::ToUnixMicros(t)});
        }
      }
      return Value::String(s);
    }
    case nlohmann::json::value_t::array: {
      Value::List list;
      for (const auto& item : json) list.push_back(JsonToValue(item, timestamps));
      return Value::ListOf(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      Value::Struct fields;
      for (const auto& [key, item] : json.items())
        fields.emplace(key, JsonToValue(item, timestamps));
      return Value::StructOf(std::move(fields));
    }
    case nlohmann::json::value_t::binary:
      return Value::Bytes(std::string(json.get_binary().begin(), json.get_binary().end()));
  }
  return Value();
}

int PrintError(std::ostream& err, const absl::Status& status) {
  err << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message() << "\n";
  return 1;
}

}  // namespace querygate::cli
