# Operations (issue 12): call observation through the gRPC interceptor, metric rendering.
querygate_test(call_observer_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/call_observer_test.cc
  DEPS querygate::rpc querygate::proto gRPC::grpc++)
querygate_test(ops_metrics_unit_test unit
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/ops_metrics_test.cc
    ${PROJECT_SOURCE_DIR}/tests/integration/metrics/http_client.cc
  DEPS querygate::ops absl::strings absl::time)
