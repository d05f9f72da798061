# The in-process L1 tier (issue 11, section 5) against real PostgreSQL and Redis: coherence
# across in-process instances, the race harness, frozen server processes, Redis loss, a writer
# partitioned from Redis, and stale-while-revalidate / stale-if-error.
set(QG_L1_TEST_DEPS querygate_test_server querygate::cache gRPC::grpc++ protobuf::libprotobuf)
querygate_test(l1_coherence_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/l1_coherence_test.cc DEPS ${QG_L1_TEST_DEPS})
querygate_test(l1_race_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/l1_race_test.cc DEPS ${QG_L1_TEST_DEPS})
querygate_test(l1_frozen_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/l1_frozen_test.cc
  DEPS ${QG_L1_TEST_DEPS} querygate::migrate PkgConfig::HIREDIS)
add_dependencies(l1_frozen_test querygate-server)
querygate_test(l1_redis_loss_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/l1_redis_loss_test.cc
  DEPS ${QG_L1_TEST_DEPS} PkgConfig::HIREDIS)
querygate_test(l1_partition_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/l1_partition_test.cc DEPS ${QG_L1_TEST_DEPS})
querygate_test(l1_stale_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/l1_stale_test.cc DEPS ${QG_L1_TEST_DEPS})
