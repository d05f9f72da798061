#include "client/cli/warm_command.h"

#include <chrono>
#include <ostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/cli/output.h"
#include "client/cli/param_parser.h"
#include "client/cli/params_from.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

constexpr char kWarmHelp[] = R"(usage: querygate warm [SET]... [--concurrency N] [options]

Fills the cache ahead of traffic and streams progress: a live progress bar when stderr is a
terminal, plain "warm: ..." lines otherwise, then a summary on stdout (with --json, a JSON
object {"total", "done", "failed", "elapsed_ms", "failures": [{"query", "params", "error"}]}).
Without sets, the server warms every set of its configuration.

Sets (each --set, --query or --model starts a new set; the options after it belong to it):
  --set NAME              a warm set of the server's configuration (warm.sets[].name)
  --query NAME            a named query
  --model NAME            a model's Get by primary key
  --params JSON           one parameter set, a JSON object (repeatable); for a query, string
                          values are parsed by the declared types (see `querygate query --help`)
  --id ID                 model sets: shorthand for --params '{"id": ID}' (repeatable)
  --params-from SQL       parameter sets from the rows of SQL (columns named like the
                          parameters). The server takes no SQL: this command runs it itself on
                          --database-url / QUERYGATE_DATABASE_URL, as one statement in a READ
                          ONLY transaction, and sends the rows as --params would. At most
                          10000 parameter sets in all (the server's warm.max_param_sets).

Options:
  --tenant T              (global option) warm every set for tenant T, with a schema that
                          declares tenancy (for --set instead of the configured
                          warm.sets[].tenants). Without it, --query and --model sets on
                          tenant-scoped data are refused unless the token carries a tenant,
                          which is then the one warmed; a caller whose token carries a tenant
                          may name only its own.
  --concurrency N         parallel loads on the server (default: the server's; at most its
                          warm.max_concurrency, 16 by default)
  --json                  print the summary as JSON
  --deadline DURATION     for the whole warm-up, and the --params-from statement (default:
                          none; --params-from: 30s)

Failed entries show their parameters and full errors only to callers allowed
CacheService.WarmDetails (the operator role).

Example:
  querygate warm --set top_users
  querygate warm --query item_by_id --params '{"id": 1}' --params '{"id": 2}' \
                 --model user --params-from 'SELECT id FROM users ORDER BY id LIMIT 100'

Exit status: 0 when every entry warmed, 1 when the call fails or any entry failed, 2 on bad
usage.
)";

// Renders progress on ctx.err: a bar redrawn up to ten times a second on a terminal, else a
// line per change (at most one a second, plus the last).
class ProgressPrinter {
 public:
  explicit ProgressPrinter(const CliContext& ctx) : ctx_(ctx) {}

  void Update(const client::WarmProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (ctx_.interactive) {
      // Redraw at most ten times a second; the server may stream a message per entry.
      if (!p.finished && drew_bar_ && now - last_line_ < std::chrono::milliseconds(100)) return;
      last_line_ = now;
      constexpr int kWidth = 30;
      int filled = p.total > 0 ? static_cast<int>(kWidth * (p.done + p.failed) / p.total) : 0;
      filled = std::min(std::max(filled, 0), kWidth);
      int percent = p.total > 0 ? static_cast<int>(100 * (p.done + p.failed) / p.total) : 0;
      *ctx_.err << "\r\033[K[" << std::string(filled, '#') << std::string(kWidth - filled, '.')
                << "] " << percent << "% " << (p.done + p.failed) << "/" << p.total;
      if (p.failed > 0) *ctx_.err << " (" << p.failed << " failed)";
      *ctx_.err << " " << FormatMillis(p.elapsed.count()) << std::flush;
      drew_bar_ = true;
      return;
    }
    bool changed = p.done != last_done_ || p.failed != last_failed_ || p.total != last_total_;
    if (!p.finished && (!changed || now - last_line_ < std::chrono::seconds(1))) return;
    if (!changed && p.finished && printed_any_) return;
    *ctx_.err << "warm: " << p.done << "/" << p.total << " done, " << p.failed << " failed, "
              << FormatMillis(p.elapsed.count()) << "\n";
    last_line_ = now;
    last_done_ = p.done;
    last_failed_ = p.failed;
    last_total_ = p.total;
    printed_any_ = true;
  }

  void Finish() {
    if (drew_bar_) *ctx_.err << "\n";
  }

 private:
  const CliContext& ctx_;
  bool drew_bar_ = false;
  bool printed_any_ = false;
  int64_t last_done_ = -1, last_failed_ = -1, last_total_ = -1;
  std::chrono::steady_clock::time_point last_line_{};
};

}  // namespace

int RunWarmCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--set"},
                                 {"--query"},
                                 {"--model"},
                                 {"--params"},
                                 {"--id"},
                                 {"--params-from"},
                                 {"--concurrency"}});
  if (!parsed.ok()) return UsageError(ctx, "warm", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kWarmHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return UsageError(ctx, "warm", "unexpected argument " + parsed->positional[0]);
  }
  // No deadline by default: warming many entries can take a while.
  auto client = MakeClient(ctx, std::chrono::milliseconds(0));
  if (!client.ok()) return PrintError(*ctx.err, client.status());

  client::WarmRequest request;
  std::vector<client::QueryInfo> queries;
  bool have_queries = false;
  int64_t param_sets = 0;
  for (const auto& [option, value] : parsed->ordered) {
    if (option == "--concurrency") {
      if (!absl::SimpleAtoi(value, &request.concurrency) || request.concurrency < 0) {
        return UsageError(ctx, "warm", "--concurrency needs a non-negative integer");
      }
      continue;
    }
    if (option == "--query" || option == "--model" || option == "--set") {
      client::WarmSet set;
      (option == "--query" ? set.query : option == "--model" ? set.model : set.name) = value;
      if (!ctx.tenant.empty()) set.tenants.push_back(ctx.tenant);
      request.sets.push_back(std::move(set));
      continue;
    }
    if (request.sets.empty() || !request.sets.back().name.empty()) {
      return UsageError(ctx, "warm", option + " must follow --query or --model");
    }
    client::WarmSet& set = request.sets.back();
    if (option == "--params-from") {
      if (ctx.database_url.empty()) {
        return UsageError(ctx, "warm",
                          "--params-from runs its SQL here: pass --database-url or set "
                          "QUERYGATE_DATABASE_URL");
      }
      absl::Duration timeout =
          ctx.deadline.count() > 0 ? absl::FromChrono(ctx.deadline) : absl::Seconds(30);
      auto rows = ReadParamSets(ctx.database_url, value, kMaxWarmParamSets - param_sets, timeout);
      if (rows.status().code() == absl::StatusCode::kResourceExhausted) {
        return PrintError(*ctx.err,
                          absl::ResourceExhaustedError(absl::StrCat(
                              "--params-from: more than ", kMaxWarmParamSets,
                              " parameter sets in all (the server's warm.max_param_sets)")));
      }
      if (!rows.ok()) {
        return PrintError(*ctx.err,
                          absl::Status(rows.status().code(),
                                       absl::StrCat("--params-from: ", rows.status().message())));
      }
      param_sets += static_cast<int64_t>(rows->size());
      for (Value::Struct& params : *rows) set.params.push_back(std::move(params));
    } else if (option == "--id") {
      if (set.model.empty()) return UsageError(ctx, "warm", "--id belongs to a --model set");
      set.params.push_back({{"id", ParseLooseValue(value)}});
      ++param_sets;
    } else if (option == "--params") {
      nlohmann::json json = nlohmann::json::parse(value, nullptr, false);
      if (json.is_discarded() || !json.is_object()) {
        return UsageError(ctx, "warm", "--params needs a JSON object");
      }
      if (!set.query.empty() && !have_queries) {
        auto listed = (*client)->ListQueries();
        if (!listed.ok()) return PrintError(*ctx.err, listed.status());
        queries = *std::move(listed);
        have_queries = true;
      }
      const client::QueryInfo* info = nullptr;
      for (const auto& q : queries) {
        if (!set.query.empty() && q.name == set.query) info = &q;
      }
      Value::Struct params;
      for (const auto& [key, item] : json.items()) {
        const client::QueryParamInfo* param = nullptr;
        if (info != nullptr) {
          for (const auto& p : info->params) {
            if (p.name == key) param = &p;
          }
        }
        if (param == nullptr || item.is_null()) {
          params[key] = JsonToValue(item, /*timestamps=*/true);
          continue;
        }
        auto v = ParseParam(key, param->type, param->nullable,
                            item.is_string() ? item.get<std::string>() : item.dump());
        if (!v.ok()) return UsageError(ctx, "warm", std::string(v.status().message()));
        params[key] = *std::move(v);
      }
      set.params.push_back(std::move(params));
      ++param_sets;
    }
    if (param_sets > kMaxWarmParamSets) {
      return UsageError(ctx, "warm",
                        absl::StrCat("more than ", kMaxWarmParamSets,
                                     " parameter sets (the server's warm.max_param_sets)"));
    }
  }

  ProgressPrinter printer(ctx);
  auto result = (*client)->Warm(request, [&](const client::WarmProgress& p) { printer.Update(p); });
  printer.Finish();
  if (!result.ok()) return PrintError(*ctx.err, result.status());
  const client::WarmProgress& p = *result;
  if (ctx.json_output) {
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& f : p.failures) {
      failures.push_back(
          {{"query", f.query}, {"params", StructToJson(f.params)}, {"error", f.error}});
    }
    *ctx.out << nlohmann::json{{"total", p.total},
                               {"done", p.done},
                               {"failed", p.failed},
                               {"elapsed_ms", p.elapsed.count()},
                               {"failures", std::move(failures)}}
                    .dump(2)
             << "\n";
  } else {
    *ctx.out << "warmed " << p.done << " of " << p.total << " entries in "
             << FormatMillis(p.elapsed.count()) << ", " << p.failed << " failed\n";
    for (const auto& f : p.failures) {
      *ctx.out << "  failed: " << f.query << " " << StructToJson(f.params).dump() << ": " << f.error
               << "\n";
    }
  }
  return p.failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace querygate::cli
