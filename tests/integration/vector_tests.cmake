# Vector similarity search (issue 13): nearest-neighbour List and vector named-query
# parameters on both storages, and HNSW recall against exact search (pgvector only).
set(QG_VECTOR_TEST_DEPS querygate_test_server querygate::migrate gRPC::grpc++
  protobuf::libprotobuf)
querygate_test(vector_search_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vector/vector_search_test.cc DEPS ${QG_VECTOR_TEST_DEPS})
querygate_test(vector_recall_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vector/vector_recall_test.cc DEPS ${QG_VECTOR_TEST_DEPS})
querygate_test(vector_tenancy_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vector/vector_tenancy_test.cc DEPS ${QG_VECTOR_TEST_DEPS})
