#ifndef QUERYGATE_RPC_REPOSITORY_SERVICE_IMPL_H_
#define QUERYGATE_RPC_REPOSITORY_SERVICE_IMPL_H_

#include "querygate/v1/repository_service.grpc.pb.h"
#include "rpc/call_guard.h"
#include "service/repository_service.h"

namespace querygate::rpc {

// querygate.v1.RepositoryService over service::RepositoryService: converts the wire request
// into domain types, calls the service and converts its status once.
class RepositoryServiceImpl final : public v1::RepositoryService::Service {
 public:
  RepositoryServiceImpl(service::RepositoryService* service, const CallGuard* guard)
      : service_(service), guard_(guard) {}

  grpc::Status Get(grpc::ServerContext* context, const v1::GetRequest* request,
                   v1::GetResponse* response) override;
  grpc::Status List(grpc::ServerContext* context, const v1::ListRequest* request,
                    v1::ListResponse* response) override;
  grpc::Status Count(grpc::ServerContext* context, const v1::CountRequest* request,
                     v1::CountResponse* response) override;
  grpc::Status Exists(grpc::ServerContext* context, const v1::ExistsRequest* request,
                      v1::ExistsResponse* response) override;
  grpc::Status Create(grpc::ServerContext* context, const v1::CreateRequest* request,
                      v1::CreateResponse* response) override;
  grpc::Status CreateMany(grpc::ServerContext* context, const v1::CreateManyRequest* request,
                          v1::CreateManyResponse* response) override;
  grpc::Status Update(grpc::ServerContext* context, const v1::UpdateRequest* request,
                      v1::UpdateResponse* response) override;
  grpc::Status Delete(grpc::ServerContext* context, const v1::DeleteRequest* request,
                      v1::DeleteResponse* response) override;
  grpc::Status Transact(grpc::ServerContext* context, const v1::TransactRequest* request,
                        v1::TransactResponse* response) override;

 private:
  service::RepositoryService* service_;
  const CallGuard* guard_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_REPOSITORY_SERVICE_IMPL_H_
