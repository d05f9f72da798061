#include "rpc/typed_service_handler.h"

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "querygate/v1/value.pb.h"
#include "rpc/cache_info_conversion.h"
#include "rpc/status_conversion.h"
#include "typed/descriptor_builder.h"
#include "typed/naming.h"
#include "wire/value_conversion.h"

namespace querygate::rpc {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct MethodName {
  const char* name;
  TypedServiceHandler::Kind kind;
  auth::Permission permission;
};

constexpr MethodName kMethods[] = {
    {"Get", TypedServiceHandler::Kind::kGet, auth::Permission::kGet},
    {"List", TypedServiceHandler::Kind::kList, auth::Permission::kList},
    {"Count", TypedServiceHandler::Kind::kCount, auth::Permission::kCount},
    {"Create", TypedServiceHandler::Kind::kCreate, auth::Permission::kCreate},
    {"Update", TypedServiceHandler::Kind::kUpdate, auth::Permission::kUpdate},
    {"Delete", TypedServiceHandler::Kind::kDelete, auth::Permission::kDelete},
};

const FieldDescriptor* Field(const Message& m, const char* name) {
  return m.GetDescriptor()->FindFieldByName(name);
}

std::vector<std::string> Strings(const Message& m, const char* name) {
  const FieldDescriptor* fd = Field(m, name);
  const Reflection* r = m.GetReflection();
  std::vector<std::string> out;
  for (int i = 0; i < r->FieldSize(m, fd); ++i) out.push_back(r->GetRepeatedString(m, fd, i));
  return out;
}

service::CacheMode CacheMode(const Message& m) {
  return CacheModeFromProto(
      static_cast<v1::CacheMode>(m.GetReflection()->GetEnumValue(m, Field(m, "cache_mode"))));
}

void SetCache(const service::CacheInfo& info, const google::protobuf::MessageFactory* factory,
              Message& response) {
  v1::CacheInfo wire;
  CacheInfoToProto(info, wire);
  response.GetReflection()
      ->MutableMessage(&response, Field(response, "cache"),
                       const_cast<google::protobuf::MessageFactory*>(factory))
      ->ParseFromString(wire.SerializeAsString());
}

// Answers a reactor's call on the executor, then finishes it.
class TypedReactor final : public grpc::ServerGenericBidiReactor {
 public:
  TypedReactor(const TypedServiceHandler* handler, const TypedServiceHandler::Method* method,
               grpc::GenericCallbackServerContext* context)
      : handler_(handler), method_(method) {
    auto admitted = handler->guard()->Admit(context, method->permission);
    if (!admitted.ok()) {
      Finish(ToGrpcStatus(admitted.status()));
      return;
    }
    ctx_ = *std::move(admitted);
    if (ctx_.trace != nullptr) ctx_.trace->SetName(method->model->name);
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request: no message was sent"));
      return;
    }
    bool queued = handler_->executor()->Submit([this] {
      std::vector<grpc::Slice> slices;
      std::string bytes;
      if (request_.Dump(&slices).ok()) {
        for (const grpc::Slice& s : slices) {
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
      auto answer = handler_->Handle(*method_, bytes, ctx_);
      if (!answer.ok()) {
        Finish(ToGrpcStatus(answer.status()));
        return;
      }
      grpc::Slice slice(*std::move(answer));
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    });
    if (!queued) {
      Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "too many calls are waiting for the database"));
    }
  }

  void OnDone() override { delete this; }

 private:
  const TypedServiceHandler* handler_;
  const TypedServiceHandler::Method* method_;
  service::CallContext ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

class UnimplementedReactor final : public grpc::ServerGenericBidiReactor {
 public:
  explicit UnimplementedReactor(const std::string& method) {
    Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat("unknown method ", method.substr(0, 200))));
  }
  void OnDone() override { delete this; }
};

}  // namespace

