# Operations (issue 12): /metrics (promtool and parsed), counters moving with calls,
# invalidations by source and pool exhaustion, the invalidation-lag histogram, /readyz following
# the feeds and the startup warm, and promtool over deploy/prometheus.
querygate_test(metrics_integration_test integration
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/metrics_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/metrics/http_client.cc
  DEPS querygate_test_server gRPC::grpc++ protobuf::libprotobuf absl::strings)
