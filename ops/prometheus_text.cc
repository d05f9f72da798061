#include "ops/prometheus_text.h"

#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace querygate::ops {
namespace {

bool IsNameChar(char c, bool first) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && absl::ascii_isdigit(static_cast<unsigned char>(c)));
}

bool ParseValue(absl::string_view text, double* out) {
  if (text == "+Inf" || text == "Inf") {
    *out = std::numeric_limits<double>::infinity();
  } else if (text == "-Inf") {
    *out = -std::numeric_limits<double>::infinity();
  } else if (text == "NaN") {
    *out = std::nan("");
  } else {
    return absl::SimpleAtod(text, out);
  }
  return true;
}

// Parses `{k="v",...}` starting at line[*pos] == '{'; leaves *pos after the '}'.
bool ParseLabels(absl::string_view line, size_t* pos, std::map<std::string, std::string>* labels) {
  size_t i = *pos + 1;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
    if (i >= line.size()) return false;
    if (line[i] == '}') {
      *pos = i + 1;
      return true;
    }
    size_t start = i;
    while (i < line.size() && IsNameChar(line[i], i == start)) ++i;
    std::string key(line.substr(start, i - start));
    if (key.empty() || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') return false;
    i += 2;
    std::string value;
    while (i < line.size() && line[i] != '"') {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
        value += line[i] == 'n' ? '\n' : line[i];
      } else {
        value += line[i];
      }
      ++i;
    }
    if (i >= line.size()) return false;
    ++i;
    (*labels)[key] = std::move(value);
  }
}

}  // namespace

std::string PromSample::Label(const std::string& key) const {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

absl::StatusOr<std::vector<PromSample>> ParsePrometheusText(absl::string_view text) {
  std::vector<PromSample> samples;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    auto bad = [&]() {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics text line ", number, " is malformed"));
    };
    PromSample sample;
    size_t i = 0;
    while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
    if (i == 0) return bad();
    sample.name = std::string(line.substr(0, i));
    if (i < line.size() && line[i] == '{' && !ParseLabels(line, &i, &sample.labels)) return bad();
    std::vector<absl::string_view> rest =
        absl::StrSplit(line.substr(i), ' ', absl::SkipWhitespace());
    if (rest.empty() || rest.size() > 2 || !ParseValue(rest[0], &sample.value)) return bad();
    samples.push_back(std::move(sample));
  }
  return samples;
}

}  // namespace querygate::ops
