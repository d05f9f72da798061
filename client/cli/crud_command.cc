#include "client/cli/crud_command.h"

#include <algorithm>
#include <cstring>
#include <ostream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "client/cli/output.h"
#include "client/cli/param_parser.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

constexpr char kCommonOptions[] = R"(
Common options:
  --json                 print JSON
  --deadline DURATION    per call, e.g. 500ms, 10s (default 30s)

Values (IDs, --set, --where) are read as JSON literals when they parse as JSON (42, 1.5,
true, null, "quoted text", [1,2], {"a":1}), as timestamps when they are RFC 3339 date-times
(2024-02-29T12:34:56Z), and as text otherwise. Quote a number to send it as text: '"42"'.
Exit status: 0 on success, 1 when the call fails (error: CODE: message), 2 on bad usage.
)";

constexpr char kGetHelp[] = R"(usage: querygate get MODEL ID [--include PATH]... [--cache-mode MODE]

Prints one row by primary key (a JSON array of both keys for a junction table), as FIELD
VALUE lines or, with --json, {"model", "record": {...}, "cache": {...}}. NOT_FOUND when the
row is missing or soft-deleted.

Options:
  --include PATH         relations to load, nested with dots: posts.comments (repeatable)
  --cache-mode MODE      default, bypass, refresh or only-cached
)";

constexpr char kListHelp[] = R"(usage: querygate list MODEL [--where FILTER]... [options]

Prints the rows matching every --where filter as a table or, with --json,
{"model", "records": [...], "next_page_token"}.

Filters (--where, repeatable, all must hold):
  field=value  field!=value  field<value  field<=value  field>value  field>=value
  field=null (IS NULL)       field!=null (IS NOT NULL)
  field=[1,2,3] (IN)         field!=[1,2] (NOT IN)
  field~pattern (LIKE)       field~~pattern (ILIKE)   field@@words (full-text MATCH)

Options:
  --where FILTER         a filter (repeatable)
  --order FIELDS         comma-separated; -field or field:desc for descending
  --limit N              page size (default: the server's)
  --page-token TOKEN     continue from a previous page
  --offset N             rows to skip (without --page-token)
  --all                  follow page tokens to the last page
  --fields A,B           only these fields
  --include PATH         relations to load (repeatable)
  --cache-mode MODE      default, bypass, refresh or only-cached
)";

constexpr char kCreateHelp[] = R"(usage: querygate create MODEL [--set FIELD=VALUE]... [--data JSON]

Inserts one row and prints it as stored (defaults and generated keys filled in).

Options:
  --set FIELD=VALUE      a field (repeatable)
  --data JSON            fields as a JSON object (--set wins on conflicts)
)";

constexpr char kUpdateHelp[] =
    R"(usage: querygate update MODEL ID [--set FIELD=VALUE]... [--data JSON] [options]

Writes the given fields of one row and prints the row. NOT_FOUND when there is no such row.

Options:
  --set FIELD=VALUE      a field (repeatable)
  --data JSON            fields as a JSON object (--set wins on conflicts)
  --unset FIELD          set FIELD to null (repeatable)
  --expected-updated-at TIME
                         apply only if the row's updated_at still equals TIME (RFC 3339);
                         ABORTED otherwise
)";

constexpr char kDeleteHelp[] = R"(usage: querygate delete MODEL ID [--hard]

Deletes one row: soft-deletes it on a model with soft_delete, unless --hard. Exit status 1
(error: NOT_FOUND) when no visible row had this ID.

Options:
  --hard                 remove the row even on a model with soft_delete
)";

int Help(const CliContext& ctx, const char* text) {
  *ctx.out << text << kCommonOptions << kConnectionOptionsHelp;
  return kExitOk;
}

absl::StatusOr<client::CacheMode> CacheModeOf(const ParsedArgs& parsed) {
  if (!parsed.Has("--cache-mode")) return client::CacheMode::kDefault;
  return ParseCacheMode(parsed.Last("--cache-mode"));
}

std::vector<std::string> SplitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    for (absl::string_view piece : absl::StrSplit(v, ',', absl::SkipEmpty())) {
      out.emplace_back(absl::StripAsciiWhitespace(piece));
    }
  }
  return out;
}

