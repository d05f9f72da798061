#include "client/cli/invalidate_command.h"

#include <cstdlib>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cache/invalidation_event.h"
#include "cache/redis_options.h"
#include "client/cli/output.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

constexpr char kInvalidateHelp[] =
    R"(usage: querygate invalidate [--table T]... [--query Q]... [--tag G]... [--tenant T]

Asks the server to invalidate every cached result that reads one of the tables, is one of
the named queries, or carries one of the tags. Returns once the invalidation is durable in
Redis. Positional arguments are table names. Each name must be one the server knows: a
model's table or a table a named query reads ("public.users" works too), a named query, or a
tag of one; the server takes at most 256 names of at most 128 bytes each
(limits.max_invalidate_names, limits.max_invalidate_name_bytes).

With a schema that declares tenancy, --tenant T (a global option) invalidates the
tenant-scoped tables for tenant T alone; global tables, queries and tags are invalidated for
every tenant. Without --tenant every tenant's entries go. A caller whose token carries a
tenant may name only its own.

Options:
  --table, -t TABLE     a table (repeatable)
  --query, -q QUERY     a named query (repeatable)
  --tag TAG             a tag (repeatable)
  --tenant T            only tenant T's entries of tenant-scoped tables
  --json                print {"tables": [...], "queries": [...], "tenant": "..."}
  --deadline DURATION   e.g. 500ms, 10s (default 30s)

Exit status: 0 on success, 1 when the call fails (error: CODE: message), 2 on bad usage.
)";

constexpr char kPublishHelp[] =
    R"(usage: querygate publish [--table T]... [--query Q]... [--tag G]... [options]

Publishes an invalidation event
  {"tables": [...], "queries": [...], "tags": [...], "source": "cli"}
on the Redis channel the querygate servers subscribe to; each server then invalidates what
depends on it. Use it from jobs that write to PostgreSQL behind querygate's back. Positional
arguments are table names. With --tenant T the event carries "tenant": T, and servers whose
schema declares tenancy invalidate the tenant-scoped tables for that tenant alone (an event
naming a malformed tenant is dropped by the servers).

Options:
  --table, -t TABLE     a table (repeatable)
  --query, -q QUERY     a named query (repeatable)
  --tag TAG             a tag (repeatable)
  --tenant T            only tenant T's entries of tenant-scoped tables
  --channel NAME        the channel (default querygate:invalidate)
  --redis-url URL       redis://[[user]:password@]host[:port][/db] (also QUERYGATE_REDIS_URL,
                        the config file's redis.url; default redis://127.0.0.1:6379); with a
                        user, AUTH as that ACL user
  --json                print {"channel", "receivers", "event"}

Exit status: 0 on success (even when no server was listening; the receiver count says so),
1 when Redis cannot be reached, 2 on bad usage.
)";

const std::vector<OptionSpec> kSelectorOptions = {
    {"--table", true, "-t"}, {"--query", true, "-q"}, {"--tag"}};

struct Selection {
  std::vector<std::string> tables, queries, tags;
  bool empty() const { return tables.empty() && queries.empty() && tags.empty(); }
};

Selection Select(const ParsedArgs& parsed) {
  Selection s;
  s.tables = parsed.positional;
  for (const auto& t : parsed.All("--table")) s.tables.push_back(t);
  s.queries = parsed.All("--query");
  s.tags = parsed.All("--tag");
  return s;
}

std::string JoinOrDash(const std::vector<std::string>& items) {
  return items.empty() ? "-" : absl::StrJoin(items, ", ");
}

}  // namespace

int RunInvalidateCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, kSelectorOptions);
  if (!parsed.ok()) return UsageError(ctx, "invalidate", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kInvalidateHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  Selection s = Select(*parsed);
  if (s.empty()) return UsageError(ctx, "invalidate", "name at least one table, query or tag");
  auto client = MakeClient(ctx);
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  client::Invalidation what;
  what.tables = s.tables;
  what.queries = s.queries;
  what.tags = s.tags;
  what.tenant = ctx.tenant;
  auto result = (*client)->Invalidate(what);
  if (!result.ok()) return PrintError(*ctx.err, result.status());
  if (ctx.json_output) {
    nlohmann::json out{{"tables", result->tables}, {"queries", result->queries}};
    if (!result->tenant.empty()) out["tenant"] = result->tenant;
    *ctx.out << out.dump(2) << "\n";
  } else {
    *ctx.out << "invalidated tables: " << JoinOrDash(result->tables)
             << "; queries: " << JoinOrDash(result->queries);
    if (!s.tags.empty()) *ctx.out << "; tags: " << JoinOrDash(s.tags);
    if (!result->tenant.empty()) *ctx.out << "; tenant: " << result->tenant;
    *ctx.out << "\n";
  }
  return kExitOk;
}

int RunPublishCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<OptionSpec> spec = kSelectorOptions;
  spec.push_back({"--channel"});
  spec.push_back({"--redis-url"});
  auto parsed = ParseArgs(args, spec);
  if (!parsed.ok()) return UsageError(ctx, "publish", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kPublishHelp;
    return kExitOk;
  }
  Selection s = Select(*parsed);
  if (s.empty()) return UsageError(ctx, "publish", "name at least one table, query or tag");
  std::string url = parsed->Last("--redis-url");
  if (url.empty() && std::getenv("QUERYGATE_REDIS_URL") != nullptr) {
    url = std::getenv("QUERYGATE_REDIS_URL");
  }
  if (url.empty()) url = ctx.redis_url;
  if (url.empty()) url = "redis://127.0.0.1:6379";
  cache::RedisOptions redis;
  absl::Status applied = cache::ApplyRedisUrl(url, redis);
  if (!applied.ok()) return UsageError(ctx, "publish", std::string(applied.message()));
  // A CLI can wait longer than a server's per-command budget.
  redis.connect_timeout = absl::Seconds(5);
  redis.command_timeout = absl::Seconds(5);
  std::string channel = parsed->Last("--channel", cache::kDefaultInvalidationChannel);
  cache::InvalidationEvent event;
  event.tables = s.tables;
  event.queries = s.queries;
  event.tags = s.tags;
  event.source = "cli";
  event.tenant = ctx.tenant;
  auto receivers = cache::PublishInvalidation(redis, channel, event);
  if (!receivers.ok()) return PrintError(*ctx.err, receivers.status());
  if (ctx.json_output) {
    *ctx.out << nlohmann::json{{"channel", channel},
                               {"receivers", *receivers},
                               {"event",
                                nlohmann::json::parse(cache::InvalidationEventJson(event))}}
                    .dump(2)
             << "\n";
  } else {
    *ctx.out << "published to " << channel << " (" << *receivers
             << (*receivers == 1 ? " receiver" : " receivers")
             << "): " << cache::InvalidationEventJson(event) << "\n";
  }
  return kExitOk;
}

}  // namespace querygate::cli
