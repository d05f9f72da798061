# Database monitor and index advisor (issue 12, section 4): plan-filter parsing, repository
# statement shapes, and no-transaction migration files.
querygate_test(insights_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/insights_plan_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/no_transaction_migration_files_test.cc
  DEPS querygate::service querygate::migrate querygate::schema querygate_test_support)