// Builds a record from --data and --set (and --unset when present in `parsed`).
absl::StatusOr<client::Record> RecordFrom(const ParsedArgs& parsed) {
  client::Record record;
  for (const std::string& data : parsed.All("--data")) {
    nlohmann::json json = nlohmann::json::parse(data, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return absl::InvalidArgumentError("--data needs a JSON object");
    }
    for (const auto& [key, item] : json.items()) {
      record.fields[key] = JsonToValue(item, /*timestamps=*/true);
    }
  }
  for (const std::string& pair : parsed.All("--set")) {
    auto kv = SplitKeyValue(pair);
    if (!kv.ok()) return kv.status();
    record.fields[kv->first] = ParseLooseValue(kv->second);
  }
  for (const std::string& field : parsed.All("--unset")) record.fields[field] = Value();
  return record;
}

void PrintRecord(const CliContext& ctx, const std::string& model, const client::Record& record,
                 const client::CacheInfo* cache) {
  if (ctx.json_output) {
    nlohmann::json out = {{"model", model}, {"record", StructToJson(record.fields)}};
    if (cache != nullptr) {
      out["cache"] = {{"status", client::CacheStatusName(cache->status)},
                      {"age_ms", cache->age.count()},
                      {"ttl_ms", cache->ttl.count()}};
    }
    *ctx.out << out.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [field, value] : record.fields) rows.push_back({field, ValueToCell(value)});
  *ctx.out << FormatTable({"FIELD", "VALUE"}, rows);
  if (cache != nullptr) *ctx.out << "(cache " << client::CacheStatusName(cache->status) << ")\n";
}

// Column order for a list of records: "id" first, then every other field in name order.
std::vector<std::string> ColumnsOf(const std::vector<client::Record>& records) {
  std::vector<std::string> columns;
  std::set<std::string> seen;
  bool has_id = false;
  for (const auto& r : records) {
    for (const auto& [field, value] : r.fields) {
      if (field == "id") {
        has_id = true;
      } else if (seen.insert(field).second) {
        columns.push_back(field);
      }
    }
  }
  std::sort(columns.begin(), columns.end());
  if (has_id) columns.insert(columns.begin(), "id");
  return columns;
}

}  // namespace

absl::StatusOr<client::Filter> ParseWhere(const std::string& text) {
  size_t end = 0;
  while (end < text.size() && (absl::ascii_isalnum(static_cast<unsigned char>(text[end])) ||
                               text[end] == '_' || text[end] == '.')) {
    ++end;
  }
  std::string field = text.substr(0, end);
  if (field.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--where \"", text, "\": expected a field"));
  }
  static const char* const kOps[] = {">=", "<=", "!=", "~~", "@@", "=", "<", ">", "~"};
  std::string op;
  for (const char* candidate : kOps) {
    if (text.compare(end, std::strlen(candidate), candidate) == 0) {
      op = candidate;
      break;
    }
  }
  if (op.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--where \"", text, "\": expected an operator (=, !=, <, <=, >, >=, ~, ~~, @@)"));
  }
  std::string raw = text.substr(end + op.size());
  using client::Filter;
  using client::Operator;
  if (op == "~") return Filter::Where(field, Operator::kLike, Value::String(raw));
  if (op == "~~") return Filter::Where(field, Operator::kILike, Value::String(raw));
  if (op == "@@") return Filter::Where(field, Operator::kMatch, Value::String(raw));
  Value value = ParseLooseValue(raw);
  if (op == "=" || op == "!=") {
    bool eq = op == "=";
    if (value.is_null()) return Filter::Where(field, eq ? Operator::kIsNull : Operator::kIsNotNull);
    if (value.kind() == Value::Kind::kList) {
      return Filter::Where(field, eq ? Operator::kIn : Operator::kNotIn, std::move(value));
    }
    return Filter::Where(field, eq ? Operator::kEq : Operator::kNe, std::move(value));
  }
  Operator compare = op == "<"    ? Operator::kLt
                     : op == "<=" ? Operator::kLe
                     : op == ">"  ? Operator::kGt
                                  : Operator::kGe;
  return Filter::Where(field, compare, std::move(value));
}