absl::StatusOr<std::unique_ptr<TypedServiceHandler>> TypedServiceHandler::Create(
    const schema::Schema* schema, const typed::TypedLock& lock, service::RepositoryService* service,
    const CallGuard* guard, BlockingExecutor* executor) {
  std::unique_ptr<TypedServiceHandler> handler(new TypedServiceHandler());
  typed::TypedFiles files = typed::BuildTypedFiles(*schema, lock);
  QG_ASSIGN_OR_RETURN(handler->pool_, typed::BuildPool(files.files));
  handler->schema_ = schema;
  handler->service_ = service;
  handler->guard_ = guard;
  handler->executor_ = executor;
  handler->lock_ = std::move(files.lock);
  handler->factory_ =
      std::make_unique<google::protobuf::DynamicMessageFactory>(handler->pool_.get());
  handler->codec_ =
      std::make_unique<internal::TypedCodec>(schema, &handler->lock_, handler->factory_.get());
  for (const std::string& model : files.models) {
    std::string service_name = typed::ServiceFullName(model);
    const google::protobuf::ServiceDescriptor* sd = handler->pool_->FindServiceByName(service_name);
    if (sd == nullptr) continue;
    handler->service_names_.push_back(service_name);
    for (const MethodName& m : kMethods) {
      const google::protobuf::MethodDescriptor* md = sd->FindMethodByName(m.name);
      Method method;
      method.model = schema->FindModel(model);
      method.kind = m.kind;
      method.input = md->input_type();
      method.output = md->output_type();
      method.permission = m.permission;
      handler->methods_[absl::StrCat("/", service_name, "/", m.name)] = method;
    }
  }
  return handler;
}

grpc::ServerGenericBidiReactor* TypedServiceHandler::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  auto it = methods_.find(context->method());
  if (it == methods_.end()) return new UnimplementedReactor(context->method());
  return new TypedReactor(this, &it->second, context);
}

std::unique_ptr<Message> TypedServiceHandler::New(const Descriptor* d) const {
  return std::unique_ptr<Message>(factory_->GetPrototype(d)->New());
}

std::string TypedServiceHandler::Answer(const Message& response) const {
  return response.SerializeAsString();
}

absl::StatusOr<std::string> TypedServiceHandler::RecordAnswer(const Method& m,
                                                              const service::Record& record) const {
  std::unique_ptr<Message> response = New(m.output);
  Message* out = response->GetReflection()->MutableMessage(
      response.get(), Field(*response, "record"), factory_.get());
  QG_RETURN_IF_ERROR(codec_->FromRecord(record, *m.model, *out));
  return Answer(*response);
}

absl::StatusOr<std::string> TypedServiceHandler::Handle(const Method& method,
                                                        const std::string& request,
                                                        const service::CallContext& ctx) const {
  std::unique_ptr<Message> parsed = New(method.input);
  if (!parsed->ParseFromString(request)) {
    return absl::InvalidArgumentError(absl::StrCat("request: not a ", method.input->full_name()));
  }
  switch (method.kind) {
    case Kind::kGet:
      return Get(method, *parsed, ctx);
    case Kind::kList:
      return List(method, *parsed, ctx);
    case Kind::kCount:
      return Count(method, *parsed, ctx);
    case Kind::kCreate:
      return Create(method, *parsed, ctx);
    case Kind::kUpdate:
      return Update(method, *parsed, ctx);
    case Kind::kDelete:
      return Delete(method, *parsed, ctx);
  }
  return absl::InvalidArgumentError("request: unknown method");
}

absl::StatusOr<std::string> TypedServiceHandler::Get(const Method& m, const Message& request,
                                                     const service::CallContext& ctx) const {
  service::RepoGetRequest domain;
  domain.model = m.model->name;
  QG_ASSIGN_OR_RETURN(domain.id, codec_->ScalarValue(request, Field(request, "id"),
                                                     *m.model->PrimaryKeyField(), "id"));
  domain.include = Strings(request, "include");
  domain.cache_mode = CacheMode(request);
  QG_ASSIGN_OR_RETURN(service::RepoGetResponse result, service_->Get(domain, ctx));
  std::unique_ptr<Message> response = New(m.output);
  Message* record = response->GetReflection()->MutableMessage(
      response.get(), Field(*response, "record"), factory_.get());
  QG_RETURN_IF_ERROR(codec_->FromRecord(result.record, *m.model, *record));
  SetCache(result.cache, factory_.get(), *response);
  return Answer(*response);
}

