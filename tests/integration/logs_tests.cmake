# Structured logs (issue 12, section 3) read from a real querygate-server's stderr.
querygate_test(logs_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/logs_test.cc
  DEPS querygate_test_support querygate::migrate querygate::cache querygate::proto gRPC::grpc++
    protobuf::libprotobuf PkgConfig::HIREDIS nlohmann_json::nlohmann_json)
add_dependencies(logs_integration_test querygate-server)
