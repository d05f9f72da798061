# Multi-tenant serving: the tenant setting on pooled connections, per-tenant cache keys and
# generations, denials without a tenant, tenant-checked writes, per-tenant invalidation.
querygate_test(tenancy_serving_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tenancy_serving_test.cc
  DEPS querygate_test_server querygate::cache PkgConfig::HIREDIS gRPC::grpc++
    protobuf::libprotobuf)