absl::StatusOr<std::string> TypedServiceHandler::List(const Method& m, const Message& request,
                                                      const service::CallContext& ctx) const {
  const Reflection* r = request.GetReflection();
  service::RepoListRequest domain;
  domain.model = m.model->name;
  QG_ASSIGN_OR_RETURN(
      domain.filter,
      codec_->ToFilter(r->GetMessage(request, Field(request, "filter")), *m.model, "filter"));
  const FieldDescriptor* order_by = Field(request, "order_by");
  for (int i = 0; i < r->FieldSize(request, order_by); ++i) {
    const Message& order = r->GetRepeatedMessage(request, order_by, i);
    const Reflection* orf = order.GetReflection();
    QG_ASSIGN_OR_RETURN(
        std::string column,
        codec_->ColumnName(*m.model, orf->GetEnumValue(order, Field(order, "field")),
                           absl::StrCat("order_by[", i, "].field")));
    domain.order_by.push_back({column, orf->GetBool(order, Field(order, "descending"))});
  }
  domain.page_size = r->GetInt32(request, Field(request, "page_size"));
  domain.page_token = r->GetString(request, Field(request, "page_token"));
  domain.offset = r->GetInt32(request, Field(request, "offset"));
  domain.include = Strings(request, "include");
  const FieldDescriptor* fields = Field(request, "fields");
  for (int i = 0; i < r->FieldSize(request, fields); ++i) {
    QG_ASSIGN_OR_RETURN(std::string column,
                        codec_->ColumnName(*m.model, r->GetRepeatedEnumValue(request, fields, i),
                                           absl::StrCat("fields[", i, "]")));
    domain.fields.push_back(std::move(column));
  }
  domain.cache_mode = CacheMode(request);
  if (const FieldDescriptor* fd = Field(request, "nearest"); r->HasField(request, fd)) {
    const Message& n = r->GetMessage(request, fd);
    const Reflection* nr = n.GetReflection();
    service::NearestClause clause;
    clause.field = nr->GetString(n, Field(n, "field"));
    const FieldDescriptor* vector = Field(n, "vector");
    for (int i = 0; i < nr->FieldSize(n, vector); ++i) {
      clause.vector.push_back(nr->GetRepeatedFloat(n, vector, i));
    }
    switch (nr->GetEnumValue(n, Field(n, "metric"))) {
      case 0:
        clause.metric = service::DistanceMetric::kDefault;
        break;
      case 1:
        clause.metric = service::DistanceMetric::kCosine;
        break;
      case 2:
        clause.metric = service::DistanceMetric::kL2;
        break;
      case 3:
        clause.metric = service::DistanceMetric::kInnerProduct;
        break;
      default:
        return absl::InvalidArgumentError("nearest.metric: unknown metric");
    }
    clause.k = nr->GetInt32(n, Field(n, "k"));
    if (const FieldDescriptor* f = Field(n, "max_distance"); nr->HasField(n, f)) {
      clause.max_distance = nr->GetDouble(n, f);
    }
    if (const FieldDescriptor* f = Field(n, "min_similarity"); nr->HasField(n, f)) {
      clause.min_similarity = nr->GetDouble(n, f);
    }
    domain.nearest = std::move(clause);
  }
  if (const FieldDescriptor* fd = Field(request, "rank_by"); r->HasField(request, fd)) {
    const Message& rb = r->GetMessage(request, fd);
    const Reflection* rr = rb.GetReflection();
    service::RankClause clause;
    clause.field = rr->GetString(rb, Field(rb, "field"));
    clause.query = rr->GetString(rb, Field(rb, "query"));
    switch (rr->GetEnumValue(rb, Field(rb, "function"))) {
      case 0:
      case 1:
        clause.function = service::RankFunction::kTsRank;
        break;
      case 2:
        clause.function = service::RankFunction::kTsRankCd;
        break;
      default:
        return absl::InvalidArgumentError("rank_by.function: unknown function");
    }
    clause.normalization = rr->GetInt32(rb, Field(rb, "normalization"));
    domain.rank_by = std::move(clause);
  }
  QG_ASSIGN_OR_RETURN(service::RepoListResponse result, service_->List(domain, ctx));
  std::unique_ptr<Message> response = New(m.output);
  const Reflection* out = response->GetReflection();
  const FieldDescriptor* records = Field(*response, "records");
  for (const service::Record& record : result.records) {
    QG_RETURN_IF_ERROR(codec_->FromRecord(
        record, *m.model, *out->AddMessage(response.get(), records, factory_.get())));
  }
  const FieldDescriptor* scores = Field(*response, "scores");
  for (const service::RecordScore& score : result.scores) {
    Message* s = out->AddMessage(response.get(), scores, factory_.get());
    const Reflection* sr = s->GetReflection();
    if (score.distance) sr->SetDouble(s, Field(*s, "distance"), *score.distance);
    if (score.similarity) sr->SetDouble(s, Field(*s, "similarity"), *score.similarity);
    if (score.rank) sr->SetDouble(s, Field(*s, "rank"), *score.rank);
  }
  out->SetString(response.get(), Field(*response, "next_page_token"), result.next_page_token);
  SetCache(result.cache, factory_.get(), *response);
  return Answer(*response);
}

