#include "client/cli/query_command.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/output.h"
#include "client/cli/param_parser.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

constexpr char kQueryHelp[] = R"(usage: querygate query NAME [--param NAME=VALUE]... [options]

Runs the named query NAME and prints its rows: an aligned table, or with --json an object
{"query", "columns": [{"name", "type"}], "rows": [{column: value}], "cache": {"status",
"age_ms", "ttl_ms"}}.

Each VALUE is parsed by the parameter's declared type (see `querygate queries`):
  int32, int64     decimal integer              float64     number
  bool             true/false, t/f, yes/no, 1/0 datetime    RFC 3339: 2024-02-29T12:34:56Z
  bytes            \x<hex>, base64:<b64>, or the text's bytes
  json             a JSON document              decimal, string, text, date, uuid, @enum: as is
  [T] lists        a JSON array [1,2] or comma-separated 1,2,3 ("" is the empty list)
A nullable parameter (type ending in ?) takes the word null as NULL.

Options:
  --param, -p NAME=VALUE   a parameter (repeatable)
  --params JSON            parameters as a JSON object; string values are parsed by type
  --cache-mode MODE        default, bypass (skip the cache), refresh (re-read and replace)
                           or only-cached (NOT_FOUND on a miss)
  --json                   print JSON
  --deadline DURATION      per call, e.g. 500ms, 10s (default 30s)

Exit status: 0 on success, 1 when the call fails (error: CODE: message), 2 on bad usage.
)";

constexpr char kQueriesHelp[] = R"(usage: querygate queries [NAME] [--json] [--target HOST:PORT]

Lists the named queries the server has registered: parameters with their types, result
columns, cache ttl, the tables they read and their description. With NAME, only that query.
When a listed query reads a tenant-scoped table, a TENANT column says "scoped" for such
queries (they run for the caller's tenant only) and "-" for the others.
--json prints {"queries": [{"name", "description", "params": [{"name", "type", "nullable",
"required", "default"}], "columns": [{"name", "type"}], "ttl_ms", "tables", "tags",
"source_file", "roles", "tenant_scoped"}]}.

Exit status: 0 on success, 1 when the call fails or NAME is unknown, 2 on bad usage.
)";

const client::QueryInfo* FindQuery(const std::vector<client::QueryInfo>& queries,
                                   const std::string& name) {
  for (const auto& q : queries) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

// Parses `text` for parameter `name` of `query` (by its declared type when known).
absl::StatusOr<Value> ParseFor(const client::QueryInfo* query, const std::string& name,
                               const std::string& text) {
  if (query != nullptr) {
    for (const auto& p : query->params) {
      if (p.name == name) return ParseParam(name, p.type, p.nullable, text);
    }
  }
  return ParseLooseValue(text);
}

nlohmann::json CacheJson(const client::CacheInfo& cache) {
  return {{"status", client::CacheStatusName(cache.status)},
          {"age_ms", cache.age.count()},
          {"ttl_ms", cache.ttl.count()}};
}

void PrintResult(const CliContext& ctx, const std::string& name, const client::Result& result) {
  if (ctx.json_output) {
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& c : result.columns) columns.push_back({{"name", c.name}, {"type", c.type}});
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : result.rows) {
      nlohmann::json object = nlohmann::json::object();
      for (size_t i = 0; i < row.size() && i < result.columns.size(); ++i) {
        object[result.columns[i].name] = ValueToJson(row[i]);
      }
      rows.push_back(std::move(object));
    }
    nlohmann::json out = {{"query", name},
                          {"columns", std::move(columns)},
                          {"rows", std::move(rows)},
                          {"cache", CacheJson(result.cache)}};
    *ctx.out << out.dump(2) << "\n";
    return;
  }
  std::vector<std::string> header;
  for (const auto& c : result.columns) header.push_back(c.name);
  std::vector<Align> align(result.columns.size(), Align::kRight);
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : result.rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < row.size(); ++i) {
      line.push_back(ValueToCell(row[i]));
      bool numeric = row[i].is_null() || row[i].kind() == Value::Kind::kInt ||
                     row[i].kind() == Value::Kind::kDouble;
      if (!numeric && i < align.size()) align[i] = Align::kLeft;
    }
    cells.push_back(std::move(line));
  }
  *ctx.out << FormatTable(header, cells, align);
  std::string footer =
      absl::StrCat("(", result.rows.size(), result.rows.size() == 1 ? " row" : " rows", ", cache ",
                   client::CacheStatusName(result.cache.status));
  if (result.cache.status == client::CacheStatus::kHit ||
      result.cache.status == client::CacheStatus::kStale) {
    absl::StrAppend(&footer, ", age ", FormatMillis(result.cache.age.count()));
  }
  if (result.cache.ttl.count() > 0) {
    absl::StrAppend(&footer, ", ttl ", FormatMillis(result.cache.ttl.count()));
  }
  *ctx.out << footer << ")\n";
}

}  // namespace

int RunQueryCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--param", true, "-p"}, {"--params"}, {"--cache-mode"}});
  if (!parsed.ok()) return UsageError(ctx, "query", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kQueryHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  if (parsed->positional.size() != 1) {
    return UsageError(ctx, "query", "expected exactly one query name");
  }
  const std::string& name = parsed->positional[0];
  client::CallOptions call;
  if (parsed->Has("--cache-mode")) {
    auto mode = ParseCacheMode(parsed->Last("--cache-mode"));
    if (!mode.ok()) return UsageError(ctx, "query", std::string(mode.status().message()));
    call.cache_mode = *mode;
  }
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  auto queries = (*client)->ListQueries();
  if (!queries.ok()) return PrintError(*ctx.err, queries.status());
  const client::QueryInfo* query = FindQuery(*queries, name);

  Value::Struct params;
  for (const std::string& json_text : parsed->All("--params")) {
    nlohmann::json json = nlohmann::json::parse(json_text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return UsageError(ctx, "query", "--params needs a JSON object");
    }
    for (const auto& [key, item] : json.items()) {
      absl::StatusOr<Value> value = JsonToValue(item);
      if (query != nullptr && !item.is_null()) {
        value = ParseFor(query, key, item.is_string() ? item.get<std::string>() : item.dump());
      }
      if (!value.ok()) return UsageError(ctx, "query", std::string(value.status().message()));
      params[key] = *std::move(value);
    }
  }
  for (const std::string& pair : parsed->All("--param")) {
    auto kv = SplitKeyValue(pair);
    if (!kv.ok()) return UsageError(ctx, "query", std::string(kv.status().message()));
    auto value = ParseFor(query, kv->first, kv->second);
    if (!value.ok()) return UsageError(ctx, "query", std::string(value.status().message()));
    params[kv->first] = *std::move(value);
  }
  auto result = (*client)->Execute(name, params, call);
  if (!result.ok()) return PrintError(*ctx.err, result.status());
  PrintResult(ctx, name, *result);
  return kExitOk;
}

int RunQueriesCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {});
  if (!parsed.ok()) return UsageError(ctx, "queries", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kQueriesHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  if (parsed->positional.size() > 1) return UsageError(ctx, "queries", "expected at most one name");
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  auto queries = (*client)->ListQueries();
  if (!queries.ok()) return PrintError(*ctx.err, queries.status());
  std::vector<client::QueryInfo> shown = *queries;
  if (!parsed->positional.empty()) {
    const client::QueryInfo* one = FindQuery(*queries, parsed->positional[0]);
    if (one == nullptr) {
      return PrintError(*ctx.err, absl::NotFoundError(absl::StrCat("query: unknown query '",
                                                                   parsed->positional[0], "'")));
    }
    shown = {*one};
  }
  if (ctx.json_output) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& q : shown) {
      nlohmann::json params = nlohmann::json::array();
      for (const auto& p : q.params) {
        params.push_back({{"name", p.name},
                          {"type", p.type},
                          {"nullable", p.nullable},
                          {"required", p.required},
                          {"default", p.default_value ? ValueToJson(*p.default_value)
                                                      : nlohmann::json(nullptr)}});
      }
      nlohmann::json columns = nlohmann::json::array();
      for (const auto& c : q.columns) columns.push_back({{"name", c.name}, {"type", c.type}});
      list.push_back({{"name", q.name},
                      {"description", q.description},
                      {"params", std::move(params)},
                      {"columns", std::move(columns)},
                      {"ttl_ms", q.ttl.count()},
                      {"tables", q.tables},
                      {"tags", q.tags},
                      {"source_file", q.source_file},
                      {"roles", q.roles},
                      {"tenant_scoped", q.tenant_scoped}});
    }
    *ctx.out << nlohmann::json{{"queries", std::move(list)}}.dump(2) << "\n";
    return kExitOk;
  }
  bool any_scoped = false;
  for (const auto& q : shown) any_scoped = any_scoped || q.tenant_scoped;
  std::vector<std::vector<std::string>> rows;
  for (const auto& q : shown) {
    std::vector<std::string> params;
    for (const auto& p : q.params) {
      std::string text = absl::StrCat(p.name, " ", p.type);
      if (p.default_value) absl::StrAppend(&text, " = ", ValueToCell(*p.default_value));
      params.push_back(std::move(text));
    }
    rows.push_back({q.name, absl::StrJoin(params, ", "),
                    q.ttl.count() > 0 ? FormatMillis(q.ttl.count()) : "-",
                    absl::StrJoin(q.tables, ","), q.description});
    if (any_scoped) rows.back().insert(rows.back().begin() + 4, q.tenant_scoped ? "scoped" : "-");
  }
  std::vector<std::string> header = {"QUERY", "PARAMS", "TTL", "TABLES", "DESCRIPTION"};
  if (any_scoped) header.insert(header.begin() + 4, "TENANT");
  *ctx.out << FormatTable(header, rows);
  return kExitOk;
}

}  // namespace querygate::cli
