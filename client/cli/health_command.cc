#include "client/cli/health_command.h"

#include <ostream>

#include "client/cli/output.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

constexpr char kHealthHelp[] =
    R"(usage: querygate health [--service NAME]... [--json] [--target HOST:PORT]

Asks the server's standard gRPC health service (grpc.health.v1.Health/Check). Without
--service it checks the server as a whole ("") and its backends, "querygate.cache" and
"querygate.database", and prints one line each. --json prints {"status": <overall>,
"services": {name: status}}.

Statuses: SERVING, NOT_SERVING, SERVICE_UNKNOWN, UNKNOWN.

Exit status: 0 when every checked service is SERVING, 1 otherwise or when the call fails
(error: CODE: message; an unknown --service is NOT_FOUND), 2 on bad usage.
)";

}  // namespace

int RunHealthCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--service"}});
  if (!parsed.ok()) return UsageError(ctx, "health", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kHealthHelp << kConnectionOptionsHelp;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return UsageError(ctx, "health", "unexpected argument " + parsed->positional[0]);
  }
  std::vector<std::string> services = parsed->All("--service");
  if (services.empty()) services = {"", "querygate.cache", "querygate.database"};
  auto client = MakeClient(ctx, std::chrono::seconds(5));
  if (!client.ok()) return PrintError(*ctx.err, client.status());
  bool all_serving = true;
  nlohmann::json json_services = nlohmann::json::object();
  std::vector<std::vector<std::string>> rows;
  for (const std::string& service : services) {
    auto status = (*client)->Health(service);
    if (!status.ok()) return PrintError(*ctx.err, status.status());
    if (*status != client::HealthStatus::kServing) all_serving = false;
    json_services[service] = client::HealthStatusName(*status);
    rows.push_back({service.empty() ? "(server)" : service, client::HealthStatusName(*status)});
  }
  if (ctx.json_output) {
    *ctx.out << nlohmann::json{{"status", all_serving ? "SERVING" : "NOT_SERVING"},
                               {"services", std::move(json_services)}}
                    .dump(2)
             << "\n";
  } else {
    *ctx.out << FormatTable({"SERVICE", "STATUS"}, rows);
  }
  return all_serving ? kExitOk : kExitFailure;
}

}  // namespace querygate::cli
