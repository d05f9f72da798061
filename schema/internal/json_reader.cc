#include "schema/internal/json_reader.h"

#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace querygate::schema::internal {

JsonNode::JsonNode() = default;
JsonNode::~JsonNode() = default;
JsonNode::JsonNode(const JsonNode&) = default;
JsonNode::JsonNode(JsonNode&&) noexcept = default;
JsonNode& JsonNode::operator=(const JsonNode&) = default;
JsonNode& JsonNode::operator=(JsonNode&&) noexcept = default;
namespace {

constexpr size_t kMaxDepth = 200;

// Builds a JsonNode tree from nlohmann SAX events, recording duplicate object keys.
class TreeBuilder {
 public:
  using json = nlohmann::json;

  explicit TreeBuilder(absl::string_view text) : text_(text) {}

  bool null() { return Attach(JsonNode{}); }
  bool boolean(bool value) {
    JsonNode node;
    node.kind = JsonNode::Kind::kBool;
    node.bool_value = value;
    return Attach(std::move(node));
  }
  bool number_integer(json::number_integer_t value) {
    JsonNode node;
    node.kind = JsonNode::Kind::kInteger;
    node.int_value = value;
    return Attach(std::move(node));
  }
  bool number_unsigned(json::number_unsigned_t value) {
    JsonNode node;
    if (value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      node.kind = JsonNode::Kind::kInteger;
      node.int_value = static_cast<int64_t>(value);
    } else {
      node.kind = JsonNode::Kind::kUnsigned;
      node.unsigned_value = value;
    }
    return Attach(std::move(node));
  }
  bool number_float(json::number_float_t value, const json::string_t& raw) {
    JsonNode node;
    node.kind = JsonNode::Kind::kFloat;
    node.float_value = value;
    node.text = raw;
    return Attach(std::move(node));
  }
  bool string(json::string_t& value) {
    JsonNode node;
    node.kind = JsonNode::Kind::kString;
    node.text = std::move(value);
    return Attach(std::move(node));
  }
  bool binary(json::binary_t&) { return Fail("binary values are not JSON"); }
  bool start_object(std::size_t) { return Open(JsonNode::Kind::kObject); }
  bool key(json::string_t& value) {
    stack_.back().pending_key = std::move(value);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return Open(JsonNode::Kind::kArray); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    size_t column_at = what.find("column ");
    size_t colon = column_at == std::string::npos ? std::string::npos : what.find(": ", column_at);
    if (colon != std::string::npos) {
      what = what.substr(colon + 2);
    } else if (size_t bracket = what.find("] "); bracket != std::string::npos) {
      what = what.substr(bracket + 2);
    }
    error_message_ = what;
    error_offset_ = position == 0 ? 0 : position - 1;
    return false;
  }

  bool failed() const { return !error_message_.empty(); }
  const std::string& error_message() const { return error_message_; }
  size_t error_offset() const { return error_offset_; }
  JsonNode TakeRoot() { return std::move(root_); }

 private:
  struct Frame {
    JsonNode node;
    std::string pending_key;
    absl::flat_hash_set<std::string> seen_keys;
  };

  bool Fail(std::string message) {
    error_message_ = std::move(message);
    return false;
  }

  bool Open(JsonNode::Kind kind) {
    if (stack_.size() >= kMaxDepth) {
      return Fail(absl::StrCat("nesting deeper than ", kMaxDepth, " levels"));
    }
    Frame frame;
    frame.node.kind = kind;
    stack_.push_back(std::move(frame));
    return true;
  }

  bool Close() {
    JsonNode node = std::move(stack_.back().node);
    stack_.pop_back();
    return Attach(std::move(node));
  }

  bool Attach(JsonNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return true;
    }
    Frame& parent = stack_.back();
    if (parent.node.kind == JsonNode::Kind::kArray) {
      parent.node.elements.push_back(std::move(node));
      return true;
    }
    if (!parent.seen_keys.insert(parent.pending_key).second) {
      parent.node.duplicate_keys.push_back(parent.pending_key);
      return true;
    }
    parent.node.members.emplace_back(std::move(parent.pending_key), std::move(node));
    return true;
  }

  absl::string_view text_;
  std::vector<Frame> stack_;
  JsonNode root_;
  std::string error_message_;
  size_t error_offset_ = 0;
};

void DumpString(const std::string& value, std::string& out) {
  out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void DumpInto(const JsonNode& node, std::string& out) {
  switch (node.kind) {
    case JsonNode::Kind::kNull:
      out += "null";
      return;
    case JsonNode::Kind::kBool:
      out += node.bool_value ? "true" : "false";
      return;
    case JsonNode::Kind::kInteger:
    case JsonNode::Kind::kUnsigned:
    case JsonNode::Kind::kFloat:
      out += node.NumberText();
      return;
    case JsonNode::Kind::kString:
      DumpString(node.text, out);
      return;
    case JsonNode::Kind::kArray:
      out += '[';
      for (size_t i = 0; i < node.elements.size(); ++i) {
        if (i > 0) out += ',';
        DumpInto(node.elements[i], out);
      }
      out += ']';
      return;
    case JsonNode::Kind::kObject:
      out += '{';
      for (size_t i = 0; i < node.members.size(); ++i) {
        if (i > 0) out += ',';
        DumpString(node.members[i].first, out);
        out += ':';
        DumpInto(node.members[i].second, out);
      }
      out += '}';
      return;
  }
}

}  // namespace

const JsonNode* JsonNode::Find(absl::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string JsonNode::NumberText() const {
  switch (kind) {
    case Kind::kInteger:
      return std::to_string(int_value);
    case Kind::kUnsigned:
      return std::to_string(unsigned_value);
    case Kind::kFloat:
      return text;
    default:
      return "";
  }
}

absl::string_view JsonNode::KindName() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kInteger:
    case Kind::kUnsigned:
    case Kind::kFloat:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "value";
}

std::pair<int, int> LineAndColumn(absl::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start) + 1};
}

JsonParseResult ParseJson(absl::string_view text) {
  JsonParseResult result;
  TreeBuilder builder(text);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &builder,
                                       nlohmann::json::input_format_t::json,
                                       /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception& e) {
    result.message = e.what();
    result.line = 1;
    result.column = 1;
    return result;
  }
  if (!parsed || builder.failed()) {
    auto [line, column] = LineAndColumn(text, builder.error_offset());
    result.line = line;
    result.column = column;
    result.message = builder.failed() ? builder.error_message() : "invalid JSON";
    return result;
  }
  result.ok = true;
  result.root = builder.TakeRoot();
  return result;
}

std::string DumpJson(const JsonNode& node) {
  std::string out;
  DumpInto(node, out);
  return out;
}

}  // namespace querygate::schema::internal
