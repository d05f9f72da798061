querygate_test(cache_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cache_redis_options_test.cc
  DEPS querygate::cache)
