#include "bench/typed_workers.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/strings/str_cat.h"

namespace querygate::bench {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

constexpr int kCacheStatusHit = 1;  // querygate.models.v1.CacheStatus.CACHE_STATUS_HIT

// The varint field `number` of `fields`, or -1 when absent (proto3 leaves zeros out).
int64_t VarintField(const UnknownFieldSet& fields, int number) {
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() == number && f.type() == UnknownField::TYPE_VARINT) {
      return static_cast<int64_t>(f.varint());
    }
  }
  return -1;
}

// The length-delimited field `number` of `fields` parsed as a message; false when absent.
bool MessageField(const UnknownFieldSet& fields, int number, UnknownFieldSet& out) {
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() == number && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      return out.ParseFromArray(f.length_delimited().data(),
                                static_cast<int>(f.length_delimited().size()));
    }
  }
  return false;
}

class TypedGetWorker : public Worker {
 public:
  TypedGetWorker(std::shared_ptr<grpc::Channel> channel, const TypedGetCall& call,
                 absl::Duration deadline, int64_t first)
      : stub_(std::move(channel)),
        call_(call),
        deadline_(absl::ToChronoNanoseconds(deadline)),
        next_(first) {}

  ~TypedGetWorker() override {
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  CallOutcome Call(std::string* detail) override {
    int64_t id = next_ + 1;
    next_ = (next_ + 1) % call_.id_range;
    char request_bytes[16];
    uint8_t* end = google::protobuf::io::CodedOutputStream::WriteTagToArray(
        (1 << 3) | 0, reinterpret_cast<uint8_t*>(request_bytes));
    end = google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(id, end);
    grpc::Slice slice(request_bytes, reinterpret_cast<char*>(end) - request_bytes);
    grpc::ByteBuffer request(&slice, 1);

    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline_);
    auto rpc = stub_.PrepareUnaryCall(&context, call_.method, request, &cq_);
    rpc->StartCall();
    grpc::ByteBuffer response;
    grpc::Status status;
    rpc->Finish(&response, &status, this);
    void* tag = nullptr;
    bool ok = false;
    if (!cq_.Next(&tag, &ok) || !ok) {
      *detail = "the completion queue failed";
      return CallOutcome::kError;
    }
    if (!status.ok()) {
      *detail = Describe(status);
      return CallOutcome::kError;
    }
    std::vector<grpc::Slice> slices;
    bytes_.clear();
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        bytes_.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    UnknownFieldSet answer, record, cache;
    if (!answer.ParseFromArray(bytes_.data(), static_cast<int>(bytes_.size())) ||
        !MessageField(answer, 1, record) || !MessageField(answer, 2, cache)) {
      *detail = "the answer is not a GetUserResponse with a record and cache info";
      return CallOutcome::kUnexpected;
    }
    if (VarintField(cache, 1) != kCacheStatusHit) {
      *detail = absl::StrCat("cache status ", VarintField(cache, 1), " where HIT (1) was expected");
      return CallOutcome::kUnexpected;
    }
    if (VarintField(record, 1) != id) {
      *detail = absl::StrCat("Get user ", id, " returned another record");
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

 private:
  grpc::GenericStub stub_;
  grpc::CompletionQueue cq_;
  TypedGetCall call_;
  std::chrono::nanoseconds deadline_;
  int64_t next_;
  std::string bytes_;
};

}  // namespace

absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeTypedGetWorkers(
    const GrpcTargetOptions& options, const TypedGetCall& call, int concurrency) {
  auto channels = ChannelsPerWorker(options, concurrency);
  if (!channels.ok()) return channels.status();
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < concurrency; ++i) {
    int64_t first = i * call.id_range / concurrency;
    workers.push_back(
        std::make_unique<TypedGetWorker>((*channels)[i], call, options.call_deadline, first));
  }
  return workers;
}

}  // namespace querygate::bench
