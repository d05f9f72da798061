#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schema/internal/diagnostics.h"
#include "schema/internal/json_reader.h"
#include "schema/internal/naming.h"
#include "schema/internal/option_values.h"
#include "schema/internal/type_parser.h"
#include "schema/named_query.h"

namespace querygate::schema {
namespace {

using internal::Diagnostics;
using internal::JoinPath;
using internal::JsonNode;

Value ToValue(const JsonNode& node) {
  switch (node.kind) {
    case JsonNode::Kind::kNull:
      return Value();
    case JsonNode::Kind::kBool:
      return Value::Bool(node.bool_value);
    case JsonNode::Kind::kInteger:
      return Value::Int(node.int_value);
    case JsonNode::Kind::kUnsigned:
      return node.unsigned_value <= static_cast<uint64_t>(INT64_MAX)
                 ? Value::Int(static_cast<int64_t>(node.unsigned_value))
                 : Value::Double(static_cast<double>(node.unsigned_value));
    case JsonNode::Kind::kFloat:
      return Value::Double(node.float_value);
    case JsonNode::Kind::kString:
      return Value::String(node.text);
    case JsonNode::Kind::kArray: {
      Value::List list;
      for (const JsonNode& e : node.elements) list.push_back(ToValue(e));
      return Value::ListOf(std::move(list));
    }
    case JsonNode::Kind::kObject: {
      Value::Struct fields;
      for (const auto& [key, member] : node.members) fields.emplace(key, ToValue(member));
      return Value::StructOf(std::move(fields));
    }
  }
  return Value();
}

// Reads a parameter's type: "int64", "string?", "[int64]", "int64[]", ["int64"], "@enum".
void ReadParamType(const JsonNode& node, const std::string& file, const std::string& path,
                   const Schema& schema, QueryParam& param, Diagnostics& diag) {
  std::string spelling;
  bool array = false;
  if (node.is_string()) {
    spelling = node.text;
    if (spelling.size() > 2 && spelling.front() == '[' && spelling.find(']') != std::string::npos) {
      size_t close = spelling.find(']');
      std::string suffix = spelling.substr(close + 1);
      spelling = spelling.substr(1, close - 1) + "[]" + suffix;
    }
  } else if (node.is_array() && node.elements.size() == 1 && node.elements[0].is_string()) {
    spelling = node.elements[0].text;
    array = true;
  } else {
    diag.Error(file, path, "a parameter type must be a string such as \"int64\" or \"[int64]\"");
    return;
  }
  param.type_text = array ? absl::StrCat("[", spelling, "]") : spelling;
  auto parsed = internal::ParseTypeSpelling(spelling);
  if (!parsed.ok()) {
    diag.Error(file, path, std::string(parsed.status().message()));
    return;
  }
  param.nullable = parsed->nullable;
  array = array || parsed->is_array;
  if (parsed->is_reference) {
    const Enum* e = schema.FindEnum(parsed->reference);
    if (e == nullptr) {
      diag.Error(file, path,
                 absl::StrCat("unknown enum '@", parsed->reference,
                              "' (parameters take scalar types, arrays or enums)"));
      return;
    }
    param.type.enum_name = parsed->reference;
    if (array) {
      param.type.kind = TypeKind::kArray;
      param.type.element_kind = TypeKind::kEnum;
    } else {
      param.type.kind = TypeKind::kEnum;
    }
    return;
  }
  param.type = parsed->type;
  if (param.type.kind == TypeKind::kVector) {
    if (array) diag.Error(file, path, "arrays of vectors are not supported");
    if (!param.type.dimensions.has_value() || *param.type.dimensions < 1 ||
        *param.type.dimensions > 16000) {
      diag.Error(file, path, "vector parameters need dimensions between 1 and 16000: vector(N)");
    }
    return;
  }
  if (array && !param.type.IsArray()) {
    if (!internal::IsArrayElementKind(param.type.kind)) {
      diag.Error(file, path,
                 absl::StrCat("arrays of ", TypeKindName(param.type.kind), " are not supported"));
      return;
    }
    param.type.element_kind = param.type.kind;
    param.type.kind = TypeKind::kArray;
  }
}

void ReadParams(const JsonNode& node, const std::string& file, const std::string& path,
                const Schema& schema, NamedQuery& query, Diagnostics& diag) {
  if (!node.is_object()) {
    diag.Error(file, path, "params must be an object of name -> type");
    return;
  }
  for (const std::string& dup : node.duplicate_keys) {
    diag.Error(file, JoinPath(path, dup), "duplicate parameter");
  }
  for (const auto& [name, spec] : node.members) {
    std::string param_path = JoinPath(path, name);
    if (!internal::IsValidIdentifier(name)) {
      diag.Error(file, param_path, "invalid parameter name: use lowercase letters, digits, _");
      continue;
    }
    QueryParam param;
    param.name = name;
    const JsonNode* type = &spec;
    if (spec.is_object()) {
      type = spec.Find("type");
      for (const auto& [key, value] : spec.members) {
        if (key != "type" && key != "default" && key != "description") {
          diag.Error(file, JoinPath(param_path, key),
                     absl::StrCat("unknown parameter option '", key, "'"));
        }
      }
      if (type == nullptr) {
        diag.Error(file, param_path, "parameter needs a \"type\"");
        continue;
      }
      if (const JsonNode* d = spec.Find("default")) {
        param.default_value = ToValue(*d);
      }
    }
    ReadParamType(*type, file, param_path, schema, param, diag);
    if (param.default_value && param.default_value->is_null() && !param.nullable) {
      diag.Error(file, JoinPath(param_path, "default"),
                 "default is null but the parameter is not nullable (add '?')");
    }
    query.params.push_back(std::move(param));
  }
}

void ReadQuery(const std::string& name, const JsonNode& node, const std::string& file,
               const std::string& path, const Schema& schema, NamedQuery& query,
               Diagnostics& diag) {
  query.name = name;
  query.source_file = file;
  if (!internal::IsValidIdentifier(name)) {
    diag.Error(file, path, "invalid query name: use lowercase letters, digits and _");
  }
  if (!node.is_object()) {
    diag.Error(file, path, "a query must be an object with at least \"sql\"");
    return;
  }
  for (const std::string& dup : node.duplicate_keys) {
    diag.Error(file, JoinPath(path, dup), "duplicate key");
  }
  for (const auto& [key, value] : node.members) {
    std::string key_path = JoinPath(path, key);
    if (key == "description") {
      if (value.is_string())
        query.description = value.text;
      else
        diag.Error(file, key_path, "description must be a string");
    } else if (key == "sql") {
      if (value.is_string()) {
        query.sql = value.text;
      } else if (value.is_array()) {
        std::vector<std::string> lines;
        for (const JsonNode& line : value.elements) lines.push_back(line.text);
        query.sql = absl::StrJoin(lines, "\n");
      } else {
        diag.Error(file, key_path, "sql must be a string or an array of lines");
      }
    } else if (key == "params") {
      ReadParams(value, file, key_path, schema, query, diag);
    } else if (key == "ttl") {
      if (value.is_integer() && value.int_value >= 0) {
        query.ttl_seconds = value.int_value;
        if (value.int_value == 0) query.cached = false;
      } else {
        diag.Error(file, key_path, "ttl must be a whole number of seconds >= 0");
      }
    } else if (key == "cache") {
      if (value.is_bool())
        query.cached = value.bool_value;
      else
        diag.Error(file, key_path, "cache must be true or false");
    } else if (key == "local_cache") {
      if (value.is_bool())
        query.local_cache = value.bool_value;
      else
        diag.Error(file, key_path, "local_cache must be true or false");
    } else if (key == "stale_while_revalidate" || key == "stale_if_error") {
      if (value.is_integer() && value.int_value >= 0 && value.int_value <= 86400) {
        (key == "stale_if_error" ? query.stale_if_error_seconds
                                 : query.stale_while_revalidate_seconds) = value.int_value;
      } else {
        diag.Error(file, key_path,
                   absl::StrCat(key, " must be a whole number of seconds from 0 to 86400"));
      }
    } else if (key == "tags") {
      if (!value.is_array()) diag.Error(file, key_path, "tags must be an array of strings");
      for (const JsonNode& tag : value.elements) {
        if (tag.is_string())
          query.tags.push_back(tag.text);
        else
          diag.Error(file, key_path, "tags must be an array of strings");
      }
    } else if (key == "roles") {
      if (auto roles = internal::ReadRoles(value, file, key_path, diag)) {
        query.roles = *std::move(roles);
      }
    } else {
      diag.Error(file, key_path, absl::StrCat("unknown query option '", key, "'"));
    }
  }
  if (query.sql.find_first_not_of(" \t\r\n") == std::string::npos) {
    diag.Error(file, JoinPath(path, "sql"), "sql is missing or empty");
    return;
  }
  PositionalSql positional = RewriteNamedParams(query.sql, {});
  for (const std::string& used : positional.order) {
    if (query.FindParam(used) == nullptr) {
      diag.Error(file, JoinPath(path, "sql"),
                 absl::StrCat("parameter :", used, " is used but not declared in params"));
    }
  }
  for (const QueryParam& param : query.params) {
    if (std::find(positional.order.begin(), positional.order.end(), param.name) ==
        positional.order.end()) {
      diag.Error(file, JoinPath(JoinPath(path, "params"), param.name),
                 "parameter is declared but the sql never uses it");
    }
  }
}

}  // namespace

const QueryParam* NamedQuery::FindParam(const std::string& param) const {
  for (const QueryParam& p : params) {
    if (p.name == param) return &p;
  }
  return nullptr;
}

NamedQueryLoadResult LoadNamedQueries(const std::vector<SchemaSource>& sources,
                                      const Schema& schema) {
  Diagnostics diag;
  NamedQueryLoadResult result;
  std::set<std::string> seen;
  for (const SchemaSource& source : sources) {
    internal::JsonParseResult parsed = internal::ParseJson(source.text);
    if (!parsed.ok) {
      SchemaDiagnostic d{source.file, "", parsed.message, parsed.line, parsed.column};
      result.errors.push_back(d);
      continue;
    }
    const JsonNode* queries = parsed.root.Find("queries");
    if (queries == nullptr) continue;
    if (!queries->is_object()) {
      diag.Error(source.file, "queries", "queries must be an object of name -> query");
      continue;
    }
    for (const std::string& dup : queries->duplicate_keys) {
      diag.Error(source.file, JoinPath("queries", dup), "duplicate query");
    }
    for (const auto& [name, node] : queries->members) {
      std::string path = JoinPath("queries", name);
      if (!seen.insert(name).second) {
        diag.Error(source.file, path, absl::StrCat("duplicate query '", name, "'"));
        continue;
      }
      NamedQuery query;
      ReadQuery(name, node, source.file, path, schema, query, diag);
      result.queries.push_back(std::move(query));
    }
  }
  for (SchemaDiagnostic& d : diag.errors) result.errors.push_back(std::move(d));
  return result;
}

NamedQueryLoadResult LoadNamedQueriesDir(const std::string& dir, const Schema& schema) {
  namespace fs = std::filesystem;
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      paths.push_back(entry.path());
    }
  }
  NamedQueryLoadResult result;
  if (ec) {
    result.errors.push_back({dir, "", absl::StrCat("cannot read directory: ", ec.message())});
    return result;
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SchemaSource> sources;
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    sources.push_back({path.filename().string(), text.str()});
  }
  return LoadNamedQueries(sources, schema);
}

}  // namespace querygate::schema
