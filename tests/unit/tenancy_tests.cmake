# Multi-tenancy (issue 10), schema side: tenancy parsing, validation, DDL and tenant ids.
querygate_test(schema_tenancy_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/schema_tenancy_test.cc
  DEPS querygate::schema)
