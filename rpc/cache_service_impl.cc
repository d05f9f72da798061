#include "rpc/cache_service_impl.h"

#include "rpc/status_conversion.h"

namespace querygate::rpc {

grpc::Status CacheServiceImpl::Invalidate(grpc::ServerContext*,
                                          const v1::InvalidateRequest* request,
                                          v1::InvalidateResponse* response) {
  service::InvalidateRequest domain;
  domain.tables.assign(request->tables().begin(), request->tables().end());
  domain.queries.assign(request->queries().begin(), request->queries().end());
  domain.tags.assign(request->tags().begin(), request->tags().end());
  absl::Status status = service_->Invalidate(domain);
  if (!status.ok()) return ToGrpcStatus(status);
  *response->mutable_tables() = request->tables();
  *response->mutable_queries() = request->queries();
  return grpc::Status::OK;
}

}  // namespace querygate::rpc
