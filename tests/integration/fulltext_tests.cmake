# Ranked full-text search (issue 13, part 4): rank_by against a SQL oracle, the GIN index,
# invalidation and hostile input.
querygate_test(fulltext_rank_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/fulltext_rank_test.cc
  DEPS querygate_test_server querygate::service querygate::schema gRPC::grpc++
    protobuf::libprotobuf)
