# Multi-tenancy (issue 10), schema side: tenant DDL, RLS catalog, isolation as a runtime role
# granted by migrate up --grant-to, and tenancy migrations.
querygate_test(tenancy_ddl_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tenancy_ddl_test.cc
  DEPS querygate::migrate querygate::schema querygate_test_support)
