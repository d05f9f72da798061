#include "tests/integration/metrics/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace querygate::testing {

HttpReply HttpRequest(int port, const std::string& method, const std::string& path) {
  HttpReply reply;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    reply.error = strerror(errno);
    return reply;
  }
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    reply.error = absl::StrCat("connect: ", strerror(errno));
    close(fd);
    return reply;
  }
  std::string request =
      absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    reply.error = absl::StrCat("send: ", strerror(errno));
    close(fd);
    return reply;
  }
  std::string raw;
  char buffer[16384];
  while (true) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      raw.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0) reply.error = absl::StrCat("recv: ", strerror(errno));
    break;
  }
  close(fd);
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (reply.error.empty()) reply.error = "no complete header";
    return reply;
  }
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, end), "\r\n");
  std::vector<std::string> status_line = absl::StrSplit(lines[0], ' ');
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &reply.status)) {
    reply.error = absl::StrCat("bad status line: ", lines[0]);
    return reply;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    if (absl::StartsWithIgnoreCase(lines[i], "content-type:")) {
      reply.content_type = std::string(absl::StripAsciiWhitespace(lines[i].substr(13)));
    }
  }
  reply.body = raw.substr(end + 4);
  return reply;
}

namespace {

// Parses `{a="x",b="y"}` starting at text[pos] == '{'; leaves pos after the '}'.
bool ParseLabels(const std::string& text, size_t& pos, std::map<std::string, std::string>& out) {
  ++pos;
  while (pos < text.size() && text[pos] != '}') {
    size_t eq = text.find('=', pos);
    if (eq == std::string::npos || eq + 1 >= text.size() || text[eq + 1] != '"') return false;
    std::string name = text.substr(pos, eq - pos);
    std::string value;
    size_t i = eq + 2;
    for (; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        ++i;
        value.push_back(text[i] == 'n' ? '\n' : text[i]);
      } else {
        value.push_back(text[i]);
      }
    }
    if (i >= text.size()) return false;
    out[name] = value;
    pos = i + 1;
    if (pos < text.size() && text[pos] == ',') ++pos;
  }
  if (pos >= text.size()) return false;
  ++pos;
  return true;
}

}  // namespace

std::vector<Sample> ParsePrometheusText(const std::string& text, std::string* error) {
  std::vector<Sample> out;
  for (absl::string_view view : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::string line(view);
    if (line[0] == '#') continue;
    Sample sample;
    size_t pos = line.find_first_of("{ ");
    if (pos == std::string::npos) {
      *error = absl::StrCat("no value: ", line);
      return {};
    }
    sample.name = line.substr(0, pos);
    if (line[pos] == '{' && !ParseLabels(line, pos, sample.labels)) {
      *error = absl::StrCat("bad labels: ", line);
      return {};
    }
    std::vector<std::string> rest =
        absl::StrSplit(absl::StripAsciiWhitespace(line.substr(pos)), ' ');
    const std::string& value = rest[0];
    if (value == "+Inf" || value == "-Inf" || value == "NaN") {
      sample.value = value == "NaN" ? 0 : (value[0] == '-' ? -1 : 1) * HUGE_VAL;
    } else if (!absl::SimpleAtod(value, &sample.value)) {
      *error = absl::StrCat("bad value: ", line);
      return {};
    }
    out.push_back(std::move(sample));
  }
  return out;
}

double SumOf(const std::vector<Sample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  double sum = 0;
  bool found = false;
  for (const Sample& s : samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (!match) continue;
    found = true;
    sum += s.value;
  }
  return found ? sum : -1;
}

}  // namespace querygate::testing
