#include "client/cli/http_get.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace querygate::cli {
namespace {

// Owns a socket descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits until `fd` is ready for `events` or `deadline` passes.
absl::Status WaitFor(int fd, short events, absl::Time deadline) {
  while (true) {
    int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) return absl::DeadlineExceededError("metrics endpoint did not answer in time");
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n > 0) return absl::OkStatus();
    if (n < 0 && errno != EINTR) return absl::UnavailableError(strerror(errno));
  }
}

absl::StatusOr<int> Connect(const HttpUrl& url, absl::Time deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &found);
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", url.host, ": ", gai_strerror(rc)));
  }
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
      absl::Status ready = WaitFor(fd, POLLOUT, deadline);
      int error = 0;
      socklen_t len = sizeof(error);
      if (ready.ok() && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0) {
        freeaddrinfo(found);
        return fd;
      }
      last_error = ready.ok() ? strerror(error) : std::string(ready.message());
    } else {
      last_error = strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(
      absl::StrCat("cannot connect to ", url.host, ":", url.port, ": ", last_error));
}

}  // namespace

absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& text, const std::string& field) {
  absl::string_view rest = text;
  if (absl::StrContains(rest, "://")) {
    if (!absl::ConsumePrefix(&rest, "http://")) {
      return absl::InvalidArgumentError(field + ": only http:// URLs are supported");
    }
  }
  HttpUrl url;
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  if (slash != absl::string_view::npos) url.path = std::string(rest.substr(slash));
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(field + ": unclosed [ in the host");
    }
    url.host = std::string(authority.substr(1, close - 1));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) {
      return absl::InvalidArgumentError(field + ": expected :PORT after the host");
    }
    port = after;
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return absl::InvalidArgumentError(field + ": missing host");
  if (!port.empty() && (!absl::SimpleAtoi(port, &url.port) || url.port < 1 || url.port > 65535)) {
    return absl::InvalidArgumentError(field + ": bad port " + std::string(port));
  }
  return url;
}

absl::StatusOr<std::string> DecodeChunked(const std::string& body) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t line_end = body.find("\r\n", pos);
    if (line_end == std::string::npos) return absl::FailedPreconditionError("chunked body cut");
    absl::string_view size_text = absl::string_view(body).substr(pos, line_end - pos);
    size_text = size_text.substr(0, size_text.find(';'));
    size_t size = 0;
    if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(size_text), &size)) {
      return absl::FailedPreconditionError("bad chunk size");
    }
    pos = line_end + 2;
    if (size == 0) return out;
    if (size > body.size() - pos || body.size() - pos - size < 2) {
      return absl::FailedPreconditionError("chunked body cut");
    }
    out.append(body, pos, size);
    pos += size + 2;
  }
}

absl::StatusOr<std::string> HttpGet(const HttpUrl& url, absl::Duration timeout, size_t max_bytes) {
  absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<int> connected = Connect(url, deadline);
  if (!connected.ok()) return connected.status();
  Fd fd(*connected);
  std::string host = absl::StrContains(url.host, ':') ? "[" + url.host + "]" : url.host;
  std::string request = absl::StrCat("GET ", url.path, " HTTP/1.1\r\nHost: ", host, ":", url.port,
                                     "\r\nAccept: application/json\r\nConnection: close\r\n"
                                     "User-Agent: querygate-cli\r\n\r\n");
  size_t sent = 0;
  while (sent < request.size()) {
    absl::Status ready = WaitFor(fd.get(), POLLOUT, deadline);
    if (!ready.ok()) return ready;
    ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return absl::UnavailableError(strerror(errno));
    if (n > 0) sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buffer[16384];
  while (true) {
    absl::Status ready = WaitFor(fd.get(), POLLIN, deadline);
    if (!ready.ok()) return ready;
    ssize_t n = recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return absl::UnavailableError(strerror(errno));
    }
    answer.append(buffer, static_cast<size_t>(n));
    if (answer.size() > max_bytes) {
      return absl::ResourceExhaustedError("metrics endpoint answer is too large");
    }
  }
  size_t header_end = answer.find("\r\n\r\n");
  if (header_end == std::string::npos) {
    return absl::FailedPreconditionError("malformed HTTP answer: no end of headers");
  }
  std::vector<std::string> lines =
      absl::StrSplit(absl::string_view(answer).substr(0, header_end), "\r\n");
  std::vector<std::string> status_line = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
  int code = 0;
  if (status_line.size() < 2 || !absl::StartsWith(status_line[0], "HTTP/1.") ||
      !absl::SimpleAtoi(status_line[1], &code)) {
    return absl::FailedPreconditionError("malformed HTTP status line: " + lines[0]);
  }
  std::string body = answer.substr(header_end + 4);
  bool chunked = false;
  std::optional<size_t> length;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<std::string, std::string> kv = absl::StrSplit(lines[i], absl::MaxSplits(':', 1));
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(kv.first));
    std::string value = absl::AsciiStrToLower(absl::StripAsciiWhitespace(kv.second));
    if (name == "transfer-encoding" && absl::StrContains(value, "chunked")) chunked = true;
    size_t parsed = 0;
    if (name == "content-length" && absl::SimpleAtoi(value, &parsed)) length = parsed;
  }
  if (chunked) {
    absl::StatusOr<std::string> decoded = DecodeChunked(body);
    if (!decoded.ok()) return decoded.status();
    body = *std::move(decoded);
  } else if (length.has_value()) {
    if (body.size() < *length) return absl::FailedPreconditionError("HTTP body cut short");
    body.resize(*length);
  }
  if (code != 200) {
    return absl::FailedPreconditionError(absl::StrCat(
        "GET ", url.path, " answered HTTP ", code, body.empty() ? "" : ": ", body.substr(0, 200)));
  }
  return body;
}

}  // namespace querygate::cli
