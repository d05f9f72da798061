# Time-partitioned tables (issue 13, part 3): the `partition` option, its validation and DDL.
querygate_test(time_partition_schema_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/time_partition_schema_test.cc
  DEPS querygate::schema)
querygate_test(time_partition_diff_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/time_partition_diff_test.cc
  DEPS querygate::migrate)
