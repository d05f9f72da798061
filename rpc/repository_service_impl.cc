#include "rpc/repository_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rpc/cache_info_conversion.h"
#include "rpc/status_conversion.h"
#include "wire/value_conversion.h"

namespace querygate::rpc {
namespace {

using service::Filter;
using service::FilterOp;
using service::Record;
using wire::FromProto;
using wire::ToProto;

FilterOp OpFromProto(v1::Operator op) {
  switch (op) {
    case v1::EQ:
      return FilterOp::kEq;
    case v1::NE:
      return FilterOp::kNe;
    case v1::LT:
      return FilterOp::kLt;
    case v1::LE:
      return FilterOp::kLe;
    case v1::GT:
      return FilterOp::kGt;
    case v1::GE:
      return FilterOp::kGe;
    case v1::IN:
      return FilterOp::kIn;
    case v1::NOT_IN:
      return FilterOp::kNotIn;
    case v1::IS_NULL:
      return FilterOp::kIsNull;
    case v1::IS_NOT_NULL:
      return FilterOp::kIsNotNull;
    case v1::BETWEEN:
      return FilterOp::kBetween;
    case v1::LIKE:
      return FilterOp::kLike;
    case v1::ILIKE:
      return FilterOp::kILike;
    case v1::MATCH:
      return FilterOp::kMatch;
    default:
      return FilterOp::kUnspecified;
  }
}

absl::StatusOr<Filter> FilterFromProto(const v1::Filter& in, const std::string& path) {
  Filter out;
  switch (in.kind_case()) {
    case v1::Filter::KIND_NOT_SET:
      return out;
    case v1::Filter::kCondition: {
      out.kind = Filter::Kind::kCondition;
      out.field = in.condition().field();
      out.op = OpFromProto(in.condition().op());
      QG_ASSIGN_OR_RETURN(
          out.value, FromProto(in.condition().value(), absl::StrCat(path, ".condition.value")));
      return out;
    }
    case v1::Filter::kAll:
    case v1::Filter::kAny: {
      bool all = in.kind_case() == v1::Filter::kAll;
      out.kind = all ? Filter::Kind::kAll : Filter::Kind::kAny;
      const v1::FilterList& list = all ? in.all() : in.any();
      for (int i = 0; i < list.filters_size(); ++i) {
        QG_ASSIGN_OR_RETURN(
            Filter child,
            FilterFromProto(list.filters(i), absl::StrCat(path, all ? ".all[" : ".any[", i, "]")));
        out.children.push_back(std::move(child));
      }
      return out;
    }
    case v1::Filter::kNot: {
      out.kind = Filter::Kind::kNot;
      QG_ASSIGN_OR_RETURN(Filter child, FilterFromProto(in.not_(), absl::StrCat(path, ".not")));
      out.children.push_back(std::move(child));
      return out;
    }
  }
  return out;
}

absl::StatusOr<Record> RecordFromProto(const v1::Record& in, const std::string& path) {
  Record out;
  for (const auto& [name, value] : in.fields()) {
    QG_ASSIGN_OR_RETURN(Value converted, FromProto(value, absl::StrCat(path, ".", name)));
    out.emplace(name, std::move(converted));
  }
  return out;
}

void RecordToProto(const Record& in, v1::Record& out) {
  auto& fields = *out.mutable_fields();
  for (const auto& [name, value] : in) ToProto(value, fields[name]);
}

absl::StatusOr<service::RepoCreateRequest> CreateFromProto(const v1::CreateRequest& in,
                                                           const std::string& path) {
  service::RepoCreateRequest out;
  out.model = in.model();
  QG_ASSIGN_OR_RETURN(out.record, RecordFromProto(in.record(), path));
  return out;
}

absl::StatusOr<service::RepoUpdateRequest> UpdateFromProto(const v1::UpdateRequest& in,
                                                           const std::string& prefix) {
  service::RepoUpdateRequest out;
  out.model = in.model();
  QG_ASSIGN_OR_RETURN(out.id, FromProto(in.id(), absl::StrCat(prefix, "id")));
  QG_ASSIGN_OR_RETURN(out.record, RecordFromProto(in.record(), absl::StrCat(prefix, "record")));
  if (in.has_update_mask() && in.update_mask().paths_size() > 0) {
    out.update_mask.emplace(in.update_mask().paths().begin(), in.update_mask().paths().end());
  }
  if (in.has_expected_updated_at()) {
    v1::Value wrapped;
    *wrapped.mutable_timestamp_value() = in.expected_updated_at();
    QG_ASSIGN_OR_RETURN(Value ts, FromProto(wrapped, absl::StrCat(prefix, "expected_updated_at")));
    out.expected_updated_at = ts.time_value();
  }
  return out;
}

absl::StatusOr<service::RepoDeleteRequest> DeleteFromProto(const v1::DeleteRequest& in,
                                                           const std::string& prefix) {
  service::RepoDeleteRequest out;
  out.model = in.model();
  out.hard = in.hard();
  QG_ASSIGN_OR_RETURN(out.id, FromProto(in.id(), absl::StrCat(prefix, "id")));
  return out;
}

service::DistanceMetric MetricFromProto(v1::DistanceMetric metric) {
  switch (metric) {
    case v1::DISTANCE_METRIC_COSINE:
      return service::DistanceMetric::kCosine;
    case v1::DISTANCE_METRIC_L2:
      return service::DistanceMetric::kL2;
    case v1::DISTANCE_METRIC_INNER_PRODUCT:
      return service::DistanceMetric::kInnerProduct;
    default:
      return service::DistanceMetric::kDefault;
  }
}

service::NearestClause NearestFromProto(const v1::Nearest& in) {
  service::NearestClause out;
  out.field = in.field();
  out.vector.assign(in.vector().begin(), in.vector().end());
  out.metric = MetricFromProto(in.metric());
  out.k = in.k();
  if (in.has_max_distance()) out.max_distance = in.max_distance();
  if (in.has_min_similarity()) out.min_similarity = in.min_similarity();
  return out;
}

service::RankClause RankFromProto(const v1::RankBy& in) {
  service::RankClause out;
  out.field = in.field();
  out.query = in.query();
  out.function = in.function() == v1::RANK_FUNCTION_TS_RANK_CD ? service::RankFunction::kTsRankCd
                                                               : service::RankFunction::kTsRank;
  out.normalization = in.normalization();
  return out;
}

void ScoreToProto(const service::RecordScore& score, v1::Record& out) {
  if (score.distance) out.set_distance(*score.distance);
  if (score.similarity) out.set_similarity(*score.similarity);
  if (score.rank) out.set_rank(*score.rank);
}

}  // namespace

grpc::Status RepositoryServiceImpl::Get(grpc::ServerContext* context, const v1::GetRequest* request,
                                        v1::GetResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kGet);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (ctx->trace != nullptr) ctx->trace->SetName(request->model());
  service::RepoGetRequest domain;
  domain.model = request->model();
  auto id = FromProto(request->id(), "id");
  if (!id.ok()) return ToGrpcStatus(id.status());
  domain.id = *std::move(id);
  domain.include.assign(request->include().begin(), request->include().end());
  domain.cache_mode = CacheModeFromProto(request->cache_mode());
  auto result = service_->Get(domain, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  RecordToProto(result->record, *response->mutable_record());
  CacheInfoToProto(result->cache, *response->mutable_cache());
  response->set_statements(result->statements);
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::List(grpc::ServerContext* context,
                                         const v1::ListRequest* request,
                                         v1::ListResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kList);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (ctx->trace != nullptr) ctx->trace->SetName(request->model());
  service::RepoListRequest domain;
  domain.model = request->model();
  auto filter = FilterFromProto(request->filter(), "filter");
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  domain.filter = *std::move(filter);
  for (const v1::Order& order : request->order_by()) {
    domain.order_by.push_back({order.field(), order.descending()});
  }
  domain.page_size = request->page_size();
  domain.page_token = request->page_token();
  domain.offset = request->offset();
  domain.include.assign(request->include().begin(), request->include().end());
  domain.fields.assign(request->fields().begin(), request->fields().end());
  domain.cache_mode = CacheModeFromProto(request->cache_mode());
  if (request->has_nearest()) domain.nearest = NearestFromProto(request->nearest());
  if (request->has_rank_by()) domain.rank_by = RankFromProto(request->rank_by());
  auto result = service_->List(domain, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->mutable_records()->Reserve(static_cast<int>(result->records.size()));
  for (size_t i = 0; i < result->records.size(); ++i) {
    v1::Record* record = response->add_records();
    RecordToProto(result->records[i], *record);
    if (i < result->scores.size()) ScoreToProto(result->scores[i], *record);
  }
  response->set_next_page_token(result->next_page_token);
  CacheInfoToProto(result->cache, *response->mutable_cache());
  response->set_statements(result->statements);
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::Count(grpc::ServerContext* context,
                                          const v1::CountRequest* request,
                                          v1::CountResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kCount);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (ctx->trace != nullptr) ctx->trace->SetName(request->model());
  service::RepoCountRequest domain;
  domain.model = request->model();
  auto filter = FilterFromProto(request->filter(), "filter");
  if (!filter.ok()) return ToGrpcStatus(filter.status());
  domain.filter = *std::move(filter);
  domain.cache_mode = CacheModeFromProto(request->cache_mode());
  auto result = service_->Count(domain, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_count(result->count);
  CacheInfoToProto(result->cache, *response->mutable_cache());
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::Exists(grpc::ServerContext* context,
                                           const v1::ExistsRequest* request,
                                           v1::ExistsResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kExists);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  service::RepoExistsRequest domain;
  domain.model = request->model();
  auto id = FromProto(request->id(), "id");
  if (!id.ok()) return ToGrpcStatus(id.status());
  domain.id = *std::move(id);
  auto result = service_->Exists(domain, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_exists(*result);
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::Create(grpc::ServerContext* context,
                                           const v1::CreateRequest* request,
                                           v1::CreateResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kCreate);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  auto domain = CreateFromProto(*request, "record");
  if (!domain.ok()) return ToGrpcStatus(domain.status());
  auto result = service_->Create(*domain, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  RecordToProto(*result, *response->mutable_record());
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::CreateMany(grpc::ServerContext* context,
                                               const v1::CreateManyRequest* request,
                                               v1::CreateManyResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kCreateMany);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  std::vector<Record> records;
  for (int i = 0; i < request->records_size(); ++i) {
    auto record = RecordFromProto(request->records(i), absl::StrCat("records[", i, "]"));
    if (!record.ok()) return ToGrpcStatus(record.status());
    records.push_back(*std::move(record));
  }
  auto result = service_->CreateMany(request->model(), records, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  for (const Record& record : *result) RecordToProto(record, *response->add_records());
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::Update(grpc::ServerContext* context,
                                           const v1::UpdateRequest* request,
                                           v1::UpdateResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kUpdate);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  auto domain = UpdateFromProto(*request, "");
  if (!domain.ok()) return ToGrpcStatus(domain.status());
  auto result = service_->Update(*domain, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  RecordToProto(*result, *response->mutable_record());
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::Delete(grpc::ServerContext* context,
                                           const v1::DeleteRequest* request,
                                           v1::DeleteResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kDelete);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  auto domain = DeleteFromProto(*request, "");
  if (!domain.ok()) return ToGrpcStatus(domain.status());
  auto result = service_->Delete(*domain, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_deleted(*result);
  return grpc::Status::OK;
}

grpc::Status RepositoryServiceImpl::Transact(grpc::ServerContext* context,
                                             const v1::TransactRequest* request,
                                             v1::TransactResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kTransact);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  std::vector<service::RepoWriteOp> ops;
  for (int i = 0; i < request->ops_size(); ++i) {
    const v1::WriteOp& op = request->ops(i);
    std::string path = absl::StrCat("ops[", i, "].");
    service::RepoWriteOp domain;
    absl::Status converted = absl::OkStatus();
    switch (op.op_case()) {
      case v1::WriteOp::kCreate: {
        domain.kind = service::RepoWriteOp::Kind::kCreate;
        auto create = CreateFromProto(op.create(), absl::StrCat(path, "create.record"));
        if (create.ok()) domain.create = *std::move(create);
        converted = create.status();
        break;
      }
      case v1::WriteOp::kUpdate: {
        domain.kind = service::RepoWriteOp::Kind::kUpdate;
        auto update = UpdateFromProto(op.update(), absl::StrCat(path, "update."));
        if (update.ok()) domain.update = *std::move(update);
        converted = update.status();
        break;
      }
      case v1::WriteOp::kDelete: {
        domain.kind = service::RepoWriteOp::Kind::kDelete;
        auto del = DeleteFromProto(op.delete_(), absl::StrCat(path, "delete."));
        if (del.ok()) domain.del = *std::move(del);
        converted = del.status();
        break;
      }
      default:
        converted =
            absl::InvalidArgumentError(absl::StrCat(path, "op: set create, update or delete"));
    }
    if (!converted.ok()) return ToGrpcStatus(converted);
    ops.push_back(std::move(domain));
  }
  auto result = service_->Transact(ops, *ctx);
  if (!result.ok()) return ToGrpcStatus(result.status());
  for (const Record& record : *result) RecordToProto(record, *response->add_records());
  return grpc::Status::OK;
}

}  // namespace querygate::rpc
