# Freshness under network faults (issue 11): a writer cut off from Redis and a silent
# partition of the LISTEN session, through socat proxies the test cuts and freezes.
querygate_test(partition_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/partition_test.cc
  DEPS querygate_test_server querygate::db querygate::cache gRPC::grpc++
    protobuf::libprotobuf)
