# Randomized tenant isolation (issue 10): 20,000 random operations of several tenants and
# hostile callers through two instances, each answer checked against a SQL oracle.
querygate_test(tenancy_isolation_test integration
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/tenancy_isolation_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/tenancy_isolation/filters.cc
    ${CMAKE_CURRENT_LIST_DIR}/tenancy_isolation/render.cc
  DEPS querygate_test_server querygate::auth nlohmann_json::nlohmann_json gRPC::grpc++
    protobuf::libprotobuf)
