#include "client/cli/top_frame.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/output.h"

namespace querygate::cli {
namespace {

using nlohmann::json;

// The member at `path` ("a/b/c"), or nullptr when any step is missing.
const json* At(const json& doc, const std::string& path) {
  const json* node = &doc;
  for (absl::string_view key : absl::StrSplit(path, '/')) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(std::string(key));
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::optional<double> Number(const json& doc, const std::string& path) {
  const json* node = At(doc, path);
  if (node == nullptr || !node->is_number()) return std::nullopt;
  return node->get<double>();
}

std::string Text(const json& doc, const std::string& path) {
  const json* node = At(doc, path);
  return node != nullptr && node->is_string() ? node->get<std::string>() : "";
}

std::optional<bool> Flag(const json& doc, const std::string& path) {
  const json* node = At(doc, path);
  if (node == nullptr || !node->is_boolean()) return std::nullopt;
  return node->get<bool>();
}

std::string Rate(std::optional<double> v) {
  if (!v.has_value()) return "-";
  return absl::StrFormat("%.1f", *v);
}

std::string Count(std::optional<double> v) {
  if (!v.has_value()) return "-";
  return absl::StrCat(static_cast<int64_t>(*v));
}

std::string Percent(std::optional<double> ratio) {
  if (!ratio.has_value()) return "-";
  return absl::StrFormat("%.1f%%", 100 * *ratio);
}

std::string Seconds(std::optional<double> s) {
  if (!s.has_value()) return "-";
  if (*s < 1e-3) return absl::StrFormat("%.0fus", *s * 1e6);
  if (*s < 0.01) return absl::StrFormat("%.2fms", *s * 1e3);
  if (*s < 1) return absl::StrFormat("%.1fms", *s * 1e3);
  return absl::StrFormat("%.2fs", *s);
}

std::string Healthy(std::optional<bool> v, const char* yes, const char* no) {
  if (!v.has_value()) return "-";
  return *v ? yes : no;
}

std::string HeaderLine(const json& s) {
  std::string version = Text(s, "version");
  std::optional<double> uptime = Number(s, "uptime_seconds");
  std::string warm = Text(s, "warm/status");
  std::optional<double> done = Number(s, "warm/done");
  std::optional<double> total = Number(s, "warm/total");
  if (warm.empty()) warm = "-";
  if (total.has_value() && *total > 0) {
    absl::StrAppend(&warm, " (", Count(done), "/", Count(total), ")");
  }
  return absl::StrCat(
      "querygate ", version.empty() ? "-" : version, "  up ",
      uptime.has_value() ? FormatMillis(static_cast<int64_t>(*uptime * 1000)) : "-", "  database ",
      Healthy(Flag(s, "backends/database_healthy"), "healthy", "UNHEALTHY"), "  redis ",
      Healthy(Flag(s, "backends/redis_healthy"), "healthy", "UNHEALTHY"), "  cache ",
      Healthy(Flag(s, "backends/cache_trusted"), "trusted", "BYPASSED"), "  warm ", warm);
}

std::string FiguresTable(const json& s) {
  std::optional<double> usage = Number(s, "pool/usage");
  std::string pool = absl::StrCat(Count(Number(s, "pool/active")), "/",
                                  Count(Number(s, "pool/max")), " ", Percent(usage));
  std::vector<std::string> row = {Rate(Number(s, "calls/per_second")),
                                  Rate(Number(s, "calls/errors_per_second")),
                                  Seconds(Number(s, "latency_seconds/p50")),
                                  Seconds(Number(s, "latency_seconds/p99")),
                                  Percent(Number(s, "cache/hit_ratio/overall")),
                                  Percent(Number(s, "cache/hit_ratio/local")),
                                  Percent(Number(s, "cache/hit_ratio/shared")),
                                  Seconds(Number(s, "invalidation_lag_seconds/p50")),
                                  Seconds(Number(s, "invalidation_lag_seconds/p99")),
                                  pool,
                                  Count(Number(s, "pool/waiting"))};
  return FormatTable({"CALLS/S", "ERRORS/S", "P50", "P99", "HIT", "LOCAL", "SHARED", "LAG P50",
                      "LAG P99", "POOL", "WAITING"},
                     {row}, std::vector<Align>(row.size(), Align::kRight));
}

std::string TotalsLine(const json& s) {
  return absl::StrCat("since start: ", Count(Number(s, "calls/total")), " calls, ",
                      Count(Number(s, "calls/errors_total")), " errors, ",
                      Count(Number(s, "cache/lookups_total")), " lookups, hit ratio ",
                      Percent(Number(s, "cache/hit_ratio_total/overall")), " (local ",
                      Percent(Number(s, "cache/hit_ratio_total/local")), ", shared ",
                      Percent(Number(s, "cache/hit_ratio_total/shared")), ")");
}

std::string FeedsLine(const json& s) {
  const json* feeds = At(s, "feeds");
  std::vector<std::string> parts;
  if (feeds != nullptr && feeds->is_array()) {
    for (const json& f : *feeds) {
      std::optional<bool> up = Flag(f, "up");
      std::string part = absl::StrCat(Text(f, "name"), " ", up.value_or(false) ? "up" : "DOWN");
      if (std::optional<double> since = Number(f, "seconds_since_event")) {
        absl::StrAppend(&part, " (last event ", FormatMillis(static_cast<int64_t>(*since * 1000)),
                        " ago)");
      }
      parts.push_back(std::move(part));
    }
  }
  return "feeds: " + (parts.empty() ? std::string("none") : absl::StrJoin(parts, ", "));
}

std::string NamesTable(const json& s, const char* key, const char* title, int max_rows) {
  const json* names = At(s, key);
  std::vector<std::vector<std::string>> rows;
  if (names != nullptr && names->is_array()) {
    for (const json& n : *names) {
      if (static_cast<int>(rows.size()) >= max_rows) break;
      rows.push_back({Text(n, "name"), Count(Number(n, "calls")),
                      Rate(Number(n, "calls_per_second")), Percent(Number(n, "hit_ratio/overall")),
                      Percent(Number(n, "hit_ratio/local")), Percent(Number(n, "hit_ratio/shared")),
                      Count(Number(n, "misses")), Count(Number(n, "bypasses"))});
    }
  }
  if (rows.empty()) return absl::StrCat(title, ": none yet\n");
  std::vector<Align> align(8, Align::kRight);
  align[0] = Align::kLeft;
  return FormatTable({title, "CALLS", "CALLS/S", "HIT", "LOCAL", "SHARED", "MISSES", "BYPASSES"},
                     rows, align);
}

// `line` cut to `width` characters (UTF-8 aware).
std::string Clip(const std::string& line, int width) {
  if (width <= 0 || DisplayWidth(line) <= static_cast<size_t>(width)) return line;
  size_t chars = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80 &&
        chars++ == static_cast<size_t>(width)) {
      return line.substr(0, i);
    }
  }
  return line;
}

}  // namespace

std::string RenderTopFrame(const json& status, int width, int max_rows) {
  std::string text =
      absl::StrCat(HeaderLine(status), "\n\n", FiguresTable(status), "\n", TotalsLine(status), "\n",
                   FeedsLine(status), "\n\n", NamesTable(status, "queries", "QUERY", max_rows),
                   "\n", NamesTable(status, "models", "MODEL", max_rows));
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::StrAppend(&out, Clip(std::string(line), width), "\n");
  }
  while (out.size() >= 2 && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

}  // namespace querygate::cli
