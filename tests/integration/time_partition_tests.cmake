# Time-partitioned tables (issue 13, part 3): partitions by month, pruning, invalidation through
# a partition, the maintenance task and retention. (partition_test.cc is about network
# partitions.)
querygate_test(time_partition_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/time_partition_test.cc
  DEPS querygate_test_server querygate::migrate querygate::db nlohmann_json::nlohmann_json
    gRPC::grpc++ protobuf::libprotobuf)
