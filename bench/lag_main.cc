// querygate-lag: measures invalidation lag, the time from a change becoming visible outside
// the service (a committed UPDATE, or a PUBLISHed event) to the first read of an affected
// cached query that is a MISS. Run against a server with the example schema and data.
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <hiredis/hiredis.h>

#include <cstdio>
#include <iostream>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/latency_recorder.h"
#include "querygate/v1/query_service.grpc.pb.h"

namespace {

struct Options {
  std::string target = "127.0.0.1:50051";
  std::string database_url;
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  std::string channel = "querygate:invalidate";
  int iterations = 200;
};

querygate::v1::CacheStatus Read(querygate::v1::QueryService::Stub& stub, int64_t id) {
  querygate::v1::ExecuteRequest request;
  request.set_query("user_by_id");
  (*request.mutable_params())["id"].set_int_value(id);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  querygate::v1::ExecuteResponse response;
  if (!stub.Execute(&context, request, &response).ok())
    return querygate::v1::CACHE_STATUS_UNSPECIFIED;
  return response.cache().status();
}

// Reads until a HIT (so the entry is cached), then runs `change` and polls until a MISS.
// Returns the nanoseconds from the end of `change` to the end of the first MISS read (an upper
// bound on the lag: the invalidation landed before that read looked the entry up), or -1.
template <typename Change>
int64_t MeasureOnce(querygate::v1::QueryService::Stub& stub, int64_t id, Change change) {
  absl::Time give_up = absl::Now() + absl::Seconds(2);
  while (Read(stub, id) != querygate::v1::CACHE_STATUS_HIT) {
    if (absl::Now() > give_up) return -1;
  }
  change();
  absl::Time changed = absl::Now();
  give_up = changed + absl::Seconds(2);
  while (absl::Now() < give_up) {
    if (Read(stub, id) == querygate::v1::CACHE_STATUS_MISS) {
      return absl::ToInt64Nanoseconds(absl::Now() - changed);
    }
  }
  return -1;
}

void Report(const std::string& name, querygate::bench::LatencyRecorder& recorder, int lost) {
  int64_t count = recorder.count();
  querygate::bench::LatencySummary s = recorder.Summarize();
  std::printf("%-26s n=%-5lld p50=%.3f ms  p90=%.3f ms  p99=%.3f ms  max=%.3f ms  timeouts=%d\n",
              name.c_str(), static_cast<long long>(count), s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms,
              lost);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--target")
      options.target = value;
    else if (flag == "--database-url")
      options.database_url = value;
    else if (flag == "--redis-host")
      options.redis_host = value;
    else if (flag == "--redis-port")
      (void)absl::SimpleAtoi(value, &options.redis_port);
    else if (flag == "--channel")
      options.channel = value;
    else if (flag == "--iterations")
      (void)absl::SimpleAtoi(value, &options.iterations);
    else {
      std::cerr << "usage: querygate-lag --target H:P --database-url URL [--redis-host H "
                   "--redis-port P --channel C --iterations N]\n";
      return 2;
    }
  }
  if (options.database_url.empty()) {
    std::cerr << "--database-url is required\n";
    return 2;
  }
  auto stub = querygate::v1::QueryService::NewStub(
      grpc::CreateChannel(options.target, grpc::InsecureChannelCredentials()));
  pqxx::connection db(options.database_url);
  redisContext* redis = redisConnect(options.redis_host.c_str(), options.redis_port);
  if (redis == nullptr || redis->err) {
    std::cerr << "cannot connect to redis\n";
    return 1;
  }
  querygate::bench::LatencyRecorder trigger, event;
  int trigger_lost = 0, event_lost = 0;
  for (int i = 0; i < options.iterations; ++i) {
    int64_t id = 1 + i % 50;
    int64_t lag = MeasureOnce(*stub, id, [&] {
      pqxx::nontransaction tx(db);
      tx.exec_params(
          "UPDATE users SET updated_at = updated_at + interval '1 microsecond' "
          "WHERE id = $1",
          id);
    });
    if (lag < 0)
      ++trigger_lost;
    else
      trigger.Record(lag);
    lag = MeasureOnce(*stub, id, [&] {
      redisReply* reply = static_cast<redisReply*>(redisCommand(
          redis, "PUBLISH %s %s", options.channel.c_str(), "{\"tables\":[\"users\"]}"));
      if (reply != nullptr) freeReplyObject(reply);
    });
    if (lag < 0)
      ++event_lost;
    else
      event.Record(lag);
  }
  redisFree(redis);
  Report("COMMIT (trigger) -> MISS", trigger, trigger_lost);
  Report("PUBLISH (event) -> MISS", event, event_lost);
  return trigger_lost + event_lost == 0 ? 0 : 1;
}
