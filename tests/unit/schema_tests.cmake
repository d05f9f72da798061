querygate_test(schema_test unit
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/schema_parser_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/schema_validator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/schema_ddl_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/schema_named_query_test.cc
  DEPS querygate::schema)
# Fallback for running the binary outside ctest (ctest sets QUERYGATE_SOURCE_DIR).
target_compile_definitions(schema_test PRIVATE QUERYGATE_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
