querygate_test(cache_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cache_redis_options_test.cc
  DEPS querygate::cache)
querygate_test(l1_store_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/l1_store_test.cc
  DEPS querygate::cache)
