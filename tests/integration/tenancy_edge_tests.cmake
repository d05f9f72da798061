# Multi-tenancy at the edge: the caller's tenant (JWT claim, tenancy header), startup checks of
# the database role and named queries, ListQueries/Invalidate/Warm tenant fields, the CLI.
querygate_test(tenancy_edge_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tenancy_edge_test.cc
  DEPS querygate_test_server querygate::client nlohmann_json::nlohmann_json absl::strings
    gRPC::grpc++ protobuf::libprotobuf)
add_dependencies(tenancy_edge_integration_test querygate)
