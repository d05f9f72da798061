// external_client TARGET QUERY [NAME=INT]...: runs a named query with integer parameters
// through the installed querygate client and prints "<rows> rows, cache <status>" followed by
// the first row's values. Exits 1 (printing the status) when the call fails. TARGET defaults
// to $QUERYGATE_TARGET.
#include <cstdlib>
#include <iostream>
#include <string>

#include "client/client.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: external_client TARGET QUERY [NAME=INT]...\n";
    return 2;
  }
  std::string target = argv[1];
  if (target.empty() && std::getenv("QUERYGATE_TARGET") != nullptr) {
    target = std::getenv("QUERYGATE_TARGET");
  }
  querygate::client::ClientOptions options;
  options.target = target;
  auto client = querygate::client::Client::Create(options);
  if (!client.ok()) {
    std::cerr << client.status() << "\n";
    return 1;
  }
  querygate::client::Params params;
  for (int i = 3; i < argc; ++i) {
    std::string pair = argv[i];
    size_t eq = pair.find('=');
    if (eq == std::string::npos) return 2;
    params.Set(pair.substr(0, eq), std::stoll(pair.substr(eq + 1)));
  }
  auto result = (*client)->Execute(argv[2], params);
  if (!result.ok()) {
    std::cerr << result.status() << "\n";
    return 1;
  }
  std::cout << result->rows.size() << " rows, cache "
            << querygate::client::CacheStatusName(result->cache.status) << "\n";
  if (!result->rows.empty()) {
    for (size_t i = 0; i < result->columns.size(); ++i) {
      const querygate::Value& v = result->rows[0][i];
      std::cout << result->columns[i].name << "=";
      if (v.kind() == querygate::Value::Kind::kInt) {
        std::cout << v.int_value();
      } else if (v.kind() == querygate::Value::Kind::kString) {
        std::cout << v.string_value();
      } else {
        std::cout << querygate::KindName(v.kind());
      }
      std::cout << "\n";
    }
  }
  return 0;
}
