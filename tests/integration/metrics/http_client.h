#ifndef QUERYGATE_TESTS_INTEGRATION_METRICS_HTTP_CLIENT_H_
#define QUERYGATE_TESTS_INTEGRATION_METRICS_HTTP_CLIENT_H_

#include <map>
#include <string>
#include <vector>

namespace querygate::testing {

struct HttpReply {
  int status = 0;  // 0 when the request failed
  std::string content_type;
  std::string body;
  std::string error;
};

// Sends one HTTP/1.1 request to 127.0.0.1:`port` and reads the reply until the server closes
// the connection (bounded by a 10 s receive timeout).
HttpReply HttpRequest(int port, const std::string& method, const std::string& path);
inline HttpReply HttpGet(int port, const std::string& path) {
  return HttpRequest(port, "GET", path);
}

// One sample of a Prometheus text exposition.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses the Prometheus text format (0.0.4): comments skipped, every sample line split into
// name, labels and value. Returns an empty vector and sets `error` on a malformed line.
std::vector<Sample> ParsePrometheusText(const std::string& text, std::string* error);

// The sum of the samples named `name` whose labels include every one of `labels`; -1 when
// there is none.
double SumOf(const std::vector<Sample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels = {});

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_INTEGRATION_METRICS_HTTP_CLIENT_H_
