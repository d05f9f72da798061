querygate_test(repository_unit_test unit
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/repository_filter_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/repository_paging_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/repository_writes_test.cc
  DEPS querygate::service querygate::schema)
