#include "rpc/call_observer.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "rpc/grpc_server.h"

namespace querygate::rpc {
namespace {

TEST(SplitMethodNameTest, SplitsServiceAndMethod) {
  EXPECT_EQ(SplitMethodName("/querygate.v1.QueryService/Execute"),
            std::make_pair(std::string("querygate.v1.QueryService"), std::string("Execute")));
  EXPECT_EQ(SplitMethodName("/a/b"), std::make_pair(std::string("a"), std::string("b")));
}

TEST(SplitMethodNameTest, KeepsOddNamesWhole) {
  for (const char* odd : {"", "/", "//", "/a/", "//b", "noslash", "a/b"}) {
    EXPECT_EQ(SplitMethodName(odd), std::make_pair(std::string(), std::string(odd))) << odd;
  }
}

class Recorder final : public CallObserver {
 public:
  void OnCallDone(const CallRecord& record) override {
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(record);
  }
  std::vector<CallRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }

 private:
  std::mutex mu_;
  std::vector<CallRecord> records_;
};

// The observers see each call once, before its status reaches the caller, with the method
// split and the status code the caller got.
TEST(CallObserverTest, EveryCallIsReportedOnceWithItsCode) {
  Recorder first;
  Recorder second;
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.reflection = false;
  options.observers = {&first, &second};
  auto server = GrpcServer::Start(options, ServiceSet{}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  auto check = [&](const std::string& service) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    return health->Check(&context, request, &response).error_code();
  };
  ASSERT_EQ(check(""), grpc::StatusCode::OK);
  std::vector<CallRecord> seen = first.records();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].service, "grpc.health.v1.Health");
  EXPECT_EQ(seen[0].method, "Check");
  EXPECT_EQ(seen[0].code, 0);
  EXPECT_GT(seen[0].elapsed, absl::ZeroDuration());

  ASSERT_EQ(check("no.such.Service"), grpc::StatusCode::NOT_FOUND);
  seen = first.records();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].code, static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(second.records().size(), 2u);
  (*server)->Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace querygate::rpc
