#include "tests/integration/tenancy_isolation/render.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace querygate::testing::isolation {
namespace {

std::string RenderStruct(const Fields& fields, const std::set<std::string>& only);

// Sort key of a listed record: its numeric "id" when it has one, else its text.
std::pair<int64_t, std::string> ListKey(const v1::Value& item, const std::string& text) {
  int64_t id = 0;
  if (item.has_struct_value()) {
    auto it = item.struct_value().fields().find("id");
    if (it != item.struct_value().fields().end()) {
      std::string id_text = ValueText(it->second);
      if (absl::SimpleAtoi(id_text, &id)) return {id, text};
    }
  }
  return {0, text};
}

std::string RenderValue(const v1::Value& value) {
  if (value.has_struct_value()) return RenderStruct(value.struct_value().fields(), {});
  if (value.has_list_value()) {
    std::vector<std::pair<std::pair<int64_t, std::string>, std::string>> items;
    for (const v1::Value& item : value.list_value().values()) {
      std::string text = RenderValue(item);
      items.push_back({ListKey(item, text), text});
    }
    std::sort(items.begin(), items.end());
    std::vector<std::string> texts;
    for (auto& item : items) texts.push_back(std::move(item.second));
    return absl::StrCat("[", absl::StrJoin(texts, ", "), "]");
  }
  return ValueText(value);
}

std::string RenderStruct(const Fields& fields, const std::set<std::string>& only) {
  std::map<std::string, std::string> sorted;
  for (const auto& [name, value] : fields) {
    bool relation = value.has_struct_value() || value.has_list_value();
    if (!relation && !only.empty() && only.count(name) == 0) continue;
    sorted[name] = RenderValue(value);
  }
  std::vector<std::string> parts;
  for (const auto& [name, text] : sorted) parts.push_back(absl::StrCat(name, "=", text));
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

}  // namespace

std::string ValueText(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kNullValue:
    case v1::Value::KIND_NOT_SET:
      return "null";
    case v1::Value::kBoolValue:
      return value.bool_value() ? "t" : "f";
    case v1::Value::kIntValue:
      return absl::StrCat(value.int_value());
    case v1::Value::kStringValue:
      return value.string_value();
    default:
      return absl::StrCat("<", value.ShortDebugString(), ">");
  }
}

std::string Render(const Fields& fields, const std::set<std::string>& only) {
  return RenderStruct(fields, only);
}

v1::StructValue FromRow(const db::ResultSet& rows, size_t row, const std::string& skip) {
  v1::StructValue out;
  for (size_t col = 0; col < rows.columns.size(); ++col) {
    const std::string& name = rows.columns[col].name;
    if (name == skip) continue;
    v1::Value& value = (*out.mutable_fields())[name];
    const db::Cell& cell = rows.rows.at(row).at(col);
    if (cell) {
      value.set_string_value(*cell);
    } else {
      value.set_null_value(google::protobuf::NULL_VALUE);
    }
  }
  return out;
}

std::string RenderRows(const v1::ExecuteResponse& response) {
  std::vector<std::string> lines;
  for (const v1::Row& row : response.rows()) {
    std::vector<std::string> cells;
    for (int i = 0; i < row.values_size(); ++i) {
      std::string name = i < response.columns_size() ? response.columns(i).name() : "?";
      cells.push_back(absl::StrCat(name, "=", ValueText(row.values(i))));
    }
    lines.push_back(absl::StrJoin(cells, ", "));
  }
  return absl::StrJoin(lines, "\n");
}

std::string RenderRows(const db::ResultSet& rows) {
  std::vector<std::string> lines;
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    std::vector<std::string> cells;
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      const db::Cell& cell = rows.rows[r][c];
      cells.push_back(absl::StrCat(rows.columns[c].name, "=", cell ? *cell : "null"));
    }
    lines.push_back(absl::StrJoin(cells, ", "));
  }
  return absl::StrJoin(lines, "\n");
}

int CountForeign(const Fields& fields, const std::string& tenant) {
  int foreign = 0;
  auto it = fields.find("organization_id");
  if (it != fields.end() && it->second.has_string_value() && it->second.string_value() != tenant) {
    ++foreign;
  }
  for (const auto& [name, value] : fields) {
    if (value.has_struct_value()) foreign += CountForeign(value.struct_value().fields(), tenant);
    if (value.has_list_value()) {
      for (const v1::Value& item : value.list_value().values()) {
        if (item.has_struct_value()) foreign += CountForeign(item.struct_value().fields(), tenant);
      }
    }
  }
  return foreign;
}

int CountForeignRows(const v1::ExecuteResponse& response, const std::string& column,
                     const std::string& tenant) {
  int index = -1;
  for (int i = 0; i < response.columns_size(); ++i) {
    if (response.columns(i).name() == column) index = i;
  }
  if (index < 0) return 0;
  int foreign = 0;
  for (const v1::Row& row : response.rows()) {
    if (index < row.values_size() && ValueText(row.values(index)) != tenant) ++foreign;
  }
  return foreign;
}

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace querygate::testing::isolation