absl::StatusOr<std::vector<client::Order>> ParseOrder(const std::string& text) {
  std::vector<client::Order> out;
  for (absl::string_view piece : absl::StrSplit(text, ',')) {
    absl::string_view item = absl::StripAsciiWhitespace(piece);
    client::Order order;
    if (absl::ConsumePrefix(&item, "-")) order.descending = true;
    if (absl::ConsumeSuffix(&item, ":desc")) order.descending = true;
    absl::ConsumeSuffix(&item, ":asc");
    if (item.empty()) return absl::InvalidArgumentError("--order: empty field name");
    order.field = std::string(item);
    out.push_back(std::move(order));
  }
  return out;
}

int RunGetCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--include"}, {"--cache-mode"}});
  if (!parsed.ok()) return UsageError(ctx, "get", std::string(parsed.status().message()));
  if (parsed->help) return Help(ctx, kGetHelp);
  if (parsed->positional.size() != 2) return UsageError(ctx, "get", "expected MODEL ID");
  auto mode = CacheModeOf(*parsed);
  if (!mode.ok()) return UsageError(ctx, "get", std::string(mode.status().message()));
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  client::CallOptions call;
  call.cache_mode = *mode;
  const std::string& model = parsed->positional[0];
  auto got = (*client)->Get(model, ParseLooseValue(parsed->positional[1]),
                            SplitList(parsed->All("--include")), call);
  if (!got.ok()) return PrintError(*ctx.err, got.status());
  PrintRecord(ctx, model, got->record, &got->cache);
  return kExitOk;
}

int RunListCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--where", true, "-w"},
                                 {"--order"},
                                 {"--limit"},
                                 {"--page-token"},
                                 {"--offset"},
                                 {"--all", false},
                                 {"--fields"},
                                 {"--include"},
                                 {"--cache-mode"}});
  if (!parsed.ok()) return UsageError(ctx, "list", std::string(parsed.status().message()));
  if (parsed->help) return Help(ctx, kListHelp);
  if (parsed->positional.size() != 1) return UsageError(ctx, "list", "expected MODEL");
  client::ListOptions options;
  std::vector<client::Filter> filters;
  for (const std::string& where : parsed->All("--where")) {
    auto filter = ParseWhere(where);
    if (!filter.ok()) return UsageError(ctx, "list", std::string(filter.status().message()));
    filters.push_back(*std::move(filter));
  }
  if (filters.size() == 1) {
    options.filter = std::move(filters.front());
  } else if (filters.size() > 1) {
    options.filter = client::Filter::All(std::move(filters));
  }
  for (const std::string& order : parsed->All("--order")) {
    auto orders = ParseOrder(order);
    if (!orders.ok()) return UsageError(ctx, "list", std::string(orders.status().message()));
    options.order_by.insert(options.order_by.end(), orders->begin(), orders->end());
  }
  if (parsed->Has("--limit") && !absl::SimpleAtoi(parsed->Last("--limit"), &options.page_size)) {
    return UsageError(ctx, "list", "--limit needs an integer");
  }
  if (parsed->Has("--offset") && !absl::SimpleAtoi(parsed->Last("--offset"), &options.offset)) {
    return UsageError(ctx, "list", "--offset needs an integer");
  }
  options.page_token = parsed->Last("--page-token");
  options.fields = SplitList(parsed->All("--fields"));
  options.include = SplitList(parsed->All("--include"));
  auto mode = CacheModeOf(*parsed);
  if (!mode.ok()) return UsageError(ctx, "list", std::string(mode.status().message()));
  client::CallOptions call;
  call.cache_mode = *mode;

  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  const std::string& model = parsed->positional[0];
  std::vector<client::Record> records;
  std::string next;
  while (true) {
    auto page = (*client)->List(model, options, call);
    if (!page.ok()) return PrintError(*ctx.err, page.status());
    records.insert(records.end(), page->records.begin(), page->records.end());
    next = page->next_page_token;
    if (!parsed->Has("--all") || next.empty()) break;
    options.page_token = next;
    options.offset = 0;
  }
  if (ctx.json_output) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : records) list.push_back(StructToJson(r.fields));
    *ctx.out << nlohmann::json{{"model", model},
                               {"records", std::move(list)},
                               {"next_page_token", next}}
                    .dump(2)
             << "\n";
    return kExitOk;
  }
  std::vector<std::string> columns = ColumnsOf(records);
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : records) {
    std::vector<std::string> row;
    for (const auto& c : columns) {
      auto it = r.fields.find(c);
      row.push_back(it == r.fields.end() ? "" : ValueToCell(it->second));
    }
    rows.push_back(std::move(row));
  }
  if (!columns.empty()) *ctx.out << FormatTable(columns, rows);
  *ctx.out << "(" << records.size() << (records.size() == 1 ? " row" : " rows");
  if (!next.empty()) *ctx.out << "; next page: --page-token " << next;
  *ctx.out << ")\n";
  return kExitOk;
}

int RunCreateCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--set", true, "-s"}, {"--data"}});
  if (!parsed.ok()) return UsageError(ctx, "create", std::string(parsed.status().message()));
  if (parsed->help) return Help(ctx, kCreateHelp);
  if (parsed->positional.size() != 1) return UsageError(ctx, "create", "expected MODEL");
  auto record = RecordFrom(*parsed);
  if (!record.ok()) return UsageError(ctx, "create", std::string(record.status().message()));
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  auto created = (*client)->Create(parsed->positional[0], *record);
  if (!created.ok()) return PrintError(*ctx.err, created.status());
  PrintRecord(ctx, parsed->positional[0], *created, nullptr);
  return kExitOk;
}

int RunUpdateCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed =
      ParseArgs(args, {{"--set", true, "-s"}, {"--data"}, {"--unset"}, {"--expected-updated-at"}});
  if (!parsed.ok()) return UsageError(ctx, "update", std::string(parsed.status().message()));
  if (parsed->help) return Help(ctx, kUpdateHelp);
  if (parsed->positional.size() != 2) return UsageError(ctx, "update", "expected MODEL ID");
  auto record = RecordFrom(*parsed);
  if (!record.ok()) return UsageError(ctx, "update", std::string(record.status().message()));
  if (record->fields.empty()) return UsageError(ctx, "update", "nothing to update");
  client::UpdateOptions options;
  if (parsed->Has("--expected-updated-at")) {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, parsed->Last("--expected-updated-at"), &t, &error)) {
      return UsageError(ctx, "update", "--expected-updated-at needs an RFC 3339 date-time");
    }
    options.expected_updated_at = absl::ToChronoTime(t);
  }
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  auto updated = (*client)->Update(parsed->positional[0], ParseLooseValue(parsed->positional[1]),
                                   *record, options);
  if (!updated.ok()) return PrintError(*ctx.err, updated.status());
  PrintRecord(ctx, parsed->positional[0], *updated, nullptr);
  return kExitOk;
}

int RunDeleteCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--hard", false}});
  if (!parsed.ok()) return UsageError(ctx, "delete", std::string(parsed.status().message()));
  if (parsed->help) return Help(ctx, kDeleteHelp);
  if (parsed->positional.size() != 2) return UsageError(ctx, "delete", "expected MODEL ID");
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  const std::string& model = parsed->positional[0];
  const std::string& id = parsed->positional[1];
  auto deleted = (*client)->Delete(model, ParseLooseValue(id), parsed->Has("--hard"));
  if (!deleted.ok()) return PrintError(*ctx.err, deleted.status());
  if (ctx.json_output) {
    *ctx.out << nlohmann::json{{"model", model}, {"deleted", *deleted}}.dump(2) << "\n";
  } else if (*deleted) {
    *ctx.out << "deleted " << model << " " << id << "\n";
  }
  if (!*deleted) {
    return PrintError(*ctx.err,
                      absl::NotFoundError(absl::StrCat("no visible ", model, " row with id ", id)));
  }
  return kExitOk;
}

}  // namespace querygate::cli
