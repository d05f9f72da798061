# Redis losing or rewinding its data (issue 11): detection through run_id and the epoch
# sentinel, followed by an epoch bump.
querygate_test(redis_loss_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/redis_loss_test.cc
  DEPS querygate_test_server querygate::cache querygate_test_support PkgConfig::HIREDIS
    gRPC::grpc++ protobuf::libprotobuf)