absl::StatusOr<std::string> TypedServiceHandler::Count(const Method& m, const Message& request,
                                                       const service::CallContext& ctx) const {
  const Reflection* r = request.GetReflection();
  service::RepoCountRequest domain;
  domain.model = m.model->name;
  QG_ASSIGN_OR_RETURN(
      domain.filter,
      codec_->ToFilter(r->GetMessage(request, Field(request, "filter")), *m.model, "filter"));
  domain.cache_mode = CacheMode(request);
  QG_ASSIGN_OR_RETURN(service::RepoCountResponse result, service_->Count(domain, ctx));
  std::unique_ptr<Message> response = New(m.output);
  response->GetReflection()->SetInt64(response.get(), Field(*response, "count"), result.count);
  SetCache(result.cache, factory_.get(), *response);
  return Answer(*response);
}

absl::StatusOr<std::string> TypedServiceHandler::Create(const Method& m, const Message& request,
                                                        const service::CallContext& ctx) const {
  service::RepoCreateRequest domain;
  domain.model = m.model->name;
  QG_ASSIGN_OR_RETURN(
      domain.record,
      codec_->ToRecord(request.GetReflection()->GetMessage(request, Field(request, "record")),
                       *m.model, "record", internal::WriteMode::kCreate, nullptr));
  QG_ASSIGN_OR_RETURN(service::Record created, service_->Create(domain, ctx));
  return RecordAnswer(m, created);
}

absl::StatusOr<std::string> TypedServiceHandler::Update(const Method& m, const Message& request,
                                                        const service::CallContext& ctx) const {
  const Reflection* r = request.GetReflection();
  service::RepoUpdateRequest domain;
  domain.model = m.model->name;
  QG_ASSIGN_OR_RETURN(domain.id, codec_->ScalarValue(request, Field(request, "id"),
                                                     *m.model->PrimaryKeyField(), "id"));
  std::optional<std::vector<std::string>> mask;
  if (const FieldDescriptor* fd = Field(request, "update_mask"); r->HasField(request, fd)) {
    google::protobuf::FieldMask wire;
    wire.ParseFromString(r->GetMessage(request, fd).SerializeAsString());
    if (wire.paths_size() > 0) mask.emplace(wire.paths().begin(), wire.paths().end());
  }
  QG_ASSIGN_OR_RETURN(
      domain.record,
      codec_->ToRecord(r->GetMessage(request, Field(request, "record")), *m.model, "record",
                       internal::WriteMode::kUpdate, mask.has_value() ? &*mask : nullptr));
  domain.update_mask = std::move(mask);
  if (const FieldDescriptor* fd = Field(request, "expected_updated_at"); r->HasField(request, fd)) {
    v1::Value wrapped;
    wrapped.mutable_timestamp_value()->ParseFromString(
        r->GetMessage(request, fd).SerializeAsString());
    QG_ASSIGN_OR_RETURN(Value ts, wire::FromProto(wrapped, "expected_updated_at"));
    domain.expected_updated_at = ts.time_value();
  }
  QG_ASSIGN_OR_RETURN(service::Record updated, service_->Update(domain, ctx));
  return RecordAnswer(m, updated);
}

absl::StatusOr<std::string> TypedServiceHandler::Delete(const Method& m, const Message& request,
                                                        const service::CallContext& ctx) const {
  service::RepoDeleteRequest domain;
  domain.model = m.model->name;
  QG_ASSIGN_OR_RETURN(domain.id, codec_->ScalarValue(request, Field(request, "id"),
                                                     *m.model->PrimaryKeyField(), "id"));
  domain.hard = request.GetReflection()->GetBool(request, Field(request, "hard"));
  QG_ASSIGN_OR_RETURN(bool deleted, service_->Delete(domain, ctx));
  std::unique_ptr<Message> response = New(m.output);
  response->GetReflection()->SetBool(response.get(), Field(*response, "deleted"), deleted);
  return Answer(*response);
}

}  // namespace querygate::rpc
