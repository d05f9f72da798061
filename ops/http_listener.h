#ifndef QUERYGATE_OPS_HTTP_LISTENER_H_
#define QUERYGATE_OPS_HTTP_LISTENER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace querygate::ops {

struct HttpRequest {
  std::string method;  // "GET" or "HEAD"
  std::string path;    // decoded, without the query string
  std::string query;   // raw, without the '?'
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Answers one request; runs on one of the listener's threads, may run concurrently with
// itself, and must not block for long.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpListenerOptions {
  // "host:port" (IPv6 as "[::1]:port"); port 0 picks a free port (see HttpListener::port()).
  std::string listen;
  // Threads serving requests.
  int threads = 4;
};

// A small HTTP/1.1 server for operators' endpoints (metrics, probes, status page). Serves
// GET and HEAD of exactly the registered paths; other paths get 404, other methods 405.
class HttpListener {
 public:
  ~HttpListener();

  // Binds and starts serving (no routes yet). Fails with INVALID_ARGUMENT for a listen
  // address without a port, or UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpListener>> Start(const HttpListenerOptions& options);

  // Routes requests for `path` (e.g. "/metrics") to `handler`, replacing an earlier one. May
  // be called while serving.
  void Handle(const std::string& path, HttpHandler handler);

  // The bound port.
  int port() const;

  // Stops serving and waits for requests in progress. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace querygate::ops

#endif  // QUERYGATE_OPS_HTTP_LISTENER_H_
