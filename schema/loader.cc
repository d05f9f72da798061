#include "schema/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "schema/internal/diagnostics.h"
#include "schema/internal/file_reader.h"
#include "schema/internal/json_reader.h"
#include "schema/internal/schema_builder.h"

namespace querygate::schema {

std::string SchemaDiagnostic::ToString() const {
  if (line > 0) return absl::StrCat(file, ":", line, ":", column, ": ", message);
  if (path.empty()) return absl::StrCat(file, ": ", message);
  return absl::StrCat(file, ": ", path, ": ", message);
}

LoadResult LoadSchemaSources(const std::vector<SchemaSource>& sources) {
  internal::Diagnostics diag;
  std::vector<internal::FileDecl> files;
  for (const SchemaSource& source : sources) {
    internal::JsonParseResult parsed = internal::ParseJson(source.text);
    if (!parsed.ok) {
      SchemaDiagnostic error{source.file, "", parsed.message, parsed.line, parsed.column};
      diag.errors.push_back(std::move(error));
      continue;
    }
    files.push_back(internal::ReadSchemaFile(
        source.file, std::make_unique<internal::JsonNode>(std::move(parsed.root)), diag));
  }
  absl::flat_hash_map<std::string, size_t> file_order;
  for (size_t i = 0; i < sources.size(); ++i) file_order.try_emplace(sources[i].file, i);
  LoadResult result;
  result.schema = internal::BuildSchema(files, diag);
  auto by_file = [&file_order](const SchemaDiagnostic& a, const SchemaDiagnostic& b) {
    return file_order[a.file] < file_order[b.file];
  };
  std::stable_sort(diag.errors.begin(), diag.errors.end(), by_file);
  std::stable_sort(diag.warnings.begin(), diag.warnings.end(), by_file);
  result.errors = std::move(diag.errors);
  result.warnings = std::move(diag.warnings);
  return result;
}

LoadResult LoadSchemaDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> paths;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    LoadResult result;
    result.errors.push_back(
        SchemaDiagnostic{dir, "", absl::StrCat("cannot read schema directory: ", ec.message())});
    return result;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::directory_entry& entry = *it;
    if (entry.path().extension() == ".json" && entry.is_regular_file(ec)) {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SchemaSource> sources;
  std::vector<SchemaDiagnostic> read_errors;
  if (ec) {
    read_errors.push_back(
        SchemaDiagnostic{dir, "", absl::StrCat("cannot list schema directory: ", ec.message())});
  }
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      read_errors.push_back(SchemaDiagnostic{path.string(), "", "cannot open file"});
      continue;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
      read_errors.push_back(SchemaDiagnostic{path.string(), "", "cannot read file"});
      continue;
    }
    sources.push_back(SchemaSource{path.string(), std::move(text)});
  }
  LoadResult result = LoadSchemaSources(sources);
  result.errors.insert(result.errors.begin(), read_errors.begin(), read_errors.end());
  if (paths.empty() && read_errors.empty()) {
    result.warnings.push_back(SchemaDiagnostic{dir, "", "no *.json schema files found"});
  }
  return result;
}

}  // namespace querygate::schema
