#ifndef QUERYGATE_CLIENT_CLI_HTTP_GET_H_
#define QUERYGATE_CLIENT_CLI_HTTP_GET_H_

// A minimal HTTP/1.1 client for the server's metrics listener: plain http, one GET per
// connection.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace querygate::cli {

struct HttpUrl {
  std::string host;
  int port = 80;
  std::string path = "/";
};

// Parses "http://HOST[:PORT][/PATH]" or "HOST:PORT[/PATH]" (IPv6 hosts in brackets). Fails
// with INVALID_ARGUMENT naming `field` for another scheme, a missing host or a bad port.
absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& text, const std::string& field);

// GETs `url` and returns the body of a 200 answer (Content-Length, chunked or read to the
// end). Fails with UNAVAILABLE when the connection fails, DEADLINE_EXCEEDED after `timeout`,
// RESOURCE_EXHAUSTED for an answer over `max_bytes`, and FAILED_PRECONDITION for a non-200
// status or a malformed answer.
absl::StatusOr<std::string> HttpGet(const HttpUrl& url, absl::Duration timeout,
                                    size_t max_bytes = 16 << 20);

// Decodes a chunked HTTP body. Fails with FAILED_PRECONDITION when it is malformed or cut.
absl::StatusOr<std::string> DecodeChunked(const std::string& body);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_HTTP_GET_H_
