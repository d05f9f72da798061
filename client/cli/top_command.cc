#include "client/cli/top_command.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <ostream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/cli/http_get.h"
#include "client/cli/output.h"
#include "client/cli/service_command.h"
#include "client/cli/top_frame.h"
#include "nlohmann/json.hpp"

namespace querygate::cli {
namespace {

constexpr char kTopHelp[] =
    R"(usage: querygate top [--metrics-url URL] [--interval DURATION] [--once] [--json]

Shows the server's live figures in the terminal, redrawn in place every second like
`redis-cli --stat`: calls/s, errors/s, p50/p99 latency, hit ratio per tier (overall, local,
shared), invalidation lag p50/p99, pool usage, feed states, warm state, and the busiest named
queries and models with their hit ratios. It reads /status.json from the server's metrics
listener (metrics.listen), the document the status page at / draws from. Rates and
percentiles cover the time since the previous read. Ctrl-C quits.

Options:
  --metrics-url URL      the metrics listener, http://HOST:PORT (also QUERYGATE_METRICS_URL,
                         else the server's QUERYGATE_METRICS_LISTEN or metrics.listen in the
                         --config file; default http://127.0.0.1:9464)
  --interval DURATION    time between frames, e.g. 500ms, 2s (default 1s)
  --once                 print one frame (no terminal control sequences) and exit
  --json                 print the raw status document instead, one line per frame

Without --once it runs until interrupted; while the listener cannot be read it shows why
and keeps trying. Exit status (--once): 0 on success; 1 when the status cannot be read
(error: CODE: message); 2 on bad usage.
)";

constexpr char kDefaultMetricsUrl[] = "http://127.0.0.1:9464";

// The terminal's width, or 0 (no clipping) when stdout is not a terminal.
int TerminalWidth() {
  winsize size{};
  if (isatty(STDOUT_FILENO) != 1 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

absl::StatusOr<nlohmann::json> ReadStatus(const HttpUrl& url, absl::Duration timeout) {
  absl::StatusOr<std::string> body = HttpGet(url, timeout);
  if (!body.ok()) return body.status();
  nlohmann::json doc = nlohmann::json::parse(*body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::FailedPreconditionError(
        absl::StrCat("GET ", url.path, " did not answer a JSON object"));
  }
  return doc;
}

}  // namespace

int RunTopCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  auto parsed = ParseArgs(args, {{"--metrics-url"}, {"--interval"}, {"--once", false}});
  if (!parsed.ok()) return UsageError(ctx, "top", std::string(parsed.status().message()));
  if (parsed->help) {
    *ctx.out << kTopHelp;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return UsageError(ctx, "top", "unexpected argument " + parsed->positional[0]);
  }
  std::string url_text = parsed->Last("--metrics-url", ctx.metrics_url);
  if (url_text.empty()) url_text = kDefaultMetricsUrl;
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(url_text, "--metrics-url");
  if (!url.ok()) return UsageError(ctx, "top", std::string(url.status().message()));
  if (!absl::EndsWith(url->path, ".json")) {
    url->path = absl::StrCat(absl::StripSuffix(url->path, "/"), "/status.json");
  }
  absl::Duration interval = absl::Seconds(1);
  if (parsed->Has("--interval") && (!absl::ParseDuration(parsed->Last("--interval"), &interval) ||
                                    interval < absl::Milliseconds(100))) {
    return UsageError(ctx, "top", "--interval needs a duration of at least 100ms, such as 2s");
  }
  absl::Duration timeout =
      ctx.deadline.count() > 0 ? absl::Milliseconds(ctx.deadline.count()) : absl::Seconds(5);
  bool once = parsed->Has("--once");
  while (true) {
    absl::Time started = absl::Now();
    absl::StatusOr<nlohmann::json> status = ReadStatus(*url, timeout);
    if (once) {
      if (!status.ok()) return PrintError(*ctx.err, status.status());
      *ctx.out << (ctx.json_output ? status->dump(2) + "\n" : RenderTopFrame(*status, 0));
      return kExitOk;
    }
    if (ctx.json_output) {
      if (status.ok()) {
        *ctx.out << status->dump() << "\n";
      } else {
        PrintError(*ctx.err, status.status());
      }
    } else {
      std::string frame =
          status.ok() ? RenderTopFrame(*status, TerminalWidth())
                      : absl::StrCat("querygate top: ", url_text, ": ", status.status().message(),
                                     "\nretrying every ", absl::FormatDuration(interval), "\n");
      *ctx.out << "\x1b[H\x1b[2J" << frame;
    }
    ctx.out->flush();
    absl::Duration left = interval - (absl::Now() - started);
    if (left > absl::ZeroDuration()) std::this_thread::sleep_for(absl::ToChronoNanoseconds(left));
  }
}

}  // namespace querygate::cli
