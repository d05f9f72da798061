#include "ops/http_listener.h"

#include <civetweb.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace querygate::ops {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

void Send(mg_connection* conn, const HttpResponse& response, bool head) {
  std::string header = absl::StrCat("HTTP/1.1 ", response.status, " ", Reason(response.status),
                                    "\r\nContent-Type: ", response.content_type,
                                    "\r\nContent-Length: ", response.body.size(),
                                    "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
  mg_write(conn, header.data(), header.size());
  if (!head && !response.body.empty()) mg_write(conn, response.body.data(), response.body.size());
}

// civetweb's "listening_ports" for "host:port"; it takes IPv6 hosts in brackets, as given.
absl::StatusOr<std::string> PortsOption(const std::string& listen) {
  size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics.listen: expected host:port, got \"", listen, "\""));
  }
  return listen;
}

// Connects to host:port and hangs up at once. civetweb's accept loop polls with a 2 s timeout
// and checks for mg_stop only between polls; a connection ends the wait.
void Knock(const std::string& listen, int port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    bool connected = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    close(fd);
    if (connected) break;
  }
  freeaddrinfo(found);
}

}  // namespace

struct HttpListener::Impl {
  static int Dispatch(mg_connection* conn, void* data) {
    auto* self = static_cast<Impl*>(data);
    const mg_request_info* info = mg_get_request_info(conn);
    HttpRequest request;
    request.method = info->request_method != nullptr ? info->request_method : "";
    request.path = info->local_uri != nullptr ? info->local_uri : "";
    request.query = info->query_string != nullptr ? info->query_string : "";
    const bool head = request.method == "HEAD";
    if (request.method != "GET" && !head) {
      Send(conn, {405, "text/plain; charset=utf-8", "only GET and HEAD\n"}, false);
      return 405;
    }
    std::shared_ptr<const HttpHandler> handler;
    {
      std::lock_guard<std::mutex> lock(self->mu);
      auto it = self->routes.find(request.path);
      if (it != self->routes.end()) handler = it->second;
    }
    HttpResponse response;
    if (handler == nullptr) {
      response = {404, "text/plain; charset=utf-8", "not found\n"};
    } else {
      try {
        response = (*handler)(request);
      } catch (const std::exception& e) {
        response = {500, "text/plain; charset=utf-8", "internal error\n"};
      }
    }
    Send(conn, response, head);
    return response.status;
  }

  mg_context* context = nullptr;
  std::string listen;
  int port = 0;
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const HttpHandler>> routes;
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::Start(
    const HttpListenerOptions& options) {
  auto ports = PortsOption(options.listen);
  if (!ports.ok()) return ports.status();
  auto impl = std::make_unique<Impl>();
  impl->listen = options.listen;
  std::string threads = absl::StrCat(std::max(1, options.threads));
  const char* config[] = {
      "listening_ports", ports->c_str(),      "num_threads", threads.c_str(), "request_timeout_ms",
      "10000",           "enable_keep_alive", "no",          nullptr};
  mg_callbacks callbacks{};
  // civetweb logs through this callback; errors reach the caller through mg_start2's buffer.
  callbacks.log_message = [](const mg_connection*, const char*) { return 1; };
  char error_text[256] = {0};
  unsigned error_code = 0;
  mg_error_data error{&error_code, error_text, sizeof(error_text)};
  mg_init_data init{&callbacks, impl.get(), config};
  impl->context = mg_start2(&init, &error);
  if (impl->context == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen, ": ",
                                               error_text[0] ? error_text : "civetweb failed"));
  }
  mg_server_port bound[4] = {};
  int count = mg_get_server_ports(impl->context, 4, bound);
  impl->port = count > 0 ? bound[0].port : 0;
  mg_set_request_handler(impl->context, "/", &Impl::Dispatch, impl.get());
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

void HttpListener::Handle(const std::string& path, HttpHandler handler) {
  auto shared = std::make_shared<const HttpHandler>(std::move(handler));
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->routes[path] = std::move(shared);
}

int HttpListener::port() const { return impl_->port; }

void HttpListener::Stop() {
  if (impl_->context == nullptr) return;
  std::atomic<bool> stopped{false};
  std::thread knocker([&] {
    while (!stopped.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!stopped.load()) Knock(impl_->listen, impl_->port);
    }
  });
  mg_stop(impl_->context);
  stopped.store(true);
  knocker.join();
  impl_->context = nullptr;
}

}  // namespace querygate::ops
